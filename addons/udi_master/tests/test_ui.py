from odoo.tests import HttpCase, tagged

from .common import catheter_vals


@tagged("post_install", "-at_install")
class TestUdiUi(HttpCase):
    def test_quality_manager_registers_device_in_browser(self):
        self.start_tour("/odoo", "udi_master_register_device", login="admin")
        device = self.env["product.template"].search([("name", "=", "Tour bone screw 4.5 mm")])
        self.assertTrue(device.udi_regulated, "created from the Devices menu: regulated")
        self.assertEqual(device.udi_di_ids.di, "06901234567007")
        self.assertEqual(device.udi_di_ids.packaging_level, "base")

    def test_clerk_scans_udi_into_receipt_in_browser(self):
        catheter = self.env["product.template"].create(catheter_vals())
        receipt = self.env["stock.picking"].create({
            "picking_type_id": self.env.ref("stock.picking_type_in").id,
            "location_id": self.env.ref("stock.stock_location_suppliers").id,
            "location_dest_id": self.env.ref("stock.stock_location_stock").id,
            "move_ids": [(0, 0, {
                "product_id": catheter.product_variant_id.id,
                "product_uom_qty": 10,
                "location_id": self.env.ref("stock.stock_location_suppliers").id,
                "location_dest_id": self.env.ref("stock.stock_location_stock").id,
            })],
        })
        receipt.action_confirm()
        receipt.move_ids.move_line_ids.unlink()
        self.start_tour(f"/odoo/action-stock.action_picking_tree_all/{receipt.id}",
                        "udi_master_scan_receipt", login="admin")
        self.assertEqual(receipt.state, "done")
        lot = receipt.move_line_ids.lot_id
        self.assertEqual(lot.name, "TOURLOT1")
        self.assertEqual(str(lot.udi_expiry_date), "2027-03-31")
        self.assertEqual(str(lot.udi_manufacture_date), "2025-04-01")
        self.assertEqual(receipt.move_line_ids.udi_scan,
                         "]d20106901234567892112504011727033110TOURLOT1")
