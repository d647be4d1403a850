"""Capture over JSON-2 with hostile input: every case a clear 4xx naming the problem, nothing
stored (no event, no lot, no audit seal entry)."""

import json
import xmlrpc.client

from odoo.tests import get_db_name, tagged
from odoo.tools import mute_logger

from odoo.addons.udi_master.tests.json2 import post_json2

from .test_capture import CATHETER_DL, INTEGRATOR_PASSWORD, CaptureApiCase, shipping_event

DEEP = 5000


@tagged("post_install", "-at_install")
class TestCaptureLimits(CaptureApiCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["product.template"].create(
            {
                "name": "Central venous catheter",
                "is_storable": True,
                "tracking": "lot",
                "udi_regulated": True,
                "udi_pi_lot": True,
                "udi_di_ids": [(0, 0, {"di": "06901234567892", "packaging_level": "base"})],
            }
        )

    def _post(self, method, body):
        return post_json2(self, f"/json/2/trace.event/{method}", body, self.api_key)

    def _counts(self):
        self.env.invalidate_all()
        self.env["audit.seal.entry"]._seal_run_pending()
        return (
            self.env["trace.event"].search_count([]),
            self.env["stock.lot"].search_count([]),
            self.env["audit.seal.entry"].search_count([("res_model", "=", "trace.event")]),
        )

    def _assert_refused(self, method, body, *fragments):
        before = self._counts()
        with mute_logger("odoo.http"):
            response = self._post(method, body)
        self.assertEqual(response.status_code, 422, response.text[:2000])
        message = response.json()["message"]
        for fragment in fragments:
            self.assertIn(fragment, message)
        self.assertEqual(self._counts(), before, "nothing may be stored")
        return message

    def _lot_event(self, event_id, quantity):
        return shipping_event(
            event_id,
            epcList=[],
            quantityList=[{"epcClass": CATHETER_DL.format(lot="C-NAN1"), "quantity": quantity}],
        )

    # ------------------------------------------------------------------ quantities

    def test_nan_quantity_is_refused_naming_event_and_field(self):
        body = json.dumps({"events": [self._lot_event("urn:uuid:nan-1", float("nan"))]})
        self.assertIn("NaN", body)
        self._assert_refused("capture", body, "Event 1 (urn:uuid:nan-1)", "quantity")

    def test_infinite_quantity_is_refused_naming_event_and_field(self):
        body = json.dumps(
            {
                "events": [
                    shipping_event("urn:uuid:ok-1"),
                    self._lot_event("urn:uuid:inf-1", float("inf")),
                ]
            }
        )
        self.assertIn("Infinity", body)
        message = self._assert_refused("capture", body, "Event 2 (urn:uuid:inf-1)", "quantity")
        self.assertNotIn("Event 1", message)

    def test_huge_quantity_is_refused_naming_event_and_field(self):
        self._assert_refused(
            "capture",
            {"events": [self._lot_event("urn:uuid:big-1", 1e308)]},
            "Event 1 (urn:uuid:big-1)",
            "quantity",
        )

    def test_nan_quantity_in_an_imported_document_is_refused(self):
        document = {
            "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
            "type": "EPCISDocument",
            "schemaVersion": "2.0",
            "creationDate": "2025-03-01T10:00:00Z",
            "epcisBody": {"eventList": [self._lot_event("urn:uuid:nan-2", float("nan"))]},
        }
        self._assert_refused(
            "import_epcis",
            json.dumps({"document": json.dumps(document)}),
            "urn:uuid:nan-2",
            "quantity",
        )

    # ------------------------------------------------------------------ text

    def test_event_id_with_nul_is_refused(self):
        self._assert_refused(
            "capture", {"events": [shipping_event("urn:uuid:nul\x00-1")]}, "Event 1", "eventID"
        )

    def test_document_name_with_nul_is_refused(self):
        event = shipping_event("urn:uuid:nul-2", **{"udit:document": "DN\x00778"})
        self._assert_refused(
            "capture", {"events": [event]}, "Event 1 (urn:uuid:nul-2)", "udit:document"
        )

    # ------------------------------------------------------------------ nesting

    def test_deeply_nested_event_is_refused(self):
        # as deep as Odoo's own JSON body parser reads (it stops near 1,000 levels)
        event = json.dumps(shipping_event("urn:uuid:deep-1", ilmd={"x": "@"}))
        deep = "[" * 500 + "]" * 500
        body = '{"events": [' + event.replace('"@"', deep) + "]}"
        self._assert_refused("capture", body, "Event 1 (urn:uuid:deep-1)", "nested")

    @mute_logger("odoo.addons.rpc.controllers.xmlrpc", "odoo.http")
    def test_event_nested_5000_deep_over_xmlrpc_is_refused(self):
        """XML-RPC reads any depth: the 5,000 levels reach the capture."""
        event = shipping_event("urn:uuid:deep-2", ilmd={"x": "@"})
        text = xmlrpc.client.dumps(
            (
                get_db_name(),
                self.integrator.id,
                INTEGRATOR_PASSWORD,
                "trace.event",
                "capture",
                [[event]],
                {},
            ),
            methodname="execute_kw",
        )
        deep = "<value><array><data>" * DEEP + "</data></array></value>" * DEEP
        text = text.replace("<value><string>@</string></value>", deep)
        before = self._counts()
        response = self.url_open(
            "/xmlrpc/2/object", data=text, headers={"Content-Type": "text/xml"}
        )
        with self.assertRaisesRegex(xmlrpc.client.Fault, "nested") as caught:
            xmlrpc.client.loads(response.text)
        self.assertIn("urn:uuid:deep-2", caught.exception.faultString)
        self.assertEqual(self._counts(), before)

    def test_deeply_nested_document_text_is_refused(self):
        text = '{"type": "EPCISDocument", "x": ' + "[" * DEEP + "]" * DEEP + "}"
        self._assert_refused("import_epcis", {"document": text}, "nested")

    # ------------------------------------------------------------------ caps

    def test_default_caps_are_ten_thousand(self):
        model = self.env["trace.event"]
        self.assertEqual(model._epcis_capture_limits(), (10000, 10000))

    def test_batch_over_the_event_cap_is_refused(self):
        self.env["ir.config_parameter"].sudo().set_param("trace_events.capture_max_events", "3")
        events = [shipping_event(f"urn:uuid:cap-{n}", serials=(f"PM{n:04d}",)) for n in range(4)]
        self._assert_refused(
            "capture",
            {"events": events},
            "4 events",
            "at most 3",
            "trace_events.capture_max_events",
        )

    def test_document_over_the_event_cap_is_refused(self):
        self.env["ir.config_parameter"].sudo().set_param("trace_events.capture_max_events", "1")
        document = {
            "type": "EPCISDocument",
            "schemaVersion": "2.0",
            "epcisBody": {
                "eventList": [
                    shipping_event("urn:uuid:dcap-1"),
                    shipping_event("urn:uuid:dcap-2", serials=("PM2",)),
                ]
            },
        }
        self._assert_refused("import_epcis", {"document": document}, "2 events", "at most 1")

    def test_event_over_the_epc_cap_is_refused(self):
        self.env["ir.config_parameter"].sudo().set_param("trace_events.capture_max_epcs", "2")
        event = shipping_event("urn:uuid:ecap-1", serials=("PM1", "PM2", "PM3"))
        self._assert_refused(
            "capture", {"events": [event]}, "Event 1 (urn:uuid:ecap-1)", "epcList", "at most 2"
        )

    def test_batch_within_the_caps_is_stored(self):
        self.env["ir.config_parameter"].sudo().set_param("trace_events.capture_max_events", "2")
        self.env["ir.config_parameter"].sudo().set_param("trace_events.capture_max_epcs", "2")
        response = self._post(
            "capture",
            {
                "events": [
                    shipping_event("urn:uuid:in-1", serials=("PM1", "PM2")),
                    shipping_event("urn:uuid:in-2", serials=("PM3",)),
                ]
            },
        )
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(response.json()["created"], 2)
