"""A regulatory document of a recall (NMPA, FDA, EU), due on a campaign clock, signed and
sealed when issued.

The content is generated from the live campaign (recall_mgmt's report tables, see
recall_document_data.py) plus the answers only a person can give (asked on the document or the
campaign, never guessed); it is frozen when the document is signed, so what the signer saw is
what is issued; issuing renders the PDF, attaches it and records its SHA-256 in a sealed record
(recall.document.issue), and marks the campaign deadline the document answers as met.
"""

import hashlib
import json

from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.audit_seal.tools.workflow import workflow, workflow_writes

#: kind -> (jurisdiction code, milestone of the deadline it answers or None, periodic)
KIND_INFO = {
    "nmpa_investigation": ("NMPA", "regulator_plan", False),
    "nmpa_plan": ("NMPA", "regulator_plan", False),
    "nmpa_progress": ("NMPA", "status_report", True),
    "nmpa_plan_change": ("NMPA", None, True),
    "nmpa_summary": ("NMPA", "nmpa_summary", False),
    "fda_status": ("FDA", "status_report", True),
    "fda_termination": ("FDA", None, False),
    "eu_progress": ("EU", "fsca_progress", True),
    "eu_final": ("EU", "fsca_final", False),
}
KINDS = [
    ("nmpa_investigation", "NMPA investigation and evaluation report (调查评估报告)"),
    ("nmpa_plan", "NMPA recall plan (召回计划)"),
    ("nmpa_progress", "NMPA recall plan progress report (召回计划实施情况报告)"),
    ("nmpa_plan_change", "NMPA recall plan change report (召回计划变更报告)"),
    ("nmpa_summary", "NMPA recall summary evaluation report (召回总结评估报告)"),
    ("fda_status", "FDA recall status report (21 CFR 7.53)"),
    ("fda_termination", "FDA recall termination request (21 CFR 7.55)"),
    ("eu_progress", "EU FSCA progress report (MDR Art. 89)"),
    ("eu_final", "EU FSCA final report (MDR Art. 89)"),
]
#: the answers a person gives, per kind (the data cannot give them); all mandatory
KIND_ANSWERS = {
    "nmpa_investigation": ["investigation_result"],
    "nmpa_plan": ["measures_detail", "expected_effect", "handling_after_recall"],
    "nmpa_progress": ["progress_summary"],
    "nmpa_plan_change": ["change_description", "change_reason"],
    "nmpa_summary": ["effectiveness_evaluation", "handling_after_recall"],
    "fda_status": ["notification_method"],
    "fda_termination": ["authority_reference", "handling_after_recall", "effectiveness_evaluation"],
    "eu_progress": ["authority_reference", "progress_summary"],
    "eu_final": ["authority_reference", "effectiveness_evaluation", "handling_after_recall"],
}
#: the answers asked on the campaign, per kind
KIND_CAMPAIGN_ANSWERS = {
    "nmpa_investigation": ["recall_overseas"],
    "nmpa_plan": ["recall_overseas", "recall_estimated_completion"],
    "nmpa_progress": ["recall_estimated_completion"],
    "nmpa_plan_change": ["recall_estimated_completion"],
    "fda_status": ["recall_estimated_completion"],
    "eu_progress": ["recall_estimated_completion"],
}
ANSWER_FIELDS = sorted({name for names in KIND_ANSWERS.values() for name in names})
STATES = [("draft", "Draft"), ("review", "In Review"), ("signed", "Signed"), ("issued", "Issued")]


class RecallDocument(models.Model):
    """One regulatory document of a recall: draft, review, signed, issued (sealed)."""

    _name = "recall.document"
    _description = "Recall Regulatory Document"
    _inherit = ["mail.thread", "audit.seal.workflow.mixin"]
    _order = "campaign_id desc, due_at, id"
    _check_company_auto = True
    _workflow_fields = (
        "name",
        "state",
        "deadline_id",
        "sequence_number",
        "signature_id",
        "data_json",
        "issued_at",
        "issued_by_id",
        "attachment_id",
        "pdf_sha256",
        "issue_id",
    )

    name = fields.Char(string="Reference", required=True, readonly=True, default="/", copy=False)
    campaign_id = fields.Many2one(
        "recall.campaign", string="Recall", required=True, index=True, ondelete="restrict"
    )
    company_id = fields.Many2one(related="campaign_id.company_id", store=True)
    kind = fields.Selection(KINDS, string="Document", required=True)
    jurisdiction_id = fields.Many2one(
        "recall.jurisdiction", compute="_compute_jurisdiction_id", store=True
    )
    deadline_id = fields.Many2one(
        "recall.campaign.deadline",
        string="Answers Deadline",
        readonly=True,
        ondelete="set null",
        help="The campaign's regulatory clock this document answers: it is marked met when "
        "the document is issued.",
    )
    due_at = fields.Datetime(related="deadline_id.due_at", string="Due", store=True)
    due_local = fields.Char(related="deadline_id.due_local", string="Due (Jurisdiction Time)")
    deadline_state = fields.Selection(related="deadline_id.state", string="Clock")
    legal_reference = fields.Char(related="deadline_id.reference")
    is_late = fields.Boolean(compute="_compute_is_late", string="Late")
    sequence_number = fields.Integer(
        string="Report No.",
        readonly=True,
        help="Number of this report among the periodic reports of its kind for the recall.",
    )
    state = fields.Selection(STATES, required=True, default="draft", readonly=True, tracking=True)
    # -- answers only a person can give
    investigation_result = fields.Text(
        string="Investigation and Evaluation Result",
        help="调查评估结果: what the investigation found (cause, devices and batches "
        "concerned, risk evaluation).",
    )
    measures_detail = fields.Text(
        string="Organisation, Scope and Time Limits of the Measures",
        help="召回措施的具体内容: who carries out the recall, where, and by when.",
    )
    expected_effect = fields.Text(string="Expected Effect of the Recall")
    handling_after_recall = fields.Text(
        string="Handling of the Recalled Devices",
        help="How recalled devices are (or were) handled: repair, relabelling, destruction, "
        "with their records.",
    )
    progress_summary = fields.Text(
        string="Progress Since the Last Report",
        help="What was done in the period and what remains, in the words of the report.",
    )
    change_description = fields.Text(string="Changes to the Recall Plan")
    change_reason = fields.Text(string="Reason for the Changes")
    effectiveness_evaluation = fields.Text(
        string="Evaluation of the Recall's Effectiveness",
        help="召回效果评估: whether the recall reached its goal, with the effectiveness "
        "checks as evidence.",
    )
    notification_method = fields.Char(
        string="Method of Notification",
        help="How consignees were notified (21 CFR 7.53(b)(1)): letter, e-mail, telephone "
        "confirmed in writing...",
    )
    authority_reference = fields.Char(
        help="The reference the authority gave the recall: FDA recall number, the competent "
        "authority's or EUDAMED FSCA reference.",
    )
    missing_answers = fields.Char(compute="_compute_missing_answers", string="Still to Answer")
    # -- signature and issue
    signature_id = fields.Many2one("recall.signature", readonly=True, copy=False)
    data_json = fields.Text(string="Frozen Content", readonly=True, copy=False)
    issued_at = fields.Datetime(readonly=True, copy=False)
    issued_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    attachment_id = fields.Many2one("ir.attachment", string="Issued PDF", readonly=True, copy=False)
    pdf_sha256 = fields.Char(string="PDF SHA-256", readonly=True, copy=False)
    issue_id = fields.Many2one("recall.document.issue", string="Sealed Issue", readonly=True)

    # ------------------------------------------------------------------ computes

    @api.depends("kind")
    def _compute_jurisdiction_id(self):
        Jurisdiction = self.env["recall.jurisdiction"].sudo().with_context(active_test=False)
        for document in self:
            code = KIND_INFO[document.kind][0] if document.kind else False
            document.jurisdiction_id = (
                Jurisdiction.search([("code", "=", code)], limit=1) if code else False
            )

    @api.depends("deadline_id.due_at", "state", "issued_at")
    def _compute_is_late(self):
        now = fields.Datetime.now()
        for document in self:
            due = document.deadline_id.due_at
            done = document.issued_at or (document.state != "issued" and now)
            document.is_late = bool(due and done and done > due)

    @api.depends("kind", *ANSWER_FIELDS, "campaign_id")
    def _compute_missing_answers(self):
        for document in self:
            document.missing_answers = ", ".join(document._recall_doc_missing_answers())

    def _recall_doc_missing_answers(self):
        """Labels of the answers the kind needs that nobody gave yet (document and recall)."""
        self.ensure_one()
        if not self.kind:
            return []
        missing = []
        for owner, names in (
            (self, KIND_ANSWERS.get(self.kind, [])),
            (self.campaign_id, KIND_CAMPAIGN_ANSWERS.get(self.kind, [])),
        ):
            for name in names:
                if not owner[name]:
                    missing.append(owner._fields[name]._description_string(self.env))
        return missing

    @api.depends("name", "kind", "sequence_number")
    def _compute_display_name(self):
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        for document in self:
            label = kinds.get(document.kind, "")
            if document.sequence_number:
                label = f"{label} #{document.sequence_number}"
            document.display_name = f"{document.name} {label}".strip()

    # ------------------------------------------------------------------ create and write

    @api.model_create_multi
    def create(self, vals_list):
        self._workflow_check_values(vals_list, creating=True)
        documents = self.browse()
        for vals in vals_list:  # one by one: each takes the next number and the next clock
            with workflow_writes():
                document = super().create([self._recall_doc_prepare(vals)])
            document.campaign_id._recall_log(
                self.env._("Document prepared: %(document)s.", document=document.display_name)
            )
            documents |= document
        return documents

    def _recall_doc_prepare(self, vals):
        """The values of a new document: checked against its recall, numbered, linked to its
        clock."""
        campaign = self.env["recall.campaign"].browse(vals.get("campaign_id")).exists()
        kind = vals.get("kind")
        self._recall_doc_check_new(campaign, kind)
        periodic = KIND_INFO[kind][2]
        number = (
            self.sudo().search_count([("campaign_id", "=", campaign.id), ("kind", "=", kind)]) + 1
            if periodic
            else 0
        )
        return {
            **vals,
            "name": self.env["ir.sequence"].sudo().next_by_code("recall.document") or "/",
            "sequence_number": number,
            "deadline_id": self._recall_doc_open_deadline(campaign, kind).id,
        }

    def _recall_doc_check_new(self, campaign, kind):
        if not campaign:
            raise UserError(self.env._("Choose the recall the document belongs to."))
        if kind not in KIND_INFO:
            raise UserError(self.env._("Choose the kind of document."))
        if not campaign.decision_date:
            raise UserError(
                self.env._(
                    "%(campaign)s is not approved yet: its regulatory documents answer clocks "
                    "that start at the approval. Approve the recall first.",
                    campaign=campaign.display_name,
                )
            )
        code = KIND_INFO[kind][0]
        if code not in campaign.jurisdiction_ids.mapped("code"):
            raise UserError(
                self.env._(
                    "%(campaign)s does not follow the %(code)s rules (its jurisdictions: "
                    "%(codes)s): a %(code)s document does not apply. Choose a document of "
                    "one of its jurisdictions.",
                    campaign=campaign.display_name,
                    code=code,
                    codes=", ".join(campaign.jurisdiction_ids.mapped("code")),
                )
            )

    @api.model
    def _recall_doc_open_deadline(self, campaign, kind):
        """The earliest open deadline of the kind's milestone that no document of the kind
        answers yet (none for kinds without a statutory period)."""
        code, milestone, _periodic = KIND_INFO[kind]
        if not milestone:
            return self.env["recall.campaign.deadline"]
        taken = (
            self.sudo().search([("campaign_id", "=", campaign.id), ("kind", "=", kind)]).deadline_id
        )
        deadlines = campaign.sudo().deadline_ids.filtered(
            lambda d: (
                d.milestone == milestone
                and d.jurisdiction_id.code == code
                and not d.done_at
                and d not in taken
            )
        )
        return deadlines.sorted("due_at")[:1]

    def write(self, vals):
        fixed = {"campaign_id", "kind"}.intersection(vals)
        if fixed:
            raise UserError(
                self.env._(
                    "%(document)s: the recall and the kind of a document cannot change. "
                    "Prepare a new document instead.",
                    document=self[:1].display_name,
                )
            )
        answers = set(ANSWER_FIELDS).intersection(vals)
        locked = self.filtered(lambda d: d.state in ("signed", "issued"))
        if answers and locked:
            raise UserError(
                self.env._(
                    "%(document)s is signed: its content is bound by the signature and cannot "
                    "change. Prepare a new document (a plan change report for a changed plan).",
                    document=locked[0].display_name,
                )
            )
        return super().write(vals)

    def _recall_signed_content(self):
        """What the signature binds: the kind, the recall, the answers and the frozen content."""
        self.ensure_one()
        content = {
            "model": self._name,
            "id": self.id,
            "name": self.name,
            "kind": self.kind,
            "campaign": self.campaign_id.name,
            "sequence_number": self.sequence_number,
            "data_sha256": hashlib.sha256((self.data_json or "").encode()).hexdigest(),
        }
        for name in ANSWER_FIELDS:
            content[name] = self[name] or None
        return content

    # ------------------------------------------------------------------ roles

    def _recall_doc_check_manager(self):
        if not (self.env.su or self.env.user.has_group("udi_master.group_trace_manager")):
            raise UserError(
                self.env._(
                    "Only a Traceability Manager can sign and issue regulatory documents; "
                    "ask your quality manager."
                )
            )

    def _recall_doc_check_state(self, states, action):
        labels = dict(self._fields["state"]._description_selection(self.env))
        for document in self:
            if document.state not in states:
                raise UserError(
                    self.env._(
                        "%(document)s is %(state)s: it cannot %(action)s.",
                        document=document.display_name,
                        state=labels[document.state],
                        action=action,
                    )
                )

    def _recall_doc_check_complete(self, action):
        """Refuse ``action`` while a mandatory field of the document is empty."""
        for document in self:
            missing = document._recall_doc_data()["missing"]
            if missing:
                raise UserError(
                    self.env._(
                        "%(document)s cannot be %(action)s: these mandatory fields are empty: "
                        "%(fields)s. Answer them on the document (its Answers tab) or on the "
                        "recall (Regulatory Answers tab: overseas recall, estimated "
                        "completion), or complete the recall, its products or the company "
                        "where the data comes from; then try again.",
                        document=document.display_name,
                        action=action,
                        fields=", ".join(missing),
                    )
                )

    # ------------------------------------------------------------------ workflow

    @workflow
    def action_submit(self):
        """Draft -> in review (the preparer, a Recall User or Manager)."""
        self._recall_doc_check_state(("draft",), self.env._("go to review"))
        self.write({"state": "review"})
        return True

    @workflow
    def action_back_to_draft(self):
        """In review -> draft (the reviewer sends it back)."""
        self._recall_doc_check_state(("review",), self.env._("go back to draft"))
        self.write({"state": "draft"})
        return True

    def action_sign(self):
        """Open the electronic signature (password re-entry) of the reviewed document."""
        self._recall_doc_check_manager()
        self.ensure_one()
        self._recall_doc_check_state(("review",), self.env._("be signed"))
        self._recall_doc_check_complete(self.env._("signed"))
        return self.env["recall.document.sign.wizard"]._recall_open(self)

    @workflow
    def _recall_doc_freeze(self):
        """Freeze the content as it is now: the signer signs what is issued."""
        self.ensure_one()
        data = self._recall_doc_build_data()
        data["is_draft"] = False  # what is signed here is what is issued
        data["ledger_head"] = self._recall_doc_ledger_head()
        data["ledger_section"] = self.campaign_id._recall_report_ledger_section(data["ledger_head"])
        self.data_json = json.dumps(data, ensure_ascii=False, sort_keys=True, default=str)

    @workflow
    def _recall_doc_signed(self, signature):
        self.ensure_one()
        self.write({"state": "signed", "signature_id": signature.id})
        self.campaign_id._recall_log(
            self.env._("Document signed: %(document)s.", document=self.display_name)
        )

    @workflow
    def action_issue(self):
        """Signed -> issued: the PDF is rendered from the frozen content, attached, and its
        SHA-256 sealed; the deadline the document answers is met."""
        self._recall_doc_check_manager()
        self._recall_doc_check_state(("signed",), self.env._("be issued"))
        self._recall_doc_check_complete(self.env._("issued"))
        for document in self:
            document._recall_doc_issue()
        return True

    def _recall_doc_issue(self):
        self.ensure_one()
        report = self.env.ref("recall_documents.action_report_recall_document")
        # a PDF (Odoo's test mode renders HTML unless the context forces the rendering)
        pdf, file_type = report._render_qweb_pdf(report.report_name, self.ids)
        now = fields.Datetime.now()
        filename = f"{self._recall_doc_filename()}.{file_type}"
        attachment = (
            self.env["ir.attachment"]
            .sudo()
            .create(
                {
                    "name": filename,
                    "raw": pdf,
                    "mimetype": "application/pdf" if file_type == "pdf" else "text/html",
                    "res_model": self._name,
                    "res_id": self.id,
                }
            )
        )
        digest = hashlib.sha256(pdf).hexdigest()
        issue = (
            self.env["recall.document.issue"]
            .sudo()
            .create(
                {
                    "document_id": self.id,
                    "name": self.name,
                    "kind": self.kind,
                    "campaign_id": self.campaign_id.id,
                    "issued_at": now,
                    "issued_by_id": self.env.uid,
                    "signature_id": self.signature_id.id,
                    "attachment_id": attachment.id,
                    "filename": filename,
                    "pdf_sha256": digest,
                    "data_sha256": hashlib.sha256(self.data_json.encode()).hexdigest(),
                }
            )
        )
        self.write(
            {
                "state": "issued",
                "issued_at": now,
                "issued_by_id": self.env.uid,
                "attachment_id": attachment.id,
                "pdf_sha256": digest,
                "issue_id": issue.id,
            }
        )
        self.campaign_id._recall_log(
            self.env._(
                "Document issued: %(document)s (PDF SHA-256 %(digest)s).",
                document=self.display_name,
                digest=digest,
            )
        )
        self._recall_doc_meet_deadline()

    def _recall_doc_meet_deadline(self):
        """Mark the deadline met once every document its milestone needs is issued (the NMPA
        investigation report and recall plan share one clock)."""
        deadline = self.deadline_id
        if not deadline or deadline.done_at:
            return
        code = deadline.jurisdiction_id.code
        needed = {
            kind
            for kind, (kind_code, milestone, _periodic) in KIND_INFO.items()
            if kind_code == code and milestone == deadline.milestone
        }
        issued = set(
            self.sudo()
            .search([("deadline_id", "=", deadline.id), ("state", "=", "issued")])
            .mapped("kind")
        )
        if needed <= issued:
            deadline.sudo().action_mark_done()

    # ------------------------------------------------------------------ buttons

    def action_print(self):
        self.check_access("read")
        return self.env.ref("recall_documents.action_report_recall_document").report_action(self)

    def action_download_xlsx(self):
        self.ensure_one()
        self.check_access("read")
        return {
            "type": "ir.actions.act_url",
            "url": f"/recall_documents/document/{self.id}.xlsx",
            "target": "download",
        }

    def _recall_doc_filename(self):
        self.ensure_one()
        kinds = dict(
            self._fields["kind"]._description_selection(self.with_context(lang="en_US").env)
        )
        label = kinds[self.kind].split(" (")[0]
        number = f" {self.sequence_number}" if self.sequence_number else ""
        return f"{(self.campaign_id.name or '').replace('/', '-')} {label}{number}"
