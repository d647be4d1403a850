from odoo import Command
from odoo.tests import tagged

from .common import InspectionCommon


@tagged("post_install", "-at_install")
class TestBlockedStock(InspectionCommon):
    """Units waiting for inspection cannot be reserved, shipped, consumed or moved on."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.receipt, cls.inspections = cls._receive_two_lots()
        cls.lot_a = cls._lot_named(cls.catheter_variant, "IQC-A")
        # the receipt's own next step holds nothing (it cannot reserve blocked units either):
        # make sure the units are free for the other operations to try
        cls.receipt.move_ids.move_dest_ids._do_unreserve()

    def _picking(self, picking_type, source, dest, qty=5):
        picking = self.env["stock.picking"].create(
            {
                "picking_type_id": picking_type.id,
                "partner_id": self.distributor.id,
                "location_id": source.id,
                "location_dest_id": dest.id,
                "move_ids": [
                    Command.create(
                        {
                            "product_id": self.catheter_variant.id,
                            "product_uom_qty": qty,
                            "location_id": source.id,
                            "location_dest_id": dest.id,
                        }
                    )
                ],
            }
        )
        picking.action_confirm()
        picking.action_assign()
        return picking

    def _force_line(self, picking, lot, qty=5):
        move = picking.move_ids
        self.env["stock.move.line"].create(
            {
                "move_id": move.id,
                "picking_id": picking.id,
                "product_id": move.product_id.id,
                "lot_id": lot.id,
                "quantity": qty,
                "location_id": move.location_id.id,
                "location_dest_id": move.location_dest_id.id,
            }
        )
        move.picked = True

    def test_delivery_from_stock_finds_nothing_to_reserve(self):
        delivery = self._picking(
            self.warehouse.out_type_id, self.stock_location, self.customer_location
        )
        self.assertFalse(delivery.move_ids.move_line_ids)
        self.assertNotEqual(delivery.state, "assigned")

    def test_delivery_from_the_inspection_location_cannot_reserve_nor_ship(self):
        delivery = self._picking(
            self.warehouse.out_type_id, self.input_location, self.customer_location
        )
        self.assertFalse(delivery.move_ids.move_line_ids, "blocked quants are not offered")
        line = self.env["stock.move.line"].new(
            {
                "move_id": delivery.move_ids.id,
                "product_id": self.catheter_variant.id,
                "location_id": self.input_location.id,
                "location_dest_id": self.customer_location.id,
                "lot_id": self.lot_a.id,
            }
        )
        warning = line._onchange_udi_inspection_blocked_lot()
        self.assertIn("waits for its incoming inspection", warning["warning"]["message"])
        self._force_line(delivery, self.lot_a)
        with self.assertRefused("waits for its incoming inspection"):
            delivery.with_user(self.clerk).button_validate()
        self.assertEqual(self._quant_qty(self.lot_a, self.input_location), 30)

    def test_manual_internal_transfer_out_of_inspection_is_refused(self):
        transfer = self._picking(
            self.warehouse.int_type_id, self.input_location, self.stock_location
        )
        self.assertFalse(transfer.move_ids.move_line_ids)
        self._force_line(transfer, self.lot_a)
        with self.assertRefused("waits for its incoming inspection"):
            transfer.with_user(self.clerk).button_validate()

    def test_manufacturing_cannot_consume_units_in_inspection(self):
        kit = self.env["product.product"].create({"name": "Catheter kit", "is_storable": True})
        self.env["mrp.bom"].create(
            {
                "product_tmpl_id": kit.product_tmpl_id.id,
                "product_qty": 1,
                "bom_line_ids": [
                    Command.create({"product_id": self.catheter_variant.id, "product_qty": 1})
                ],
            }
        )
        production = self.env["mrp.production"].create(
            {
                "product_id": kit.id,
                "product_qty": 2,
                "location_src_id": self.input_location.id,
            }
        )
        production.action_confirm()
        production.action_assign()
        raw = production.move_raw_ids
        self.assertFalse(raw.move_line_ids, "components in inspection are not reserved")
        self.env["stock.move.line"].create(
            {
                "move_id": raw.id,
                "product_id": self.catheter_variant.id,
                "lot_id": self.lot_a.id,
                "quantity": 2,
                "location_id": self.input_location.id,
                "location_dest_id": raw.location_dest_id.id,
            }
        )
        raw.picked = True
        production.qty_producing = 2
        with self.assertRefused("waits for its incoming inspection"):
            production.button_mark_done()

    def test_receipt_straight_into_stock_is_refused(self):
        receipt = self._purchase([(self.catheter_variant, 5)])
        receipt.location_dest_id = self.stock_location
        receipt.move_ids.location_dest_id = self.stock_location
        receipt.move_ids.move_line_ids.unlink()
        self.env["stock.move.line"].create(
            {
                "move_id": receipt.move_ids.id,
                "picking_id": receipt.id,
                "product_id": self.catheter_variant.id,
                "lot_name": "IQC-D",
                "quantity": 5,
                "location_id": self.supplier_location.id,
                "location_dest_id": self.stock_location.id,
            }
        )
        receipt.move_ids.picked = True
        with self.assertRefused("goes to its incoming inspection"):
            receipt.button_validate()

    def test_inspection_cannot_be_turned_off_while_units_wait(self):
        with self.assertRefused("waiting for incoming inspection"):
            self.warehouse.udi_incoming_inspection = False
        self.assertTrue(self.input_location.udi_inspection_location)

    def test_warehouse_option_switches_to_two_step_reception_and_flags_input(self):
        warehouse = self.env["stock.warehouse"].create(
            {"name": "Suzhou DC", "code": "SZDC", "udi_incoming_inspection": True}
        )
        self.assertEqual(warehouse.reception_steps, "two_steps")
        self.assertTrue(warehouse.wh_input_stock_loc_id.udi_inspection_location)
        self.assertFalse(warehouse.lot_stock_id.udi_inspection_location)
        warehouse.reception_steps = "three_steps"
        self.assertTrue(warehouse.wh_qc_stock_loc_id.udi_inspection_location)
        warehouse.udi_incoming_inspection = False
        self.assertFalse(warehouse.wh_input_stock_loc_id.udi_inspection_location)
        self.assertFalse(warehouse.wh_qc_stock_loc_id.udi_inspection_location)
