
from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged

from ..lib.hibc import mod43_check_char
from .common import UdiCommon

CATHETER_DI = "06901234567892"
IMPLANT_DI = "06901234500011"


def gs1(di, lot=None, serial=None, expiry=None, manufactured=None):
    """A GS1 DataMatrix scan as a scanner sends it."""
    code = "]d201" + di
    if manufactured:
        code += "11" + manufactured.strftime("%y%m%d")
    if expiry:
        code += "17" + expiry.strftime("%y%m%d")
    if lot:
        code += "10" + lot + ("\x1d" if serial else "")
    if serial:
        code += "21" + serial
    return code


@tagged("post_install", "-at_install")
class TestScanOperations(UdiCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.user.group_ids += cls.env.ref("stock.group_production_lot")
        cls.supplier_location = cls.env.ref("stock.stock_location_suppliers")
        cls.expiry = cls._date(400)
        cls.manufactured = cls._date(-30)
        cls.receipt = cls._picking("stock.picking_type_in", cls.catheter_variant, 5)
        cls.known_lot = cls._lot(cls.catheter_variant, "KNOWN-1", expiry=cls.expiry)
        cls.expired_lot = cls._lot(cls.catheter_variant, "OLD-1", expiry=cls._date(-5))
        cls.env["stock.quant"]._update_available_quantity(
            cls.catheter_variant, cls.stock_location, 3, lot_id=cls.expired_lot)
        cls.partner = cls.env["res.partner"].create({"name": "udip St. Mary's Hospital"})
        cls.delivery = cls._picking("stock.picking_type_out", cls.catheter_variant, 1,
                                    partner=cls.partner)

    @classmethod
    def _picking(cls, type_xmlid, product, qty, partner=None):
        picking_type = cls.env.ref(type_xmlid)
        picking = cls.env["stock.picking"].create({
            "picking_type_id": picking_type.id,
            "partner_id": partner.id if partner else False,
            "location_id": picking_type.default_location_src_id.id or cls.supplier_location.id,
            "location_dest_id": (picking_type.default_location_dest_id.id
                                 or cls.customer_location.id),
            "move_ids": [(0, 0, {
                "product_id": product.id,
                "product_uom_qty": qty,
                "location_id": picking_type.default_location_src_id.id or cls.supplier_location.id,
                "location_dest_id": (picking_type.default_location_dest_id.id
                                     or cls.customer_location.id),
            })],
        })
        picking.action_confirm()
        return picking

    def _scan_in_move_operations(self, picking, code, quantity=None):
        """What the user does: open the move's detailed operations, add a line, scan."""
        move = picking.move_ids
        move.move_line_ids.unlink()
        form = Form(move, view="stock.view_stock_move_operations")
        with form.move_line_ids.new() as line:
            line.udi_scan = code
            if quantity:
                line.quantity = quantity
        form.save()
        return move.move_line_ids

    # -- receipts ------------------------------------------------------------------------------

    def test_receipt_scan_fills_lot_name_and_expiry(self):
        line = self._scan_in_move_operations(
            self.receipt, gs1(CATHETER_DI, lot="NEW-7", expiry=self.expiry), quantity=5)
        self.assertEqual(line.lot_name, "NEW-7")
        self.assertFalse(line.lot_id)
        self.assertEqual(line.expiration_date.date(), self.expiry)

    def test_receipt_validation_creates_the_lot_with_its_pi_data(self):
        self._scan_in_move_operations(
            self.receipt, gs1(CATHETER_DI, lot="NEW-8", expiry=self.expiry,
                              manufactured=self.manufactured), quantity=5)
        self.receipt.move_ids.picked = True
        self.receipt.button_validate()
        lot = self.receipt.move_line_ids.lot_id
        self.assertEqual(self.receipt.state, "done")
        self.assertEqual(lot.name, "NEW-8")
        self.assertEqual(lot.udi_expiry_date, self.expiry)
        self.assertEqual(lot.udi_manufacture_date, self.manufactured)

    def test_receipt_scan_of_known_lot_selects_it(self):
        line = self._scan_in_move_operations(
            self.receipt, gs1(CATHETER_DI, lot="KNOWN-1", expiry=self.expiry), quantity=5)
        self.assertEqual(line.lot_id, self.known_lot)

    def test_receipt_scan_rejects_di_of_other_product(self):
        with self.assertRaisesRegex(ValidationError, "belongs to Dual-chamber pacemaker, not to "
                                                     "Central venous catheter 7Fr"):
            self._scan_in_move_operations(self.receipt, gs1(IMPLANT_DI, serial="PM-1"))

    def test_receipt_scan_rejects_expiry_contradicting_known_lot(self):
        with self.assertRaisesRegex(ValidationError, "contradicts the expiry %s recorded for lot "
                                    "KNOWN-1" % self.expiry.isoformat()):
            self._scan_in_move_operations(
                self.receipt, gs1(CATHETER_DI, lot="KNOWN-1", expiry=self._date(500)))

    def test_scan_with_bad_check_digit_is_refused_with_the_reason(self):
        with self.assertRaisesRegex(ValidationError, "bad check digit"):
            self._scan_in_move_operations(self.receipt, "]d20106901234567893" "10L1")

    def test_scan_of_unknown_di_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "No device has the UDI-DI 09501101020917"):
            self._scan_in_move_operations(self.receipt, gs1("09501101020917", lot="L1"))

    def test_scan_of_higher_package_sets_quantity_in_base_units(self):
        self.env["udi.di"].create({
            "di": "16901234567899", "product_tmpl_id": self.catheter.id,
            "packaging_level": "package", "contained_di_id": self.catheter.udi_di_ids.id,
            "contained_qty": 10,
        })
        line = self._scan_in_move_operations(
            self.receipt, gs1("16901234567899", lot="BOX-1", expiry=self.expiry))
        self.assertEqual(line.quantity, 10)
        self.assertEqual(line.product_id, self.catheter_variant)

    def test_scan_of_a_base_unit_lot_counts_one_unit(self):
        """A new line scanned with a base unit's UDI (no quantity on the label) holds that one
        unit, not 0."""
        line = self._scan_in_move_operations(
            self.receipt, gs1(CATHETER_DI, lot="ONE-1", expiry=self.expiry))
        self.assertEqual((line.lot_name, line.quantity), ("ONE-1", 1))

    def test_serial_scan_on_receipt_sets_serial_and_quantity_one(self):
        receipt = self._picking("stock.picking_type_in", self.implant.product_variant_id, 1)
        line = self._scan_in_move_operations(receipt, gs1(IMPLANT_DI, serial="PM-0001"))
        self.assertEqual((line.lot_name, line.quantity), ("PM-0001", 1))

    def test_day_00_scan_is_accepted_with_a_warning(self):
        line = self.env["stock.move.line"].new({
            "move_id": self.receipt.move_ids.id, "picking_id": self.receipt.id,
            "product_id": self.catheter_variant.id,
            "udi_scan": "(01)%s(17)%s00(10)L00" % (CATHETER_DI, self.expiry.strftime("%y%m")),
        })
        result = line._onchange_udi_scan()
        self.assertIn("Day 00 is no longer allowed", result["warning"]["message"])
        self.assertEqual(line.lot_name, "L00")

    def test_detailed_operations_scan_fills_the_product(self):
        line = self.env["stock.move.line"].new({
            "picking_id": self.receipt.id,
            "location_id": self.supplier_location.id,
            "location_dest_id": self.stock_location.id,
            "udi_scan": gs1(CATHETER_DI, lot="NEW-9", expiry=self.expiry),
        })
        line._onchange_udi_scan()
        self.assertEqual(line.product_id, self.catheter_variant)
        self.assertEqual(line.lot_name, "NEW-9")

    # -- deliveries ----------------------------------------------------------------------------

    def test_delivery_scan_rejects_expired_lot(self):
        with self.assertRaisesRegex(ValidationError, "OLD-1 of Central venous catheter 7Fr expired "
                                                     "on %s" % self._date(-5).isoformat()):
            self._scan_in_move_operations(
                self.delivery, gs1(CATHETER_DI, lot="OLD-1", expiry=self._date(-5)))

    def test_delivery_scan_of_unknown_lot_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "does not exist"):
            self._scan_in_move_operations(
                self.delivery, gs1(CATHETER_DI, lot="NEVER-SEEN", expiry=self.expiry))

    # -- server side -----------------------------------------------------------------------------

    def _line_vals(self, picking, **vals):
        move = picking.move_ids
        return {
            "move_id": move.id, "picking_id": picking.id, "product_id": move.product_id.id,
            "location_id": move.location_id.id, "location_dest_id": move.location_dest_id.id,
            "quantity": 1, **vals,
        }

    def test_create_with_scan_fills_lot_and_expiry(self):
        line = self.env["stock.move.line"].create(self._line_vals(
            self.receipt, udi_scan=gs1(CATHETER_DI, lot="API-1", expiry=self.expiry)))
        self.assertEqual(line.lot_name, "API-1")
        self.assertEqual(line.expiration_date.date(), self.expiry)

    def test_create_with_scan_of_other_product_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "belongs to Dual-chamber pacemaker"):
            self.env["stock.move.line"].create(self._line_vals(
                self.receipt, udi_scan=gs1(IMPLANT_DI, serial="PM-2")))

    def test_create_with_lot_contradicting_scan_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "line says lot/serial OTHER but the scanned "
                                                     "UDI says API-2"):
            self.env["stock.move.line"].create(self._line_vals(
                self.receipt, lot_name="OTHER",
                udi_scan=gs1(CATHETER_DI, lot="API-2", expiry=self.expiry)))

    def test_write_of_invalid_scan_is_refused_and_changes_nothing(self):
        line = self.env["stock.move.line"].create(self._line_vals(self.receipt, lot_name="L-W"))
        with self.assertRaisesRegex(ValidationError, "270231 is impossible"):
            line.write({"udi_scan": "(01)%s(17)270231(10)L-W" % CATHETER_DI})
        line.invalidate_recordset()
        self.assertFalse(line.udi_scan)

    def test_validation_refuses_scanned_lot_that_expired_since(self):
        lot = self._lot(self.catheter_variant, "SOON-1", expiry=self._date(30))
        self.env["stock.quant"]._update_available_quantity(
            self.catheter_variant, self.stock_location, 1, lot_id=lot)
        self._scan_in_move_operations(self.delivery, gs1(CATHETER_DI, lot="SOON-1",
                                                         expiry=self._date(30)), quantity=1)
        lot.expiration_date = self.env["stock.lot"]._udi_date_to_datetime(self._date(-1))
        self.delivery.move_ids.picked = True
        with self.assertRaisesRegex(ValidationError, "expired on"):
            self.delivery.with_context(skip_expired=True).button_validate()
        self.assertNotEqual(self.delivery.state, "done")

    def test_hibc_secondary_scan_matches_the_lines_product_by_link_character(self):
        self.env["udi.di"].create({
            "di": "+A123BJC5D6E71G", "issuing_agency": "hibcc", "product_tmpl_id": self.catheter.id,
            "packaging_level": "unit_of_use",
        })
        line = self._scan_in_move_operations(
            self.receipt, self._hibc_secondary("G", "H10X3"), quantity=5)
        self.assertEqual(line.lot_name, "H10X3")

    def _hibc_secondary(self, link, lot):
        body = "+$$3" + self.expiry.strftime("%y%m%d") + lot + link
        return body + mod43_check_char(body)

    def test_hibc_secondary_of_another_product_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "does not belong to Central venous catheter"):
            self._scan_in_move_operations(self.receipt, self._hibc_secondary("Q", "H10X3"))
