"""Times shown to consignees and regulators: the company's zone, named, whoever prints them;
regulatory deadlines counted and shown in the zone of their jurisdiction."""

from datetime import datetime, timedelta

from lxml import html as lxml_html

from odoo.tests import HttpCase, freeze_time, new_test_user, tagged

from odoo.addons.audit_seal.tools.workflow import workflow_writes

from .common import RecallCommon

SHANGHAI = "(Asia/Shanghai, UTC+08:00)"


@tagged("post_install", "-at_install")
class TestDocumentTimeZone(RecallCommon, HttpCase):
    """The company sits in Shanghai; its two quality managers read in New York and Berlin."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.partner_id.tz = "Asia/Shanghai"
        cls.manager.tz = "America/New_York"
        cls.manager_berlin = new_test_user(
            cls.env,
            "recall_qm_berlin",
            password="qm-berlin-password",
            tz="Europe/Berlin",
            groups="base.group_user,udi_master.group_trace_manager,stock.group_stock_manager",
        )
        cls.distributor.tz = "Europe/Brussels"  # the consignee's zone is not the document's

    def _sent_notice(self):
        campaign = self._approved()
        campaign.action_notify()
        notice = self._notice(campaign, self.distributor)
        with workflow_writes():  # arrange: a deadline late in the day in UTC
            notice.deadline = datetime(2026, 12, 7, 17, 22, 57)
        return campaign, notice

    def _notice_html(self, login, password, notice):
        self.authenticate(login, password)
        response = self.url_open(f"/report/html/recall_mgmt.report_recall_notice/{notice.id}")
        self.assertEqual(response.status_code, 200)
        return lxml_html.fromstring(response.content)

    def test_notice_reads_the_same_whoever_prints_it_with_the_zone_named(self):
        _campaign, notice = self._sent_notice()
        documents = [
            self._notice_html("recall_qm", "qm-password", notice),
            self._notice_html("recall_qm_berlin", "qm-berlin-password", notice),
        ]
        deadlines = [
            " ".join(doc.xpath("//div[@name='deadline']")[0].text_content().split())
            for doc in documents
        ]
        self.assertEqual(deadlines[0], deadlines[1])
        self.assertIn(f"2026-12-08 01:22 {SHANGHAI}", deadlines[0])
        dates = [
            " ".join(doc.xpath("//div[@name='reference']")[0].text_content().split())
            for doc in documents
        ]
        self.assertEqual(dates[0], dates[1])

    def test_regulator_report_reads_the_same_whoever_prints_it(self):
        campaign = self._approved()
        texts = []
        for user in (self.manager, self.manager_berlin):
            data = campaign.with_user(user)._recall_report_data("nmpa")
            rows = [row for section in data["sections"] for row in section["rows"]]
            texts.append(next(row["value"] for row in rows if row["key"] == "approved_by"))
        self.assertEqual(texts[0], texts[1])
        self.assertIn(SHANGHAI, texts[0])

    def test_notice_and_reminder_mails_state_the_zone(self):
        campaign = self._approved(reminder_days=1, escalation_days=3)
        campaign.action_notify()
        notice = self._notice(campaign, self.distributor)
        mail = notice.message_ids.filtered(lambda m: m.message_type == "comment")[:1]
        due = campaign._recall_local(notice.deadline)
        self.assertIn(f"{due:%Y-%m-%d %H:%M} {SHANGHAI}", str(mail.body))
        with freeze_time(notice.sent_at + timedelta(days=1, hours=1)):
            self.env["recall.campaign"].with_user(self.manager_berlin)._cron_recall_reminders()
        self.assertEqual(notice.reminder_count, 1)
        reminder = notice.message_ids.filtered(lambda m: "Reminder" in (m.subject or ""))
        sent = campaign._recall_local(notice.sent_at)
        self.assertIn(f"{sent:%Y-%m-%d %H:%M} {SHANGHAI}", str(reminder.body))
        self.assertIn(f"{due:%Y-%m-%d %H:%M} {SHANGHAI}", str(reminder.body))


@tagged("post_install", "-at_install")
class TestJurisdictionTimeZone(RecallCommon):
    def _deadline(self, campaign, code, milestone):
        return campaign.deadline_ids.filtered(
            lambda d: d.jurisdiction_id.code == code and d.milestone == milestone
        )

    def test_jurisdictions_have_their_regulator_zone(self):
        self.assertEqual(self.env.ref("recall_mgmt.jurisdiction_nmpa").tz, "Asia/Shanghai")
        self.assertEqual(self.env.ref("recall_mgmt.jurisdiction_fda").tz, "America/New_York")
        self.assertEqual(self.env.ref("recall_mgmt.jurisdiction_eu").tz, "Europe/Brussels")

    @freeze_time("2026-12-04 20:00:00")  # Friday in UTC, Saturday 04:00 in Shanghai
    def test_nmpa_working_days_are_counted_in_shanghai(self):
        campaign = self._approved()
        plan = self._deadline(campaign, "NMPA", "regulator_plan")  # 5 working days
        # Saturday in Shanghai: the 5th working day is Friday 11 December, 04:00 there
        self.assertEqual(plan.due_at, datetime(2026, 12, 10, 20, 0))
        self.assertEqual(plan.due_local, f"2026-12-11 04:00 {SHANGHAI}")
        # what a field pointing at the deadline shows: campaign, rule and the local due time
        self.assertEqual(
            plan.display_name,
            f"{campaign.name}: {plan.rule_id.display_name}, due 2026-12-11 04:00 {SHANGHAI}",
        )

    def test_fda_deadline_is_shown_in_new_york_time(self):
        rule = self.env.ref("recall_mgmt.rule_nmpa_plan").copy(
            {"jurisdiction_id": self.env.ref("recall_mgmt.jurisdiction_fda").id}
        )
        due = rule._due_from(datetime(2026, 12, 7, 3, 0), self.env.company)  # Sunday in NY
        # Sunday 22:00 in New York: 5 working days later is Friday 22:00 there
        self.assertEqual(due, datetime(2026, 12, 12, 3, 0))
        deadline = self.env["recall.campaign.deadline"].new({"rule_id": rule.id, "due_at": due})
        self.assertEqual(
            deadline._recall_fmt_due(), "2026-12-11 22:00 (America/New_York, UTC-05:00)"
        )

    @freeze_time("2026-12-04 20:00:00")
    def test_deadline_mails_and_escalations_state_the_jurisdiction_zone(self):
        campaign = self._approved()
        plan = self._deadline(campaign, "NMPA", "regulator_plan")
        with freeze_time(plan.due_at - timedelta(hours=12)):
            plan._recall_alert()
        with freeze_time(plan.due_at + timedelta(hours=1)):
            plan._recall_alert()
        bodies = " ".join(str(body) for body in campaign.message_ids.mapped("body"))
        self.assertEqual(bodies.count(f"2026-12-11 04:00 {SHANGHAI}"), 2, bodies)
        self.assertIn("is due soon:", bodies)
        self.assertEqual(bodies.count(plan.rule_id.display_name), 2, bodies)
