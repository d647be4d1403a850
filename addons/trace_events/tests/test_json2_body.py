"""JSON-2 bodies nested deeper than Python's JSON parser reads get a 400, never a 500."""

import json

from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from odoo.addons.udi_master.tests.json2 import api_key, post_json2

from .test_capture import shipping_event

DEEP = 5000


@tagged("post_install", "-at_install")
class TestJson2Body(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.integrator = new_test_user(
            cls.env,
            "json2_body",
            password="json2_body-pw1",
            groups="base.group_user,udi_master.group_trace_user",
        )
        cls.api_key = api_key(cls.env, cls.integrator, "WMS")

    def _post(self, path, body):
        with mute_logger("odoo.http"):
            return post_json2(self, path, body, self.api_key)

    def test_capture_nested_5000_deep_is_a_400_naming_the_nesting(self):
        event = json.dumps(shipping_event("urn:uuid:json2-deep-1", ilmd={"x": "@"}))
        body = '{"events": [' + event.replace('"@"', "[" * DEEP + "]" * DEEP) + "]}"
        events = self.env["trace.event"].search_count([])
        response = self._post("/json/2/trace.event/capture", body)
        self.assertEqual(response.status_code, 400, response.text[:500])
        self.assertIn("nested too deeply", response.json()["message"])
        self.assertEqual(self.env["trace.event"].search_count([]), events)

    def test_any_model_nested_5000_deep_is_a_400(self):
        body = '{"domain": ' + "[" * DEEP + "]" * DEEP + ', "fields": ["name"]}'
        response = self._post("/json/2/res.partner/search_read", body)
        self.assertEqual(response.status_code, 400, response.text[:500])
        self.assertIn("nested too deeply", response.json()["message"])

    def test_bodies_that_parse_are_served_as_before(self):
        response = self._post(
            "/json/2/res.partner/search_read",
            json.dumps({"domain": [["id", "=", self.integrator.partner_id.id]], "fields": ["id"]}),
        )
        self.assertEqual(response.status_code, 200, response.text[:500])
        self.assertEqual(response.json(), [{"id": self.integrator.partner_id.id}])
        response = self._post("/json/2/res.partner/search_read", '{"domain": [')
        self.assertEqual(response.status_code, 400, response.text[:500])
        self.assertIn("could not parse the body as json", response.json()["message"])
