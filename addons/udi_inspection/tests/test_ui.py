import datetime

from odoo.tests import HttpCase, new_test_user, tagged

from .common import InspectionCommon


@tagged("post_install", "-at_install")
class TestInspectionUi(InspectionCommon, HttpCase):
    """A clerk receives a purchase by scanning, records the inspections; the inspector releases
    lot TOURA and rejects lot TOURB, in the browser."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tour_clerk = new_test_user(
            cls.env,
            "iqc_tour_clerk",
            name="Tour Clerk",
            groups="base.group_user,stock.group_stock_user,udi_master.group_trace_user,"
            "stock.group_production_lot",
        )
        new_test_user(
            cls.env,
            "iqc_tour_inspector",
            name="Tour Inspector",
            groups="base.group_user,stock.group_stock_user,udi_inspection.group_udi_inspector",
        )
        cls.receipt = cls._purchase([(cls.catheter_variant, 10)])
        cls.receipt.move_ids.move_line_ids.unlink()

    def test_clerk_receives_by_scanning_and_inspector_releases_one_lot_rejects_another(self):
        receipt = self.receipt
        self.start_tour(
            f"/odoo/action-stock.action_picking_tree_all/{receipt.id}",
            "udi_inspection_receive",
            login="iqc_tour_clerk",
        )
        self.assertEqual(receipt.state, "done")
        inspections = receipt.udi_inspection_ids.sorted(lambda i: i.lot_id.name)
        self.assertEqual(inspections.lot_id.mapped("name"), ["TOURA", "TOURB"])
        self.assertEqual(inspections.mapped("quantity"), [6, 4])
        self.assertEqual(inspections[0].lot_id.udi_expiry_date, datetime.date(2030, 12, 31))
        for inspection in inspections:  # the supplier's CoC, as uploaded to the inspection
            self._attach_certificate(inspection)
        action = "udi_inspection.udi_inspection_action"
        self.start_tour(
            f"/odoo/action-{action}/{inspections[0].id}",
            "udi_inspection_check_lot_a",
            login="iqc_tour_clerk",
        )
        self.start_tour(
            f"/odoo/action-{action}/{inspections[1].id}",
            "udi_inspection_check_lot_b",
            login="iqc_tour_clerk",
        )
        self.assertEqual(inspections[0].scanned_by_id, self.tour_clerk)
        self.start_tour(
            f"/odoo/action-stock.action_picking_tree_all/{receipt.id}",
            "udi_inspection_decide",
            login="iqc_tour_inspector",
        )
        self.assertEqual(inspections.mapped("state"), ["released", "rejected"])
        self.assertEqual(self._quant_qty(inspections[0].lot_id, self.stock_location), 6)
        self.assertEqual(self._quant_qty(inspections[1].lot_id, self.input_location), 4)
        self.assertTrue(inspections[1].nonconformity_id)
        self.assertEqual(inspections[1].return_picking_id.state, "draft")
