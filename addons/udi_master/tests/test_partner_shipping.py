from psycopg2 import IntegrityError

from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import UdiCommon


@tagged("post_install", "-at_install")
class TestPartnerShipping(UdiCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.distributor_role = cls.env.ref("udi_master.partner_role_distributor")
        cls.distributor = cls.env["res.partner"].create({
            "name": "Huadong Medical Distribution Co.",
            "is_company": True,
            "udi_role_ids": [(6, 0, cls.distributor_role.ids)],
            "udi_gln": "6901234000009",
            "udi_licence_number": "沪药监械经营许20150001号",
            "udi_licence_expiry": cls._date(365),
        })
        cls.lot = cls._lot(cls.catheter_variant, "C2405A", expiry=cls._date(400),
                           manufactured=cls._date(-30))
        cls.env["stock.quant"]._update_available_quantity(
            cls.catheter_variant, cls.stock_location, 50, lot_id=cls.lot)

    def _deliver(self, partner, lot, qty=5):
        picking = self.env["stock.picking"].create({
            "picking_type_id": self.env.ref("stock.picking_type_out").id,
            "partner_id": partner.id,
            "location_id": self.stock_location.id,
            "location_dest_id": self.customer_location.id,
            "move_ids": [(0, 0, {
                "product_id": self.catheter_variant.id,
                "product_uom_qty": qty,
                "location_id": self.stock_location.id,
                "location_dest_id": self.customer_location.id,
            })],
        })
        picking.action_confirm()
        picking.move_ids.move_line_ids.unlink()
        self.env["stock.move.line"].create({
            "move_id": picking.move_ids.id,
            "picking_id": picking.id,
            "product_id": self.catheter_variant.id,
            "lot_id": lot.id,
            "quantity": qty,
            "location_id": self.stock_location.id,
            "location_dest_id": self.customer_location.id,
        })
        picking.move_ids.picked = True
        return picking

    def test_gln_with_bad_check_digit_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "Invalid GLN check digit"):
            self.distributor.udi_gln = "6901234000004"

    def test_gln_must_have_13_digits(self):
        with self.assertRaisesRegex(ValidationError, "exactly 13 digits"):
            self.distributor.udi_gln = "690123400000"

    def test_gln_is_unique(self):
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"):
            self.env["res.partner"].create({"name": "Copycat", "udi_gln": "6901234000009"})

    def test_licence_state_is_computed_from_expiry_and_role(self):
        self.assertEqual(self.distributor.udi_licence_state, "valid")
        self.distributor.udi_licence_expiry = self._date(29)
        self.assertEqual(self.distributor.udi_licence_state, "expiring")
        self.distributor.udi_licence_expiry = self._date(-1)
        self.assertEqual(self.distributor.udi_licence_state, "expired")
        hospital = self.env["res.partner"].create({
            "name": "First People's Hospital",
            "udi_role_ids": [(6, 0, self.env.ref("udi_master.partner_role_healthcare").ids)],
        })
        self.assertEqual(hospital.udi_licence_state, "missing")
        supplier = self.env["res.partner"].create({
            "name": "Resin supplier",
            "udi_role_ids": [(6, 0, self.env.ref("udi_master.partner_role_supplier").ids)],
        })
        self.assertEqual(supplier.udi_licence_state, "none")

    def test_delivery_to_licensed_distributor_is_done(self):
        picking = self._deliver(self.distributor, self.lot)
        picking._action_done()
        self.assertEqual(picking.state, "done")

    def test_delivery_to_distributor_whose_licence_expires_soon_is_done(self):
        self.distributor.udi_licence_expiry = self._date(5)
        picking = self._deliver(self.distributor, self.lot)
        picking._action_done()
        self.assertEqual(picking.state, "done")

    def test_delivery_to_distributor_with_expired_licence_is_refused(self):
        self.distributor.udi_licence_expiry = self._date(-1)
        picking = self._deliver(self.distributor, self.lot)
        with self.assertRaisesRegex(ValidationError, "licence .* expired on"):
            picking._action_done()
        self.assertEqual(picking.state, "assigned")

    def test_delivery_to_contact_of_unlicensed_company_is_refused(self):
        self.distributor.write({"udi_licence_number": False, "udi_licence_expiry": False})
        contact = self.env["res.partner"].create({
            "name": "Warehouse desk", "parent_id": self.distributor.id, "type": "delivery",
        })
        picking = self._deliver(contact, self.lot)
        with self.assertRaisesRegex(ValidationError, "has no business licence on record"):
            picking._action_done()

    def test_expired_lot_cannot_be_shipped(self):
        expired = self._lot(self.catheter_variant, "C2301X", expiry=self._date(-2),
                            manufactured=self._date(-400))
        self.env["stock.quant"]._update_available_quantity(
            self.catheter_variant, self.stock_location, 5, lot_id=expired)
        picking = self._deliver(self.distributor, expired)
        with self.assertRaisesRegex(ValidationError, "Lot C2301X .* expired on"):
            picking._action_done()
