"""The demo data loads through the buttons and the signature dialogs and shows each case."""

from odoo.tests import TransactionCase, tagged
from odoo.tools import convert_file

DEMO_FILES = (
    ("udi_master", "demo/udi_master_demo.xml", "udi_master.product_pacemaker"),
    ("vigilance_mgmt", "demo/vigilance_mgmt_demo.xml", "vigilance_mgmt.demo_ticket_reportable"),
)


@tagged("post_install", "-at_install")
class TestDemo(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for module, path, xmlid in DEMO_FILES:
            if not cls.env.ref(xmlid, raise_if_not_found=False):
                convert_file(cls.env, module, path, {}, mode="init", noupdate=True)

    def test_a_reportable_complaint_with_its_filed_initial_and_issued_follow_up(self):
        ticket = self.env.ref("vigilance_mgmt.demo_ticket_reportable")
        qm = self.env.ref("udi_master.user_quality_manager")
        assessment = ticket.vigilance_assessment_ids
        self.assertTrue(assessment.reportable)
        self.assertEqual(assessment.signature_id.user_id, qm)
        initial = assessment.report_ids.filtered(lambda r: r.report_type == "initial")
        self.assertEqual(initial.jurisdiction_id, self.env.ref("recall_mgmt.jurisdiction_nmpa"))
        self.assertEqual((initial.state, initial.regulator_reference), ("filed", "31000020260118"))
        self.assertEqual(initial.deadline_state, "met")
        self.assertEqual(initial.signature_id.user_id, qm)
        follow_up = initial.follow_up_ids
        self.assertEqual((follow_up.report_type, follow_up.state), ("follow_up", "issued"))
        self.assertTrue(follow_up.root_cause)
        self.assertEqual(follow_up.patient_ids.pseudonym, "RJ-2026-118")

    def test_a_complaint_assessed_not_reportable(self):
        ticket = self.env.ref("vigilance_mgmt.demo_ticket_not_reportable")
        assessment = ticket.vigilance_assessment_ids
        self.assertFalse(assessment.reportable)
        self.assertIn("not reportable", assessment.reason)
        self.assertTrue(assessment.signature_id)
        self.assertFalse(ticket.vigilance_report_ids)

    def test_the_trend_rule_computes(self):
        rule = self.env.ref("vigilance_mgmt.demo_trend_rule_catheter")
        rule.with_user(self.env.ref("udi_master.user_quality_manager")).action_compute()
        self.assertTrue(rule.result_ids)
