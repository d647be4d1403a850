"""Trace and consistency as integrators call them: JSON-2 with an API key, legacy XML-RPC."""

import json
from datetime import datetime, timedelta

from odoo.tests import HttpCase, get_db_name, new_test_user, tagged
from odoo.tools import mute_logger

from .common import TraceCommon


@tagged("post_install", "-at_install")
class TestTraceApi(HttpCase, TraceCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._receive([(cls.catheter_variant, "API01", 10)])
        cls.lot = cls._lot_named(cls.catheter_variant, "API01")
        cls.delivery = cls._deliver(cls.distributor, [(cls.catheter_variant, cls.lot, 4)])
        cls.analyst = new_test_user(
            cls.env, "recall_analyst", password="recall_analyst-pw1",
            groups="base.group_user,udi_master.group_trace_user",
        )
        cls.api_key = cls.env["res.users.apikeys"].with_user(cls.analyst)._generate(
            scope="rpc", name="QMS", expiration_date=datetime.now() + timedelta(days=1))

    def _json2(self, method, payload):
        return self.url_open(
            f"/json/2/trace.event/{method}",
            data=json.dumps(payload),
            headers={
                "Content-Type": "application/json",
                "Authorization": f"bearer {self.api_key}",
                "X-Odoo-Database": get_db_name(),
            },
        )

    def test_json2_trace_forward_returns_lots_and_holders(self):
        response = self._json2("trace_forward", {"lot_ids": [self.lot.id]})
        self.assertEqual(response.status_code, 200, response.text)
        body = response.json()
        self.assertEqual([row["lot_id"] for row in body["lots"]], [self.lot.id])
        distributor = [row for row in body["holders"] if row["partner_id"] == self.distributor.id]
        self.assertEqual(len(distributor), 1)
        self.assertEqual(distributor[0]["quantity"], 4)
        self.assertEqual(distributor[0]["documents"], [self.delivery.name])

    def test_json2_trace_backward_of_a_received_lot_names_no_other_lot(self):
        response = self._json2("trace_backward", {"lot_ids": [self.lot.id]})
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual([row["depth"] for row in response.json()["lots"]], [0])

    @mute_logger("odoo.http")
    def test_json2_unknown_lot_is_a_clear_error(self):
        response = self._json2("trace_forward", {"lot_ids": [self.lot.id, 987654321]})
        self.assertEqual(response.status_code, 422, response.text)
        self.assertIn("987654321", response.json()["message"])

    @mute_logger("odoo.http")
    def test_json2_consistency_check_is_for_managers_only(self):
        response = self._json2("check_consistency", {})
        self.assertEqual(response.status_code, 403, response.text)

    @mute_logger("odoo.addons.rpc.controllers.xmlrpc")
    def test_xmlrpc_trace_forward_works_for_legacy_integrations(self):
        result = self.xmlrpc_object.execute_kw(
            get_db_name(), self.analyst.id, "recall_analyst-pw1",
            "trace.event", "trace_forward", [[self.lot.id]], {},
        )
        self.assertIn(self.distributor.id, [row["partner_id"] for row in result["holders"]])
