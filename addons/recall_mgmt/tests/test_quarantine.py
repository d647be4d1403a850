from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import RecallCommon


@tagged("post_install", "-at_install")
class TestQuarantine(RecallCommon):
    def _quarantine_transfer(self):
        """Approve a recall of the lot with a quarantine area: the transfer it prepares."""
        quarantine = self.env["stock.location"].create({
            "name": "Quarantine", "usage": "internal",
            "location_id": self.warehouse.view_location_id.id,
        })
        campaign = self._approved(quarantine_location_id=quarantine.id)
        return self.env["stock.picking"].search([("recall_campaign_id", "=", campaign.id)])

    def test_approval_blocks_own_stock_of_the_lot(self):
        campaign = self._approved()
        self.assertTrue(self.lot.recall_blocked)
        self.assertFalse(self.other_lot.recall_blocked)
        self.assertEqual(campaign.quarantine_ids.lot_id, self.lot)
        self.assertIn("Hub cracks", campaign.quarantine_ids.reason)

    def test_quarantine_records_a_sealed_holding_event_with_disposition_recalled(self):
        self._approved()
        event = self.env["trace.event"].search(
            [("origin", "=", "recall"), ("line_ids.lot_id", "=", self.lot.id)]
        )
        self.assertEqual((event.biz_step, event.disposition), ("holding", "recalled"))
        self.assertEqual(event.line_ids.quantity, 50)

    def test_blocked_lot_cannot_be_delivered(self):
        self._approved()
        with self.assertRaisesRegex(UserError, "Quarantined by a recall.*RC-L1"):
            self._deliver(self.distributor, [(self.catheter_variant, self.lot, 5)])

    def test_warehouse_user_validating_a_blocked_lot_is_told_why(self):
        """A stock user without the traceability roles gets the recall's refusal, naming the
        recall, not an access error on the recall."""
        campaign = self._approved()
        picking = self._deliver(
            self.distributor, [(self.catheter_variant, self.lot, 5)], validate=False
        )
        picking.move_ids.picked = True
        with self.assertRaisesRegex(UserError, f"Quarantined by a recall.*{campaign.name}"):
            picking.with_user(self.clerk).button_validate()

    def test_no_context_lets_a_caller_ship_a_blocked_lot(self):
        """The context the recall uses to reserve quarantined units for its own transfers,
        sent by a caller over RPC with Validate, does not lift the block."""
        self._approved()
        picking = self._deliver(
            self.distributor, [(self.catheter_variant, self.lot, 5)], validate=False
        )
        picking.move_ids.picked = True
        with self.assertRaisesRegex(UserError, "Quarantined by a recall"):
            picking.with_user(self.clerk).with_context(recall_allow_blocked=True).button_validate()

    def test_clerk_is_warned_when_picking_a_blocked_lot_for_a_delivery(self):
        """The warning comes when the clerk chooses (or scans) the unit in the delivery's
        detailed operations, as the web client's onchange does, not only at Validate."""
        campaign = self._approved()
        picking = self._deliver(
            self.distributor, [(self.catheter_variant, None, 1)], validate=False
        )
        move = picking.move_ids.with_user(self.clerk)
        move.move_line_ids.sudo().unlink()
        form = Form(move, view="stock.view_stock_move_operations")
        with self.assertLogs("odoo.tests.form.onchange", "WARNING") as logs:
            with form.move_line_ids.new() as line:
                line.lot_id = self.lot
        self.assertIn("Quarantined by a recall", logs.output[0])
        self.assertIn("RC-L1", logs.output[0])
        self.assertIn(campaign.name, logs.output[0])
        with self.assertNoLogs("odoo.tests.form.onchange", "WARNING"):
            with form.move_line_ids.new() as line:
                line.lot_id = self.other_lot

    def test_blocked_lot_is_not_offered_for_reservation(self):
        self._approved()
        picking = self._deliver(self.distributor, [(self.catheter_variant, None, 1)],
                                validate=False)
        picking.move_ids.move_line_ids.unlink()
        picking.move_ids.picked = False
        picking.action_assign()
        self.assertEqual(picking.move_ids.move_line_ids.lot_id, self.other_lot,
                         "only the lot that is not quarantined is reserved")

    def test_no_context_lets_a_caller_reserve_a_blocked_lot(self):
        """The context key with which the recall once reserved quarantined units for its own
        transfers, sent by a clerk with Check Availability, reserves nothing quarantined."""
        self._approved()
        picking = self._deliver(self.distributor, [(self.catheter_variant, None, 1)],
                                validate=False)
        picking.move_ids.move_line_ids.unlink()
        picking.move_ids.picked = False
        picking.with_user(self.clerk).with_context(recall_allow_blocked=True).action_assign()
        self.assertEqual(picking.move_ids.move_line_ids.lot_id, self.other_lot)

    def test_quarantine_transfer_reserves_again_on_check_availability(self):
        """Unreserved, the recall's transfer to the quarantine area gets the quarantined units
        back when a clerk clicks Check Availability (no context of the recall's)."""
        picking = self._quarantine_transfer()
        picking.do_unreserve()
        self.assertFalse(picking.move_line_ids)
        picking.with_user(self.clerk).action_assign()
        self.assertEqual(picking.move_line_ids.lot_id, self.lot)
        self.assertEqual(picking.state, "assigned")

    def test_quarantine_transfer_takes_only_quarantined_units(self):
        """Asked for more than is quarantined, the recall's transfer to the quarantine area
        does not make up the rest with good units of the same product."""
        picking = self._quarantine_transfer()
        picking.do_unreserve()
        picking.move_ids.product_uom_qty += 3
        picking.with_user(self.clerk).action_assign()
        self.assertEqual(picking.move_line_ids.lot_id, self.lot)
        self.assertTrue(self.other_lot.quant_ids.filtered(lambda q: q.quantity > 0))

    def test_existing_reservations_on_the_lot_are_freed(self):
        picking = self._deliver(self.distributor, [(self.catheter_variant, self.lot, 5)],
                                validate=False)
        self.assertEqual(picking.move_line_ids.lot_id, self.lot)
        self._approved()
        self.assertFalse(picking.move_line_ids.filtered(lambda line: line.lot_id == self.lot))

    def test_release_needs_a_manager_and_a_reason(self):
        campaign = self._approved()
        block = campaign.quarantine_ids
        with self.assertRaisesRegex(UserError, "Only a Traceability Manager"):
            block.with_user(self.clerk)._recall_release("because")
        with self.assertRaisesRegex(UserError, "reason"):
            block.with_user(self.manager)._recall_release("  ")
        block.with_user(self.manager)._recall_release("Lot tested conforming (report QA-77).")
        self.assertFalse(self.lot.recall_blocked)
        self.assertEqual(block.released_by_id, self.manager)
        self.assertIn("QA-77", campaign.log_ids.sorted("id")[-1].note)
        self._deliver(self.distributor, [(self.catheter_variant, self.lot, 5)])

    def test_quarantine_location_gets_a_prepared_transfer(self):
        picking = self._quarantine_transfer()
        quarantine = picking.recall_campaign_id.quarantine_location_id
        self.assertEqual(quarantine.name, "Quarantine")
        self.assertEqual(picking.location_dest_id, quarantine)
        self.assertEqual(picking.move_line_ids.lot_id, self.lot, "reserved despite the block")
        picking.move_ids.picked = True
        picking.button_validate()
        self.assertEqual(picking.state, "done")

    def test_drill_does_not_block_stock_unless_asked(self):
        drill = self._approved(is_drill=True)
        self.assertTrue(drill.name.startswith("DRILL/"))
        self.assertFalse(self.lot.recall_blocked)
        self.assertFalse(drill.quarantine_ids)
        self._deliver(self.distributor, [(self.catheter_variant, self.lot, 1)])

    def test_drill_blocks_stock_when_asked(self):
        self._approved(is_drill=True, drill_quarantine=True)
        self.assertTrue(self.lot.recall_blocked)
