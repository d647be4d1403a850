from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.audit_seal.tools.workflow import workflow

from .recall_jurisdiction import SEVERITIES

#: what an assessment decides, sealed and bound by its signature
ASSESSMENT_FIELDS = (
    "ticket_id",
    "company_id",
    "product_id",
    "lot_ids",
    "udi_di_id",
    "reportable",
    "severity",
    "reason",
    "awareness_date",
    "jurisdiction_ids",
    "assessed_by_id",
    "assessed_at",
)


class VigilanceAssessment(models.Model):
    """The signed decision whether a complaint is a reportable adverse event (EU MDR Art. 87,
    21 CFR 803, NMPA Order No. 1): device, severity, reason, the date the company became aware
    and the jurisdictions to report to. Sealed; written only by the signing dialog."""

    _name = "vigilance.assessment"
    _description = "Vigilance Assessment"
    _inherit = ["audit.seal.mixin", "audit.seal.workflow.mixin"]
    _order = "assessed_at desc, id desc"
    _check_company_auto = True
    _seal_fields = ASSESSMENT_FIELDS
    _workflow_fields = "__all__"

    ticket_id = fields.Many2one(
        "helpdesk.ticket",
        string="Complaint",
        required=True,
        readonly=True,
        index=True,
        ondelete="restrict",
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    product_id = fields.Many2one("product.product", string="Device", readonly=True)
    lot_ids = fields.Many2many("stock.lot", string="Lots/Serials", readonly=True)
    udi_di_id = fields.Many2one("udi.di", string="UDI-DI", readonly=True)
    reportable = fields.Boolean(readonly=True)
    severity = fields.Selection(SEVERITIES, readonly=True)
    reason = fields.Text(
        required=True,
        readonly=True,
        help="Why the event is, or is not, reportable: the criteria applied.",
    )
    awareness_date = fields.Datetime(
        required=True,
        readonly=True,
        help="When the company became aware of the event: the regulators' clocks start here.",
    )
    jurisdiction_ids = fields.Many2many(
        "recall.jurisdiction", string="Jurisdictions", readonly=True
    )
    assessed_by_id = fields.Many2one("res.users", readonly=True)
    assessed_at = fields.Datetime(string="Assessed On", readonly=True)
    signature_id = fields.Many2one(
        "recall.signature",
        compute="_compute_signature_id",
        help="The electronic signature of the assessment (sealed, bound to its content).",
    )
    report_ids = fields.One2many("vigilance.report", "assessment_id", string="Reports")
    report_count = fields.Integer(compute="_compute_report_count")

    @api.depends("ticket_id", "reportable")
    def _compute_display_name(self):
        for assessment in self:
            verdict = (
                self.env._("reportable") if assessment.reportable else self.env._("not reportable")
            )
            assessment.display_name = f"{assessment.ticket_id.number or ''}: {verdict}"

    def _compute_signature_id(self):
        signatures = (
            self.env["recall.signature"]
            .sudo()
            .search(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "in", self.ids),
                    ("meaning", "=", "vigilance_assess"),
                ]
            )
        )
        by_id = {signature.res_id: signature for signature in signatures}
        for assessment in self:
            signature = by_id.get(assessment.id, self.env["recall.signature"])
            assessment.signature_id = signature.with_env(self.env)

    def _compute_report_count(self):
        for assessment in self:
            assessment.report_count = len(assessment.report_ids)

    def _recall_signed_content(self):
        """What the assessment signature binds (recall.signature digest)."""
        self.ensure_one()
        return {
            "ticket": self.ticket_id.number or self.ticket_id.id,
            "company": self.company_id.id,
            "device": self.product_id.id,
            "lots": sorted(self.lot_ids.ids),
            "udi_di": self.udi_di_id.di or "",
            "reportable": bool(self.reportable),
            "severity": self.severity or "",
            "reason": self.reason or "",
            "awareness_date": fields.Datetime.to_string(self.awareness_date),
            "jurisdictions": sorted(self.jurisdiction_ids.mapped("code")),
        }

    def action_view_reports(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Vigilance Reports"),
            "res_model": "vigilance.report",
            "view_mode": "list,form",
            "domain": [("assessment_id", "=", self.id)],
            "context": {"create": False},
        }

    # ------------------------------------------------------------------ workflow

    @api.model
    def _vigilance_check_values(self, ticket, values):
        """Refuse an assessment that decides nothing clearly (UserError naming what is missing)."""
        if not (values.get("reason") or "").strip():
            raise UserError(
                self.env._(
                    "%(ticket)s: give the reason of the assessment (why the event is or is not "
                    "reportable).",
                    ticket=ticket.display_name,
                )
            )
        if not values.get("awareness_date"):
            raise UserError(
                self.env._(
                    "%(ticket)s: give the date the company became aware of the event.",
                    ticket=ticket.display_name,
                )
            )
        if values["awareness_date"] > fields.Datetime.now():
            raise UserError(
                self.env._(
                    "%(ticket)s: the awareness date %(date)s is in the future.",
                    ticket=ticket.display_name,
                    date=values["awareness_date"],
                )
            )
        if values.get("reportable"):
            missing = []
            if not values.get("severity"):
                missing.append(self.env._("severity"))
            if not values.get("jurisdiction_ids"):
                missing.append(self.env._("jurisdictions"))
            if not ticket.trace_product_id:
                missing.append(self.env._("device (scan the UDI on the complaint)"))
            if missing:
                raise UserError(
                    self.env._(
                        "%(ticket)s: a reportable event needs %(missing)s.",
                        ticket=ticket.display_name,
                        missing=", ".join(missing),
                    )
                )

    @workflow
    @api.model
    def _vigilance_assess(self, ticket, values, password):
        """Record the signed assessment of ``ticket`` (values: reportable, severity, reason,
        awareness_date, jurisdiction_ids as a recordset) and, when reportable, one initial
        report per jurisdiction on its clock. Returns the assessment."""
        self._vigilance_check_values(ticket, values)
        product = ticket.trace_product_id
        # the signature is the last step of the record: a refused signature leaves nothing
        with self.env.cr.savepoint():
            assessment = self.sudo().create(
                {
                    "ticket_id": ticket.id,
                    "company_id": ticket.company_id.id or self.env.company.id,
                    "product_id": product.id,
                    "lot_ids": [(6, 0, ticket.trace_lot_id.ids)],
                    "udi_di_id": ticket._vigilance_udi_di().id,
                    "reportable": bool(values.get("reportable")),
                    "severity": values.get("severity") or False,
                    "reason": values["reason"].strip(),
                    "awareness_date": values["awareness_date"],
                    "jurisdiction_ids": [(6, 0, values.get("jurisdiction_ids", []).ids)],
                    "assessed_by_id": self.env.uid,
                    "assessed_at": fields.Datetime.now(),
                }
            )
            self.env["recall.signature"]._recall_sign(assessment, "vigilance_assess", password)
        if assessment.reportable:
            self.env["vigilance.report"]._vigilance_open_initial(assessment)
        ticket.sudo().message_post(
            body=self.env._(
                "Vigilance assessment signed by %(user)s: %(verdict)s. %(reason)s",
                user=self.env.user.name,
                verdict=assessment.display_name,
                reason=assessment.reason,
            ),
            subtype_xmlid="mail.mt_note",
        )
        return assessment.with_env(self.env)
