from psycopg2 import IntegrityError

from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from .common import UdiCommon


@tagged("post_install", "-at_install")
class TestUdiDi(UdiCommon):
    def _di(self, di, agency="gs1", level="base", template=None, **vals):
        return self.env["udi.di"].create({
            "di": di,
            "issuing_agency": agency,
            "packaging_level": level,
            "product_tmpl_id": (template or self.catheter).id,
            **vals,
        })

    def test_gtin13_is_stored_as_gtin14(self):
        template = self.env["product.template"].create({"name": "Scalpel", "udi_regulated": True})
        level = self._di("6901234567007", template=template)
        self.assertEqual(level.di, "06901234567007")
        self.assertEqual(template.udi_primary_di, "06901234567007")

    def test_gtin_with_bad_check_digit_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "check digit"):
            self._di("06901234567893", level="unit_of_use")

    def test_gtin_of_wrong_length_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "Expected 8, 12, 13, or 14 digits"):
            self._di("123456", level="unit_of_use")

    def test_hibc_di_with_valid_mod43_check_character(self):
        level = self._di("+A99912345/"[:-1] + "7", agency="hibcc", level="unit_of_use")
        self.assertEqual(level.di, "+A999123457")

    def test_hibc_di_without_plus_is_normalised(self):
        level = self._di("a999123457", agency="hibcc", level="unit_of_use")
        self.assertEqual(level.di, "+A999123457")

    def test_hibc_di_with_wrong_check_character_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "expected '7', got 'X'"):
            self._di("+A99912345X", agency="hibcc", level="unit_of_use")

    def test_hibc_di_with_labeler_code_starting_with_digit_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "labeler code starting with a letter"):
            self._di("+199912345Z", agency="hibcc", level="unit_of_use")

    def test_other_agency_keeps_free_format(self):
        level = self._di("MA.156.M0.100001.12345", agency="other", level="unit_of_use",
                         other_agency_name="MA (ZIIOT)")
        self.assertEqual(level.di, "MA.156.M0.100001.12345")

    def test_di_is_unique_across_products_and_levels(self):
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"):
            self._di("06901234567892", level="unit_of_use", template=self.implant)

    def test_di_written_later_is_validated_too(self):
        level = self.catheter.udi_di_ids
        with self.assertRaisesRegex(ValidationError, "check digit"):
            level.di = "06901234567899"
        self.assertEqual(level.di, "06901234567892")

    def test_second_base_level_for_same_variant_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "already has a base-unit UDI-DI"):
            self._di("06901234567908")

    def test_higher_package_must_name_its_content(self):
        with self.assertRaisesRegex(ValidationError, "must say which packaging level"):
            self._di("16901234567899", level="package")

    def test_package_hierarchy_multiplies_quantities(self):
        base = self.catheter.udi_di_ids
        box = self._di("16901234567899", level="package", contained_di_id=base.id,
                       contained_qty=10)
        case = self._di("26901234567896", level="package", contained_di_id=box.id,
                        contained_qty=12)
        self.assertEqual(case._units_of_base(), 120)
        product, level = self.env["product.product"]._udi_find_by_di("26901234567896")
        self.assertEqual((product, level), (self.catheter_variant, case))

    def test_package_cannot_contain_another_device(self):
        with self.assertRaisesRegex(ValidationError, "same device"):
            self._di("16901234567899", level="package",
                     contained_di_id=self.implant.udi_di_ids.id, contained_qty=5)

    def test_package_cannot_contain_itself(self):
        base = self.catheter.udi_di_ids
        box = self._di("16901234567899", level="package", contained_di_id=base.id)
        case = self._di("26901234567896", level="package", contained_di_id=box.id)
        with self.assertRaisesRegex(ValidationError, "contains itself"):
            box.contained_di_id = case

    def test_contained_quantity_must_be_positive(self):
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"):
            self._di("16901234567899", level="package",
                     contained_di_id=self.catheter.udi_di_ids.id, contained_qty=0)

    def test_unknown_di_finds_nothing(self):
        product, level = self.env["product.product"]._udi_find_by_di("00000000000000")
        self.assertFalse(product)
        self.assertFalse(level)

    def test_device_form_adds_packaging_levels_like_a_user(self):
        with Form(self.env["product.template"]) as form:
            form.name = "Bone screw 4.5 mm"
            form.is_storable = True
            form.tracking = "lot"
            form.udi_regulated = True
            with form.udi_di_ids.new() as line:
                line.packaging_level = "base"
                line.di = "6901234567007"
        self.assertEqual(form.record.udi_primary_di, "06901234567007")
        self.assertTrue(form.record.udi_pi_lot, "the label carries the lot of a lot-tracked device")
