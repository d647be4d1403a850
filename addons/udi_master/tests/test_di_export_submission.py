import base64
import io
import os
import zipfile
from pathlib import Path
from unittest.mock import patch

from lxml import etree

from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, TransactionCase, new_test_user, tagged
from odoo.tools import convert_file, mute_logger

from .test_di_export import DiExportCase

SCHEMA_DIRS = [
    Path(p)
    for p in (
        os.environ.get("UDI_SCHEMA_DIR"),
        Path(__file__).resolve().parents[3].parent / "shared" / "standards",
    )
    if p
]


def official_schema(relative):
    """The official schema kept outside the repository (see readme/DI_EXPORT.md), or None."""
    for directory in SCHEMA_DIRS:
        if (directory / relative).is_file():
            return etree.XMLSchema(etree.parse(str(directory / relative)))
    return None


EU_VALUES = {
    "udi_basic_di": "690123456CVC7FQ",
    "udi_eu_class": "3",
    "udi_emdn_code": "C0104",
    "udi_eu_manufacturer_srn": "CN-MF-000012345",
    "udi_eu_ar_srn": "DE-AR-000000123",
}


@tagged("post_install", "-at_install")
class TestDiExportSubmission(DiExportCase):
    """Submission formats (EUDAMED XML, GUDID SPL, NMPA xlsx), the record of every export and
    the hook other modules listen to."""

    def _exports(self):
        return self.env["udi.di.export"].search([("product_tmpl_ids", "in", self.catheter.ids)])

    def test_export_is_recorded_with_its_dis_file_user_and_company(self):
        wizard, data = self._export(self.catheter, database="gudid")
        export = wizard.export_id
        self.assertEqual(export, self._exports())
        self.assertEqual(export.database, "gudid")
        self.assertEqual(export.di_ids.mapped("di"), ["06901234567892"])
        self.assertEqual(export.product_tmpl_ids, self.catheter)
        self.assertEqual(export.user_id, self.env.user)
        self.assertEqual(export.company_id, self.env.company)
        self.assertEqual(export.formats, "spl, csv")
        self.assertEqual(export.file_name, wizard.export_filename)
        self.assertEqual(export.attachment_id.raw, data)
        self.assertEqual(len(export.checksum), 64)
        names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        self.assertIn(
            "gudid_spl_06901234567892_" + export.create_date.strftime("%Y%m%d") + ".xml", names
        )

    def test_export_calls_the_hook_of_the_exported_dis(self):
        udi_di = type(self.env["udi.di"])
        with patch.object(udi_di, "_udi_exported", autospec=True, return_value=True) as hook:
            wizard, _data = self._export(self.catheter, database="nmpa")
        hook.assert_called_once()
        dis, database, export = hook.call_args.args
        self.assertEqual(dis.mapped("di"), ["06901234567892"])
        self.assertEqual((database, export), ("nmpa", wizard.export_id))

    def test_eudamed_lists_missing_eu_data_and_blocks_the_export(self):
        wizard = self._wizard_form(self.catheter, database="eudamed").save()
        self.assertEqual(
            sorted(wizard.issue_ids.mapped("field_key")),
            ["basic_udi_di", "emdn_code", "eu_manufacturer_srn", "eu_risk_class"],
        )
        self.assertEqual(set(wizard.issue_ids.mapped("database")), {"eudamed"})
        with self.assertRaisesRegex(UserError, "4 mandatory field"):
            wizard.action_export()
        self.assertFalse(self._exports(), "a refused export leaves no record")
        self.assertFalse(wizard.export_file)

    def test_eudamed_export_of_a_complete_device_is_the_dtx_push_message(self):
        self.catheter.write(EU_VALUES)
        wizard, data = self._export(self.catheter, database="eudamed")
        self.assertEqual(wizard.export_id.database, "eudamed")
        self.assertTrue(wizard.export_filename.startswith("eudamed_device_post_"))
        root = etree.fromstring(data)
        ns = {
            "m": "https://ec.europa.eu/tools/eudamed/dtx/servicemodel/Message/v1",
            "b": "https://ec.europa.eu/tools/eudamed/dtx/datamodel/Entity/Device/BasicUDI/v1",
        }
        self.assertEqual(root.findtext(".//b:MFActorCode", namespaces=ns), "CN-MF-000012345")
        schema = official_schema("eudamed-dtx/service/Message.xsd")
        if schema:
            self.assertTrue(schema.validate(root), schema.error_log)

    def test_malformed_srn_is_refused_on_the_device(self):
        with self.assertRaisesRegex(Exception, "DE-MF-000012345"):
            self.catheter.udi_eu_manufacturer_srn = "12345"

    def test_nmpa_bulk_template_is_an_xlsx_workbook(self):
        wizard, data = self._export(
            self.catheter, database="nmpa", export_xml=False, export_csv=False
        )
        self.assertTrue(wizard.export_filename.endswith(".xlsx"))
        self.assertTrue(zipfile.is_zipfile(io.BytesIO(data)))  # OOXML
        self.assertIn("xl/workbook.xml", zipfile.ZipFile(io.BytesIO(data)).namelist())

    def test_export_record_cannot_be_changed_or_deleted(self):
        wizard, _data = self._export(self.catheter, database="gudid")
        manager = new_test_user(
            self.env, login="udix_rewriter", groups="udi_master.group_trace_manager"
        )
        export = wizard.export_id.with_user(manager)
        with self.assertRaisesRegex(UserError, "cannot be changed"):
            export.write({"database": "nmpa"})
        with self.assertRaises(AccessError):
            export.unlink()
        with self.assertRaisesRegex(UserError, "cannot be deleted"):
            export.sudo().unlink()
        self.assertEqual(wizard.export_id.database, "gudid")

    def test_other_company_sees_no_export(self):
        wizard, _data = self._export(self.catheter, database="gudid")
        other = self.env["res.company"].create({"name": "Other Devices GmbH"})
        outsider = new_test_user(
            self.env,
            login="udix_other_co",
            company_id=other.id,
            company_ids=[other.id],
            groups="udi_master.group_trace_manager",
        )
        exports = self.env["udi.di.export"].with_user(outsider)
        self.assertFalse(exports.search([]))
        with self.assertRaises(AccessError):
            wizard.export_id.with_user(outsider).read(["file_name"])

    def test_traceability_user_cannot_read_exports(self):
        self._export(self.catheter, database="gudid")
        clerk = new_test_user(self.env, login="udix_clerk", groups="udi_master.group_trace_user")
        with self.assertRaises(AccessError):
            self.env["udi.di.export"].with_user(clerk).search([])


@tagged("post_install", "-at_install")
class TestDiExportWebClient(DiExportCase, HttpCase):
    """The Export button as the web client presses it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(
            cls.env,
            login="udix_web_manager",
            password="udix_web_manager",
            groups="udi_master.group_trace_manager",
        )
        cls.clerk = new_test_user(
            cls.env,
            login="udix_web_clerk",
            password="udix_web_clerk",
            groups="udi_master.group_trace_user",
        )

    def press_export(self, wizard):
        return self.make_jsonrpc_request(
            "/web/dataset/call_button/udi.di.export.wizard/action_export",
            {
                "model": "udi.di.export.wizard",
                "method": "action_export",
                "args": [wizard.ids],
                "kwargs": {
                    "context": {"active_model": "product.template", "active_ids": self.catheter.ids}
                },
            },
        )

    def test_manager_exports_through_the_button(self):
        wizard = (
            self.env["udi.di.export.wizard"]
            .with_user(self.manager)
            .create({"database": "gudid", "product_tmpl_ids": [(6, 0, self.catheter.ids)]})
        )
        self.authenticate("udix_web_manager", "udix_web_manager")
        action = self.press_export(wizard)
        self.assertEqual(action["res_model"], "udi.di.export.wizard")
        wizard.invalidate_recordset()
        export = wizard.export_id
        self.assertEqual(export.user_id, self.manager)
        self.assertEqual(export.di_ids.mapped("di"), ["06901234567892"])
        self.assertEqual(base64.b64decode(wizard.export_file), export.attachment_id.raw)

    def test_traceability_user_is_refused(self):
        wizard = self.env["udi.di.export.wizard"].create(
            {"database": "gudid", "product_tmpl_ids": [(6, 0, self.catheter.ids)]}
        )
        self.authenticate("udix_web_clerk", "udix_web_clerk")
        with mute_logger("odoo.http"), self.assertRaises(Exception) as refused:
            self.press_export(wizard)
        self.assertIn("AccessError", str(refused.exception))
        self.assertFalse(self.env["udi.di.export"].search([("di_ids.di", "=", "06901234567892")]))


@tagged("post_install", "-at_install")
class TestDiExportDemo(TransactionCase):
    """The demo as bin/demo installs it exports without missing data."""

    def test_demo_devices_export_without_missing_data(self):
        """Loads udi_master's demo data when the database has none (as bin/test installs):
        its pacemaker is complete for every database."""
        pacemaker = self.env.ref("udi_master.product_pacemaker", raise_if_not_found=False)
        if not pacemaker:
            convert_file(
                self.env,
                "udi_master",
                "demo/udi_master_demo.xml",
                {},
                mode="init",
                noupdate=True,
            )
            pacemaker = self.env.ref("udi_master.product_pacemaker")
        for database in ("nmpa", "gudid", "eudamed"):
            wizard = (
                self.env["udi.di.export.wizard"]
                .with_context(active_model="product.template", active_ids=pacemaker.ids)
                .create({"database": database})
            )
            self.assertFalse([(i.field_key, i.message) for i in wizard.issue_ids], database)
            wizard.action_export()
            self.assertEqual(wizard.export_id.database, database)
            self.assertEqual(wizard.export_id.di_ids.mapped("di"), ["06901234500011"])
