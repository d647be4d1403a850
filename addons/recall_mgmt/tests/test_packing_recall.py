"""A lot shipped inside a pallet (a package with an SSCC): the recall's impact analysis reaches
the distributor who received the pallet, with the quantity of the lot on it."""

from biip.checksums import gs1_standard_check_digit

from odoo.tests import tagged

from .common import RecallCommon


@tagged("post_install", "-at_install")
class TestRecallThroughPallet(RecallCommon):
    def test_impact_reaches_the_distributor_that_received_the_lot_on_a_pallet(self):
        digits = "069012340000000777"[:17]
        sscc = digits + str(gs1_standard_check_digit(digits))
        pallet = self.env["stock.package"].create({"name": "PALLET-7", "udi_sscc": sscc})
        wholesaler = self.env["res.partner"].create(
            {"name": "Pallet Wholesale Co.", "is_company": True}
        )
        picking = self._deliver(wholesaler, [(self.catheter_variant, self.lot, 12)], validate=False)
        picking.move_line_ids.result_package_id = pallet
        picking.with_context(skip_expired=True).button_validate()
        packed = self.env["trace.event"].search(
            [("picking_id", "=", picking.id), ("event_type", "=", "aggregation")]
        )
        self.assertEqual(
            packed.line_ids.filtered(lambda ev_line: ev_line.role == "parent").lot_name, sscc
        )
        campaign = self._campaign()
        campaign.action_analyze_impact()
        line = campaign.line_ids.filtered(lambda line: line.partner_id == wholesaler)
        self.assertEqual((line.received_quantity, line.quantity), (12, 12))
