"""Packages as EPCIS AggregationEvents: a clerk puts serials in cases and the cases on a
pallet and validates the delivery (through the web client's buttons); the packing events are
sealed and exported as schema-valid AggregationEvents; the trace from a serial shows the
packages it travelled in, the trace from the pallet's SSCC (over JSON-2) reaches every serial
inside and the distributor that received them; captured AggregationEvents naming SSCCs take
part the same way; a wrong SSCC is refused and changes nothing."""

from biip.checksums import gs1_standard_check_digit

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from odoo.addons.udi_master.tests.json2 import api_key, post_json2

from ..models.trace_event_epcis import epcis_schema
from .common import TraceCommon

PACEMAKER_ID = "urn:epc:id:sgtin:6901234.050001."


def sscc(reference):
    """A valid SSCC: extension digit 0, company prefix 6901234, serial reference, check."""
    digits = f"06901234{reference:09d}"
    return digits + str(gs1_standard_check_digit(digits))


def sscc_urn(digits):
    return f"urn:epc:id:sscc:6901234.{digits[0]}{digits[8:17]}"


@tagged("post_install", "-at_install")
class TestPacking(HttpCase, TraceCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.ref("base.group_user").write(
            {
                "implied_ids": [
                    Command.link(cls.env.ref("stock.group_production_lot").id),
                    Command.link(cls.env.ref("stock.group_tracking_lot").id),
                ]
            }
        )
        cls.pacemaker = cls.implant.product_variant_id
        cls.names = ["PK-1", "PK-2", "PK-3", "PK-4"]
        cls._receive([(cls.pacemaker, name, 1) for name in cls.names])
        cls.serials = cls.env["stock.lot"].union(
            *(cls._lot_named(cls.pacemaker, name) for name in cls.names)
        )
        cls.clerk = new_test_user(
            cls.env,
            "pack_clerk",
            password="pack_clerk_pw",
            groups="base.group_user,stock.group_stock_user",
        )
        cls.analyst = new_test_user(
            cls.env,
            "pack_analyst",
            groups="base.group_user,stock.group_stock_user,udi_master.group_trace_user",
        )
        cls.key = api_key(cls.env, cls.analyst, "Trace from SSCC")
        cls.case_a, cls.case_b, cls.pallet = sscc(1), sscc(2), sscc(3)

    # ------------------------------------------------------------------ helpers

    def _click(self, model, method, ids, **kwargs):
        return self.make_jsonrpc_request(
            f"/web/dataset/call_button/{model}/{method}",
            {
                "model": model,
                "method": method,
                "args": [ids],
                "kwargs": dict(kwargs, context={"skip_expired": True}),
            },
        )

    def _ship_on_a_pallet(self):
        """The clerk packs PK-1/2 in case A, PK-3/4 in case B, both cases on the pallet, and
        validates the delivery to the distributor."""
        picking = self._deliver(
            self.distributor, [(self.pacemaker, lot, 1) for lot in self.serials], validate=False
        )
        self.authenticate("pack_clerk", "pack_clerk_pw")
        lines = picking.move_line_ids.sorted(lambda ml: ml.lot_id.name)
        self._click(
            "stock.move.line", "action_put_in_pack", lines[:2].ids, package_name=self.case_a
        )
        self._click(
            "stock.move.line", "action_put_in_pack", lines[2:].ids, package_name=self.case_b
        )
        self._click("stock.picking", "action_put_in_pack", picking.ids, package_name=self.pallet)
        self._click("stock.picking", "button_validate", picking.ids)
        self.logout()  # the JSON-2 calls that follow use the analyst's API key
        self.env.invalidate_all()
        self.assertEqual(picking.state, "done")
        return picking

    def _packing_events(self, picking):
        return self.Event.search(
            [("picking_id", "=", picking.id), ("event_type", "=", "aggregation")]
        )

    def _parent_ref(self, event):
        return event.line_ids.filtered(lambda line: line.role == "parent").lot_name

    # ------------------------------------------------------------------ recording

    def test_clerk_packing_records_sealed_aggregation_events_and_the_shipment(self):
        picking = self._ship_on_a_pallet()
        events = self._packing_events(picking)
        by_parent = {self._parent_ref(event): event for event in events}
        self.assertEqual(set(by_parent), {self.case_a, self.case_b, self.pallet})
        for event in events:
            self.assertEqual((event.action, event.biz_step), ("add", "packing"))
        children = by_parent[self.case_a].line_ids.filtered(lambda line: line.role == "child")
        self.assertEqual(children.lot_id, self.serials[:2])
        self.assertEqual(
            set(
                by_parent[self.pallet]
                .line_ids.filtered(lambda line: line.role == "child")
                .mapped("lot_name")
            ),
            {self.case_a, self.case_b},
        )
        # packing moves nothing: no holder on its lines
        self.assertFalse(events.line_ids.location_dest_id)
        self.assertFalse(events.line_ids.partner_dest_id)
        # the shipment still records the units, received by the distributor
        shipped = self.Event.search(
            [("picking_id", "=", picking.id), ("event_type", "=", "object")]
        )
        self.assertEqual(shipped.line_ids.lot_id, self.serials)
        self.assertEqual(shipped.line_ids.partner_dest_id, self.distributor)
        self.env["audit.seal.entry"]._seal_run_pending()
        self.assertTrue(all(event.seal_entry_seq for event in events))
        self.assertTrue(self.Event.check_consistency()["ok"])

    def test_unpacking_records_a_delete(self):
        package = self.env["stock.package"].create({"name": "CASE-LOCAL"})
        receipt = self._receive([(self.pacemaker, "PK-9", 1)])
        internal = self.env.ref("stock.picking_type_internal")
        self._transfer(
            internal,
            None,
            self.stock_location,
            self.stock_location,
            [(self.pacemaker, self._lot_named(self.pacemaker, "PK-9"), 1)],
            validate=False,
        )
        picking = self.env["stock.picking"].search([("picking_type_id", "=", internal.id)])[0]
        picking.move_line_ids.result_package_id = package
        picking.button_validate()
        self.assertTrue(receipt)
        ref = package._trace_package_ref()
        self.assertTrue(ref.startswith("urn:udi-trace:") and ref.endswith(f":package:{package.id}"))
        out = self._transfer(
            internal,
            None,
            self.stock_location,
            self.stock_location,
            [(self.pacemaker, self._lot_named(self.pacemaker, "PK-9"), 1)],
            validate=False,
        )
        out.move_line_ids.package_id = package
        out.move_line_ids.result_package_id = False
        out.button_validate()
        event = self._packing_events(out)
        self.assertEqual((event.action, event.biz_step), ("delete", "unpacking"))
        self.assertEqual(self._parent_ref(event), ref)

    # ------------------------------------------------------------------ tracing

    def test_trace_from_a_serial_shows_its_case_and_pallet(self):
        self._ship_on_a_pallet()
        result = self.Event.trace_forward(self.serials[:1].ids)
        packages = {row["ref"]: row for row in result["packages"]}
        self.assertEqual(set(packages), {self.case_a, self.pallet})
        self.assertEqual(packages[self.case_a]["lot_ids"], self.serials[:1].ids)
        self.assertEqual(packages[self.case_a]["container_refs"], [self.pallet])
        self.assertEqual(packages[self.case_a]["sscc"], self.case_a)
        self.assertTrue(packages[self.case_a]["package_id"])
        holders = {row["partner_id"] for row in result["holders"] if row["quantity"] > 0}
        self.assertIn(self.distributor.id, holders)

    def test_json2_trace_from_the_pallets_sscc_reaches_every_serial_and_the_distributor(self):
        self._ship_on_a_pallet()
        response = post_json2(
            self,
            "/json/2/trace.event/trace_package",
            {"code": f"(00){self.pallet}"},
            self.key,
        )
        self.assertEqual(response.status_code, 200, response.text)
        result = response.json()
        self.assertEqual(result["package"]["lot_ids"], sorted(self.serials.ids))
        self.assertEqual(result["package"]["package_refs"], sorted([self.case_a, self.case_b]))
        reached = {row["lot_id"] for row in result["lots"]}
        self.assertEqual(reached, set(self.serials.ids))
        distributor_rows = [
            row for row in result["holders"] if row["partner_id"] == self.distributor.id
        ]
        self.assertEqual(sum(row["quantity"] for row in distributor_rows), 4)

    def test_trace_wizard_scan_of_an_sscc_adds_every_serial_inside(self):
        self._ship_on_a_pallet()
        wizard = Form(self.env["trace.lot.wizard"].with_user(self.analyst))
        wizard.scan = f"https://id.gs1.org/00/{self.pallet}"
        self.assertEqual(sorted(lot.id for lot in wizard.lot_ids), sorted(self.serials.ids))

    @mute_logger("odoo.http")
    def test_a_wrong_check_digit_is_refused_and_changes_nothing(self):
        self._ship_on_a_pallet()
        wrong = self.pallet[:-1] + str((int(self.pallet[-1]) + 1) % 10)
        response = post_json2(self, "/json/2/trace.event/trace_package", {"code": wrong}, self.key)
        self.assertNotEqual(response.status_code, 200)
        self.assertIn("wrong check digit", response.text)
        package = self.env["stock.package"].search([("udi_sscc", "=", self.pallet)])
        with self.assertRaisesRegex(ValidationError, "wrong check digit"):
            package.with_user(self.clerk).write({"udi_sscc": wrong})
        self.assertEqual(package.udi_sscc, self.pallet)
        before = self.env["stock.package"].search_count([])
        with self.assertRaisesRegex(ValidationError, "wrong check digit"):
            self.env["stock.package"].with_user(self.clerk).create(
                {"name": "BAD", "udi_sscc": wrong}
            )
        self.assertEqual(self.env["stock.package"].search_count([]), before)
        with self.assertRaisesRegex(UserError, "neither an SSCC"):
            self.Event.trace_package("no such package")

    # ------------------------------------------------------------------ EPCIS

    def test_export_writes_schema_valid_aggregation_events(self):
        picking = self._ship_on_a_pallet()
        events = self._packing_events(picking)
        document = self.Event.export_epcis(events.ids)
        self.assertEqual(epcis_schema().document_errors(document), [])
        exported = document["epcisBody"]["eventList"]
        self.assertEqual({event["type"] for event in exported}, {"AggregationEvent"})
        parents = {event["parentID"]: event for event in exported}
        case = parents[f"https://id.gs1.org/00/{self.case_a}"]
        self.assertEqual((case["action"], case["bizStep"]), ("ADD", "packing"))
        self.assertEqual(
            sorted(case["childEPCs"]),
            sorted(f"https://id.gs1.org/01/06901234500011/21/{name}" for name in self.names[:2]),
        )
        pallet = parents[f"https://id.gs1.org/00/{self.pallet}"]
        self.assertEqual(
            sorted(pallet["childEPCs"]),
            sorted(f"https://id.gs1.org/00/{ref}" for ref in (self.case_a, self.case_b)),
        )

    def test_captured_aggregation_events_take_part_in_the_trace(self):
        """Shaped as GS1's Example 9.6.3 (parentID an SSCC URN, childEPCs), with our devices:
        a distributor's WMS reports the cases it put on a pallet."""
        case, pallet = sscc(11), sscc(12)
        base = {
            "type": "AggregationEvent",
            "eventTime": "2026-11-02T10:00:00.000Z",
            "eventTimeZoneOffset": "+08:00",
            "action": "ADD",
            "bizStep": "packing",
            "disposition": "in_progress",
        }
        result = self.Event.capture(
            [
                dict(
                    base,
                    eventID="urn:uuid:3f1d0c4e-0000-4000-8000-000000000001",
                    parentID=sscc_urn(case),
                    childEPCs=[PACEMAKER_ID + name for name in self.names[:2]],
                ),
                dict(
                    base,
                    eventID="urn:uuid:3f1d0c4e-0000-4000-8000-000000000002",
                    parentID=f"https://id.gs1.org/00/{pallet}",
                    childEPCs=[sscc_urn(case)],
                ),
            ]
        )
        self.assertEqual(result["created"], 2)
        traced = self.Event.trace_package(pallet)
        self.assertEqual(traced["package"]["lot_ids"], sorted(self.serials[:2].ids))
        self.assertEqual(traced["package"]["package_refs"], [case])
        packages = {
            row["ref"] for row in self.Event.trace_backward(self.serials[:1].ids)["packages"]
        }
        self.assertEqual(packages, {case, pallet})
        exported = self.Event.export_epcis(result["event_ids"])
        self.assertEqual(epcis_schema().document_errors(exported), [])
