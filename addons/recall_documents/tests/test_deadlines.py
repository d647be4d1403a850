from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from odoo.addons.audit_seal.tools.workflow import workflow_writes

from .common import RecallDocumentCommon


@tagged("post_install", "-at_install")
class TestDocumentClocks(RecallDocumentCommon):
    """The clocks of the documents: rules as data, counted from the decision or the recall's
    completion, met when the document is issued, escalated when missed."""

    def _deadline(self, campaign, code, milestone):
        return campaign.deadline_ids.filtered(
            lambda d: d.jurisdiction_id.code == code and d.milestone == milestone
        )

    def test_nmpa_summary_counts_working_days_over_a_weekend_and_a_public_holiday(self):
        calendar = self.env.company.resource_calendar_id
        self.env["resource.calendar.leaves"].create(
            {
                "name": "National Day",
                "calendar_id": calendar.id,
                "date_from": datetime(2026, 10, 1, 0, 0),
                "date_to": datetime(2026, 10, 7, 23, 59),
            }
        )
        rule = self.env.ref("recall_documents.rule_nmpa_summary")
        self.assertEqual(rule.start_event, "completion")
        self.assertIn("Order No. 29", rule.reference)
        # Friday 25 September 2026, 10:00 in Shanghai: Mon 28 to Wed 30 count 3, the holiday
        # week counts nothing, Thu 8 and Fri 9 October count 5, the weekend nothing, Mon 12
        # to Fri 16 count 10
        due = rule._due_from(datetime(2026, 9, 25, 2, 0), self.env.company)
        self.assertEqual(due, datetime(2026, 10, 16, 2, 0))

    def test_eu_follow_up_reports_repeat_and_final_report_follows_completion(self):
        progress = self.env.ref("recall_documents.rule_eu_fsca_progress")
        final = self.env.ref("recall_documents.rule_eu_fsca_final")
        start = datetime(2026, 11, 27, 9, 0)
        self.assertEqual(progress._due_from(start, self.env.company), start + timedelta(days=30))
        self.assertEqual(progress.repeat_days, 30)
        self.assertEqual(final.start_event, "completion")
        self.assertEqual(final._due_from(start, self.env.company), start + timedelta(days=30))

    def test_decision_clocks_of_the_documents_start_at_the_approval(self):
        deadline = self._deadline(self.campaign, "EU", "fsca_progress")
        self.assertEqual(deadline.due_at, self.campaign.decision_date + timedelta(days=30))
        self.assertFalse(self._deadline(self.campaign, "NMPA", "nmpa_summary"))
        self.assertFalse(self._deadline(self.campaign, "EU", "fsca_final"))

    @freeze_time("2026-11-27 02:00:00")  # Friday 10:00 in Shanghai
    def test_completion_clocks_start_when_the_effectiveness_check_starts(self):
        campaign = self._notified_campaign(
            jurisdiction_ids=[Command.set((self.nmpa | self.eu).ids)]
        )
        campaign.with_user(self.manager).action_start_effectiveness()
        summary = self._deadline(campaign, "NMPA", "nmpa_summary")
        # ten working days: Mon 30 Nov to Fri 11 Dec
        self.assertEqual(summary.due_at, datetime(2026, 12, 11, 2, 0))
        final = self._deadline(campaign, "EU", "fsca_final")
        self.assertEqual(final.due_at, datetime(2026, 12, 27, 2, 0))

    def test_a_missed_document_clock_is_escalated_by_the_deadline_cron(self):
        document = self._document("nmpa_progress")
        deadline = document.deadline_id
        self.assertEqual(deadline.milestone, "status_report")
        with workflow_writes():
            deadline.sudo().due_at = datetime.now() - timedelta(hours=2)
        document.invalidate_recordset(["is_late"])
        self.campaign.invalidate_recordset(["document_late_count"])
        self.assertTrue(document.is_late)
        self.assertEqual(self.campaign.document_late_count, 1)
        self.env["recall.campaign"]._cron_recall_deadlines()
        self.assertTrue(deadline.escalated_at)
        self.assertIn(
            "Deadline missed", self.campaign.message_ids[:1].body, "posted to the followers"
        )

    def test_the_summary_clock_is_escalated_after_the_recall_is_closed(self):
        campaign = self._notified_campaign(effectiveness_level="E")
        campaign.with_user(self.manager).action_start_effectiveness()
        self._sign(campaign, "close")
        self.assertEqual(campaign.state, "closed")
        deadline = self._deadline(campaign, "NMPA", "nmpa_summary")
        with workflow_writes():
            deadline.due_at = datetime.now() - timedelta(hours=1)
        self.env["recall.campaign"]._cron_recall_deadlines()
        self.assertTrue(deadline.escalated_at, "the summary report is still owed")

    def test_nmpa_event_report_quotes_the_answers_never_the_jurisdictions(self):
        data = self.campaign.with_user(self.manager)._recall_report_data("nmpa")
        rows = {row["key"]: row for section in data["sections"] for row in section["rows"]}
        # recall_mgmt wrote "是 EU, FDA" from the jurisdictions: now unanswered is missing
        self.assertEqual(rows["overseas"]["value"], "")
        self.assertEqual(rows["completion"]["value"], "")
        self.assertTrue(rows["overseas"]["required"] and rows["completion"]["required"])
        self.assertEqual(len(data["missing"]), len(set(data["missing"])))
        self.campaign.with_user(self.manager).write(
            {
                "recall_overseas": "yes",
                "recall_overseas_detail": "United States, Germany",
                "recall_estimated_completion": "2027-01-31",
            }
        )
        data = self.campaign.with_user(self.manager)._recall_report_data("nmpa")
        rows = {row["key"]: row for section in data["sections"] for row in section["rows"]}
        self.assertEqual(rows["overseas"]["value"], "是 United States, Germany")
        self.assertEqual(rows["completion"]["value"], "2027-01-31")

    def test_prepare_documents_makes_a_draft_for_every_open_clock(self):
        self.campaign.with_user(self.recall_user).action_prepare_documents()
        documents = self.campaign.document_ids
        self.assertEqual(
            set(documents.mapped("kind")),
            {"nmpa_investigation", "nmpa_plan", "nmpa_progress", "fda_status", "eu_progress"},
        )
        plan = self._deadline(self.campaign, "NMPA", "regulator_plan")
        self.assertEqual(
            documents.filtered(lambda d: d.deadline_id == plan).mapped("kind"),
            ["nmpa_investigation", "nmpa_plan"],
        )
        self.assertEqual(set(documents.mapped("state")), {"draft"})
        # again: every clock is answered already, nothing new
        self.campaign.with_user(self.recall_user).action_prepare_documents()
        self.assertEqual(self.campaign.document_ids, documents)
