from datetime import timedelta

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import CapaCommon


@tagged("post_install", "-at_install")
class TestDrillFindings(CapaCommon):
    """Closing a drill measures it against the company's targets: each missed target opens a
    finding with a corrective action, met targets open nothing, and the chatter says which."""

    def _closed_drill(self, acknowledge=True, **vals):
        drill = self._approved(**{"is_drill": True, **vals})
        drill.action_notify()
        if acknowledge:
            for notice in drill.notice_ids:
                signature = (
                    self.env["recall.signature"]
                    .with_user(self.manager)
                    ._recall_sign(notice, "acknowledge", "qm-password")
                )
                notice._recall_acknowledge(signature)
        drill.action_start_effectiveness()
        for notice in drill.notice_ids:
            notice.action_mark_verified()
        self._sign(drill, "close")
        self.assertEqual(drill.state, "closed")
        return drill

    def _last_post(self, drill):
        posts = drill.message_ids.filtered(lambda m: "rill target" in (m.body or ""))
        self.assertEqual(len(posts), 1, "one post on the drill's chatter")
        return str(posts.body)

    def test_defaults_are_sensible(self):
        company = self.env.company
        self.assertEqual(company.capa_drill_analysis_minutes, 5.0)
        self.assertEqual(company.capa_drill_notify_hours, 24.0)
        self.assertEqual(
            (company.capa_drill_notified_percent, company.capa_drill_ack_percent), (100, 100)
        )
        self.assertEqual(company.capa_drill_action_days, 30)

    def test_drill_meeting_every_target_opens_nothing(self):
        drill = self._closed_drill()
        self.assertEqual((drill.consignee_count, drill.acknowledged_count), (2, 2))
        self.assertFalse(drill.sudo().capa_nonconformity_ids)
        results = drill._capa_drill_results()
        self.assertEqual(
            [r["kpi"] for r in results],
            [
                "analysis",
                "decision",
                "first_notice",
                "notification",
                "coverage_notified",
                "coverage_acknowledged",
            ],
        )
        self.assertFalse([r for r in results if r["missed"]])
        self.assertIn("Every drill target was met", self._last_post(drill))

    def test_missed_analysis_target_opens_a_finding_with_a_corrective_action(self):
        self.env.company.write(
            {"capa_drill_analysis_minutes": 0.0, "capa_drill_owner_id": self.engineer.id}
        )
        drill = self._closed_drill()
        finding = drill.sudo().capa_nonconformity_ids
        self.assertEqual(len(finding), 1, "only the missed target opens a finding")
        self.assertEqual((finding.capa_source, finding.drill_kpi), ("drill", "analysis"))
        self.assertEqual(finding.origin_ids, self.env.ref("quality_capa.nc_origin_drill"))
        self.assertEqual(finding.lot_ids, self.lot)
        self.assertEqual(finding.product_ids, self.catheter_variant)
        self.assertEqual(finding.udi_di_ids, self.catheter.udi_di_ids)
        self.assertEqual(finding.responsible_user_id, self.engineer)
        self.assertEqual(finding.company_id, drill.company_id)
        action = finding.action_ids
        self.assertEqual((action.type_action, action.user_id), ("correction", self.engineer))
        self.assertEqual(action.date_deadline, fields.Date.today() + timedelta(days=30))
        post = self._last_post(drill)
        self.assertIn(finding.ref, post)
        self.assertIn("Impact analysis time", post)

    def test_unacknowledged_notices_and_a_slow_decision_open_one_finding_each(self):
        self.env.company.capa_drill_decision_hours = 0.0
        drill = self._closed_drill(acknowledge=False)
        self.assertEqual((drill.notified_count, drill.acknowledged_count), (2, 0))
        findings = drill.sudo().capa_nonconformity_ids
        self.assertEqual(
            sorted(findings.mapped("drill_kpi")), ["coverage_acknowledged", "decision"]
        )
        for finding in findings:
            self.assertEqual(len(finding.action_ids), 1)
            self.assertEqual(finding.action_ids.user_id, self.manager, "the closer owns them")
        self.assertIn(
            "0 of 2 (0 %)", findings.filtered(lambda f: f.drill_kpi != "decision").description
        )
        self.assertIn("2 finding(s)", self._last_post(drill))

    def test_findings_are_not_opened_twice(self):
        drill = self._closed_drill(acknowledge=False)
        drill._capa_drill_findings()
        self.assertEqual(len(drill.sudo().capa_nonconformity_ids), 1)

    def test_closing_a_real_recall_opens_no_finding(self):
        self.env.company.capa_drill_analysis_minutes = 0.0
        campaign = self._closed_drill(is_drill=False)
        self.assertFalse(campaign.sudo().capa_nonconformity_ids)

    def test_a_drill_has_no_root_cause_button(self):
        drill = self._approved(is_drill=True)
        with self.assertRaisesRegex(UserError, "is a drill"):
            drill.with_user(self.engineer).action_capa_root_cause()
