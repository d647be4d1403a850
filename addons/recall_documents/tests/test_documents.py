import hashlib
import json
from datetime import timedelta
from urllib.parse import quote

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from odoo.addons.recall_documents.controllers.main import RecallDocumentController

from .common import RecallDocumentCommon

#: kind -> (answers on the document, answers on the recall, {row key: expected value})
FLOWS = {
    "nmpa_investigation": (
        {"investigation_result": "Hub moulding cavity 4 under-filled; 2 of 50 hubs cracked."},
        {"recall_overseas": "no"},
        {"overseas": "否", "result": "Hub moulding cavity 4 under-filled; 2 of 50 hubs cracked."},
    ),
    "nmpa_plan": (
        {
            "measures_detail": "Quality department; East China distributors; by 31 January.",
            "expected_effect": "Every unit shipped located and returned.",
            "handling_after_recall": "Returned units destroyed under witness.",
        },
        {"recall_overseas": "no", "recall_estimated_completion": "2027-01-31"},
        {"shipped": "50", "completion": "2027-01-31", "publication": "省级药品监督管理部门网站"},
    ),
    "nmpa_progress": (
        {"progress_summary": "Both consignees reached; returns under way."},
        {"recall_estimated_completion": "2027-01-31"},
        {"consignees": "2", "responded": "0", "not_responded": "2"},
    ),
    "nmpa_plan_change": (
        {"change_description": "Adds lot RC-L2.", "change_reason": "Same mould cavity."},
        {"recall_estimated_completion": "2027-02-28"},
        {"changes": "Adds lot RC-L2.", "completion": "2027-02-28"},
    ),
    "nmpa_summary": (
        {
            "effectiveness_evaluation": "All consignees verified.",
            "handling_after_recall": "Destroyed under witness.",
        },
        {},
        {"effectiveness": "0 / 2", "recovered": "0"},
    ),
    "fda_status": (
        {"notification_method": "Letter by e-mail, confirmed by telephone"},
        {"recall_estimated_completion": "2027-01-31"},
        {"method": "Letter by e-mail, confirmed by telephone", "on_hand": "0"},
    ),
    "fda_termination": (
        {
            "authority_reference": "Z-0123-2027",
            "handling_after_recall": "Destroyed under witness.",
            "effectiveness_evaluation": "Level A checks: 2 of 2 verified.",
        },
        {},
        {"recall_number": "Z-0123-2027"},
    ),
    "eu_progress": (
        {"authority_reference": "FSCA-DE-2027-001", "progress_summary": "FSN delivered."},
        {"recall_estimated_completion": "2027-01-31"},
        {"fsca_reference": "FSCA-DE-2027-001", "consignees": "2"},
    ),
    "eu_final": (
        {
            "authority_reference": "FSCA-DE-2027-001",
            "effectiveness_evaluation": "All users reached.",
            "handling_after_recall": "Destroyed.",
        },
        {},
        {"fsca_reference": "FSCA-DE-2027-001"},
    ),
}


def data_title(document):
    return document._recall_doc_data()["title"]


class ButtonError(Exception):
    """The error a button call returned to the web client."""


@tagged("post_install", "-at_install")
class TestDocumentsAsUsersClick(RecallDocumentCommon, HttpCase):
    """Every document kind through the buttons, as the recall user who prepares it and the
    quality manager who signs and issues it; its PDF through the report action."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the recall actions are done: the summary and final reports' clocks run too
        cls.campaign.with_user(cls.manager).action_start_effectiveness()
        cls.other_company = cls.env["res.company"].create({"name": "Pacific MedSupply Ltd."})
        cls.other_manager = new_test_user(
            cls.env,
            "rdoc_other",
            password="other-password",
            company_id=cls.other_company.id,
            company_ids=[Command.set(cls.other_company.ids)],
            groups="base.group_user,udi_master.group_trace_manager",
        )

    def _call_button(self, model, method, ids, context=None):
        response = self.opener.post(
            f"{self.base_url()}/web/dataset/call_button/{model}/{method}",
            json={
                "id": 0,
                "jsonrpc": "2.0",
                "method": "call",
                "params": {
                    "model": model,
                    "method": method,
                    "args": [ids],
                    "kwargs": {"context": context or {}},
                },
            },
            timeout=60,
        )
        response.raise_for_status()
        body = response.json()
        if "error" in body:
            raise ButtonError(body["error"]["data"]["message"])
        return body.get("result")

    def _rows(self, document):
        data = document._recall_doc_data()
        return {row["key"]: row["value"] for section in data["sections"] for row in section["rows"]}

    @mute_logger("odoo.http")
    def _run_flow(self, kind, render_pdf=False):
        """Prepare, refuse while unanswered, answer, review, sign, issue; check it all."""
        answers, campaign_answers, expected = FLOWS[kind]
        document = self._document(kind)
        self.authenticate("rdoc_user", "rdoc-password")
        self._call_button("recall.document", "action_submit", document.ids)
        self.assertEqual(document.state, "review")
        self.authenticate("recall_qm", "qm-password")
        with self.assertRaises(ButtonError) as refused:
            self._call_button("recall.document", "action_sign", document.ids)
        for name in answers:
            label = document._fields[name]._description_string(self.env)
            self.assertIn(label, str(refused.exception), f"{kind}: names what is missing")
        self.assertIn("then try again", str(refused.exception))
        self.assertEqual(document.state, "review")
        document.with_user(self.recall_user).write(answers)
        if campaign_answers:
            self.campaign.with_user(self.manager).write(campaign_answers)
        rows = self._rows(document)
        for key, value in expected.items():
            self.assertEqual(rows[key], value, f"{kind}: {key} comes from the data")
        self.assertIn(self.campaign.name, rows["recall"])
        action = self._call_button("recall.document", "action_sign", document.ids)
        self._call_button(
            "recall.document.sign.wizard",
            "action_sign",
            [action["res_id"]],
            {"signature_password": "qm-password"},
        )
        self.assertEqual(document.state, "signed")
        self.assertEqual(document.signature_id.meaning, "recall_document_sign")
        self.assertEqual(document.signature_id.user_id, self.manager)
        self.assertIsNone(document.signature_id._recall_binding_problem())
        # one real PDF (wkhtmltopdf takes seconds): Odoo's test mode renders HTML otherwise
        context = {"force_report_rendering": True} if render_pdf else {}
        self._call_button("recall.document", "action_issue", document.ids, context)
        self.assertEqual(document.state, "issued")
        pdf = document.attachment_id.raw
        if render_pdf:
            self.assertTrue(pdf.startswith(b"%PDF"), f"{kind}: a PDF is attached")
        else:
            self.assertIn(data_title(document), pdf.decode(), f"{kind}: the document rendered")
        self.assertEqual(document.issue_id.pdf_sha256, hashlib.sha256(pdf).hexdigest())
        self.assertEqual(document.issue_id.signature_id, document.signature_id)
        return document

    def _check_sealed_and_printed(self, document):
        self.env["audit.seal.entry"]._seal_run_pending()
        with self.assertRaises(UserError):
            document.issue_id.sudo().pdf_sha256 = "0" * 64
        self.authenticate("rdoc_user", "rdoc-password")
        context = quote(json.dumps({"force_report_rendering": True}))
        response = self.url_open(
            f"/report/pdf/recall_documents.report_recall_document/{document.id}?context={context}",
            timeout=60,
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            hashlib.sha256(response.content).hexdigest(),
            document.issue_id.pdf_sha256,
            "the report action gives the issued PDF, as sealed",
        )

    def test_nmpa_investigation_report(self):
        document = self._run_flow("nmpa_investigation", render_pdf=True)
        self.assertFalse(document.deadline_id.done_at, "the recall plan is due on the same clock")
        self._check_sealed_and_printed(document)

    def test_nmpa_recall_plan_meets_the_clock_with_the_investigation_report(self):
        investigation = self._run_flow("nmpa_investigation")
        plan = self._run_flow("nmpa_plan")
        self.assertEqual(plan.deadline_id, investigation.deadline_id)
        self.assertTrue(plan.deadline_id.done_at)
        self.assertEqual(plan.deadline_id.milestone, "regulator_plan")

    def test_nmpa_progress_report_meets_its_period_and_opens_the_next(self):
        document = self._run_flow("nmpa_progress")
        self.assertEqual(document.sequence_number, 1)
        self.assertTrue(document.deadline_id.done_at)
        second = self._document("nmpa_progress")
        self.assertEqual(second.sequence_number, 2)
        self.assertEqual(
            second.deadline_id.due_at - document.deadline_id.due_at,
            timedelta(days=document.deadline_id.rule_id.repeat_days),
        )

    def test_nmpa_plan_change_report(self):
        document = self._run_flow("nmpa_plan_change")
        self.assertFalse(document.deadline_id, "Order No. 29 sets no period: filed promptly")

    def test_nmpa_summary_report(self):
        document = self._run_flow("nmpa_summary")
        self.assertEqual(document.deadline_id.milestone, "nmpa_summary")
        self.assertTrue(document.deadline_id.done_at)

    def test_fda_status_report(self):
        document = self._run_flow("fda_status")
        self.assertEqual(document.deadline_id.jurisdiction_id, self.fda)
        self.assertTrue(document.deadline_id.done_at)
        data = document._recall_doc_data()
        self.assertEqual(data["title"], "Recall Status Report")

    def test_fda_termination_request(self):
        document = self._run_flow("fda_termination")
        self.assertIn("21 CFR 7.55(a)", self._rows(document)["request"])

    def test_eu_fsca_progress_report(self):
        document = self._run_flow("eu_progress")
        self.assertTrue(document.deadline_id.done_at)

    def test_eu_fsca_final_report(self):
        document = self._run_flow("eu_final")
        self.assertEqual(document.deadline_id.milestone, "fsca_final")
        self.assertTrue(document.deadline_id.done_at)

    # ------------------------------------------------------------------ attacks

    def test_a_plain_state_write_is_refused_for_every_role(self):
        document = self._document("nmpa_investigation")
        for user in (self.recall_user, self.manager):
            with self.assertRaises(AccessError):
                document.with_user(user).write({"state": "issued"})
        with self.assertRaises(AccessError):
            self.Document.create(
                {"campaign_id": self.campaign.id, "kind": "eu_final", "state": "signed"}
            )
        self.assertEqual(document.state, "draft")

    @mute_logger("odoo.http")
    def test_the_recall_user_cannot_sign_or_issue(self):
        document = self._document("nmpa_plan_change")
        document.write({"change_description": "x", "change_reason": "y"})
        self.campaign.with_user(self.manager).recall_estimated_completion = "2027-01-31"
        document.action_submit()
        self.authenticate("rdoc_user", "rdoc-password")
        with self.assertRaisesRegex(ButtonError, "Only a Traceability Manager"):
            self._call_button("recall.document", "action_sign", document.ids)
        self.assertEqual(document.state, "review")

    @mute_logger("odoo.http", "odoo.addons.base.models.ir_rule")
    def test_another_company_is_refused(self):
        document = self._document("nmpa_progress")
        with self.assertRaises(AccessError):
            document.with_user(self.other_manager).read(["state"])
        self.authenticate("rdoc_other", "other-password")
        with self.assertRaises(ButtonError):
            self._call_button("recall.document", "action_submit", document.ids)
        response = self.url_open(f"/recall_documents/document/{document.id}.xlsx")
        self.assertEqual(response.status_code, 403)
        self.assertEqual(document.state, "draft")

    def test_signed_content_is_frozen_and_locked(self):
        document = self._document("nmpa_progress")
        document.write({"progress_summary": "Week 1"})
        self.campaign.with_user(self.manager).recall_estimated_completion = "2027-01-31"
        document.action_submit()
        self._sign_document(document)
        self.campaign.with_user(self.manager).recall_estimated_completion = "2027-06-30"
        self.assertEqual(self._rows(document)["completion"], "2027-01-31", "frozen at signing")
        with self.assertRaisesRegex(UserError, "is signed"):
            document.write({"progress_summary": "Week 2"})

    def test_the_recall_user_downloads_the_spreadsheet(self):
        document = self._document("nmpa_plan")
        self.authenticate("rdoc_user", "rdoc-password")
        response = self.url_open(f"/recall_documents/document/{document.id}.xlsx")
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.content.startswith(b"PK"))

    def test_the_spreadsheet_is_served_on_a_read_only_cursor(self):
        """A document's spreadsheet is a pure read: a read replica serves it when one is
        configured, and serving it writes nothing (a write would make Odoo serve the request
        again on a read/write cursor, with a warning)."""
        routing = RecallDocumentController.recall_document_xlsx.original_routing
        self.assertTrue(routing["readonly"])
        document = self._document("nmpa_plan")
        self.authenticate("rdoc_user", "rdoc-password")
        with self.assertNoLogs("odoo.http", "WARNING"):
            response = self.url_open(f"/recall_documents/document/{document.id}.xlsx")
        self.assertEqual(response.status_code, 200)

    def test_a_document_of_a_jurisdiction_the_recall_does_not_follow_is_refused(self):
        campaign = self._notified_campaign()  # NMPA only
        with self.assertRaisesRegex(UserError, "does not follow the FDA rules"):
            self._document("fda_status", campaign)
