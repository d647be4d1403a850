import datetime
import json

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user, tagged

from ..lib.hibc import hibc_concatenated
from ..lib.samples import SCAN_SAMPLES
from .common import UdiCommon

CATHETER_SCAN = "]d2" "0106901234567892" "11250101" "17270131" "10LOT-A1"


@tagged("post_install", "-at_install")
class TestUdiParser(UdiCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.parser = cls.env["udi.parser"]
        cls.stock_user = new_test_user(cls.env, "udip_stock", groups="stock.group_stock_user")

    def test_parse_returns_iso_dates_and_the_product_of_the_di(self):
        result = self.parser.parse(CATHETER_SCAN)
        self.assertEqual(result["issuer"], "gs1")
        self.assertEqual(result["di"], "06901234567892")
        self.assertEqual(result["lot"], "LOT-A1")
        self.assertFalse(result["serial"])
        self.assertEqual(result["expiry"], "2027-01-31")
        self.assertEqual(result["manufactured"], "2025-01-01")
        self.assertEqual(result["product_id"], self.catheter_variant.id)
        self.assertEqual(result["packaging_level"], "base")

    def test_parse_result_is_json_serialisable(self):
        result = self.parser.parse(CATHETER_SCAN + "\x1d3010")
        self.assertEqual(json.loads(json.dumps(result)), result)
        self.assertEqual(result["quantity"], 10)

    def test_parse_of_unknown_di_has_no_product(self):
        result = self.parser.parse("(01)09501101020917(10)X")
        self.assertIs(result["product_id"], False)
        self.assertIs(result["packaging_level"], False)

    def test_parse_finds_higher_package_level(self):
        base = self.catheter.udi_di_ids
        self.env["udi.di"].create({
            "di": "16901234567899", "product_tmpl_id": self.catheter.id,
            "packaging_level": "package", "contained_di_id": base.id, "contained_qty": 10,
        })
        result = self.parser.parse("(01)16901234567899(17)270131(10)L1")
        self.assertEqual(result["product_id"], self.catheter_variant.id)
        self.assertEqual(result["packaging_level"], "package")

    def test_parse_of_bad_check_digit_raises_validation_error_naming_it(self):
        with self.assertRaisesRegex(ValidationError, "bad check digit: expected 2, got 3"):
            self.parser.parse("(01)06901234567893(10)L1")

    def test_parse_of_impossible_date_names_the_date(self):
        with self.assertRaisesRegex(ValidationError, "270231 is impossible"):
            self.parser.parse("(01)06901234567892(17)270231(10)L1")

    def test_parse_of_empty_input_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "empty"):
            self.parser.parse("")

    def test_day_00_gives_a_warning_text(self):
        result = self.parser.parse("(01)06901234567892(17)270200(10)L1")
        self.assertEqual(result["expiry"], "2027-02-28")
        self.assertIn("date_day_00", result["warning_codes"])
        self.assertIn("no longer allowed on healthcare labels", result["warnings"][0])

    def test_hibc_concatenated_is_parsed(self):
        result = self.parser.parse("+A99912345/$$52001510X33")
        self.assertEqual((result["issuer"], result["di"], result["lot"], result["expiry"]),
                         ("hibcc", "+A999123457", "10X3", "2020-01-15"))

    def test_hibc_di_resolves_to_its_product(self):
        self.env["udi.di"].create({
            "di": "+A999123457", "issuing_agency": "hibcc", "product_tmpl_id": self.implant.id,
            "packaging_level": "unit_of_use",
        })
        result = self.parser.parse(hibc_concatenated("+A999123457", serial="SN01"))
        self.assertEqual(result["product_id"], self.implant.product_variant_id.id)

    def test_parse_is_a_readonly_public_method(self):
        self.assertTrue(getattr(type(self.parser).parse, "_readonly", False))

    def test_stock_user_sees_the_product(self):
        result = self.parser.with_user(self.stock_user).parse(CATHETER_SCAN)
        self.assertEqual(result["product_id"], self.catheter_variant.id)

    def test_internal_user_without_inventory_rights_parses_without_product(self):
        user = new_test_user(self.env, "udip_plain", groups="base.group_user")
        result = self.parser.with_user(user).parse(CATHETER_SCAN)
        self.assertEqual(result["lot"], "LOT-A1")
        self.assertIs(result["product_id"], False)

    def test_product_of_another_company_is_not_revealed(self):
        other = self.env["res.company"].create({"name": "udip other company"})
        self.catheter.company_id = other
        result = self.parser.with_user(self.stock_user).parse(CATHETER_SCAN)
        self.assertIs(result["product_id"], False)

    def test_portal_user_cannot_parse(self):
        portal = new_test_user(self.env, "udip_portal", groups="base.group_portal")
        with self.assertRaises(AccessError):
            self.parser.with_user(portal).parse(CATHETER_SCAN)

    def test_real_world_scan_table(self):
        self.assertGreaterEqual(len(SCAN_SAMPLES), 40)
        for sample in SCAN_SAMPLES:
            with self.subTest(code=sample["code"]):
                if "error" in sample:
                    with self.assertRaises(ValidationError):
                        self.parser.parse(sample["code"])
                    continue
                result = self.parser.parse(sample["code"])
                for key, expected in sample["expect"].items():
                    if key == "warnings":
                        got = sorted(c for c in result["warning_codes"] if c != "expired")
                        self.assertEqual(got, sorted(expected))
                    elif key not in ("hri",):
                        self.assertEqual(result[key], expected if expected is not None else False,
                                         key)

    def test_dates_use_the_users_today_for_the_century(self):
        self.assertEqual(
            self.parser._parse_udi("(01)06901234567892(17)270131")["expiry"],
            datetime.date(2027, 1, 31),
        )
