from datetime import datetime, timedelta

from odoo.tests import tagged

from odoo.addons.vigilance_mgmt.models.recall_jurisdiction import VIGILANCE_MILESTONES

from .common import VigilanceCommon


@tagged("post_install", "-at_install")
class TestVigilanceRules(VigilanceCommon):
    """The vigilance clocks are data on the suite's engine (recall.deadline.rule)."""

    def _due(self, jurisdiction, report_type, severity, start):
        rule, due = self.Report._vigilance_clock(
            jurisdiction, report_type, severity, start, self.env.company
        )
        return rule, due

    def test_eu_mdr_art_87_initial_clocks_by_severity(self):
        start = datetime(2026, 3, 2, 9, 0)  # a Monday, 10:00 in Brussels
        expected = {
            "public_health_threat": (2, "Art. 87(4)"),
            "death": (10, "Art. 87(5)"),
            "serious_deterioration": (10, "Art. 87(5)"),
            "serious_injury": (15, "Art. 87(3)"),
            "malfunction": (15, "Art. 87(3)"),
            "other": (15, "Art. 87(3)"),
        }
        for severity, (days, article) in expected.items():
            rule, due = self._due(self.eu, "initial", severity, start)
            self.assertEqual(due, start + timedelta(days=days), severity)
            self.assertIn(article, rule.reference, severity)

    def test_eu_mdr_art_88_trend_report_has_a_clock(self):
        rule, due = self._due(self.eu, "trend", "other", datetime(2026, 3, 2, 9, 0))
        self.assertIn("Art. 88", rule.reference)
        self.assertEqual(due, datetime(2026, 3, 17, 9, 0))

    def test_fda_803_50_thirty_calendar_days(self):
        start = datetime(2026, 12, 18, 15, 0)  # Friday before Christmas: calendar days count
        rule, due = self._due(self.fda, "initial", "malfunction", start)
        self.assertEqual(due, start + timedelta(days=30))
        self.assertEqual(rule.reference, "21 CFR 803.50(a)")

    def test_fda_803_53_five_work_days_skip_weekend_and_public_holiday(self):
        calendar = self.env.company.resource_calendar_id
        calendar.tz = "America/New_York"
        # Wednesday 25 November 2026, 10:00 in New York; Thanksgiving is Thursday 26
        start = datetime(2026, 11, 25, 15, 0)
        rule, due = self._due(self.fda, "initial", "public_health_threat", start)
        self.assertEqual(rule.reference, "21 CFR 803.53")
        self.assertEqual(due, datetime(2026, 12, 2, 15, 0), "Thu, Fri, Mon, Tue, Wed")
        self.env["resource.calendar.leaves"].create(
            {
                "name": "Thanksgiving",
                "calendar_id": calendar.id,
                "date_from": datetime(2026, 11, 26, 5, 0),
                "date_to": datetime(2026, 11, 27, 4, 59),
            }
        )
        rule, due = self._due(self.fda, "initial", "public_health_threat", start)
        self.assertEqual(due, datetime(2026, 12, 3, 15, 0), "Fri, Mon, Tue, Wed, Thu")

    def test_fda_803_56_supplemental_thirty_days(self):
        start = datetime(2026, 5, 4, 14, 0)
        for report_type in ("follow_up", "final"):
            rule, due = self._due(self.fda, report_type, "death", start)
            self.assertEqual(rule.reference, "21 CFR 803.56")
            self.assertEqual(due, start + timedelta(days=30))

    def test_nmpa_order_1_death_seven_days_serious_injury_twenty_group_twelve_hours(self):
        start = datetime(2026, 6, 1, 2, 0)  # 10:00 in Shanghai
        rule, due = self._due(self.nmpa, "initial", "death", start)
        self.assertEqual(due, start + timedelta(days=7))
        self.assertIn("Order No. 1", rule.reference)
        _rule, due = self._due(self.nmpa, "initial", "serious_injury", start)
        self.assertEqual(due, start + timedelta(days=20))
        _rule, due = self._due(self.nmpa, "initial", "public_health_threat", start)
        self.assertEqual(due, start + timedelta(hours=12))
        _rule, due = self._due(self.nmpa, "follow_up", "death", start)
        self.assertEqual(due, start + timedelta(days=30))
        _rule, due = self._due(self.nmpa, "follow_up", "serious_injury", start)
        self.assertEqual(due, start + timedelta(days=45))

    def test_a_jurisdiction_without_a_rule_gives_no_clock(self):
        rule, due = self._due(self.nmpa, "trend", "other", datetime(2026, 6, 1))
        self.assertFalse(rule)
        self.assertFalse(due)

    def test_every_vigilance_rule_names_its_legal_source(self):
        rules = self.env["recall.deadline.rule"].search([("milestone", "like", "vigilance_")])
        self.assertGreaterEqual(len(rules), 16)
        for rule in rules:
            self.assertTrue(rule.reference, rule.display_name)

    def test_recall_campaigns_do_not_pick_vigilance_clocks(self):
        campaign = self._approved(jurisdiction_ids=[(6, 0, (self.nmpa | self.fda | self.eu).ids)])
        self.assertTrue(campaign.deadline_ids)
        # other addons add recall milestones (recall_documents: FSCA reports); none of ours
        vigilance = {key for key, _label in VIGILANCE_MILESTONES}
        self.assertTrue(set(campaign.deadline_ids.mapped("milestone")) & {"notification"})
        self.assertFalse(set(campaign.deadline_ids.mapped("milestone")) & vigilance)
