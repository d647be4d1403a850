"""The vigilance forms (EU MIR, FDA 3500A, NMPA) filled from the report, refused when a
mandatory field is empty, generated, attached and sealed when the report is issued."""

import hashlib
import os
import re
from pathlib import Path

from lxml import etree

from odoo.exceptions import UserError
from odoo.tests import tagged

from ..models.vigilance_report_document_xlsx import vigilance_workbook
from .common_documents import VigilanceDocumentCommon

MIR_NS = {"m": "urn:udi-traceability-suite:vigilance:eu-mir:7.3.1"}
SCHEMA_DIRS = [
    Path(p)
    for p in (
        os.environ.get("UDI_SCHEMA_DIR"),
        Path(__file__).resolve().parents[3].parent / "shared" / "standards",
    )
    if p
]


def official_mir_schema():
    """The Commission's MIR XSD kept outside the repository (see SOURCE.md there), or None."""
    for directory in SCHEMA_DIRS:
        path = directory / "eu-mir" / "mir-7.3.1.xsd"
        if path.is_file():
            return etree.XMLSchema(etree.parse(str(path)))
    return None


def values(data):
    """{field key: value} of a form's data (keys of different sections may repeat: last wins,
    so tests ask for keys that are unique in their form)."""
    return {row["key"]: row["value"] for section in data["sections"] for row in section["rows"]}


@tagged("post_install", "-at_install")
class TestVigilanceDocuments(VigilanceDocumentCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.eu_report = cls._issued("EU")
        cls.fda_report = cls._issued("FDA", severity="malfunction")
        cls.nmpa_report = cls._report("NMPA", severity="death", form_event_country_id=False)

    # ------------------------------------------------------------------ content from the data

    def test_mir_is_filled_from_the_report_device_and_company(self):
        data = self.eu_report._vigilance_document_data("mir")
        mir = values(data)
        self.assertEqual(data["missing"], [])
        self.assertEqual(mir["udi_di"], "06901234567892")
        self.assertEqual(mir["basic_udi_di"], "690123456CVC7FQ")
        self.assertEqual(mir["nomenclature"], "C0104")
        self.assertEqual(mir["mfr_srn"], "CN-MF-000012345")
        self.assertEqual(mir["ar_srn"], "DE-AR-000000123")
        self.assertEqual(mir["lots"], "VG-L1")
        self.assertEqual(mir["device_problem"], "A0401")
        self.assertEqual(mir["report_type"], "Initial report")
        self.assertEqual(mir["public_health_threat"], "No")
        self.assertEqual(mir["patients_involved"], "1")
        self.assertIn("hub cracked", mir["narrative"])
        self.assertEqual(data["patients"][0]["pseudonym"], "RJ-2026-0042")
        self.assertEqual(data["reference"], self.eu_report.name)

    def test_patients_appear_by_pseudonym_only(self):
        data = self.eu_report._vigilance_document_data("mir")
        self.assertEqual(
            [key for key, _label in data["columns"]["patients"]],
            ["pseudonym", "age", "sex", "outcome", "note"],
        )
        xml = etree.fromstring(self.eu_report._vigilance_mir_xml(data))
        self.assertEqual(xml.findtext("m:patients/m:patient/m:pseudonym", namespaces=MIR_NS),
                         "RJ-2026-0042")  # fmt: skip

    def test_fda_3500a_is_in_english_with_the_manufacturer_report_number(self):
        data = self.fda_report.with_context(lang="en_US")._vigilance_document_data("fda3500a")
        fda = values(data)
        number = self.fda_report.form_fda_report_number
        self.assertRegex(number, r"^1234567-\d{4}-\d{5}$")
        self.assertEqual(data["reference"], number)
        self.assertEqual(fda["report_number"], number)
        self.assertEqual(fda["event_type"], "Malfunction")
        self.assertEqual(fda["report_type"], "30-day, initial")
        self.assertEqual(fda["procode"], "FOZ")
        self.assertEqual(fda["premarket"], "K201234")
        self.assertEqual(fda["udi"], "06901234567892")
        self.assertEqual(fda["patient_id"], "RJ-2026-0042")
        self.assertEqual(fda["source"], "User facility")
        self.assertEqual(data["missing"], [])

    def test_nmpa_form_has_chinese_labels_with_english_glosses(self):
        data = self.nmpa_report.with_context(lang="en_US")._vigilance_document_data("nmpa")
        self.assertEqual(data["title"], "可疑医疗器械不良事件报告表")
        rows = {row["key"]: row for section in data["sections"] for row in section["rows"]}
        self.assertEqual(rows["harm"]["label"], "伤害")
        self.assertEqual(rows["harm"]["gloss"], "Harm")
        self.assertTrue(rows["harm"]["value"].startswith("死亡"))
        self.assertEqual(rows["registration"]["value"], "国械注准20203030001")
        self.assertEqual(rows["device_class"]["value"], "Ⅲ类")
        self.assertEqual(rows["place"]["value"], "")  # no country of the event given
        self.assertIn("RJ-2026-0042", rows["injury"]["value"])

    # ------------------------------------------------------------------ mandatory fields

    def test_approval_is_refused_naming_the_empty_form_fields_and_where_to_fill_them(self):
        report = self._report("EU", form_device_problem_code=False)
        report.action_submit_review()
        with self.assertRaises(UserError) as caught:
            report._vigilance_approve("qm-password")
        message = str(caught.exception)
        self.assertIn("EU MIR 3.5 Medical device problem (IMDRF Annex A)", message)
        self.assertIn("Regulatory forms tab", message)
        self.assertEqual(report.state, "review")
        self.assertFalse(report.signature_id)

    def test_nmpa_form_asks_for_the_country_of_the_event(self):
        self.assertIn(
            "NMPA adverse event report 发生地点: set the country of the event in the report's "
            "Regulatory forms tab",
            self.nmpa_report._vigilance_missing_fields(),
        )

    def test_fda_issue_is_refused_without_the_registration_number(self):
        report = self._approve(self._report("FDA"))
        self.company.recall_fda_registration = False
        with self.assertRaisesRegex(UserError, "FDA establishment registration number"):
            report.action_issue()

    def test_form_data_is_frozen_once_approved(self):
        with self.assertRaisesRegex(UserError, "can no longer be changed"):
            self.eu_report.write({"form_device_problem_code": "A0102"})

    def test_approval_signature_binds_the_form_data(self):
        content = self.eu_report._recall_signed_content()
        self.assertEqual(content["forms"]["form_device_problem_code"], "A0401")
        self.assertNotIn("form_fda_report_number", content["forms"])

    # ------------------------------------------------------------------ issue

    def test_issue_attaches_the_forms_of_the_jurisdiction_and_seals_their_digests(self):
        attachments = self.eu_report.attachment_ids
        names = sorted(attachments.mapped("name"))
        base = self.eu_report.name.replace("/", "-") + " EU MIR"
        self.assertEqual(names, [f"{base}.pdf", f"{base}.xlsx", f"{base}.xml"])
        entry = self.eu_report.log_ids.filtered(lambda log: log.state == "issued")
        for attachment in attachments:
            digest = hashlib.sha256(attachment.raw).hexdigest()
            self.assertIn(f"{digest}  {attachment.name}", entry.document_digests)
        self.assertEqual(
            sorted(self.fda_report.attachment_ids.mapped("mimetype")),
            [
                "application/pdf",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ],
        )

    def test_follow_up_names_its_initial_report_and_keeps_the_fda_number(self):
        action = self.fda_report.action_create_follow_up()
        follow_up = self.env["vigilance.report"].with_user(self.manager).browse(action["res_id"])
        self.assertEqual(follow_up.form_device_problem_code, "A0401")  # carried over
        data = follow_up.with_context(lang="en_US")._vigilance_document_data("fda3500a")
        fda = values(data)
        self.assertEqual(data["reference"], self.fda_report.form_fda_report_number)
        self.assertEqual(data["initial_reference"], self.fda_report.name)
        self.assertEqual(fda["report_type"], "30-day, follow-up #1")
        self.assertEqual(fda["follow_up_type"], "Additional information")
        mir = values(follow_up._vigilance_document_data("mir"))
        self.assertEqual(mir["initial_reference"], self.fda_report.name)
        self.assertEqual(mir["report_type"], "Follow-up report")

    def test_trend_reports_have_no_individual_form(self):
        report = self._report("EU", report_type="trend")
        with self.assertRaisesRegex(UserError, "trend report"):
            report._vigilance_document_data("mir")

    # ------------------------------------------------------------------ XML and spreadsheet

    def test_mir_xml_carries_the_form_in_its_order(self):
        data = self.eu_report._vigilance_document_data("mir")
        root = etree.fromstring(self.eu_report._vigilance_mir_xml(data))
        self.assertEqual(root.get("formVersion"), "7.3.1")
        self.assertEqual(root.get("reportType"), "initial")
        udi = root.find("m:section/m:field[@name='udi_di']", MIR_NS)
        self.assertEqual((udi.get("ref"), udi.text), ("2.1", "06901234567892"))
        self.assertEqual(len(root.findall("m:section", MIR_NS)), len(data["sections"]))

    def test_mir_xml_is_well_formed_and_valid_against_the_official_schema_when_present(self):
        """The Commission's XSD stays outside the repository (../shared/standards/eu-mir):
        validated against when it is there, as udi_master's EUDAMED export test does."""
        data = self.eu_report._vigilance_document_data("mir")
        root = etree.fromstring(self.eu_report._vigilance_mir_xml(data))
        self.assertEqual(etree.QName(root).localname, "manufacturerIncidentReport")
        schema = official_mir_schema()
        if schema:
            self.assertTrue(schema.validate(root), schema.error_log)

    def test_spreadsheet_and_pdf_share_one_data_source(self):
        data = self.nmpa_report._vigilance_document_data("nmpa")
        content = vigilance_workbook(data)
        self.assertTrue(content.startswith(b"PK"))
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("vigilance_mgmt.action_report_vigilance_nmpa", self.nmpa_report.ids)[
                0
            ]
            .decode()
        )
        for row in (r for section in data["sections"] for r in section["rows"]):
            if row["value"] and len(row["value"]) < 60 and not re.search(r"[<>&'\"]", row["value"]):
                self.assertIn(row["value"], html, row["key"])
