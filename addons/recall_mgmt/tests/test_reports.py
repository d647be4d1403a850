import io
import re
import shutil
import subprocess
import zipfile

from lxml import etree

from odoo.exceptions import UserError, ValidationError
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.audit_seal.tools.workflow import workflow_writes

from ..controllers.main import regulator_workbook
from .common import RecallCommon

XLSX_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
FDA_NUMBER = r"1234567-\d{1,2}/\d{1,2}/\d{2}-\d{3}-[CR]"


def xlsx_sheets(content):
    """{sheet name: [[cell text, ...], ...]} of an xlsx file (no openpyxl needed)."""
    sheets = {}
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        workbook = etree.fromstring(archive.read("xl/workbook.xml"))
        rels = etree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
        targets = {rel.get("Id"): rel.get("Target") for rel in rels}
        shared = []
        if "xl/sharedStrings.xml" in archive.namelist():
            strings = etree.fromstring(archive.read("xl/sharedStrings.xml"))
            shared = ["".join(item.itertext()) for item in strings.findall("m:si", XLSX_NS)]
        for sheet in workbook.find("m:sheets", XLSX_NS):
            xml = etree.fromstring(archive.read("xl/" + targets[sheet.get(REL_ID)]))
            rows = []
            for row in xml.iter(f"{{{XLSX_NS['m']}}}row"):
                cells = {}
                for cell in row.findall("m:c", XLSX_NS):
                    letters = re.match(r"[A-Z]+", cell.get("r")).group()
                    col = 0
                    for letter in letters:
                        col = col * 26 + ord(letter) - 64
                    value = cell.find("m:v", XLSX_NS)
                    if cell.get("t") == "s":
                        text = shared[int(value.text)]
                    elif cell.get("t") == "inlineStr":
                        text = "".join(cell.find("m:is", XLSX_NS).itertext())
                    else:
                        text = value.text if value is not None else ""
                    cells[col - 1] = text
                rows.append([cells.get(i, "") for i in range(max(cells, default=-1) + 1)])
            sheets[sheet.get("name")] = rows
    return sheets


class ReportCommon(RecallCommon):
    """RecallCommon plus registration data, a second lot shipped to the hospital only, a
    pacemaker serial, a US consignee, and an approved recall over NMPA, FDA and EU."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        china = cls.env.ref("base.cn")
        cls.company.write({
            "street": "18 Kexue Road", "city": "Suzhou", "zip": "215000", "country_id": china.id,
            "phone": "+86 512 6000 0000", "email": "quality@maker.example.com",
            "recall_fda_registration": "1234567", "recall_eu_srn": "CN-MF-000012345",
        })
        cls.manager.write({"email": "li.wei@maker.example.com", "phone": "+86 512 6000 0101"})
        cls.manager.partner_id.function = "Quality Manager"
        cls.catheter.write({
            "udi_brand": "VenaFlow",
            "udi_model": "CVC-7F-20",
            "default_code": "CVC7F",
            "udi_description": "Central venous access for infusion and pressure monitoring",
            "udi_registration_number": "国械注准20213030001",
            "udi_nmpa_class": "3",
            "udi_fda_class": "2",
            "udi_eu_class": "2b",
            "udi_fda_premarket_number": "K201234",
            "udi_fda_product_code": "FOZ",
            "udi_gmdn_code": "47776",
        })
        cls.implant.write({
            "udi_brand": "CorPace", "udi_model": "DR-200",
            "udi_description": "Dual-chamber pacing", "udi_life_years": 10,
        })
        cls.distributor.write({
            "country_id": china.id, "state_id": cls.env.ref("base.state_cn_SH").id,
            "city": "Shanghai", "phone": "+86 21 5000 0000",
        })
        cls.hospital.write({
            "country_id": china.id, "state_id": cls.env.ref("base.state_cn_SH").id,
            "city": "Shanghai",
        })
        cls.us_clinic = cls.env["res.partner"].create({
            "name": "Boston Heart Clinic", "is_company": True, "city": "Boston",
            "country_id": cls.env.ref("base.us").id,
            "state_id": cls.env.ref("base.state_us_34").id,
            "email": "devices@bostonheart.example.com",
        })
        implant_variant = cls.implant.product_variant_id
        cls._receive([(implant_variant, "PM-0001", 1), (implant_variant, "PM-0002", 1)])
        cls.serial = cls._lot_named(implant_variant, "PM-0001")
        cls.spare_serial = cls._lot_named(implant_variant, "PM-0002")
        cls._deliver(cls.hospital, [(cls.catheter_variant, cls.other_lot, 10)])
        cls._deliver(cls.hospital, [(implant_variant, cls.serial, 1)])
        cls._deliver(cls.us_clinic, [(cls.catheter_variant, cls.lot, 5)])
        cls.campaign = cls._approve(cls.lot | cls.other_lot | cls.serial | cls.spare_serial)
        cls.scope = cls.campaign.scope_lot_ids
        cls.Report = cls.env["ir.actions.report"]

    @classmethod
    def _approve(cls, lots, **vals):
        campaign = cls.Campaign.create({
            "title": "Catheter hub may crack",
            "reason": "Hub cracks under pressure above 300 psi (complaints C-101, C-107).",
            "risk_assessment": "<p>Air embolism if the hub cracks during infusion.</p>",
            "recall_class": "2",
            "jurisdiction_ids": [(6, 0, (
                cls.env.ref("recall_mgmt.jurisdiction_nmpa")
                | cls.env.ref("recall_mgmt.jurisdiction_fda")
                | cls.env.ref("recall_mgmt.jurisdiction_eu")
            ).ids)],
            "lot_ids": [(6, 0, lots.ids)],
            **vals,
        })
        campaign.action_analyze_impact()
        action = campaign.action_approve()
        wizard = cls.env["recall.sign.wizard"].with_user(cls.manager).browse(action["res_id"])
        wizard.password = "qm-password"
        wizard.action_sign()
        return campaign

    def _html(self, report, records):
        html, _kind = self.Report.with_user(self.manager)._render_qweb_html(report, records.ids)
        return html.decode()

    def assertListsEveryUnit(self, text):
        for lot in self.scope:
            self.assertIn(lot.name, text)
            self.assertTrue(lot.udi_hri)
            self.assertIn(lot.udi_hri, text)


@tagged("post_install", "-at_install")
class TestRegulatorReports(ReportCommon):
    def test_nmpa_report_is_the_recall_event_form_with_class_and_every_unit(self):
        html = self._html("recall_mgmt.report_recall_nmpa", self.campaign)
        self.assertIn("召回事件报告表", html)
        self.assertIn("二级召回", html)
        self.assertIn("国械注准20213030001", html)
        self.assertIn("CVC-7F-20", html)
        self.assertListsEveryUnit(html)

    def test_reports_show_the_approval_signature_as_part_11_wants_it(self):
        """Printed name, date and time with its time zone, and meaning (21 CFR 11.50)."""
        signature = self.campaign.approval_signature_id
        for kind in ("nmpa", "eu_fsn"):
            data = self.campaign._recall_report_data(kind)
            rows = [row for section in data["sections"] for row in section["rows"]]
            value = next(row["value"] for row in rows if row["key"] in ("approved_by", "signed"))
            with self.subTest(kind=kind):
                self.assertIn(signature.signer_name, value)
                self.assertIn(signature.meaning_text, value)
                self.assertIn(self.campaign._recall_report_tz(), value)
                self.assertRegex(value, r"\d{4}-\d\d-\d\d \d\d:\d\d")

    def test_nmpa_glosses_are_left_out_for_chinese_readers(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        english = self.campaign._recall_report_data("nmpa")
        chinese = self.campaign.with_context(lang="zh_CN")._recall_report_data("nmpa")
        self.assertEqual(english["sections"][0]["rows"][0]["gloss"], "Company name")
        self.assertFalse(any(row["gloss"] for s in chinese["sections"] for row in s["rows"]))
        self.assertEqual(chinese["sections"][0]["rows"][0]["label"], "企业名称")

    def test_fda806_report_carries_the_report_number_and_every_unit(self):
        html = self._html("recall_mgmt.report_recall_fda806", self.campaign)
        self.assertRegex(html, FDA_NUMBER.replace("[CR]", "R"))
        self.assertIn("K201234", html)
        self.assertIn("Boston Heart Clinic", html)
        self.assertListsEveryUnit(html)

    def test_eu_fsn_lists_every_unit_actions_and_reply_form(self):
        html = self._html("recall_mgmt.report_recall_eu_fsn", self.campaign)
        self.assertIn("Urgent Field Safety Notice", html)
        self.assertIn("Customer reply form", html)
        self.assertIn("CN-MF-000012345", html)
        self.assertListsEveryUnit(html)

    def test_units_are_one_row_per_lot_and_holder_and_unheld_lots_are_kept(self):
        data = self.campaign._recall_report_data("nmpa")
        lines = self.campaign.line_ids
        unheld = self.scope - lines.lot_id
        self.assertEqual(len(data["units"]), len(lines) + len(unheld))
        self.assertEqual({row["lot"] or row["serial"] for row in data["units"]},
                         set(self.scope.mapped("name")))
        self.assertEqual(data["totals"]["shipped"], self.campaign.units_shipped)
        serial_row = next(row for row in data["lots"] if row["serial"] == "PM-0001")
        self.assertEqual(serial_row["lot"], "")

    def test_consignees_and_distribution_by_province_and_country(self):
        data = self.campaign._recall_report_data("fda806")
        names = {row["consignee"] for row in data["consignees"]}
        self.assertEqual(names, {self.distributor.name, self.hospital.name, self.us_clinic.name})
        areas = {(row["country"], row["state"]): row for row in data["distribution"]}
        shanghai = next(row for key, row in areas.items() if key[1] == "上海市")
        self.assertEqual(shanghai["consignee_count"], 2)
        self.assertEqual(data["totals"]["domestic_count"], 1)
        self.assertEqual(data["totals"]["foreign_count"], 2)

    def test_fda_report_number_counts_fda_campaigns_of_the_year(self):
        second = self._approve(self.other_lot, title="Second recall")
        first_seq = self.campaign._recall_fda_sequence()
        self.assertEqual(second._recall_fda_sequence(), first_seq + 1)
        self.assertRegex(second._recall_fda_report_number(),
                         r"^1234567-\d{1,2}/\d{1,2}/\d{2}-%03d-R$" % (first_seq + 1))

    def test_fda_report_number_ends_in_c_for_a_correction(self):
        correction = self._approve(self.other_lot, kind="correction", action_return=False)
        self.assertRegex(correction._recall_fda_report_number(), FDA_NUMBER.replace("[CR]", "C"))

    def test_fda_report_number_without_registration_uses_seven_zeros(self):
        self.company.recall_fda_registration = False
        self.assertRegex(self.campaign._recall_fda_report_number(), r"^0000000-")

    def test_fda_registration_must_be_seven_or_ten_digits(self):
        with self.assertRaises(ValidationError):
            self.company.recall_fda_registration = "123-4567"

    def test_missing_required_fields_are_listed(self):
        self.catheter.udi_fda_premarket_number = False
        self.implant.udi_fda_premarket_number = False
        data = self.campaign._recall_report_data("fda806")
        self.assertTrue(any("510(k)" in label for label in data["missing"]))
        html = self._html("recall_mgmt.report_recall_fda806", self.campaign)
        self.assertIn("Information not available", html)

    def test_spreadsheet_keeps_text_starting_with_equals_as_text(self):
        with workflow_writes():  # arrange: a reason an approved recall could have had
            self.campaign.reason = '=HYPERLINK("http://evil.example.com", "click")'
        content = regulator_workbook(self.campaign._recall_report_data("eu_fsn"))
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            sheet = archive.read("xl/worksheets/sheet1.xml")
        self.assertNotIn(b"<f>", sheet)
        cells = {cell for row in xlsx_sheets(content)["Report"] for cell in row}
        self.assertIn(self.campaign.reason, cells)

    def test_unknown_report_kind_is_refused(self):
        with self.assertRaisesRegex(UserError, "Unknown regulator report"):
            self.campaign.action_print_regulator_report("mhra")

    def test_report_of_a_campaign_not_analysed_is_refused(self):
        draft = self.Campaign.create({"title": "Not analysed", "lot_ids": [(6, 0, self.lot.ids)]})
        with self.assertRaisesRegex(UserError, "analyse the impact"):
            draft.action_print_regulator_report("nmpa")

    def test_printing_a_campaign_not_analysed_from_the_print_menu_is_refused(self):
        draft = self.Campaign.create({"title": "Not analysed", "lot_ids": [(6, 0, self.lot.ids)]})
        with self.assertRaisesRegex(UserError, "analyse the impact"):
            self._html("recall_mgmt.report_recall_eu_fsn", draft)

    def test_buttons_return_the_pdf_and_the_download_actions(self):
        action = self.campaign.action_print_regulator_report("fda806")
        self.assertEqual(action["report_name"], "recall_mgmt.report_recall_fda806")
        download = self.campaign.action_download_regulator_xlsx("eu_fsn")
        self.assertEqual(download["type"], "ir.actions.act_url")
        self.assertEqual(
            download["url"], f"/recall_mgmt/campaign/{self.campaign.id}/report/eu_fsn.xlsx"
        )


@tagged("post_install", "-at_install")
class TestRecallNoticeReport(ReportCommon):
    def test_notice_lists_the_consignee_own_lots_and_not_others(self):
        notice = self._notice(self.campaign, self.distributor)
        html = self._html("recall_mgmt.report_recall_notice", notice)
        self.assertIn("RC-L1", html)
        self.assertIn(self.lot.udi_hri, html)
        self.assertNotIn("RC-L2", html)
        self.assertNotIn("PM-0001", html)
        self.assertNotIn(self.hospital.name, html)

    def test_notice_of_the_hospital_lists_its_lots_and_serial(self):
        notice = self._notice(self.campaign, self.hospital)
        html = self._html("recall_mgmt.report_recall_notice", notice)
        for lot in self.lot | self.other_lot | self.serial:
            self.assertIn(lot.name, html)
            self.assertIn(lot.udi_hri, html)
        self.assertNotIn("PM-0002", html)

    def test_notice_is_urgent_with_actions_deadline_and_contact(self):
        self.campaign.action_notify()
        notice = self._notice(self.campaign, self.distributor)
        html = self._html("recall_mgmt.report_recall_notice", notice)
        self.assertIn("URGENT: MEDICAL DEVICE RECALL", html)
        self.assertIn("Stop using the affected devices", html)
        self.assertIn("Respond by", html)
        self.assertIn("li.wei@maker.example.com", html)
        self.assertIn("Hub cracks under pressure", html)

    def test_class_3_notice_is_not_marked_urgent(self):
        campaign = self._approve(self.other_lot, recall_class="3")
        html = self._html(
            "recall_mgmt.report_recall_notice", self._notice(campaign, self.hospital)
        )
        self.assertNotIn("URGENT", html)


@tagged("post_install", "-at_install")
class TestRegulatorSpreadsheets(ReportCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        new_test_user(
            cls.env, "recall_outsider", password="outsider-password", groups="base.group_user"
        )

    def _get(self, kind, campaign=None):
        campaign_id = (campaign or self.campaign).id
        return self.url_open(f"/recall_mgmt/campaign/{campaign_id}/report/{kind}.xlsx")

    def test_xlsx_lists_every_unit_per_holder(self):
        self.authenticate("recall_qm", "qm-password")
        response = self._get("nmpa")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response.headers["Content-Type"],
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        self.assertIn("attachment", response.headers["Content-Disposition"])
        self.assertIn(".xlsx", response.headers["Content-Disposition"])
        sheets = xlsx_sheets(response.content)
        self.assertTrue({"Report", "Units", "Consignees"} <= set(sheets))
        units = sheets["Units"]
        data = self.campaign._recall_report_data("nmpa")
        self.assertEqual(len(units) - 1, len(data["units"]))
        cells = {cell for row in units for cell in row}
        for lot in self.scope:
            self.assertIn(lot.name, cells)
            self.assertIn(lot.udi_hri, cells)
        self.assertTrue(any("召回事件报告表" in cell for cell in sheets["Report"][0]))

    def test_xlsx_consignees_sheet_names_every_consignee(self):
        self.authenticate("recall_qm", "qm-password")
        sheets = xlsx_sheets(self._get("fda806").content)
        consignees = {row[0] for row in sheets["Consignees"][1:]}
        self.assertEqual(
            consignees, {self.distributor.name, self.hospital.name, self.us_clinic.name}
        )
        report_cells = {cell for row in sheets["Report"] for cell in row}
        self.assertTrue(any(re.fullmatch(FDA_NUMBER, cell) for cell in report_cells))

    def test_xlsx_is_refused_to_a_user_without_access(self):
        self.authenticate("recall_outsider", "outsider-password")
        response = self._get("nmpa")
        self.assertIn(response.status_code, (403, 404))
        self.assertNotIn(b"RC-L1", response.content)
        self.assertNotIn(b"PK", response.content[:2])

    def test_xlsx_of_an_unknown_kind_is_a_clear_404(self):
        self.authenticate("recall_qm", "qm-password")
        response = self._get("mhra")
        self.assertEqual(response.status_code, 404)
        self.assertIn(b"Unknown regulator report", response.content)

    def _pdf_text(self, report, records):
        pdf, kind = self.Report.with_context(force_report_rendering=True)._render_qweb_pdf(
            report, records.ids
        )
        self.assertEqual(kind, "pdf")
        return subprocess.run(
            ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
        ).stdout.decode()

    def test_notice_language_is_shown_and_chosen_before_sending(self):
        """A Chinese notice PDF carries Chinese text (CJK fonts on the server), and the quality
        manager can send an English one to a consignee whose contact reads Chinese."""
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(["recall_mgmt"], ["zh_CN"], overwrite=True)
        notice = self._notice(self.campaign, self.distributor)
        self.distributor.lang = "zh_CN"
        with workflow_writes():  # arrange: a notice not sent yet follows its consignee
            notice.state = "draft"
        notice.invalidate_recordset(["lang"])
        self.assertEqual(notice.lang, "zh_CN")
        chinese = self._pdf_text("recall_mgmt.action_report_recall_notice", notice)
        self.assertIn("紧急", chinese, "the Chinese notice prints no Chinese (CJK fonts missing?)")
        notice.with_user(self.manager).lang = "en_US"
        # (wkhtmltopdf's Latin text is not extractable here: read the English in the HTML)
        english = self._html("recall_mgmt.report_recall_notice", notice)
        self.assertIn("URGENT: MEDICAL DEVICE RECALL", english)
        self.assertNotIn("紧急", english)

    def test_notice_pdf_renders_with_wkhtmltopdf(self):
        self.assertTrue(shutil.which("pdftotext"), "pdftotext (poppler-utils) is required")
        notice = self._notice(self.campaign, self.distributor)
        pdf, kind = self.Report.with_context(force_report_rendering=True)._render_qweb_pdf(
            "recall_mgmt.action_report_recall_notice", notice.ids
        )
        self.assertEqual(kind, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"))
        text = subprocess.run(
            ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
        ).stdout.decode()
        # identifiers are set in a monospace font that stays extractable as text
        self.assertIn("RC-L1", text)
        self.assertIn(self.lot.udi_di, text)
        self.assertNotIn("RC-L2", text)
