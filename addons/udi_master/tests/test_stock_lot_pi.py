import datetime

from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged

from .common import UdiCommon


@tagged("post_install", "-at_install")
class TestStockLotPi(UdiCommon):
    def test_lot_of_21_characters_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "has 21 characters; a UDI allows at most 20"):
            self._lot(self.catheter_variant, "L" * 21, expiry=self._date(300))

    def test_lot_with_character_outside_gs1_set_82_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "not in the GS1 character set 82"):
            self._lot(self.catheter_variant, "LOT#12", expiry=self._date(300))

    def test_serial_with_space_is_refused_and_named_serial(self):
        with self.assertRaisesRegex(ValidationError, "serial number 'PM 001'"):
            self._lot(self.implant.product_variant_id, "PM 001")

    def test_unregulated_product_keeps_odoo_lot_rules(self):
        screws = self.env["product.product"].create({
            "name": "Packing screws", "is_storable": True, "tracking": "lot",
        })
        lot = self._lot(screws, "LOT #1 with a long free-text name")
        self.assertFalse(lot.udi_hri)

    def test_other_products_keep_the_expiration_time_odoo_sets(self):
        """product_expiry's own test: the lot form keeps the expiration's time of day (the
        calendar date the UDI shows must not move it to noon)."""
        apples = self.env["product.product"].create({
            "name": "Apples", "is_storable": True, "tracking": "lot",
            "use_expiration_date": True, "expiration_time": 10,
        })
        with Form(self.env["stock.lot"]) as lot_form:
            lot_form.name = "Apple Box #1"
            lot_form.product_id = apples
        lot = lot_form.record
        moment = datetime.datetime(2030, 5, 17, 8, 43, 21)
        with Form(lot) as lot_form:
            lot_form.expiration_date = moment
        self.assertEqual(lot.expiration_date, moment)
        # a new calendar date written as the UDI's expiry date is a label date: noon
        lot.udi_expiry_date = datetime.date(2031, 1, 2)
        self.assertEqual(lot.expiration_date, datetime.datetime(2031, 1, 2, 12, 0))

    def test_expiry_before_manufacture_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "before its manufacture date"):
            self._lot(self.catheter_variant, "L1", expiry=self._date(10),
                      manufactured=self._date(20))

    def test_expiry_required_when_label_carries_it(self):
        with self.assertRaisesRegex(ValidationError, "needs an expiry date"):
            self.env["stock.lot"].create({
                "name": "L2", "product_id": self.catheter_variant.id, "expiration_date": False,
            })

    def test_expiry_date_typed_by_a_user_is_read_in_the_user_timezone(self):
        self.env.user.tz = "Asia/Shanghai"
        # 2027-03-31 00:00 in Shanghai, as the datetime widget stores it
        lot = self._lot(self.catheter_variant, "L5", expiry=self._date(10))
        lot.expiration_date = datetime.datetime(2027, 3, 30, 16, 0)
        self.assertEqual(lot.udi_expiry_date, datetime.date(2027, 3, 31))

    def test_expiry_date_is_the_calendar_date_in_every_timezone(self):
        lot = self._lot(self.catheter_variant, "L3", expiry=datetime.date(2027, 3, 31))
        for tz in ("Pacific/Honolulu", "America/New_York", "Asia/Shanghai", "Pacific/Auckland"):
            self.env.user.tz = tz
            lot.invalidate_recordset(["udi_expiry_date"])
            self.assertEqual(lot.udi_expiry_date, datetime.date(2027, 3, 31), tz)

    def test_expiry_date_edited_in_the_form_writes_product_expiry_field(self):
        lot = self._lot(self.catheter_variant, "L4", expiry=self._date(100))
        with Form(lot) as form:
            form.udi_expiry_date = datetime.date(2028, 1, 15)
        self.assertEqual(lot.expiration_date, datetime.datetime(2028, 1, 15, 12, 0))

    def test_lot_udi_strings_follow_label_content(self):
        lot = self._lot(self.catheter_variant, "A1B2", expiry=datetime.date(2027, 3, 31),
                        manufactured=datetime.date(2025, 4, 1))
        self.assertEqual(lot.udi_di, "06901234567892")
        self.assertEqual(lot.udi_hri, "(01)06901234567892(11)250401(17)270331(10)A1B2")
        self.assertEqual(lot.udi_element_string, "01069012345678921125040117270331" "10A1B2")
        self.assertEqual(
            lot.udi_digital_link,
            "https://id.gs1.org/01/06901234567892/10/A1B2?11=250401&17=270331",
        )

    def test_serial_udi_separates_lot_from_serial_with_fnc1(self):
        self.implant.write({"udi_pi_lot": False})
        serial = self._lot(self.implant.product_variant_id, "PM0001")
        self.assertEqual(serial.udi_hri, "(01)06901234500011(21)PM0001")

    def test_label_without_expiry_flag_omits_expiry(self):
        self.catheter.udi_pi_manufacture_date = False
        self.catheter.udi_pi_expiry = False
        lot = self._lot(self.catheter_variant, "A1B3", expiry=self._date(100))
        self.assertEqual(lot.udi_hri, "(01)06901234567892(10)A1B3")

    def test_serial_flag_needs_serial_tracking(self):
        with self.assertRaisesRegex(ValidationError, "tracked by unique serial number"):
            self.catheter.udi_pi_serial = True

    def test_expiry_flag_needs_expiration_dates_enabled(self):
        with self.assertRaisesRegex(ValidationError, "'Expiration Date' must be enabled"):
            self.implant.udi_pi_expiry = True
