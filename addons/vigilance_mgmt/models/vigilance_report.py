import hashlib
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.fields import Domain

from odoo.addons.audit_seal.lib.canonical import canonical_json
from odoo.addons.audit_seal.tools.workflow import workflow
from odoo.addons.recall_mgmt.tools import zoned_time

from .recall_jurisdiction import REPORT_MILESTONES, SEVERITIES

MANAGER = "udi_master.group_trace_manager"
STATES = [
    ("draft", "Draft"),
    ("review", "In review"),
    ("approved", "Approved"),
    ("issued", "Issued"),
    ("filed", "Filed"),
]
REPORT_TYPES = [
    ("initial", "Initial report"),
    ("follow_up", "Follow-up report"),
    ("final", "Final report"),
    ("trend", "Trend report"),
]
DEADLINE_STATES = [
    ("pending", "Pending"),
    ("due_soon", "Due soon"),
    ("late", "Late"),
    ("met", "Met"),
    ("met_late", "Met late"),
]
#: fixed when the report is opened (sealed): what it is about and its clock
IDENTITY_FIELDS = (
    "name",
    "company_id",
    "assessment_id",
    "ticket_id",
    "jurisdiction_id",
    "report_type",
    "initial_id",
    "previous_id",
    "severity",
    "awareness_date",
    "clock_start",
    "rule_id",
    "due_at",
    "product_id",
    "udi_di_id",
    "trend_id",
)
#: what the report says: edited in draft and review, frozen from the approval on
CONTENT_FIELDS = (
    "event_date",
    "lot_ids",
    "patient_ids",
    "narrative",
    "root_cause",
    "corrective_action",
    "reporter_partner_id",
    "user_id",
)
EDITABLE_STATES = ("draft", "review")


class VigilanceReport(models.Model):
    """A vigilance report to one regulator (EU MIR, FDA MDR/3500A, NMPA 可疑医疗器械不良事件报告):
    initial, follow-up, final or trend, on the clock of its jurisdiction's rule.

    Draft -> in review -> approved (signed) -> issued (sealed, documents generated) -> filed
    (date and the regulator's reference). Its identity and clock are sealed when it is opened,
    every step is a sealed log entry, and the content is frozen from the approval on (the
    approval signature binds it, the issue entry seals its digest).
    """

    _name = "vigilance.report"
    _description = "Vigilance Report"
    _inherit = [
        "mail.thread",
        "mail.activity.mixin",
        "audit.seal.mixin",
        "audit.seal.workflow.mixin",
    ]
    _order = "id desc"
    _check_company_auto = True
    _seal_fields = IDENTITY_FIELDS
    _workflow_fields = IDENTITY_FIELDS + (
        "state",
        "signature_id",
        "approved_by_id",
        "approved_at",
        "issued_at",
        "issued_by_id",
        "filed_at",
        "regulator_reference",
        "alerted_at",
        "escalated_at",
    )

    name = fields.Char(string="Reference", required=True, readonly=True, default="/", copy=False)
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    assessment_id = fields.Many2one(
        "vigilance.assessment", readonly=True, index=True, ondelete="restrict"
    )
    ticket_id = fields.Many2one(
        "helpdesk.ticket", string="Complaint", readonly=True, index=True, ondelete="restrict"
    )
    jurisdiction_id = fields.Many2one(
        "recall.jurisdiction", required=True, readonly=True, ondelete="restrict"
    )
    report_type = fields.Selection(REPORT_TYPES, string="Type", required=True, readonly=True)
    initial_id = fields.Many2one(
        "vigilance.report",
        string="Initial Report",
        readonly=True,
        index=True,
        ondelete="restrict",
        help="The initial report of the chain (empty on the initial report itself).",
    )
    previous_id = fields.Many2one(
        "vigilance.report", string="Previous Report", readonly=True, ondelete="restrict"
    )
    follow_up_ids = fields.One2many(
        "vigilance.report", "initial_id", string="Follow-up and Final Reports"
    )
    severity = fields.Selection(SEVERITIES, required=True, readonly=True)
    awareness_date = fields.Datetime(
        readonly=True, help="When the company became aware of the event."
    )
    clock_start = fields.Datetime(
        readonly=True,
        help="Start of this report's clock: the awareness date for an initial report, the "
        "opening of a follow-up or final report (new information), the trend computation.",
    )
    event_date = fields.Date(help="When the incident happened (as far as known).")
    rule_id = fields.Many2one(
        "recall.deadline.rule", string="Deadline Rule", readonly=True, ondelete="restrict"
    )
    reference = fields.Char(related="rule_id.reference", string="Legal Reference")
    due_at = fields.Datetime(string="Due", readonly=True)
    due_local = fields.Char(string="Due (Jurisdiction Time)", compute="_compute_due_local")
    deadline_state = fields.Selection(
        DEADLINE_STATES,
        string="Deadline",
        compute="_compute_deadline_state",
        search="_search_deadline_state",
    )
    product_id = fields.Many2one("product.product", string="Device", readonly=True)
    udi_di_id = fields.Many2one("udi.di", string="UDI-DI", readonly=True)
    lot_ids = fields.Many2many("stock.lot", string="Lots/Serials")
    patient_ids = fields.One2many("vigilance.report.patient", "report_id", string="Patients")
    narrative = fields.Text(help="What happened, as the regulator's form asks for it.")
    root_cause = fields.Text()
    corrective_action = fields.Text()
    reporter_partner_id = fields.Many2one(
        "res.partner",
        string="Reported By",
        help="Who reported the event to us: the health facility, distributor or user.",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        default=lambda self: self.env.user,
        help="Receives the alerts of this report's clock.",
    )
    state = fields.Selection(STATES, default="draft", required=True, readonly=True, tracking=True)
    signature_id = fields.Many2one(
        "recall.signature", string="Approval Signature", readonly=True, ondelete="restrict"
    )
    approved_by_id = fields.Many2one("res.users", readonly=True)
    approved_at = fields.Datetime(readonly=True)
    issued_by_id = fields.Many2one("res.users", readonly=True)
    issued_at = fields.Datetime(readonly=True)
    filed_at = fields.Datetime(
        string="Filed", readonly=True, help="When the regulator received the report."
    )
    regulator_reference = fields.Char(
        readonly=True, help="The reference the regulator gave the report (case or MDR number)."
    )
    alerted_at = fields.Datetime(readonly=True)
    escalated_at = fields.Datetime(readonly=True)
    trend_id = fields.Many2one(
        "vigilance.trend.result",
        readonly=True,
        index=True,
        ondelete="restrict",
        help="The trend computation whose crossed threshold opened this trend report.",
    )
    log_ids = fields.One2many("vigilance.report.log", "report_id", string="History")
    attachment_ids = fields.Many2many(
        "ir.attachment", compute="_compute_attachment_ids", string="Documents"
    )

    # ------------------------------------------------------------------ computes

    @api.depends("name", "report_type", "jurisdiction_id")
    def _compute_display_name(self):
        for report in self:
            report.display_name = f"{report.name} ({report.jurisdiction_id.code or ''})"

    @api.depends("due_at", "jurisdiction_id.tz")
    def _compute_due_local(self):
        for report in self:
            report.due_local = (
                zoned_time.format_zoned(report.due_at, report.jurisdiction_id.tz or "UTC")
                if report.due_at
                else False
            )

    @api.depends("state", "due_at", "filed_at")
    def _compute_deadline_state(self):
        now = fields.Datetime.now()
        for report in self:
            if not report.due_at:
                report.deadline_state = False
            elif report.state == "filed":
                late = report.filed_at and report.filed_at > report.due_at
                report.deadline_state = "met_late" if late else "met"
            elif report.due_at < now:
                report.deadline_state = "late"
            elif report.due_at - now <= report._vigilance_warning_span():
                report.deadline_state = "due_soon"
            else:
                report.deadline_state = "pending"

    def _search_deadline_state(self, operator, value):
        if operator not in ("=", "in"):
            raise UserError(
                self.env._("Deadline states can only be searched for by value (= or in).")
            )
        values = {value} if operator == "=" else set(value)
        reports = self.search([("due_at", "!=", False)])
        ids = reports.filtered(lambda r: r.deadline_state in values).ids
        return Domain([("id", "in", ids)])

    def _vigilance_warning_span(self):
        """Warn when a quarter of the span is left, at least 4 hours, at most 2 days (as the
        recall deadlines)."""
        self.ensure_one()
        span = max(self.due_at - (self.clock_start or self.due_at), timedelta(0))
        return min(max(span / 4, timedelta(hours=4)), timedelta(days=2))

    def _compute_attachment_ids(self):
        attachments = self.env["ir.attachment"].search(
            [("res_model", "=", self._name), ("res_id", "in", self.ids)]
        )
        for report in self:
            report.attachment_ids = attachments.filtered(lambda a, r=report: a.res_id == r.id)

    # ------------------------------------------------------------------ guards

    def write(self, vals):
        content = set(CONTENT_FIELDS).intersection(vals)
        if content:
            self._vigilance_check_editable()
        return super().write(vals)

    def _vigilance_check_editable(self):
        frozen = self.filtered(lambda r: r.state not in EDITABLE_STATES)
        if frozen:
            raise UserError(
                self.env._(
                    "%(report)s is %(state)s: its content was approved and can no longer be "
                    "changed. Open a follow-up report for new information.",
                    report=frozen[0].display_name,
                    state=dict(STATES)[frozen[0].state],
                )
            )

    def _vigilance_check_manager(self):
        if not (self.env.su or self.env.user.has_group(MANAGER)):
            raise AccessError(
                self.env._(
                    "Only a Traceability Manager (quality manager) can change the state of "
                    "vigilance reports."
                )
            )

    def _vigilance_check_state(self, states, action):
        wrong = self.filtered(lambda r: r.state not in states)
        if wrong:
            raise UserError(
                self.env._(
                    "%(report)s is %(state)s: it cannot be %(action)s.",
                    report=wrong[0].display_name,
                    state=dict(STATES)[wrong[0].state],
                    action=action,
                )
            )

    # ------------------------------------------------------------------ signed content

    def _recall_signed_content(self):
        """What the approval signature binds: the report's identity and content."""
        self.ensure_one()
        return {
            "report": self.name,
            "type": self.report_type,
            "jurisdiction": self.jurisdiction_id.code,
            "severity": self.severity,
            "device": self.product_id.id,
            "udi_di": self.udi_di_id.di or "",
            "lots": sorted(self.lot_ids.mapped("name")),
            "awareness_date": fields.Datetime.to_string(self.awareness_date) or "",
            "event_date": fields.Date.to_string(self.event_date) or "",
            "patients": [patient._vigilance_content() for patient in self.patient_ids],
            "narrative": self.narrative or "",
            "root_cause": self.root_cause or "",
            "corrective_action": self.corrective_action or "",
            "reporter": self.reporter_partner_id.display_name or "",
        }

    def _vigilance_content_digest(self):
        self.ensure_one()
        return hashlib.sha256(canonical_json(self._recall_signed_content())).hexdigest()

    # ------------------------------------------------------------------ opening

    @api.model
    def _vigilance_clock(self, jurisdiction, report_type, severity, start, company):
        """(rule, due) of a report of ``report_type`` and ``severity`` starting at ``start``."""
        rule = self.env["recall.deadline.rule"]._vigilance_rule(
            jurisdiction, REPORT_MILESTONES[report_type], severity
        )
        return rule, (rule._due_from(start, company) if rule else False)

    @workflow
    @api.model
    def _vigilance_create(self, vals_list):
        """Create reports (numbered, on their clocks) and log their opening."""
        for vals in vals_list:
            vals["name"] = self.env["ir.sequence"].sudo().next_by_code("vigilance.report") or "/"
            jurisdiction = self.env["recall.jurisdiction"].browse(vals["jurisdiction_id"])
            company = self.env["res.company"].browse(vals["company_id"])
            rule, due = self._vigilance_clock(
                jurisdiction, vals["report_type"], vals["severity"], vals["clock_start"], company
            )
            vals.update(rule_id=rule.id, due_at=due)
        reports = self.sudo().create(vals_list)
        reports._vigilance_log("draft", self.env._("Report opened."))
        return reports

    @workflow
    @api.model
    def _vigilance_open_initial(self, assessment):
        """One initial report per jurisdiction of a reportable ``assessment``."""
        ticket = assessment.ticket_id
        return self._vigilance_create(
            [
                {
                    "company_id": assessment.company_id.id,
                    "assessment_id": assessment.id,
                    "ticket_id": ticket.id,
                    "jurisdiction_id": jurisdiction.id,
                    "report_type": "initial",
                    "severity": assessment.severity,
                    "awareness_date": assessment.awareness_date,
                    "clock_start": assessment.awareness_date,
                    "product_id": assessment.product_id.id,
                    "udi_di_id": assessment.udi_di_id.id,
                    "lot_ids": [(6, 0, assessment.lot_ids.ids)],
                    "narrative": ticket._vigilance_narrative(),
                    "reporter_partner_id": ticket.commercial_partner_id.id,
                    "user_id": self.env.uid,
                }
                for jurisdiction in assessment.jurisdiction_ids
            ]
        )

    @workflow
    @api.model
    def _vigilance_open_trend(self, result):
        """A trend report (MDR Art. 88) per jurisdiction of the rule whose threshold ``result``
        crossed, on its clock from now."""
        rule = result.rule_id
        now = fields.Datetime.now()
        product = result.product_id
        narrative = self.env._(
            "Trend: %(complaints)s complaint(s) about %(device)s from %(start)s to %(end)s for "
            "%(units)s unit(s) delivered, %(rate).3f per 1,000 units, above the threshold "
            "%(threshold)s of rule %(rule)s (%(reference)s).",
            complaints=result.complaint_count,
            device=product.display_name,
            start=fields.Date.to_string(result.date_from.date()),
            end=fields.Date.to_string(result.date_to.date()),
            units=result.units_delivered,
            rate=result.rate,
            threshold=result.threshold,
            rule=rule.name,
            reference=rule.reference or "",
        )
        return self._vigilance_create(
            [
                {
                    "company_id": result.company_id.id,
                    "jurisdiction_id": jurisdiction.id,
                    "report_type": "trend",
                    "severity": "other",
                    "awareness_date": now,
                    "clock_start": now,
                    "product_id": product.id,
                    "udi_di_id": self.env["helpdesk.ticket"]._vigilance_product_di(product).id,
                    "trend_id": result.id,
                    "narrative": narrative,
                    "reporter_partner_id": result.company_id.partner_id.id,
                    # the manager who configured the rule answers for its reports' clocks
                    "user_id": rule.write_uid.id,
                }
                for jurisdiction in rule.jurisdiction_ids
            ]
        )

    def action_create_follow_up(self):
        """A follow-up report of this chain, prefilled from this report, on its own clock."""
        return self._vigilance_open_next("follow_up")

    def action_create_final(self):
        """The final report of this chain, prefilled from this report, on its own clock."""
        return self._vigilance_open_next("final")

    @workflow
    def _vigilance_open_next(self, report_type):
        self.ensure_one()
        self._vigilance_check_manager()
        self._vigilance_check_state(("issued", "filed"), self.env._("followed up"))
        if self.report_type == "final":
            raise UserError(
                self.env._(
                    "%(report)s is the final report of its chain: nothing follows it.",
                    report=self.display_name,
                )
            )
        initial = self.initial_id or self
        chain = initial | initial.follow_up_ids
        if report_type == "final" and chain.filtered(lambda r: r.report_type == "final"):
            raise UserError(
                self.env._(
                    "The chain of %(report)s already has a final report.",
                    report=initial.display_name,
                )
            )
        open_ = chain.filtered(lambda r: r.state in ("draft", "review", "approved"))
        if open_:
            raise UserError(
                self.env._(
                    "%(report)s of this chain is not issued yet: finish it before opening the "
                    "next report.",
                    report=open_[0].display_name,
                )
            )
        report = self._vigilance_create([self._vigilance_next_vals(report_type, initial)])
        return report._vigilance_form_action()

    def _vigilance_next_vals(self, report_type, initial):
        self.ensure_one()
        return {
            "company_id": self.company_id.id,
            "assessment_id": self.assessment_id.id,
            "ticket_id": self.ticket_id.id,
            "jurisdiction_id": self.jurisdiction_id.id,
            "report_type": report_type,
            "initial_id": initial.id,
            "previous_id": self.id,
            "severity": self.severity,
            "awareness_date": self.awareness_date,
            "clock_start": fields.Datetime.now(),
            "product_id": self.product_id.id,
            "udi_di_id": self.udi_di_id.id,
            "event_date": self.event_date,
            "lot_ids": [(6, 0, self.lot_ids.ids)],
            "patient_ids": [(0, 0, patient._vigilance_copy_vals()) for patient in self.patient_ids],
            "narrative": self.narrative,
            "root_cause": self.root_cause,
            "corrective_action": self.corrective_action,
            "reporter_partner_id": self.reporter_partner_id.id,
            "user_id": self.env.uid,
        }

    def _vigilance_form_action(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "current",
        }

    # ------------------------------------------------------------------ transitions

    @workflow
    def action_submit_review(self):
        """Draft -> in review."""
        self._vigilance_check_manager()
        self._vigilance_check_state(("draft",), self.env._("submitted for review"))
        self.sudo().write({"state": "review"})
        self._vigilance_log("review", self.env._("Submitted for review."))
        return True

    @workflow
    def action_back_to_draft(self):
        """In review -> draft (the reviewer sends it back)."""
        self._vigilance_check_manager()
        self._vigilance_check_state(("review",), self.env._("sent back to draft"))
        self.sudo().write({"state": "draft"})
        self._vigilance_log("draft", self.env._("Sent back to draft."))
        return True

    def action_approve(self):
        """Opens the signing dialog of the approval (in review -> approved)."""
        self.ensure_one()
        self._vigilance_check_manager()
        self._vigilance_check_state(("review",), self.env._("approved"))
        return self.env["vigilance.report.sign.wizard"]._recall_open_dialog({"report_id": self.id})

    @workflow
    def _vigilance_approve(self, password):
        self.ensure_one()
        self._vigilance_check_manager()
        self._vigilance_check_state(("review",), self.env._("approved"))
        self._vigilance_check_complete()
        signature = self.env["recall.signature"]._recall_sign(
            self.sudo(), "vigilance_approve", password
        )
        self.sudo().write(
            {
                "state": "approved",
                "signature_id": signature.id,
                "approved_by_id": self.env.uid,
                "approved_at": fields.Datetime.now(),
            }
        )
        self._vigilance_log("approved", self.env._("Approved."), signature=signature)
        return signature

    @workflow
    def action_issue(self):
        """Approved -> issued: the documents are generated and the content sealed."""
        self._vigilance_check_manager()
        self._vigilance_check_state(("approved",), self.env._("issued"))
        for report in self:
            report._vigilance_check_complete()
            report.sudo().write(
                {
                    "state": "issued",
                    "issued_at": fields.Datetime.now(),
                    "issued_by_id": self.env.uid,
                }
            )
            documents = report._vigilance_issue_documents()
            report._vigilance_log("issued", self.env._("Issued."), documents=documents)
        return True

    def _vigilance_issue_documents(self):
        """The regulator documents of this report, generated and attached when it is issued
        (hook: the documents addon overrides it). Their digests are sealed with the issue."""
        self.ensure_one()
        return self.env["ir.attachment"]

    def action_file(self):
        """Opens the dialog recording the filing (date, the regulator's reference)."""
        self.ensure_one()
        self._vigilance_check_manager()
        self._vigilance_check_state(("issued",), self.env._("filed"))
        wizard = self.env["vigilance.report.file.wizard"].create({"report_id": self.id})
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("File with the Regulator"),
            "res_model": wizard._name,
            "res_id": wizard.id,
            "view_mode": "form",
            "target": "new",
        }

    @workflow
    def _vigilance_file(self, filed_at, reference):
        self.ensure_one()
        self._vigilance_check_manager()
        self._vigilance_check_state(("issued",), self.env._("filed"))
        reference = (reference or "").strip()
        if not reference:
            raise UserError(
                self.env._(
                    "%(report)s: give the reference the regulator gave the report.",
                    report=self.display_name,
                )
            )
        if not filed_at or filed_at > fields.Datetime.now() or filed_at < self.issued_at:
            raise UserError(
                self.env._(
                    "%(report)s: the filing date must be between its issue (%(issued)s) and now.",
                    report=self.display_name,
                    issued=self.issued_at,
                )
            )
        self.sudo().write(
            {"state": "filed", "filed_at": filed_at, "regulator_reference": reference}
        )
        self._vigilance_log(
            "filed", self.env._("Filed, regulator reference %(ref)s.", ref=reference)
        )
        self.activity_unlink(["mail.mail_activity_data_todo"])
        return True

    # ------------------------------------------------------------------ completeness

    def _vigilance_missing_fields(self):
        """Labels of the fields the regulator needs that this report leaves empty."""
        self.ensure_one()
        required = ["product_id", "udi_di_id", "narrative", "reporter_partner_id"]
        if self.report_type != "trend":
            required += ["event_date", "lot_ids"]
        if self.report_type == "final":
            required += ["root_cause", "corrective_action"]
        missing = [
            self._fields[name]._description_string(self.env) for name in required if not self[name]
        ]
        if self.severity in ("death", "serious_deterioration", "serious_injury"):
            if not self.patient_ids:
                missing.append(self.env._("Patients (at least the affected patient)"))
        return missing

    def _vigilance_check_complete(self):
        missing = self._vigilance_missing_fields()
        if missing:
            raise UserError(
                self.env._(
                    "%(report)s cannot be approved or issued: fill in %(fields)s.",
                    report=self.display_name,
                    fields=", ".join(missing),
                )
            )

    # ------------------------------------------------------------------ log

    def _vigilance_log(self, state, note, signature=None, documents=None):
        """A sealed entry per report: the step, who, when, the content digest and, when issued,
        the SHA-256 of each document."""
        digests = "\n".join(
            f"{hashlib.sha256(att.raw or b'').hexdigest()}  {att.name}"
            for att in (documents or self.env["ir.attachment"]).sudo()
        )
        self.env["vigilance.report.log"].sudo().create(
            [
                {
                    "report_id": report.id,
                    "state": state,
                    "note": note,
                    "user_id": self.env.uid,
                    "signature_id": signature.id if signature else False,
                    "content_digest": report._vigilance_content_digest(),
                    "document_digests": digests or False,
                }
                for report in self
            ]
        )

    # ------------------------------------------------------------------ clocks

    @api.model
    def _cron_vigilance_deadlines(self):
        """Alert before a report is due, escalate when it is late (called by the recall
        deadline cron)."""
        reports = self.sudo().search(
            [
                ("state", "!=", "filed"),
                ("due_at", "!=", False),
                "|",
                ("alerted_at", "=", False),
                ("escalated_at", "=", False),
            ]
        )
        reports._vigilance_alert()

    @workflow
    def _vigilance_alert(self):
        now = fields.Datetime.now()
        self.invalidate_recordset(["deadline_state"])  # time-dependent
        for report in self:
            if report.deadline_state == "due_soon" and not report.alerted_at:
                report.alerted_at = now
                report.activity_schedule(
                    "mail.mail_activity_data_todo",
                    date_deadline=zoned_time.to_local(
                        report.due_at, report.jurisdiction_id.tz or "UTC"
                    ).date(),
                    user_id=report.user_id.id or self.env.uid,
                    summary=self.env._("Due soon: %(report)s", report=report.display_name),
                    note=self.env._(
                        "File %(report)s with the regulator by %(due)s (%(ref)s).",
                        report=report.display_name,
                        due=report.due_local,
                        ref=report.reference or "",
                    ),
                )
            elif report.deadline_state == "late" and not report.escalated_at:
                report.write({"escalated_at": now, "alerted_at": report.alerted_at or now})
                report._vigilance_escalate()

    def _vigilance_escalate(self):
        """Tell the followers and the Traceability Managers of the company that the report is
        late."""
        self.ensure_one()
        managers = (
            self.env.ref(MANAGER)
            .sudo()
            .user_ids.filtered(lambda u, c=self.company_id: c in u.company_ids and not u.share)
        )
        self.message_post(
            body=self.env._(
                "Deadline missed: %(report)s was due %(due)s (%(ref)s).",
                report=self.display_name,
                due=self.due_local,
                ref=self.reference or "",
            ),
            partner_ids=(self.message_partner_ids | managers.partner_id).ids,
            subtype_xmlid="mail.mt_comment",
        )
