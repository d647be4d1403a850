"""Every regulator report gives the regulator the latest signed ledger head (issue 12)."""

import json
import re
import shutil
import subprocess
from urllib.parse import urlencode

from odoo.tests import HttpCase, tagged

from .test_reports import ReportCommon, xlsx_sheets

#: report kind -> jurisdiction code named in the record of the head given out
KINDS = {"nmpa": "NMPA", "fda806": "FDA", "eu_fsn": "EU"}
#: test mode renders reports as HTML unless told to run wkhtmltopdf
PDF_CONTEXT = {"force_report_rendering": True}


def pdf_text(content):
    """The text of a PDF, whitespace removed (a hash may wrap at the end of a line)."""
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()
    return "".join(text.split())


@tagged("post_install", "-at_install")
class TestRegulatorReportLedgerHead(ReportCommon, HttpCase):
    """The quality manager (a Traceability Manager) prints the reports of an approved recall
    from its Regulator Reports tab, as the web client does."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["audit.seal.entry"]._seal_run_pending()  # the approval's commit: a checkpoint
        cls.checkpoint = cls.env["audit.seal.checkpoint"].sudo().search([], limit=1)

    def setUp(self):
        super().setUp()
        self.assertTrue(self.checkpoint)
        self.authenticate("recall_qm", "qm-password")

    def _click(self, method):
        return self.make_jsonrpc_request(
            f"/web/dataset/call_button/recall.campaign/{method}",
            {
                "model": "recall.campaign",
                "method": method,
                "args": [self.campaign.ids],
                "kwargs": {"context": {}},
            },
        )

    def _download_pdf(self, action):
        """What the web client does with a PDF report action (/report/download)."""
        url = f"/report/pdf/{action['report_name']}/{self.campaign.id}"
        data = {"data": json.dumps([url, "qweb-pdf"]), "context": json.dumps(PDF_CONTEXT)}
        response = self.url_open(f"/report/download?{urlencode(data)}")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers["Content-Type"], "application/pdf")
        return response.content

    def _heads_given(self, code):
        return (
            self.env["audit.seal.published.head"]
            .sudo()
            .search([("document", "like", f"{self.campaign.name} %({code})")])
        )

    def assertHeadGiven(self, code):
        head = self._heads_given(code)
        self.assertEqual(len(head), 1, "one head recorded per document given out")
        self.assertEqual(
            (head.seq, head.head_hash, head.signature, head.key_id),
            (
                self.checkpoint.seq_to,
                self.checkpoint.head_hash,
                self.checkpoint.signature,
                self.checkpoint.key_id,
            ),
        )
        return head

    def assertPrintsHead(self, text):
        self.assertIn(f"entry{self.checkpoint.seq_to},", text)
        self.assertIn(self.checkpoint.head_hash, text)
        self.assertIn(self.checkpoint.signature, text)

    def test_every_regulator_pdf_prints_the_signed_ledger_head_and_records_it(self):
        self.assertTrue(shutil.which("pdftotext"), "pdftotext (poppler-utils) is required")
        for kind, code in KINDS.items():
            with self.subTest(kind=kind):
                content = self._download_pdf(self._click(f"action_print_report_{kind}"))
                self.assertPrintsHead(pdf_text(content))
                self.assertHeadGiven(code)

    def test_pdf_opened_by_its_url_records_the_head_once(self):
        """GET /report/pdf/... is a read-only route: Odoo serves it again with a read/write
        cursor, and the head is recorded once."""
        url = f"/report/pdf/recall_mgmt.report_recall_nmpa/{self.campaign.id}"
        response = self.url_open(f"{url}?{urlencode({'context': json.dumps(PDF_CONTEXT)})}")
        self.assertEqual(response.status_code, 200)
        self.assertPrintsHead(pdf_text(response.content))
        self.assertHeadGiven("NMPA")

    def test_regulator_spreadsheet_carries_the_signed_ledger_head_and_records_it(self):
        action = self._click("action_download_xlsx_fda806")
        response = self.url_open(action["url"])
        self.assertEqual(response.status_code, 200)
        cells = {cell for row in xlsx_sheets(response.content)["Report"] for cell in row}
        self.assertIn(str(self.checkpoint.seq_to), cells)
        self.assertIn(self.checkpoint.head_hash, cells)
        self.assertIn(self.checkpoint.signature, cells)
        self.assertIn(self.checkpoint.key_id, cells)
        head = self.assertHeadGiven("FDA")
        number = next(cell for cell in cells if re.fullmatch(r"1234567-[\d/]+-\d{3}-R", cell))
        self.assertIn(f"FDA 806 report {number} to FDA District Recall Coordinator", head.document)

    def test_verification_names_the_report_whose_head_the_ledger_lost(self):
        self.url_open(self._click("action_download_xlsx_eu_fsn")["url"])
        head = self.assertHeadGiven("EU")
        Published = self.env["audit.seal.published.head"].sudo()
        self.assertFalse(
            [text for text in Published._seal_missing_heads() if head.document in text]
        )
        # a DBA switches the guards off and cuts the newest entries with their checkpoints
        self.env.cr.execute("SET LOCAL session_replication_role = replica")
        self.env.cr.execute("DELETE FROM audit_seal_checkpoint WHERE seq_to >= %s", [head.seq])
        self.env.cr.execute("DELETE FROM audit_seal_entry WHERE seq >= %s", [head.seq])
        self.env.cr.execute("SET LOCAL session_replication_role = origin")
        missing = [text for text in Published._seal_missing_heads() if head.document in text]
        self.assertEqual(len(missing), 1)
        self.assertIn("EU field safety notice", missing[0])
        self.assertIn("no longer in the ledger", missing[0])
