"""The user paths of vigilance_mgmt and recall_documents: their buttons (merged into
``BUTTONS`` of test_menus_and_buttons) and the records their reports print.

The records are prepared with the addons' own test helpers (``VigilanceCommon`` and
``RecallDocumentCommon`` of their tests), run on this test case's records by small step
objects, so that their helper names do not land on the test case."""

from odoo import fields

from odoo.addons.recall_documents.tests.common import RecallDocumentCommon
from odoo.addons.vigilance_mgmt.tests.common import VigilanceCommon
from odoo.addons.vigilance_mgmt.tests.common_documents import fill_form_master_data

ACTION, DONE = "action", "done"
MANAGER = "udi_master.group_trace_manager"
#: the context key of the signature dialogs' password
PASSWORD = "signature_password"
QM_PASSWORD = "qm-password"

VIGILANCE_DOCUMENT_BUTTONS = {
    # vigilance_mgmt: the complaint's assessment (manager, signed) and its reports
    ("helpdesk.ticket", "action_vigilance_assess"): ("_prep_vig_complaint", ACTION, None),
    ("helpdesk.ticket", "action_view_vigilance_reports"): ("_prep_vig_ticket", ACTION, None),
    ("vigilance.assess.wizard", "action_sign"): ("_prep_vig_assess_wizard", DONE, MANAGER),
    ("vigilance.assessment", "action_view_reports"): ("_prep_vig_assessment", ACTION, None),
    # vigilance.report: the life cycle (manager buttons), each on a report in the state it needs
    ("vigilance.report", "action_submit_review"): ("_prep_vig_draft_report", DONE, None),
    ("vigilance.report", "action_approve"): ("_prep_vig_review_report", ACTION, None),
    ("vigilance.report", "action_back_to_draft"): ("_prep_vig_review_to_reset", DONE, None),
    ("vigilance.report", "action_issue"): ("_prep_vig_approved_report", DONE, None),
    ("vigilance.report", "action_file"): ("_prep_vig_issued_report", ACTION, None),
    ("vigilance.report", "action_create_follow_up"): ("_prep_vig_issued_report", ACTION, None),
    ("vigilance.report", "action_create_final"): ("_prep_vig_issued_report", ACTION, None),
    ("vigilance.report.sign.wizard", "action_sign"): ("_prep_vig_sign_wizard", DONE, MANAGER),
    ("vigilance.report.file.wizard", "action_file"): ("_prep_vig_file_wizard", DONE, MANAGER),
    # vigilance.report: the regulators' forms, each on a report of its jurisdiction
    ("vigilance.report", "action_print_vigilance_mir"): ("_prep_vig_eu_report", ACTION, None),
    ("vigilance.report", "action_download_vigilance_xlsx_mir"): (
        "_prep_vig_eu_download_report",
        ACTION,
        None,
    ),
    ("vigilance.report", "action_download_vigilance_mir_xml"): (
        "_prep_vig_eu_download_report",
        ACTION,
        None,
    ),
    ("vigilance.report", "action_print_vigilance_fda3500a"): ("_prep_vig_fda_report", ACTION, None),
    ("vigilance.report", "action_download_vigilance_xlsx_fda3500a"): (
        "_prep_vig_fda_download_report",
        ACTION,
        None,
    ),
    ("vigilance.report", "action_print_vigilance_nmpa"): ("_prep_vig_nmpa_report", ACTION, None),
    ("vigilance.report", "action_download_vigilance_xlsx_nmpa"): (
        "_prep_vig_nmpa_download_report",
        ACTION,
        None,
    ),
    ("vigilance.trend.rule", "action_compute"): ("_prep_vig_trend_rule", ACTION, None),
    # recall_documents: the recall's documents, prepared by its users
    ("recall.campaign", "action_open_documents"): ("_prep_rdoc_campaign", ACTION, None),
    ("recall.campaign", "action_prepare_documents"): ("_prep_rdoc_campaign", ACTION, None),
    ("recall.document", "action_submit"): ("_prep_rdoc_to_submit", DONE, None),
    ("recall.document", "action_back_to_draft"): ("_prep_rdoc_review_to_reset", DONE, None),
    ("recall.document", "action_sign"): ("_prep_rdoc_review", ACTION, None),
    ("recall.document", "action_issue"): ("_prep_rdoc_signed", DONE, None),
    ("recall.document", "action_print"): ("_prep_rdoc_print", ACTION, None),
    ("recall.document", "action_download_xlsx"): ("_prep_rdoc_download", ACTION, None),
    ("recall.document.sign.wizard", "action_sign"): ("_prep_rdoc_sign_wizard", DONE, MANAGER),
}


class _VigilanceSteps:
    """vigilance_mgmt's test helpers (VigilanceCommon) on the user path test's records: the
    quality manager ``recall_qm`` assesses, completes, approves, issues and files."""

    _assess = VigilanceCommon._assess
    _complete = VigilanceCommon._complete
    _approve = VigilanceCommon._approve
    _issued = VigilanceCommon._issued
    _file = VigilanceCommon._file
    _ago = staticmethod(VigilanceCommon._ago)

    def __init__(self, case):
        self.env, self.manager, self.ticket = case.env, case.manager, None
        self.eu = case.env.ref("recall_mgmt.jurisdiction_eu")
        self.fda = case.env.ref("recall_mgmt.jurisdiction_fda")
        self.nmpa = case.env.ref("recall_mgmt.jurisdiction_nmpa")


class _RecallDocumentSteps:
    """recall_documents' test helpers (RecallDocumentCommon) on the user path test's sent
    recall (NMPA): a Traceability User prepares, the quality manager signs."""

    _document = RecallDocumentCommon._document
    _sign_document = RecallDocumentCommon._sign_document

    def __init__(self, case, user):
        self.env, self.manager, self.campaign = case.env, case.manager, case.campaign
        self.Document = case.env["recall.document"].with_user(user)


class VigilanceDocumentPaths:
    """The preparations of VIGILANCE_DOCUMENT_BUTTONS and the records the reports of
    vigilance_mgmt and recall_documents print (a base of the user path test cases)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # what the regulators' forms take from the company and the device (vigilance_mgmt's
        # helper), the hospital that complains in China
        fill_form_master_data(cls.env.company, cls.catheter)
        cls.hospital.country_id = cls.env.ref("base.cn")

    # ------------------------------------------------------------------ vigilance_mgmt

    def _vig_complaint(self):
        """A new complaint of the hospital naming the recalled lot."""
        self.__class__._vig_count = getattr(self.__class__, "_vig_count", 0) + 1
        return VigilanceCommon._complaint.__func__(
            type(self), f"Catheter hub cracked during infusion ({self._vig_count})"
        )

    def _vig_reports(self):
        """The draft initial reports (EU, FDA, NMPA) of a complaint assessed reportable."""
        steps = _VigilanceSteps(self)
        jurisdictions = steps.eu | steps.fda | steps.nmpa
        assessment = steps._assess(
            self._vig_complaint(), jurisdiction_ids=[(6, 0, jurisdictions.ids)]
        )
        reports = self.env["vigilance.report"].search([("assessment_id", "=", assessment.id)])
        self.assertEqual(reports.jurisdiction_id, jurisdictions, "one report per regulator")
        return reports

    def _vig_report(self, code, shared=False):
        """A new draft report of the regulator ``code``; ``shared``: the same one for every
        button that only reads it in this test."""
        if shared:
            if not getattr(self, "_vig_shared", None):
                self._vig_shared = self._vig_reports()
            reports = self._vig_shared
        else:
            reports = self._vig_reports()
        return reports.filtered(lambda r: r.jurisdiction_id.code == code)

    def _vig_review_report(self):
        report = self._vig_report("EU")
        steps = _VigilanceSteps(self)
        steps._complete(report)
        report.with_user(self.manager).action_submit_review()
        return report

    def _vig_state_check(self, record, state):
        def check(_result):
            self.assertEqual(record.state, state)

        return check

    def _prep_vig_complaint(self, user):
        return self._vig_complaint(), {}

    def _prep_vig_ticket(self, user):
        return self._vig_report("EU", shared=True).ticket_id, {}

    def _prep_vig_assess_wizard(self, user):
        ticket = self._vig_complaint()
        action = ticket.with_user(user).action_vigilance_assess()
        wizard = self.env["vigilance.assess.wizard"].with_user(user).browse(action["res_id"])
        wizard.write(
            {
                "reportable": True,
                "severity": "serious_injury",
                "reason": "Hub rupture needing a second line: serious injury.",
                "jurisdiction_ids": [(6, 0, self.env.ref("recall_mgmt.jurisdiction_eu").ids)],
            }
        )

        def check(_result):
            self.assertEqual(len(ticket.vigilance_assessment_ids), 1)
            self.assertEqual(ticket.vigilance_report_count, 1)

        return wizard, {PASSWORD: QM_PASSWORD}, check

    def _prep_vig_assessment(self, user):
        return self._vig_report("EU", shared=True).assessment_id, {}

    def _prep_vig_draft_report(self, user):
        report = self._vig_report("EU")
        return report, {}, self._vig_state_check(report, "review")

    def _prep_vig_review_report(self, user):
        return self._vig_review_report(), {}

    def _prep_vig_review_to_reset(self, user):
        report = self._vig_review_report()
        return report, {}, self._vig_state_check(report, "draft")

    def _prep_vig_approved_report(self, user):
        report = self._vig_review_report()
        _VigilanceSteps(self)._approve(report)
        return report, {}, self._vig_state_check(report, "issued")

    def _prep_vig_issued_report(self, user):
        return _VigilanceSteps(self)._issued(self._vig_report("EU")), {}

    def _prep_vig_sign_wizard(self, user):
        report = self._vig_review_report()
        action = report.with_user(user).action_approve()
        wizard = self.env["vigilance.report.sign.wizard"].with_user(user).browse(action["res_id"])
        return wizard, {PASSWORD: QM_PASSWORD}, self._vig_state_check(report, "approved")

    def _prep_vig_file_wizard(self, user):
        report = _VigilanceSteps(self)._issued(self._vig_report("EU"))
        action = report.with_user(user).action_file()
        wizard = self.env["vigilance.report.file.wizard"].with_user(user).browse(action["res_id"])
        wizard.write({"regulator_reference": "EU-MIR-2026-0042", "filed_at": fields.Datetime.now()})
        return wizard, {}, self._vig_state_check(report, "filed")

    def _print_check(self, record):
        """The browser prints the report the button returned, in the role's session: the
        document names the record."""

        def check(result):
            ids = ",".join(str(i) for i in result["context"]["active_ids"])
            url = f"/report/html/{result['report_name']}/{ids}"
            response = self.url_open(url, timeout=120)
            self.assertEqual(response.status_code, 200, f"{url}: {response.text[:300]}")
            self.assertIn(record.name, response.text, f"{url} names {record.name}")

        return check

    def _prep_vig_eu_report(self, user):
        report = self._vig_report("EU", shared=True)
        return report, {}, self._print_check(report)

    def _prep_vig_fda_report(self, user):
        report = self._vig_report("FDA", shared=True)
        return report, {}, self._print_check(report)

    def _prep_vig_nmpa_report(self, user):
        report = self._vig_report("NMPA", shared=True)
        return report, {}, self._print_check(report)

    def _download_check(self):
        """The browser follows the download URL the button returned, in the role's session."""

        def check(result):
            response = self.url_open(result["url"], timeout=120)
            self.assertEqual(response.status_code, 200, f"{result['url']}: {response.text[:300]}")
            self.assertTrue(response.content, f"{result['url']} downloads a file")

        return check

    def _prep_vig_eu_download_report(self, user):
        return self._vig_report("EU", shared=True), {}, self._download_check()

    def _prep_vig_fda_download_report(self, user):
        return self._vig_report("FDA", shared=True), {}, self._download_check()

    def _prep_vig_nmpa_download_report(self, user):
        return self._vig_report("NMPA", shared=True), {}, self._download_check()

    def _prep_vig_trend_rule(self, user):
        self._vig_complaint()
        rule = self.env["vigilance.trend.rule"].create(
            {
                "name": "Catheter hub complaints",
                "product_id": self.catheter_variant.id,
                "period_days": 30,
                "threshold_type": "per_1000",
                "threshold": 50,
                "jurisdiction_ids": [(6, 0, self.env.ref("recall_mgmt.jurisdiction_eu").ids)],
            }
        )

        def check(result):
            results = self.env["vigilance.trend.result"].search(result["domain"])
            self.assertEqual(results.rule_id, rule)

        return rule, {}, check

    # ------------------------------------------------------------------ recall_documents

    def _rdoc_draft(self, user):
        """A plan change report of the sent recall, answered by the user who prepares it."""
        document = _RecallDocumentSteps(self, user)._document("nmpa_plan_change")
        document.write({"change_description": "Adds lot RC-L2.", "change_reason": "Same mould."})
        self.campaign.with_user(self.manager).write({"recall_estimated_completion": "2027-02-28"})
        return document

    def _rdoc_review(self, user):
        document = self._rdoc_draft(self.path_clerk)
        document.action_submit()
        return document

    def _prep_rdoc_campaign(self, user):
        self._rdoc_draft(self.path_clerk)
        return self.campaign, {}

    def _prep_rdoc_draft(self, user):
        return self._rdoc_draft(user), {}

    def _prep_rdoc_print(self, user):
        document = self._rdoc_draft(user)
        return document, {}, self._print_check(document)

    def _prep_rdoc_download(self, user):
        return self._rdoc_draft(user), {}, self._download_check()

    def _prep_rdoc_to_submit(self, user):
        document = self._rdoc_draft(user)
        return document, {}, self._vig_state_check(document, "review")

    def _prep_rdoc_review(self, user):
        return self._rdoc_review(user), {}

    def _prep_rdoc_review_to_reset(self, user):
        document = self._rdoc_review(user)
        return document, {}, self._vig_state_check(document, "draft")

    def _prep_rdoc_signed(self, user):
        document = self._rdoc_review(user)
        _RecallDocumentSteps(self, user)._sign_document(document, QM_PASSWORD)
        return document, {}, self._vig_state_check(document, "issued")

    def _prep_rdoc_sign_wizard(self, user):
        document = self._rdoc_review(user)
        action = document.with_user(user).action_sign()
        wizard = self.env["recall.document.sign.wizard"].with_user(user).browse(action["res_id"])
        return wizard, {PASSWORD: QM_PASSWORD}, self._vig_state_check(document, "signed")

    # ------------------------------------------------------------------ reports

    def _report_record_vigilance_report(self):
        return self._vig_report("EU", shared=True)

    def _report_record_recall_document(self):
        if not getattr(self, "_rdoc_shared", None):
            self._rdoc_shared = self._rdoc_draft(self.path_clerk)
        return self._rdoc_shared
