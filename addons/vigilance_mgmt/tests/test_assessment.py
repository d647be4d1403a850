from datetime import timedelta

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import VigilanceCommon


@tagged("post_install", "-at_install")
class TestAssessment(VigilanceCommon):
    def test_not_reportable_records_reason_and_signature_and_nothing_else(self):
        assessment = self._assess(
            reportable=False,
            severity=False,
            reason="Cosmetic scratch on the packaging, no harm possible.",
        )
        self.assertFalse(assessment.reportable)
        self.assertEqual(assessment.reason, "Cosmetic scratch on the packaging, no harm possible.")
        self.assertFalse(assessment.jurisdiction_ids)
        self.assertFalse(assessment.report_ids)
        signature = assessment.signature_id
        self.assertEqual(signature.meaning, "vigilance_assess")
        self.assertEqual(signature.user_id, self.manager)
        self.assertEqual((signature.res_model, signature.res_id), (assessment._name, assessment.id))
        self.assertFalse(signature._recall_binding_problem())
        self.assertEqual(assessment.product_id, self.catheter_variant)
        self.assertEqual(assessment.lot_ids, self.lot)
        self.assertEqual(assessment.udi_di_id.di, "06901234567892")
        self.assertFalse(self.Report.search([("ticket_id", "=", self.ticket.id)]))

    def test_reportable_opens_one_initial_report_per_jurisdiction_on_its_clock(self):
        aware = self._ago(days=2)
        assessment = self._assess(severity="death", awareness_date=aware)
        reports = assessment.report_ids
        self.assertEqual(reports.jurisdiction_id, self.eu | self.fda)
        self.assertEqual(set(reports.mapped("report_type")), {"initial"})
        self.assertEqual(set(reports.mapped("state")), {"draft"})
        eu = reports.filtered(lambda r: r.jurisdiction_id == self.eu)
        fda = reports - eu
        self.assertEqual(eu.due_at, aware + timedelta(days=10))
        self.assertEqual(fda.due_at, aware + timedelta(days=30))
        self.assertEqual(eu.rule_id.vigilance_severity, "death")
        for report in reports:
            self.assertEqual(report.ticket_id, self.ticket)
            self.assertEqual(report.lot_ids, self.lot)
            self.assertEqual(report.severity, "death")
            self.assertEqual(report.reporter_partner_id, self.hospital)
            self.assertIn("Catheter hub cracked", report.narrative)
            self.assertTrue(report.name.startswith("VIG/"))
            self.assertEqual(report.log_ids.state, "draft")

    def test_wrong_password_records_nothing_but_the_failure(self):
        with self.assertRaisesRegex(UserError, "Wrong password"):
            self._assess(password="not-my-password")
        self.assertFalse(
            self.env["vigilance.assessment"].search([("ticket_id", "=", self.ticket.id)])
        )
        self.assertFalse(self.Report.search([("ticket_id", "=", self.ticket.id)]))

    def test_reason_is_required(self):
        with self.assertRaisesRegex(UserError, "give the reason"):
            self._assess(reason="   ")
        self.assertFalse(
            self.env["vigilance.assessment"].search([("ticket_id", "=", self.ticket.id)])
        )

    def test_reportable_needs_severity_and_jurisdictions(self):
        with self.assertRaisesRegex(UserError, "severity, jurisdictions"):
            self._assess(severity=False, jurisdiction_ids=[(5, 0, 0)])

    def test_awareness_in_the_future_is_refused(self):
        with self.assertRaisesRegex(UserError, "in the future"):
            self._assess(awareness_date=self._ago(days=-1))

    def test_a_complaint_without_device_cannot_be_assessed(self):
        ticket = self.env["helpdesk.ticket"].create(
            {"name": "Phone call, device unknown", "description": "<p>No label at hand.</p>"}
        )
        with self.assertRaisesRegex(UserError, "names no device"):
            ticket.with_user(self.manager).action_vigilance_assess()

    def test_a_trace_user_reads_but_cannot_assess(self):
        with self.assertRaises(AccessError):
            self.ticket.with_user(self.reader).action_vigilance_assess()
        assessment = self._assess()
        self.assertEqual(assessment.with_user(self.reader).reason, assessment.reason)

    def test_assessments_are_written_only_by_the_signing_dialog(self):
        assessment = self._assess()
        with self.assertRaises(AccessError):
            assessment.with_user(self.manager).write({"reportable": False})
        with self.assertRaises(AccessError):
            assessment.sudo().with_context(workflow=True).write({"reason": "changed"})
        with self.assertRaises(AccessError):
            self.env["vigilance.assessment"].sudo().create(
                {
                    "ticket_id": self.ticket.id,
                    "company_id": self.env.company.id,
                    "reason": "forged",
                    "awareness_date": self._ago(days=1),
                    "reportable": True,
                }
            )

    def test_default_jurisdictions_are_those_of_the_countries_shipped_to(self):
        ticket = self.ticket.with_user(self.manager)
        action = ticket.action_vigilance_assess()
        wizard = (
            self.env["vigilance.assess.wizard"].with_user(self.manager).browse(action["res_id"])
        )
        if "country_ids" in self.env["recall.jurisdiction"]._fields:
            # udi_change_control knows the countries of the jurisdictions: China -> NMPA
            self.assertEqual(wizard.jurisdiction_ids, self.nmpa)
        else:
            self.assertFalse(wizard.jurisdiction_ids, "no country mapping: the manager chooses")
        self.assertEqual(wizard.awareness_date, self.ticket.create_date)

    def test_another_company_sees_no_assessment(self):
        assessment = self._assess()
        other = self.env["res.company"].create({"name": "Other Devices GmbH"})
        outsider = new_test_user(
            self.env,
            "vig_outsider",
            groups="base.group_user,udi_master.group_trace_manager",
            company_id=other.id,
            company_ids=[(6, 0, other.ids)],
        )
        Assessment = self.env["vigilance.assessment"].with_user(outsider)
        self.assertFalse(Assessment.search([]))
        self.assertFalse(self.Report.with_user(outsider).search([]))
        with self.assertRaises(AccessError):
            assessment.with_user(outsider).read(["reason"])
        report = assessment.report_ids[:1]
        with self.assertRaises(AccessError):
            report.with_user(outsider).read(["narrative"])
        with self.assertRaises(AccessError):
            report.with_user(outsider).action_submit_review()
        with self.assertRaises(AccessError):
            self.env["vigilance.report.sign.wizard"].with_user(outsider).create(
                {"report_id": report.id}
            ).with_context(signature_password="x").action_sign()
        with self.assertRaises(AccessError):
            self.ticket.with_user(outsider).action_vigilance_assess()
        self.assertEqual(report.state, "draft")
