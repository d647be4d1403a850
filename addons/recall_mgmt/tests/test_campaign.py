from datetime import datetime, timedelta

from odoo.exceptions import UserError
from odoo.tests import freeze_time, tagged

from .common import RecallCommon


@tagged("post_install", "-at_install")
class TestCampaignLifeCycle(RecallCommon):
    def test_impact_analysis_lists_consignees_and_own_stock(self):
        campaign = self._campaign()
        campaign.action_analyze_impact()
        self.assertEqual(campaign.state, "analysed")
        partners = {
            line.partner_id: (line.received_quantity, line.quantity)
            for line in campaign.line_ids.filtered(lambda line: line.holder_type == "partner")
        }
        self.assertEqual(partners, {self.distributor: (30, 30), self.hospital: (20, 20)})
        own = campaign.line_ids.filtered(lambda line: line.holder_type == "location")
        self.assertEqual((own.location_id, own.quantity), (self.stock_location, 50))
        distributor_line = campaign.line_ids.filtered(
            lambda line: line.partner_id == self.distributor
        )
        self.assertEqual(distributor_line.documents, self.to_distributor.name)
        self.assertEqual(campaign.scope_lot_ids, self.lot)

    def test_scope_by_product_and_expiry_range_resolves_lots(self):
        campaign = self._campaign(
            lot_ids=[(5, 0, 0)],
            product_ids=[(6, 0, self.catheter_variant.ids)],
            expiry_date_from=self.lot.udi_expiry_date,
            expiry_date_to=self.lot.udi_expiry_date,
        )
        campaign.action_analyze_impact()
        self.assertEqual(campaign.scope_lot_ids, self.lot | self.other_lot)

    def test_empty_scope_is_refused_and_nothing_changes(self):
        campaign = self._campaign(lot_ids=[(5, 0, 0)])
        with self.assertRaisesRegex(UserError, "names no lot or serial"):
            campaign.action_analyze_impact()
        self.assertEqual(campaign.state, "draft")
        self.assertFalse(campaign.line_ids)

    def test_approval_needs_the_signers_password(self):
        campaign = self._campaign()
        campaign.action_analyze_impact()
        with self.assertRaisesRegex(UserError, "Wrong password"):
            self._sign(campaign, "approve", password="guess")
        self.assertEqual(campaign.state, "analysed")
        self.assertFalse(self.env["recall.signature"].search([("res_id", "=", campaign.id)]))

    def test_approval_records_a_sealed_signature_with_name_time_and_meaning(self):
        campaign = self._approved()
        signature = campaign.approval_signature_id
        self.assertEqual(campaign.state, "approved")
        self.assertEqual(signature.signer_name, "Li Wei")
        self.assertEqual(signature.meaning, "approve")
        self.assertEqual(campaign.decision_date, signature.signed_at)
        self.assertEqual(campaign.approved_by_id, self.manager)
        pending = self.env["audit.seal.entry"]._seal_pending_ids("recall.signature")
        self.assertIn(signature.id, pending, "the signature is sealed at commit")

    def test_every_transition_is_in_the_sealed_log(self):
        campaign = self._approved()
        campaign.action_notify()
        campaign.action_start_follow_up()
        campaign.action_start_effectiveness()
        for notice in campaign.notice_ids:
            notice.action_mark_verified()
        self._sign(campaign, "close")
        transitions = [
            (log.from_state, log.to_state)
            for log in campaign.log_ids.sorted("id")
            if log.from_state != log.to_state
        ]
        self.assertEqual(transitions, [
            ("draft", "analysed"), ("analysed", "approved"), ("approved", "notified"),
            ("notified", "in_progress"), ("in_progress", "effectiveness"),
            ("effectiveness", "closed"),
        ])
        self.assertTrue(
            set(campaign.log_ids.ids)
            <= self.env["audit.seal.entry"]._seal_pending_ids("recall.campaign.log")
        )
        self.assertEqual(campaign.state, "closed")

    def test_a_clerk_cannot_approve_or_notify(self):
        campaign = self._campaign()
        campaign.action_analyze_impact()
        with self.assertRaises(UserError):
            campaign.with_user(self.clerk).sudo(False).action_notify()

    def test_transition_out_of_order_is_refused(self):
        campaign = self._campaign()
        with self.assertRaisesRegex(UserError, "cannot become"):
            campaign.action_start_effectiveness()

    def test_terminating_early_needs_a_reason_and_is_logged(self):
        campaign = self._approved()
        action = campaign.action_terminate()
        wizard = self.env["recall.reason.wizard"].browse(action["res_id"])
        wizard.reason = "Root cause was a test rig fault, devices conform."
        wizard.action_confirm()
        self.assertEqual(campaign.state, "terminated")
        self.assertIn("test rig", campaign.log_ids.sorted("id")[-1].note)


@tagged("post_install", "-at_install")
class TestDeadlines(RecallCommon):
    def _deadlines(self, campaign):
        return {(d.jurisdiction_id.code, d.milestone): d.due_at for d in campaign.deadline_ids}

    def test_nmpa_notification_deadline_follows_the_class(self):
        for klass, days in (("1", 1), ("2", 3), ("3", 7)):
            with self.subTest(klass=klass):
                campaign = self._approved(recall_class=klass)
                due = self._deadlines(campaign)[("NMPA", "notification")]
                self.assertEqual(due, campaign.decision_date + timedelta(days=days))

    @freeze_time("2026-11-27 09:00:00")  # a Friday
    def test_working_day_deadlines_skip_weekends(self):
        campaign = self._approved(
            jurisdiction_ids=[(6, 0, (self.env.ref("recall_mgmt.jurisdiction_nmpa")
                                      | self.env.ref("recall_mgmt.jurisdiction_fda")).ids)],
        )
        deadlines = self._deadlines(campaign)
        self.assertEqual(deadlines[("NMPA", "regulator_plan")], datetime(2026, 12, 4, 9, 0))
        self.assertEqual(deadlines[("FDA", "regulator_report")], datetime(2026, 12, 11, 9, 0))
        self.assertEqual(deadlines[("NMPA", "regulator_initial")], datetime(2026, 11, 28, 9, 0))

    def test_public_holidays_of_the_company_calendar_are_not_working_days(self):
        calendar = self.env.company.resource_calendar_id
        self.env["resource.calendar.leaves"].create({
            "name": "National Day",
            "calendar_id": calendar.id,
            "date_from": datetime(2026, 10, 1, 0, 0),
            "date_to": datetime(2026, 10, 7, 23, 59),
        })
        rule = self.env.ref("recall_mgmt.rule_nmpa_plan")
        due = rule._due_from(datetime(2026, 9, 30, 10, 0), self.env.company)
        self.assertEqual(due, datetime(2026, 10, 14, 10, 0))

    def test_deadline_rules_are_data_a_manager_can_change(self):
        self.env.ref("recall_mgmt.rule_nmpa_notify_2").delay = 2
        campaign = self._approved()
        self.assertEqual(self._deadlines(campaign)[("NMPA", "notification")],
                         campaign.decision_date + timedelta(days=2))

    def test_notification_milestone_is_met_when_all_notices_are_delivered(self):
        campaign = self._approved()
        campaign.action_notify()
        deadline = campaign.deadline_ids.filtered(lambda d: d.milestone == "notification")
        self.assertNotEqual(deadline.state, "done", "sent is not delivered")
        self._deliver_mails()
        self.assertEqual(deadline.state, "done")
        self.assertGreater(campaign.hours_to_notify, -1)
        self.assertEqual(campaign.notified_count, campaign.consignee_count)

    def test_deadline_alarm_before_and_escalation_after(self):
        campaign = self._approved(recall_class="1")
        deadline = campaign.deadline_ids.filtered(lambda d: d.milestone == "notification")
        with freeze_time(deadline.due_at - timedelta(hours=3)):
            self.env["recall.campaign"]._cron_recall_deadlines()
            self.assertTrue(deadline.alerted_at)
            self.assertTrue(campaign.activity_ids)
        with freeze_time(deadline.due_at + timedelta(hours=1)):
            self.env["recall.campaign"]._cron_recall_deadlines()
            self.assertTrue(deadline.escalated_at)
            self.assertIn("Deadline missed", campaign.log_ids.sorted("id")[-1].note)

    def test_status_report_comes_back_after_it_is_done(self):
        campaign = self._approved()
        status = campaign.deadline_ids.filtered(lambda d: d.milestone == "status_report")
        status.action_mark_done()
        following = campaign.deadline_ids.filtered(
            lambda d: d.milestone == "status_report" and not d.done_at
        )
        self.assertEqual(following.due_at, status.due_at + timedelta(days=7))


@tagged("post_install", "-at_install")
class TestSignature(RecallCommon):
    def test_signing_for_a_user_checks_that_users_password(self):
        campaign = self._campaign()
        Signature = self.env["recall.signature"]  # the environment's user is not the signer
        with self.assertRaisesRegex(UserError, "Wrong password"):
            Signature._recall_sign(campaign, "approve", "admin", user=self.manager)
        signature = Signature._recall_sign(campaign, "approve", "qm-password", user=self.manager)
        self.assertEqual(signature.user_id, self.manager)

    def test_closed_recall_counts_nothing_overdue(self):
        campaign = self._approved(response_days=1)
        campaign.action_notify()
        self._deliver_mails()
        with freeze_time(campaign.last_notified_at + timedelta(days=2)):
            campaign.invalidate_recordset(["overdue_count"])
            self.assertGreater(campaign.overdue_count, 0)
            action = campaign.action_terminate()
            wizard = self.env["recall.reason.wizard"].browse(action["res_id"])
            wizard.reason = "Superseded by a wider recall."
            wizard.action_confirm()
            campaign.invalidate_recordset(["overdue_count"])
            self.assertEqual(campaign.overdue_count, 0)
