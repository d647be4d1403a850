"""No regulated device leaves for a destination whose UDI database lacks its DI."""

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import ChangeControlCommon, ChangeControlHttpCommon


@tagged("post_install", "-at_install")
class TestShippingBlock(ChangeControlCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._receive([(cls.catheter_variant, "SB-L1", 50)])
        cls.lot = cls._lot_named(cls.catheter_variant, "SB-L1")
        cls._approve(cls.base_di)
        cls._publish(cls.base_di, "nmpa")

    def _ship(self, partner):
        picking = self._transfer(
            self.env.ref("stock.picking_type_out"),
            partner,
            self.stock_location,
            self.customer_location,
            [(self.catheter_variant, self.lot, 2)],
            validate=False,
        )
        return picking.with_user(self.clerk).with_context(skip_expired=True).button_validate()

    def test_published_where_it_goes_ships(self):
        self._ship(self.hospital)
        self.assertTrue(self.env["stock.move"].search([("partner_id", "=", self.hospital.id)]))

    def test_not_published_in_the_destination_database_is_refused(self):
        with self.assertRaises(ValidationError) as caught:
            self._ship(self.us_clinic)
        message = str(caught.exception)
        for part in (
            self.catheter_variant.display_name,
            "06901234567892",
            "not published in FDA GUDID",
            "Boston Heart Clinic",
            "United States",
        ):
            self.assertIn(part, message)

    def test_eu_destination_needs_eudamed(self):
        berlin = self._consignee("Charité Einkauf", self.env.ref("base.de"))
        with self.assertRaisesRegex(ValidationError, "not published in EUDAMED"):
            self._ship(berlin)

    def test_discontinued_di_is_refused_everywhere(self):
        self.base_di.with_user(self.manager).action_discontinue()
        with self.assertRaisesRegex(ValidationError, "is discontinued"):
            self._ship(self.hospital)

    def test_company_switch_off_lets_it_ship(self):
        self.company.udi_block_unpublished_shipping = False
        self._ship(self.us_clinic)

    def test_destination_without_a_udi_jurisdiction_ships(self):
        singapore = self._consignee("Pacific MedSupply", self.env.ref("base.sg"))
        self._ship(singapore)


@tagged("post_install", "-at_install")
class TestShippingBlockButton(ChangeControlHttpCommon):
    def test_clerk_validating_in_the_web_client_gets_the_reason(self):
        self._receive([(self.catheter_variant, "SB-L2", 5)])
        lot = self._lot_named(self.catheter_variant, "SB-L2")
        picking = self._transfer(
            self.env.ref("stock.picking_type_out"),
            self.hospital,
            self.stock_location,
            self.customer_location,
            [(self.catheter_variant, lot, 1)],
            validate=False,
        )
        _result, error = self._call_button(
            "cc_clerk",
            "cc-clerk-password-1",
            "stock.picking",
            "button_validate",
            picking.ids,
            {"skip_expired": True},
        )
        self.assertIn("not published in NMPA UDI database (life cycle: Draft)", error)
        self.assertEqual(picking.state, "assigned")
