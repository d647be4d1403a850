"""The vigilance forms through the paths users take: the print buttons as the web client calls
them, /report/pdf/..., the spreadsheet and XML routes; another company's user is refused."""

import json
import shutil
import subprocess
from urllib.parse import urlencode

from lxml import etree

from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.recall_mgmt.tests.test_reports import xlsx_sheets
from odoo.addons.vigilance_mgmt.controllers.main import VigilanceDocumentController

from .common_documents import VigilanceDocumentCommon

MIR_NS = {"m": "urn:udi-traceability-suite:vigilance:eu-mir:7.3.1"}


@tagged("post_install", "-at_install")
class TestVigilanceDocumentsHttp(VigilanceDocumentCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.report = cls._approve(
            cls._report("NMPA", form_event_country_id=cls.env.ref("base.cn").id)
        )
        cls.other_company = cls.env["res.company"].create({"name": "Other Devices GmbH"})
        cls.outsider = new_test_user(
            cls.env,
            "vig_outsider",
            password="outsider-password",
            groups="base.group_user,udi_master.group_trace_manager",
            company_id=cls.other_company.id,
            company_ids=[(6, 0, cls.other_company.ids)],
        )

    def _click(self, method, report=None):
        return self.make_jsonrpc_request(
            f"/web/dataset/call_button/vigilance.report/{method}",
            {
                "model": "vigilance.report",
                "method": method,
                "args": [(report or self.report).ids],
                "kwargs": {"context": {}},
            },
        )

    def test_reader_prints_the_nmpa_form_through_its_button(self):
        self.authenticate("vig_reader", "reader-password")
        action = self._click("action_print_vigilance_nmpa")
        self.assertEqual(action["report_name"], "vigilance_mgmt.report_vigilance_nmpa")
        url = f"/report/html/{action['report_name']}/{self.report.id}"
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        self.assertIn("可疑医疗器械不良事件报告表", html)
        self.assertIn("RJ-2026-0042", html)
        self.assertIn("国械注准20203030001", html)

    def test_reader_downloads_the_pdf_as_the_web_client_does(self):
        self.assertTrue(shutil.which("pdftotext"), "pdftotext (poppler-utils) is required")
        self.authenticate("vig_reader", "reader-password")
        action = self._click("action_print_vigilance_nmpa")
        url = f"/report/pdf/{action['report_name']}/{self.report.id}"
        # test mode renders reports as HTML unless told to run wkhtmltopdf
        context = json.dumps({"force_report_rendering": True})
        data = {"data": json.dumps([url, "qweb-pdf"]), "context": context}
        response = self.url_open(f"/report/download?{urlencode(data)}")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers["Content-Type"], "application/pdf")
        text = subprocess.run(
            ["pdftotext", "-layout", "-", "-"],
            input=response.content,
            capture_output=True,
            check=True,
        ).stdout.decode()
        text = "".join(text.split())
        self.assertIn("可疑医疗器械不良事件报告表", text)
        self.assertIn("境内", text)  # the country of the event, in the form's words
        self.assertIn("国械注准", text)  # the registration certificate

    def test_reader_downloads_the_spreadsheet_through_its_button(self):
        self.authenticate("vig_reader", "reader-password")
        action = self._click("action_download_vigilance_xlsx_nmpa")
        self.assertEqual(action["type"], "ir.actions.act_url")
        response = self.url_open(action["url"])
        self.assertEqual(response.status_code, 200)
        sheets = xlsx_sheets(response.content)
        cells = {cell for row in sheets["Report"] for cell in row}
        self.assertIn("可疑医疗器械不良事件报告表", cells)
        self.assertIn("国械注准20203030001", cells)
        self.assertIn("境内", cells)
        self.assertEqual(sheets["Patients"][1][0], "RJ-2026-0042")

    def test_forms_are_served_on_a_read_only_cursor(self):
        """The forms are pure reads: a read replica serves them when one is configured, and
        serving them writes nothing (a write would make Odoo serve the request again on a
        read/write cursor, with a warning)."""
        routing = VigilanceDocumentController.vigilance_document.original_routing
        self.assertTrue(routing["readonly"])
        self.authenticate("vig_reader", "reader-password")
        with self.assertNoLogs("odoo.http", "WARNING"):
            for path in ("nmpa.xlsx", "mir.xml"):
                response = self.url_open(f"/vigilance_mgmt/report/{self.report.id}/{path}")
                self.assertEqual(response.status_code, 200, path)

    def test_reader_downloads_the_mir_xml(self):
        self.authenticate("vig_reader", "reader-password")
        response = self.url_open(self._click("action_download_vigilance_mir_xml")["url"])
        self.assertEqual(response.status_code, 200)
        root = etree.fromstring(response.content)
        self.assertEqual(
            root.findtext("m:section/m:field[@name='udi_di']", namespaces=MIR_NS),
            "06901234567892",
        )

    def test_another_companys_user_gets_nothing(self):
        self.authenticate("vig_outsider", "outsider-password")
        for kind in ("nmpa", "mir"):
            response = self.url_open(f"/vigilance_mgmt/report/{self.report.id}/{kind}.xlsx")
            self.assertIn(response.status_code, (403, 404))
            self.assertNotIn(b"RJ-2026-0042", response.content)
            self.assertNotEqual(response.content[:2], b"PK")
        response = self.url_open(
            f"/report/html/vigilance_mgmt.report_vigilance_nmpa/{self.report.id}"
        )
        self.assertNotEqual(response.status_code, 200)
        self.assertNotIn(b"RJ-2026-0042", response.content)

    def test_manager_issues_the_report_and_finds_its_documents(self):
        self.authenticate("vig_qm", "qm-password")
        self._click("action_issue")
        self.assertEqual(self.report.state, "issued")
        names = sorted(self.report.attachment_ids.mapped("name"))
        base = self.report.name.replace("/", "-") + " NMPA adverse event report"
        self.assertEqual(names, [f"{base}.pdf", f"{base}.xlsx"])

    def test_unknown_form_is_a_clear_404(self):
        self.authenticate("vig_reader", "reader-password")
        response = self.url_open(f"/vigilance_mgmt/report/{self.report.id}/fda.xlsx")
        self.assertEqual(response.status_code, 404)
        self.assertIn(b"Unknown vigilance form", response.content)
