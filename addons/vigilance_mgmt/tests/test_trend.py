from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from .common import VigilanceCommon


@tagged("post_install", "-at_install")
class TestTrend(VigilanceCommon):
    """50 catheters delivered (30 to the distributor, 20 to the hospital), 3 complaints."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._complaint("Hub leaks at the luer lock")
        cls._complaint("Hub cracked when flushing")
        cls.Rule = cls.env["vigilance.trend.rule"].with_user(cls.manager)

    def _rule(self, **vals):
        return self.Rule.create(
            {
                "name": "Catheter hub complaints",
                "product_id": self.catheter_variant.id,
                "period_days": 30,
                "threshold_type": "per_1000",
                "threshold": 50,
                "jurisdiction_ids": [(6, 0, self.eu.ids)],
                **vals,
            }
        )

    def _compute(self, rule):
        return rule._vigilance_compute(fields.Datetime.now() + timedelta(minutes=1))

    def test_rate_per_thousand_units_crosses_the_threshold_and_opens_a_trend_report(self):
        rule = self._rule()
        result = self._compute(rule)
        self.assertEqual(result.complaint_count, 3)
        self.assertEqual(result.units_delivered, 50)
        self.assertAlmostEqual(result.rate, 60.0)
        self.assertTrue(result.crossed)
        report = result.report_ids
        self.assertEqual(len(report), 1)
        self.assertEqual(report.report_type, "trend")
        self.assertEqual(report.jurisdiction_id, self.eu)
        self.assertEqual(report.product_id, self.catheter_variant)
        self.assertEqual(report.rule_id.milestone, "vigilance_trend")
        self.assertEqual(report.due_at, report.clock_start + timedelta(days=15))
        self.assertIn("60.000 per 1,000", report.narrative)
        self.assertEqual(report.state, "draft")

    def test_below_the_threshold_records_the_numbers_and_reports_nothing(self):
        result = self._compute(self._rule(threshold=60))
        self.assertEqual((result.complaint_count, result.units_delivered), (3, 50))
        self.assertFalse(result.crossed, "60 per 1,000 is not above 60")
        self.assertFalse(result.report_ids)

    def test_count_per_period(self):
        self.assertTrue(self._compute(self._rule(threshold_type="count", threshold=2)).crossed)
        self.assertFalse(self._compute(self._rule(threshold_type="count", threshold=3)).crossed)

    def test_a_trend_already_reported_in_the_period_opens_no_second_report(self):
        rule = self._rule()
        first = self._compute(rule)
        second = self._compute(rule)
        self.assertTrue(second.crossed)
        self.assertTrue(first.report_ids)
        self.assertFalse(second.report_ids)

    def test_deliveries_and_complaints_outside_the_period_do_not_count(self):
        rule = self._rule()
        result = rule._vigilance_compute(fields.Datetime.now() - timedelta(days=1))
        self.assertFalse(result, "nothing delivered nor complained about before today")

    def test_a_category_rule_watches_each_device(self):
        category = self.env["product.category"].create({"name": "Vascular access"})
        self.catheter.categ_id = category
        rule = self._rule(product_id=False, categ_id=category.id)
        results = self._compute(rule)
        self.assertIn(self.catheter_variant, results.product_id)
        catheter = results.filtered(lambda r: r.product_id == self.catheter_variant)
        self.assertEqual(catheter.complaint_count, 3)

    def test_cron_computes_every_active_rule(self):
        rule = self._rule()
        self.env["vigilance.trend.rule"]._cron_vigilance_trends()
        self.assertTrue(rule.result_ids)

    def test_rules_need_a_scope_and_only_managers_compute(self):
        with self.assertRaisesRegex(ValidationError, "choose the device"):
            self._rule(product_id=False)
        rule = self._rule()
        with self.assertRaises(AccessError):
            rule.with_user(self.reader).action_compute()
        action = rule.action_compute()
        self.assertEqual(action["res_model"], "vigilance.trend.result")

    def test_results_are_never_written_directly(self):
        result = self._compute(self._rule())
        with self.assertRaises(AccessError):
            result.sudo().write({"complaint_count": 0})
