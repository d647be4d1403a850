"""Per-unit genealogy against a known assignment: exact traces with it, the order's genealogy
with a stated warning without it, and bad input refused with nothing recorded."""

from odoo.exceptions import UserError
from odoo.tests import Form, new_test_user, tagged

from .genealogy_common import GenealogyCommon


@tagged("post_install", "-at_install")
class TestUnitGenealogy(GenealogyCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.operator = new_test_user(
            cls.env,
            "genealogy_operator",
            groups="base.group_user,mrp.group_mrp_user,stock.group_stock_user",
        )

    def _unit_events(self):
        return self.Event.search(
            [("origin", "=", "unit_genealogy"), ("production_id", "=", self.order.id)]
        )

    # ------------------------------------------------------------------ the trace

    def test_without_unit_data_each_catheter_lot_reaches_all_four_units_with_the_warning(self):
        for lot in (self.cath_a, self.cath_b):
            result = self.Event.trace_forward(lot.ids)
            self.assertEqual(self._reached(result), self.units)
            genealogy = result["genealogy"]
            self.assertFalse(genealogy["exact"])
            self.assertEqual(genealogy["widened_unit_count"], 4)
            self.assertEqual(genealogy["widened_lot_ids"], self.units.ids)
            self.assertIn("per-unit data missing for 4 units", genealogy["message"])

    def test_a_lot_the_order_consumed_alone_reaches_every_unit_exactly(self):
        result = self.Event.trace_forward(self.lead_lot.ids)
        self.assertEqual(self._reached(result), self.units)
        self.assertTrue(result["genealogy"]["exact"])
        self.assertFalse(result["genealogy"]["message"])

    def test_with_unit_data_each_catheter_lot_reaches_exactly_its_units(self):
        self._record_truth()
        for lot, units in self.truth.items():
            result = self.Event.trace_forward(lot.ids)
            self.assertEqual(self._reached(result), units, lot.name)
            self.assertTrue(result["genealogy"]["exact"])
            self.assertEqual(result["genealogy"]["widened_unit_count"], 0)
        # the lead, not listed per unit, keeps the order's link to every unit
        self.assertEqual(self._reached(self.Event.trace_forward(self.lead_lot.ids)), self.units)

    def test_with_unit_data_a_unit_traces_back_to_its_own_catheter_lot_only(self):
        self._record_truth()
        result = self.Event.trace_backward(self.units[2].ids)
        reached = {row["lot_id"] for row in result["lots"]}
        self.assertEqual(reached, {self.units[2].id, self.cath_b.id, self.lead_lot.id})
        self.assertTrue(result["genealogy"]["exact"])

    def test_without_unit_data_a_unit_traces_back_to_both_lots_with_the_warning(self):
        result = self.Event.trace_backward(self.units[2].ids)
        reached = {row["lot_id"] for row in result["lots"]}
        self.assertEqual(
            reached, {self.units[2].id, self.cath_a.id, self.cath_b.id, self.lead_lot.id}
        )
        self.assertEqual(
            result["genealogy"]["widened_lot_ids"], sorted((self.cath_a | self.cath_b).ids)
        )

    def test_mixed_data_gives_the_exact_units_plus_the_units_without_data_stated(self):
        self._record_truth(self.units[0] | self.units[2])  # GEN-1 (CATH-A), GEN-3 (CATH-B)
        result = self.Event.trace_forward(self.cath_a.ids)
        self.assertEqual(self._reached(result), self.units[0] | self.units[1] | self.units[3])
        genealogy = result["genealogy"]
        self.assertEqual(genealogy["widened_lot_ids"], (self.units[1] | self.units[3]).ids)
        self.assertIn("per-unit data missing for 2 units", genealogy["message"])

    def test_trace_tree_links_lots_by_the_unit_events_and_marks_the_widened_units(self):
        self._record_truth(self.units[0] | self.units[2])
        tree = self.Event.trace_tree(self.cath_a.ids, "forward")
        linked = {edge["to_lot_id"] for edge in tree["edges"]}
        self.assertEqual(linked, set((self.units[0] | self.units[1] | self.units[3]).ids))
        unit_event = self._unit_events().filtered(
            lambda event: self.units[0] in event.line_ids.lot_id
        )
        edge = next(e for e in tree["edges"] if e["to_lot_id"] == self.units[0].id)
        self.assertEqual(edge["event_id"], unit_event.id)
        self.assertEqual(tree["genealogy"]["widened_unit_count"], 2)

    # ------------------------------------------------------------------ recording

    def test_each_unit_gets_one_sealed_transformation_event(self):
        result = self._record_truth()
        events = self.Event.browse(result["event_ids"])
        self.assertEqual(len(events), 4)
        self.assertEqual(set(events.mapped("event_type")), {"transformation"})
        self.assertEqual(set(events.mapped("biz_step")), {"assembling"})
        first = events[0]
        self.assertEqual(
            sorted((line.role, line.lot_id.name, line.quantity) for line in first.line_ids),
            [("input", "CATH-A", 1.0), ("output", "GEN-1", 1.0)],
        )
        self.env["audit.seal.entry"]._seal_run_pending()
        self.assertTrue(all(event.seal_entry_seq for event in events))
        # no move line, no holder: the consistency check and the holdings are unchanged
        self.assertTrue(self.Event.check_consistency()["ok"])

    def test_recording_a_unit_again_supersedes_its_earlier_event(self):
        first = self._record_truth(self.units[:1])["event_ids"]
        result = self.Event.record_unit_genealogy(
            self.order.id, [{"serial": self.units[0].id, "components": [self.cath_b.id]}]
        )
        self.assertEqual(result["corrected_event_ids"], first)
        reached = self._reached(self.Event.trace_forward(self.cath_b.ids))
        self.assertIn(self.units[0], reached)

    def _assert_refused(self, units, message, production=None):
        before = self.Event.search_count([])
        with self.assertRaisesRegex(UserError, message):
            self.Event.record_unit_genealogy(production or self.order.id, units)
        self.assertEqual(self.Event.search_count([]), before, "nothing recorded")

    def test_a_component_the_order_did_not_consume_is_refused(self):
        self._receive([(self.catheter_variant, "CATH-Z", 1)])
        self._assert_refused(
            [
                {"serial": "GEN-1", "components": ["CATH-A"]},
                {"serial": "GEN-2", "components": ["CATH-Z"]},
            ],
            "component CATH-Z was not consumed by",
        )

    def test_a_serial_of_another_order_is_refused(self):
        self._receive([(self.catheter_variant, "CATH-C", 1), (self.lead, "LEAD-2", 1)])
        other = self._make_order(["GEN-9"])
        self._assert_refused(
            [{"serial": other.lot_producing_ids.id, "components": ["CATH-A"]}],
            "GEN-9|is not a lot/serial of",
        )

    def test_another_companys_lot_is_refused_without_naming_it(self):
        company = self.env["res.company"].create({"name": "Other Devices Ltd."})
        foreign = self.env["stock.lot"].create(
            {"name": "CATH-X", "product_id": self.catheter_variant.id, "company_id": company.id}
        )
        self._assert_refused(
            [{"serial": "GEN-1", "components": [foreign.id]}], "was not consumed by"
        )

    def test_more_units_than_a_lot_consumed_is_refused(self):
        self._assert_refused(
            [{"serial": unit.id, "components": ["CATH-A"]} for unit in self.units[:3]],
            "CATH-A: 3.0 assigned to units, but .* consumed only 2.0",
        )

    def test_an_order_not_done_is_refused(self):
        form = Form(self.env["mrp.production"])
        form.product_id = self.pacemaker
        form.bom_id = self.bom
        draft = form.save()
        self._assert_refused(
            [{"serial": "GEN-1", "components": ["CATH-A"]}], "is not done", draft.id
        )

    def test_a_user_without_manufacturing_or_traceability_rights_is_refused(self):
        clerk = new_test_user(self.env, "genealogy_clerk", groups="base.group_user")
        with self.assertRaisesRegex(Exception, "Only Traceability or Manufacturing users"):
            self._record_truth(user=clerk)

    # ------------------------------------------------------------------ the order's dialog

    def _dialog(self):
        action = self.order.with_user(self.operator).action_open_unit_genealogy()
        return Form.from_action(self.env(user=self.operator), action)

    def test_dialog_records_units_scanned_in_line_order(self):
        dialog = self._dialog()
        for code in ("GEN-1", "CATH-A", "LEAD-1", "GEN-2", "CATH-A", "GEN-3", "CATH-B"):
            dialog.scan = code
        self.assertEqual(len(dialog.line_ids), 4)
        dialog.save().action_record()
        events = self._unit_events()
        self.assertEqual(len(events), 3)
        self.assertEqual(
            self._reached(self.Event.trace_forward(self.cath_a.ids)),
            self.units[0] | self.units[1] | self.units[3],  # GEN-4 has no data yet
        )

    def test_dialog_scan_of_a_unit_udi_selects_the_unit(self):
        dialog = self._dialog()
        dialog.scan = "(01)06901234500011(21)GEN-2"
        self.assertEqual(dialog.unit_id, self.units[1])

    def test_dialog_rejects_a_component_before_a_unit_and_a_foreign_code(self):
        dialog = self._dialog()
        dialog.scan = "CATH-A"  # no unit yet: warning, nothing added
        dialog.scan = "NOT-A-LOT"
        self.assertFalse(dialog.line_ids)
        self.assertFalse(dialog.unit_id)

    def test_dialog_records_nothing_when_a_lot_is_over_assigned(self):
        dialog = self._dialog()
        for code in ("GEN-1", "CATH-A", "GEN-2", "CATH-A", "GEN-3", "CATH-A"):
            dialog.scan = code
        wizard = dialog.save()
        with self.assertRaisesRegex(UserError, "consumed only 2.0"):
            wizard.action_record()
        self.assertFalse(self._unit_events())

    # ------------------------------------------------------------------ repairs

    def test_parts_a_repair_puts_into_a_unit_trace_to_that_unit_exactly(self):
        self._record_truth()
        self._receive([(self.catheter_variant, "CATH-R", 3)])
        part = self._lot_named(self.catheter_variant, "CATH-R")
        self._repair_with_part(self.units[0], part)
        forward = self.Event.trace_forward(part.ids)
        self.assertEqual(self._reached(forward), self.units[0])
        self.assertTrue(forward["genealogy"]["exact"])
        backward = self.Event.trace_backward(self.units[0].ids)
        self.assertEqual(
            {row["lot_id"] for row in backward["lots"]},
            {self.units[0].id, self.cath_a.id, self.lead_lot.id, part.id},
        )
        self.assertTrue(backward["genealogy"]["exact"])
