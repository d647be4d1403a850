"""Per-unit genealogy from a line's MES over JSON-2 with an API key: the plain method, and
EPCIS TransformationEvents naming the order as their production order."""

from datetime import datetime, timedelta
from urllib.parse import quote

from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from odoo.addons.udi_master.tests.json2 import api_key, post_json2

from .genealogy_common import GenealogyCommon

CATHETER_CLASS = "urn:epc:class:lgtin:6901234.056789."
PACEMAKER_ID = "urn:epc:id:sgtin:6901234.050001."


@tagged("post_install", "-at_install")
class TestUnitGenealogyApi(HttpCase, GenealogyCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mes = new_test_user(
            cls.env,
            "line_mes",
            groups="base.group_user,mrp.group_mrp_user,udi_master.group_trace_user",
        )
        cls.key = api_key(cls.env, cls.mes, "Line 3 MES")

    def _unit_events(self):
        return self.Event.search(
            [("origin", "=", "unit_genealogy"), ("production_id", "=", self.order.id)]
        )

    def _event(self, serial, lots, event_id):
        when = datetime.now() - timedelta(hours=1)
        return {
            "type": "TransformationEvent",
            "eventID": event_id,
            "eventTime": when.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "eventTimeZoneOffset": "+08:00",
            "inputQuantityList": [
                {"epcClass": CATHETER_CLASS + lot, "quantity": 1} for lot in lots
            ],
            "outputEPCList": [PACEMAKER_ID + name for name in serial],
            "bizStep": "assembling",
            "bizTransactionList": [
                {
                    "type": "prodorder",
                    "bizTransaction": "urn:epcglobal:cbv:bt:6901234000016:"
                    + quote(self.order.name, safe=""),
                }
            ],
        }

    def test_json2_record_unit_genealogy_makes_the_trace_exact(self):
        payload = {
            "production": self.order.name,
            "units": [
                {"serial": unit.name, "components": [{"lot": lot.name}]}
                for lot, units in self.truth.items()
                for unit in units
            ],
        }
        response = post_json2(self, "/json/2/trace.event/record_unit_genealogy", payload, self.key)
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(len(response.json()["event_ids"]), 4)
        for lot, units in self.truth.items():
            result = self.Event.trace_forward(lot.ids)
            self.assertEqual(self._reached(result), units)
            self.assertTrue(result["genealogy"]["exact"])

    def test_json2_capture_of_one_transformation_event_per_unit(self):
        events = [
            self._event([unit.name], [lot.name], f"urn:uuid:7d1c0c4e-0000-4000-8000-00000000000{i}")
            for i, (lot, unit) in enumerate(
                (lot, unit) for lot, units in self.truth.items() for unit in units
            )
        ]
        response = post_json2(self, "/json/2/trace.event/capture", {"events": events}, self.key)
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(response.json()["created"], 4)
        self.assertEqual(len(self._unit_events()), 4)
        for lot, units in self.truth.items():
            self.assertEqual(self._reached(self.Event.trace_forward(lot.ids)), units)

    @mute_logger("odoo.http")
    def test_json2_capture_contradicting_the_order_stores_nothing(self):
        self._receive([(self.catheter_variant, "CATH-Z", 1)])
        before = self.Event.search_count([])
        events = [
            self._event(["GEN-1"], ["CATH-A"], "urn:uuid:7d1c0c4e-0000-4000-8000-0000000000a1"),
            self._event(["GEN-2"], ["CATH-Z"], "urn:uuid:7d1c0c4e-0000-4000-8000-0000000000a2"),
            self._event(
                ["GEN-3", "GEN-4"], ["CATH-B"], "urn:uuid:7d1c0c4e-0000-4000-8000-0000000000a3"
            ),
        ]
        response = post_json2(self, "/json/2/trace.event/capture", {"events": events}, self.key)
        self.assertEqual(response.status_code, 422, response.text)
        message = response.json()["message"]
        self.assertIn("CATH-Z", message)
        self.assertIn("was not consumed by", message)
        self.assertIn("exactly one output", message)
        self.assertEqual(self.Event.search_count([]), before)

    @mute_logger("odoo.http")
    def test_json2_over_assignment_is_refused(self):
        payload = {
            "production": self.order.id,
            "units": [{"serial": unit.name, "components": ["CATH-B"]} for unit in self.units],
        }
        response = post_json2(self, "/json/2/trace.event/record_unit_genealogy", payload, self.key)
        self.assertEqual(response.status_code, 422, response.text)
        self.assertIn("consumed only 2.0", response.json()["message"])
        self.assertFalse(self._unit_events())
