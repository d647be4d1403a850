from datetime import timedelta

from odoo.tests import freeze_time, new_test_user, tagged

from .common import RecallCommon


@tagged("post_install", "-at_install")
class TestCampaignDashboard(RecallCommon):
    """The dashboard figures of a class II NMPA recall of a lot shipped to the distributor
    and the hospital (50 units in our stock)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.trace_user = new_test_user(
            cls.env, "recall_viewer", groups="base.group_user,udi_master.group_trace_user"
        )

    def _notified(self, **vals):
        campaign = self._approved(**vals)
        campaign.action_notify()
        self._deliver_mails()
        return campaign

    def test_next_deadline_is_the_earliest_not_met_with_the_time_left(self):
        campaign = self._approved()
        earliest = campaign.deadline_ids.sorted("due_at")[0]
        self.assertEqual(campaign.next_deadline_id, earliest)
        self.assertEqual(earliest.milestone, "regulator_initial")  # NMPA: 24 hours
        self.assertEqual(campaign.next_deadline_label, earliest.rule_id.display_name)
        self.assertEqual(campaign.next_deadline_due, earliest.due_at)
        self.assertEqual(campaign.next_deadline_state, "pending")
        self.assertRegex(campaign.next_deadline_countdown, r"^2[34] h \d\d min left$")

    def test_met_deadline_gives_way_to_the_next_one(self):
        campaign = self._approved()
        first, second = campaign.deadline_ids.sorted("due_at")[:2]
        first.action_mark_done()
        self.assertEqual(campaign.next_deadline_id, second)
        self.assertEqual(campaign.deadline_met_count, 1)

    def test_missed_deadline_is_counted_and_its_button_opens_it(self):
        campaign = self._notified()
        late = campaign.deadline_ids.filtered(lambda d: d.milestone == "regulator_initial")
        with freeze_time(late.due_at + timedelta(hours=2)):
            self.env.invalidate_all()
            self.assertEqual(campaign.overdue_deadline_count, 1)
            self.assertEqual(campaign.next_deadline_state, "late")
            self.assertEqual(campaign.next_deadline_countdown, "2 h 00 min late")
            action = campaign.action_open_overdue_deadlines()
            self.assertEqual(self.env[action["res_model"]].search(action["domain"]), late)

    def test_overdue_notices_are_counted_and_their_button_opens_them(self):
        campaign = self._notified()
        with freeze_time(campaign.notice_ids[0].deadline + timedelta(hours=1)):
            self.env.invalidate_all()
            self.assertEqual(campaign.overdue_notice_count, 2)
            action = campaign.action_open_overdue_notices()
            self.assertEqual(
                self.env[action["res_model"]].search(action["domain"]), campaign.notice_ids
            )

    def test_ended_recall_has_nothing_overdue_and_no_clock(self):
        campaign = self._notified()
        campaign._recall_terminate("Supplier withdrew the nonconformity.")
        with freeze_time(campaign.notice_ids[0].deadline + timedelta(days=30)):
            self.env.invalidate_all()
            self.assertEqual((campaign.overdue_notice_count, campaign.overdue_deadline_count),
                             (0, 0))
            self.assertFalse(campaign.next_deadline_id)

    def test_timings_measure_opening_to_decision_and_decision_to_notices(self):
        opened = self.env.cr.now()  # a record's create_date is its transaction's time
        campaign = self._campaign()
        campaign.action_analyze_impact()
        with freeze_time(opened + timedelta(hours=2)):
            self._sign(campaign, "approve")
        with freeze_time(opened + timedelta(hours=3, minutes=30)):
            campaign.action_notify()
            self._deliver_mails()  # the mail server accepts them at once
        self.assertAlmostEqual(campaign.hours_to_decision, 2.0, places=3)
        self.assertAlmostEqual(campaign.hours_to_first_notice, 1.5, places=3)
        self.assertEqual(campaign.decision_duration_display, "2 h 00 min")
        self.assertEqual(campaign.first_notice_duration_display, "1 h 30 min")
        self.assertEqual(campaign.notify_duration_display, "1 h 30 min")

    def test_last_notice_timing_waits_for_every_consignee(self):
        campaign = self._approved()
        campaign.notice_ids[0]._recall_send()
        self._deliver_mails()
        self.assertTrue(campaign.first_notice_duration_display)
        self.assertFalse(campaign.notify_duration_display)

    def test_durations_read_in_seconds_minutes_hours_or_days(self):
        fmt = self.env["recall.campaign"]._recall_format_duration
        self.assertEqual(
            [fmt(0.034), fmt(42), fmt(7 * 60 + 5), fmt(3 * 3600 + 5 * 60), fmt(50 * 3600)],
            ["0.03 s", "42 s", "7 min", "3 h 05 min", "2 d 2 h"],
        )

    def test_quarantine_and_response_counts(self):
        campaign = self._notified()
        notice = self._notice(campaign, self.distributor)
        signature = self.env["recall.signature"].with_user(self.manager)._recall_sign(
            notice, "acknowledge", "qm-password"
        )
        notice._recall_acknowledge(signature)
        self.assertEqual(campaign.quarantine_count, 1)
        self.assertEqual(campaign.response_count, 1)

    def test_kpis_tell_real_recalls_from_drills(self):
        real = self._approved()
        drill = self._approved(is_drill=True)
        groups = dict(
            self.env["recall.campaign"]._read_group(
                [("id", "in", (real | drill).ids)], ["kpi_kind"], ["__count"]
            )
        )
        self.assertEqual(groups, {"real": 1, "drill": 1})

    def test_trace_user_reads_the_dashboard_and_opens_its_lists(self):
        campaign = self._notified().with_user(self.trace_user)
        campaign.invalidate_recordset()
        self.assertEqual((campaign.consignee_count, campaign.notified_count), (2, 2))
        self.assertTrue(campaign.next_deadline_label)
        for opener in (campaign.action_open_deadlines, campaign.action_open_quarantine,
                       campaign.action_open_responses, campaign.action_open_overdue_notices):
            action = opener()
            self.env[action["res_model"]].with_user(self.trace_user).search(action["domain"])
