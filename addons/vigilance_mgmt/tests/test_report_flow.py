import hashlib
from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import freeze_time, tagged

from odoo.addons.vigilance_mgmt.models.vigilance_report import VigilanceReport

from .common import VigilanceCommon


@tagged("post_install", "-at_install")
class TestReportFlow(VigilanceCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.aware = cls._ago(days=3)

    def setUp(self):
        super().setUp()
        assessment = self._assess(jurisdiction_ids=[(6, 0, self.eu.ids)], awareness_date=self.aware)
        self.report = assessment.report_ids.with_user(self.manager)

    def test_draft_review_approved_issued_filed(self):
        report = self.report
        self._complete(report)
        report.action_submit_review()
        self.assertEqual(report.state, "review")
        report.action_back_to_draft()
        self.assertEqual(report.state, "draft")
        report.action_submit_review()
        self._approve(report)
        self.assertEqual(report.state, "approved")
        self.assertEqual(report.signature_id.meaning, "vigilance_approve")
        self.assertEqual(report.approved_by_id, self.manager)
        self.assertFalse(report.signature_id._recall_binding_problem())
        report.action_issue()
        self.assertEqual(report.state, "issued")
        self.assertTrue(report.issued_at)
        filed_at = fields.Datetime.now().replace(microsecond=0)
        self._file(report, "EU-MIR-2026-0042", filed_at)
        self.assertEqual(report.state, "filed")
        self.assertEqual(report.regulator_reference, "EU-MIR-2026-0042")
        self.assertEqual(report.filed_at, filed_at)
        self.assertEqual(report.deadline_state, "met")
        self.assertEqual(
            report.log_ids.sorted("id").mapped("state"),
            ["draft", "review", "draft", "review", "approved", "issued", "filed"],
        )

    def test_issue_calls_the_document_hook_and_seals_the_digests(self):
        report = self.report
        self._complete(report)
        report.action_submit_review()
        self._approve(report)
        generated = []

        def documents(this):
            attachment = this.env["ir.attachment"].create(
                {"name": "mir.xml", "raw": b"<mir/>", "res_model": this._name, "res_id": this.id}
            )
            generated.append(this.state)
            return attachment

        with patch.object(VigilanceReport, "_vigilance_issue_documents", documents):
            report.action_issue()
        self.assertEqual(generated, ["issued"])
        entry = report.log_ids.filtered(lambda log: log.state == "issued")
        self.assertIn(
            f"{hashlib.sha256(b'<mir/>').hexdigest()}  mir.xml", entry.document_digests.splitlines()
        )
        self.assertEqual(entry.content_digest, report._vigilance_content_digest())
        self.assertIn("mir.xml", report.attachment_ids.mapped("name"))

    def test_the_document_hook_returns_no_document_by_default(self):
        self.assertEqual(self.report._vigilance_issue_documents(), self.env["ir.attachment"])

    def test_approval_refuses_missing_mandatory_fields_naming_them(self):
        self.report.write({"narrative": False})
        self.report.action_submit_review()
        with self.assertRaises(UserError) as caught:
            self._approve(self.report)
        message = str(caught.exception)
        for label in ("Narrative", "Event Date", "Patients"):
            self.assertIn(label, message)
        self.assertEqual(self.report.state, "review")
        self.assertFalse(self.report.signature_id)

    def test_issue_refuses_missing_mandatory_fields_naming_them(self):
        report = self.report
        self._complete(report)
        report.action_submit_review()
        self._approve(report)
        with (
            patch.object(VigilanceReport, "_vigilance_missing_fields", lambda this: ["UDI-DI"]),
            self.assertRaisesRegex(UserError, "fill in UDI-DI"),
        ):
            report.action_issue()
        self.assertEqual(report.state, "approved")

    def test_transitions_out_of_order_are_refused(self):
        with self.assertRaisesRegex(UserError, "cannot be issued"):
            self.report.action_issue()
        with self.assertRaisesRegex(UserError, "cannot be filed"):
            self.report.action_file()
        with self.assertRaisesRegex(UserError, "cannot be approved"):
            self.report.action_approve()
        with self.assertRaisesRegex(UserError, "cannot be followed up"):
            self.report.action_create_follow_up()

    def test_wrong_password_does_not_approve(self):
        self._complete(self.report)
        self.report.action_submit_review()
        with self.assertRaisesRegex(UserError, "Wrong password"):
            self._approve(self.report, password="nope")
        self.assertEqual(self.report.state, "review")

    def test_content_is_frozen_from_the_approval_on(self):
        self._complete(self.report)
        self.report.action_submit_review()
        self._approve(self.report)
        with self.assertRaisesRegex(UserError, "can no longer be changed"):
            self.report.write({"narrative": "rewritten after approval"})
        with self.assertRaisesRegex(UserError, "can no longer be changed"):
            self.report.patient_ids.write({"outcome": "recovered"})
        with self.assertRaisesRegex(UserError, "can no longer be changed"):
            self.env["vigilance.report.patient"].with_user(self.manager).create(
                {"report_id": self.report.id, "pseudonym": "X-1"}
            )

    def test_state_and_clock_are_never_written_directly(self):
        for vals in (
            {"state": "filed"},
            {"due_at": fields.Datetime.now() + timedelta(days=90)},
            {"regulator_reference": "forged"},
            {"signature_id": self.ticket.vigilance_assessment_ids.signature_id.id},
        ):
            with self.assertRaises(AccessError):
                self.report.write(vals)
            with self.assertRaises(AccessError):
                self.report.sudo().with_context(active_test=False, workflow=1).write(vals)

    def test_a_trace_user_cannot_move_a_report(self):
        report = self.report.with_user(self.reader)
        self.assertTrue(report.narrative)
        for method in ("action_submit_review", "action_issue", "action_create_follow_up"):
            with self.assertRaises(AccessError):
                getattr(report, method)()
        with self.assertRaises(AccessError):
            report.write({"narrative": "changed by a reader"})

    def test_follow_up_and_final_reports_chain_to_the_initial(self):
        initial = self._issued(self.report)
        self._file(initial)
        action = initial.action_create_follow_up()
        follow_up = self.Report.browse(action["res_id"]).with_user(self.manager)
        self.assertEqual(follow_up.report_type, "follow_up")
        self.assertEqual(follow_up.initial_id, initial)
        self.assertEqual(follow_up.previous_id, initial)
        self.assertEqual(follow_up.state, "draft")
        self.assertEqual(follow_up.narrative, initial.narrative)
        self.assertEqual(follow_up.patient_ids.pseudonym, "RJ-2026-118")
        self.assertEqual(follow_up.lot_ids, initial.lot_ids)
        self.assertEqual(follow_up.rule_id.milestone, "vigilance_follow_up")
        self.assertEqual(follow_up.due_at, follow_up.clock_start + timedelta(days=30))
        with self.assertRaisesRegex(UserError, "not issued yet"):
            initial.action_create_final()
        follow_up.write({"root_cause": "Hub moulding below wall thickness."})
        self._issued(follow_up)
        final = self.Report.browse(follow_up.action_create_final()["res_id"])
        self.assertEqual(final.report_type, "final")
        self.assertEqual((final.initial_id, final.previous_id), (initial, follow_up))
        self.assertEqual(final.root_cause, "Hub moulding below wall thickness.")
        self.assertEqual(initial.follow_up_ids, follow_up | final)
        final.with_user(self.manager).write({"corrective_action": "Mould replaced; CAPA-12."})
        self._issued(final.with_user(self.manager))
        with self.assertRaisesRegex(UserError, "final report of its chain"):
            final.with_user(self.manager).action_create_follow_up()
        with self.assertRaisesRegex(UserError, "already has a final report"):
            follow_up.action_create_final()

    def test_deadline_states(self):
        report = self.report  # EU serious injury: due 15 days after awareness
        due = report.due_at
        self.assertEqual(due, self.aware + timedelta(days=15))
        with freeze_time(due - timedelta(days=5)):
            report.invalidate_recordset(["deadline_state"])
            self.assertEqual(report.deadline_state, "pending")
        with freeze_time(due - timedelta(days=1)):
            report.invalidate_recordset(["deadline_state"])
            self.assertEqual(report.deadline_state, "due_soon")
            self.assertIn(report, self.Report.search([("deadline_state", "=", "due_soon")]))
        with freeze_time(due + timedelta(hours=1)):
            report.invalidate_recordset(["deadline_state"])
            self.assertEqual(report.deadline_state, "late")
            self.assertIn(report, self.Report.search([("deadline_state", "in", ["late"])]))

    def test_filed_after_the_due_date_is_met_late(self):
        report = self._issued(self.report)
        with freeze_time(report.due_at + timedelta(days=2)):
            self._file(report, "EU-LATE-1", report.due_at + timedelta(days=1))
            self.assertEqual(report.deadline_state, "met_late")

    def test_recall_deadline_cron_alerts_then_escalates_vigilance_clocks(self):
        report = self.report
        Campaign = self.env["recall.campaign"]
        with freeze_time(report.due_at - timedelta(days=1)):
            Campaign._cron_recall_deadlines()
            self.assertTrue(report.alerted_at)
            activity = report.activity_ids
            self.assertEqual(activity.user_id, self.manager)
            self.assertIn(report.name, activity.summary)
            self.assertFalse(report.escalated_at)
        with freeze_time(report.due_at + timedelta(hours=2)):
            Campaign._cron_recall_deadlines()
            self.assertTrue(report.escalated_at)
            message = report.message_ids.filtered(lambda m: "Deadline missed" in (m.body or ""))
            self.assertEqual(len(message), 1)
            self.assertIn(self.manager.partner_id, message.partner_ids)
            Campaign._cron_recall_deadlines()
            message = report.message_ids.filtered(lambda m: "Deadline missed" in (m.body or ""))
            self.assertEqual(len(message), 1, "escalated once")

    def test_filing_needs_the_reference_and_a_date_not_in_the_future(self):
        report = self._issued(self.report)
        with self.assertRaisesRegex(UserError, "reference the regulator"):
            self._file(report, "  ")
        with self.assertRaisesRegex(UserError, "between its issue"):
            self._file(report, "EU-1", fields.Datetime.now() + timedelta(days=1))
        self.assertEqual(report.state, "issued")
