"""udi.parser.parse as integrators call it: JSON-2 with an API key, and legacy XML-RPC."""

import json
import xmlrpc.client
from datetime import datetime, timedelta

from odoo.tests import HttpCase, get_db_name, new_test_user, tagged
from odoo.tools import mute_logger

from .common import catheter_vals

SCAN = "]d20106901234567892112504011727033110CVC2506A"


@tagged("post_install", "-at_install")
class TestUdiApi(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.catheter = cls.env["product.template"].create(catheter_vals())
        cls.integrator = new_test_user(
            cls.env, "wms_integrator", password="wms_integrator-pw1",
            groups="base.group_user,udi_master.group_trace_user",
        )
        cls.api_key = cls.env["res.users.apikeys"].with_user(cls.integrator)._generate(
            scope="rpc", name="WMS", expiration_date=datetime.now() + timedelta(days=1))

    def _json2(self, payload, key=None):
        return self.url_open(
            "/json/2/udi.parser/parse",
            data=json.dumps(payload),
            headers={
                "Content-Type": "application/json",
                "Authorization": f"bearer {key or self.api_key}",
                "X-Odoo-Database": get_db_name(),
            },
        )

    def test_json2_parse_returns_plain_values_and_product(self):
        response = self._json2({"code": SCAN})
        self.assertEqual(response.status_code, 200, response.text)
        body = response.json()
        self.assertEqual(body["di"], "06901234567892")
        self.assertEqual(body["lot"], "CVC2506A")
        self.assertEqual(body["expiry"], "2027-03-31")
        self.assertEqual(body["manufactured"], "2025-04-01")
        self.assertEqual(body["product_id"], self.catheter.product_variant_id.id)
        self.assertEqual(body["warnings"], [])

    @mute_logger("odoo.http")
    def test_json2_invalid_scan_is_an_error_naming_the_reason(self):
        response = self._json2({"code": "]d20106901234567893" "10A"})
        self.assertEqual(response.status_code, 422, response.text)
        body = response.json()
        self.assertEqual(body["name"], "odoo.exceptions.ValidationError")
        self.assertIn("check digit", body["message"])

    @mute_logger("odoo.http")
    def test_json2_refuses_a_wrong_api_key(self):
        response = self._json2({"code": SCAN}, key="not-a-key")
        self.assertEqual(response.status_code, 401, response.text)

    @mute_logger("odoo.addons.rpc.controllers.xmlrpc")
    def test_xmlrpc_parse_works_for_legacy_integrations(self):
        result = self.xmlrpc_object.execute_kw(
            get_db_name(), self.integrator.id, "wms_integrator-pw1",
            "udi.parser", "parse", [SCAN], {},
        )
        self.assertEqual(result["lot"], "CVC2506A")
        self.assertEqual(result["product_id"], self.catheter.product_variant_id.id)

    @mute_logger("odoo.addons.rpc.controllers.xmlrpc", "odoo.http")
    def test_xmlrpc_cannot_call_private_parser_methods(self):
        with self.assertRaisesRegex(xmlrpc.client.Fault, "cannot be called remotely"):
            self.xmlrpc_object.execute_kw(
                get_db_name(), self.integrator.id, "wms_integrator-pw1",
                "udi.parser", "_parse_udi", [SCAN], {},
            )
