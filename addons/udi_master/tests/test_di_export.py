import base64
import csv
import datetime
import io
import zipfile

from lxml import etree

from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, TransactionCase, tagged


class DiExportCase(TransactionCase):
    """A complete catheter and an incomplete implant, and the wizard as a user fills it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.env.company.write(
            {
                "name": "Shanghai Example Medical Co., Ltd.",
                "vat": "91310000MA1FL0000X",
                "phone": "+86 21 5555 0100",
                "email": "ra@example.com",
            }
        )
        cls.catheter = cls._create_catheter()
        cls.implant = cls._create_implant()

    @classmethod
    def _create_catheter(cls):
        """A lot-tracked catheter with every field the exports need, and three packaging
        levels (base, box of 10, case of 5 boxes)."""
        catheter = cls.env["product.template"].create(
            {
                "name": "Central venous catheter 7Fr",
                "default_code": "CVC7F20",
                "is_storable": True,
                "tracking": "lot",
                "use_expiration_date": True,
                "udi_regulated": True,
                "udi_brand": "VenaCath",
                "udi_model": "CVC-7F-20",
                "udi_description": "Sterile single-use central venous catheter",
                "udi_registration_number": "国械注准20203030001",
                "udi_nmpa_class": "3",
                "udi_fda_class": "2",
                "udi_gmdn_code": "47744",
                "udi_sterile": True,
                "udi_single_use": True,
                "udi_pi_lot": True,
                "udi_pi_expiry": True,
                "udi_pi_manufacture_date": True,
                "udi_labeled_no_latex": True,
                "udi_mri_safety": "conditional",
                "udi_fda_use": "rx",
                "udi_labeler_duns": "123456789",
                "udi_fda_product_code": "FOZ",
                "udi_fda_premarket_number": "K201234",
                "udi_nmpa_category_code": "14-01-02",
                "udi_nmpa_publish_date": datetime.date(2024, 5, 6),
                "udi_gudid_publish_date": datetime.date(2024, 6, 1),
            }
        )
        base = cls.env["udi.di"].create(
            {
                "product_tmpl_id": catheter.id,
                "di": "06901234567892",
                "packaging_level": "base",
            }
        )
        box = cls.env["udi.di"].create(
            {
                "product_tmpl_id": catheter.id,
                "di": "16901234567899",
                "packaging_level": "package",
                "contained_di_id": base.id,
                "contained_qty": 10,
            }
        )
        cls.env["udi.di"].create(
            {
                "product_tmpl_id": catheter.id,
                "di": "26901234567896",
                "packaging_level": "package",
                "contained_di_id": box.id,
                "contained_qty": 5,
            }
        )
        return catheter

    @classmethod
    def _create_implant(cls):
        """A registered pacemaker without registration number, classification code or MRI
        status."""
        return cls.env["product.template"].create(
            {
                "name": "Dual-chamber pacemaker",
                "is_storable": True,
                "tracking": "serial",
                "udi_regulated": True,
                "udi_pi_serial": True,
                "udi_implantable": True,
                "udi_model": "DR-200",
                "udi_description": "Implantable dual-chamber pacemaker",
                "udi_nmpa_class": "3",
                "udi_nmpa_publish_date": datetime.date(2024, 5, 6),
                "udi_di_ids": [(0, 0, {"di": "06901234500011", "packaging_level": "base"})],
            }
        )

    def _wizard_form(self, templates, **values):
        wizard = Form(
            self.env["udi.di.export.wizard"].with_context(
                active_model="product.template", active_ids=templates.ids
            )
        )
        for name, value in values.items():
            setattr(wizard, name, value)
        return wizard

    def _export(self, templates, **values):
        wizard = self._wizard_form(templates, **values).save()
        wizard.action_export()
        return wizard, base64.b64decode(wizard.export_file)

    @staticmethod
    def _files(archive):
        with zipfile.ZipFile(io.BytesIO(archive)) as opened:
            return {name: opened.read(name) for name in opened.namelist()}

    @staticmethod
    def _csv(data):
        return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


@tagged("post_install", "-at_install")
class TestDiExport(DiExportCase):
    """DI database export wizard: missing-data report, blocking, layouts of NMPA
    and GUDID."""

    def test_devices_default_to_the_products_selected_in_the_list(self):
        wizard = self._wizard_form(self.catheter | self.implant)
        self.assertEqual(wizard.product_tmpl_ids.ids, (self.catheter | self.implant).ids)

    def test_action_is_offered_on_the_product_list(self):
        action = self.env.ref("udi_master.udi_di_export_wizard_action")
        self.assertEqual(action.binding_model_id.model, "product.template")

    def test_complete_device_has_no_missing_data_for_either_database(self):
        for database in ("nmpa", "gudid"):
            wizard = self._wizard_form(self.catheter, database=database).save()
            self.assertFalse(wizard.issue_ids, database)

    def test_missing_registration_number_is_reported_for_nmpa(self):
        wizard = self._wizard_form(self.implant, database="nmpa").save()
        issues = wizard.issue_ids.filtered(lambda i: i.field_key == "registration_number")
        self.assertEqual(len(issues), 1)
        self.assertEqual(issues.product_tmpl_id, self.implant)
        self.assertEqual(issues.primary_di, "06901234500011")
        self.assertEqual(issues.database, "nmpa")
        self.assertEqual(issues.field_label, "Registration certificate or filing number")

    def test_report_follows_the_chosen_database(self):
        form = self._wizard_form(self.implant, database="nmpa")
        keys = set(form.save().issue_ids.mapped("field_key"))
        self.assertIn("registration_number", keys)
        self.assertNotIn("labeler_duns", keys)
        form.database = "gudid"
        keys = set(form.save().issue_ids.mapped("field_key"))
        self.assertIn("labeler_duns", keys)
        self.assertNotIn("registration_number", keys)

    def test_export_with_missing_mandatory_data_is_blocked(self):
        wizard = self._wizard_form(self.catheter | self.implant, database="nmpa").save()
        with self.assertRaisesRegex(UserError, "Dual-chamber pacemaker"):
            wizard.action_export()
        self.assertFalse(wizard.export_file)
        self.assertEqual(wizard.state, "check")

    def test_draft_export_when_asked_carries_the_missing_data(self):
        wizard, archive = self._export(
            self.catheter | self.implant, database="nmpa", allow_draft=True
        )
        self.assertTrue(wizard.export_filename.startswith("DRAFT_"))
        files = self._files(archive)
        self.assertTrue(all(name.startswith("DRAFT_") for name in files))
        report = self._csv(files["DRAFT_missing_data_nmpa.csv"])
        self.assertIn(
            ("Dual-chamber pacemaker", "Registration certificate or filing number"),
            {(row["Device"], row["Field"]) for row in report},
        )

    def test_device_without_base_di_is_reported(self):
        bare = self.env["product.template"].create({"name": "Bare device", "udi_regulated": True})
        wizard = self._wizard_form(bare, database="gudid").save()
        self.assertEqual(wizard.issue_ids.mapped("field_key"), ["primary_di"])

    def test_nmpa_xml_has_udid_root_and_packaging_hierarchy_with_quantities(self):
        wizard, data = self._export(
            self.catheter, database="nmpa", export_csv=False, export_xlsx=False
        )
        self.assertTrue(wizard.export_filename.endswith(".xml"))
        root = etree.fromstring(data)
        self.assertEqual(root.tag, "udid")
        device = root.find("devices/device")
        self.assertEqual(device.findtext("zxxsdycpbs"), "06901234567892")
        self.assertEqual(device.findtext("zczbhhzbapzbh"), "国械注准20203030001")
        self.assertEqual(device.findtext("ylqxzcrbarmc"), "Shanghai Example Medical Co., Ltd.")
        packing = [
            (
                p.findtext("bzcpbs"),
                p.findtext("bznhxyjcpbssl"),
                p.findtext("bznhxyjbzcpbs"),
            )
            for p in device.findall("packingList/packing")
        ]
        self.assertEqual(
            packing,
            [
                ("16901234567899", "10", "06901234567892"),
                ("26901234567896", "5", "16901234567899"),
            ],
        )

    def test_nmpa_csv_writes_booleans_as_shi_fou_and_dates_as_iso(self):
        _wizard, archive = self._export(self.catheter, database="nmpa", export_xml=False)
        files = self._files(archive)
        product = self._csv(next(v for k, v in files.items() if "products" in k))[0]
        self.assertEqual(product["是否为无菌包装"], "是")
        self.assertEqual(product["使用前是否需要进行灭菌"], "否")
        self.assertEqual(product["产品标识发布日期"], "2024-05-06")
        packages = self._csv(next(v for k, v in files.items() if "packages" in k))
        self.assertEqual([row["包装内含小一级相同产品标识的数量"] for row in packages], ["10", "5"])

    def test_gudid_csv_writes_true_false_and_package_quantities(self):
        _wizard, archive = self._export(self.catheter, database="gudid")
        files = self._files(archive)
        device = self._csv(next(v for k, v in files.items() if "devices" in k))[0]
        self.assertEqual(device["Primary DI Number"], "06901234567892")
        self.assertEqual(device["Device Packaged as Sterile"], "true")
        self.assertEqual(device["Serial Number"], "false")
        self.assertEqual(device["DI Record Publish Date"], "2024-06-01")
        packages = self._csv(next(v for k, v in files.items() if "packages" in k))
        self.assertEqual(
            [
                (
                    p["Package DI Number"],
                    p["Quantity per Package"],
                    p["Contains DI Package"],
                )
                for p in packages
            ],
            [
                ("16901234567899", "10", "06901234567892"),
                ("26901234567896", "5", "16901234567899"),
            ],
        )

    def test_gudid_without_spl_or_csv_has_no_format_to_export(self):
        wizard = self._wizard_form(
            self.catheter, database="gudid", export_csv=False, export_spl=False
        ).save()
        with self.assertRaisesRegex(UserError, "Choose a file format"):
            wizard.action_export()

    def test_labeler_duns_must_have_nine_digits(self):
        with self.assertRaises(ValidationError):
            self.catheter.udi_labeler_duns = "12345"

    def test_traceability_manager_can_check_and_export(self):
        manager = self.env["res.users"].create(
            {
                "name": "RA manager",
                "login": "udix_ra_manager",
                "group_ids": [(6, 0, [self.env.ref("udi_master.group_trace_manager").id])],
            }
        )
        form = Form(
            self.env["udi.di.export.wizard"]
            .with_user(manager)
            .with_context(
                active_model="product.template",
                active_ids=(self.catheter | self.implant).ids,
            )
        )
        form.allow_draft = True
        wizard = form.save()
        self.assertTrue(wizard.issue_ids)
        wizard.action_export()
        self.assertTrue(wizard.export_file)
        self.assertFalse(wizard.export_id, "a draft export leaves no export record")
