import math
import random
import time
from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.audit_seal.tools.workflow import in_workflow, workflow, workflow_writes

from .recall_jurisdiction import MILESTONES, RECALL_CLASSES

STATES = [
    ("draft", "Draft"),
    ("analysed", "Impact Analysed"),
    ("approved", "Approved"),
    ("notified", "Notified"),
    ("in_progress", "In Progress"),
    ("effectiveness", "Effectiveness Check"),
    ("closed", "Closed"),
    ("terminated", "Terminated Early"),
]
#: FDA audit-check levels (21 CFR 7.42(b)(3)): share of consignees to verify
EFFECTIVENESS_LEVELS = [
    ("A", "Level A: 100% of consignees"),
    ("B", "Level B: more than 10%, less than 100%"),
    ("C", "Level C: 10% of consignees"),
    ("D", "Level D: 2% of consignees"),
    ("E", "Level E: no effectiveness checks"),
]
EFFECTIVENESS_SHARE = {"A": 1.0, "B": 0.5, "C": 0.10, "D": 0.02, "E": 0.0}
#: which state a transition starts from
TRANSITIONS = {
    "analysed": ("draft", "analysed"),
    "approved": ("analysed",),
    "notified": ("approved",),
    "in_progress": ("notified",),
    "effectiveness": ("notified", "in_progress"),
    "closed": ("effectiveness",),
    "terminated": ("draft", "analysed", "approved", "notified", "in_progress", "effectiveness"),
}


class RecallCampaign(models.Model):
    """A recall, correction, field safety notice or advisory, from decision to closure."""

    _name = "recall.campaign"
    _description = "Recall Campaign"
    _inherit = ["mail.thread", "mail.activity.mixin", "audit.seal.workflow.mixin"]
    _order = "id desc"
    _check_company_auto = True
    _workflow_fields = (
        "name",
        "state",
        "decision_date",
        "analysed_at",
        "analysis_seconds",
        "first_notified_at",
        "last_notified_at",
        "closed_at",
        "termination_reason",
        "approval_signature_id",
        "scope_lot_ids",
        "scope_widened_lot_ids",
        "scope_widened_count",
    )

    name = fields.Char(
        string="Reference", required=True, readonly=True, copy=False, default="/", index=True
    )
    title = fields.Char(string="Subject", required=True, tracking=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        default=lambda self: self.env.user,
        tracking=True,
        help="Quality manager in charge: receives deadline reminders and escalations.",
    )
    jurisdiction_ids = fields.Many2many(
        "recall.jurisdiction",
        string="Jurisdictions",
        required=True,
        default=lambda self: self.env["recall.jurisdiction"].search([], limit=1),
    )
    recall_class = fields.Selection(
        RECALL_CLASSES,
        string="Class",
        required=True,
        default="2",
        tracking=True,
        help="Class I: use may cause serious injury or death; class II: temporary or "
        "reversible hazard; class III: hazard unlikely.",
    )
    kind = fields.Selection(
        [
            ("recall", "Recall (removal)"),
            ("correction", "Correction in the field"),
            ("fsn", "Field safety notice"),
            ("advisory", "Advisory"),
        ],
        required=True,
        default="recall",
        tracking=True,
    )
    source = fields.Selection(
        [
            ("complaint", "Complaint"),
            ("nonconformity", "Nonconformity"),
            ("supplier", "Supplier notice"),
            ("regulator", "Regulator request"),
            ("manual", "Manual"),
        ],
        required=True,
        default="manual",
    )
    ticket_id = fields.Many2one("helpdesk.ticket", string="Complaint Ticket", tracking=True)
    reason = fields.Text(string="Reason for Recall", tracking=True)
    risk_assessment = fields.Html(string="Health Hazard Evaluation")
    # -- scope
    product_ids = fields.Many2many(
        "product.product",
        string="Products",
        help="Devices in scope (all their lots, "
        "narrowed by the date ranges below, unless lots are listed).",
    )
    lot_ids = fields.Many2many(
        "stock.lot",
        "recall_campaign_scope_lot_rel",
        "campaign_id",
        "lot_id",
        string="Lots/Serials",
    )
    component_lot_ids = fields.Many2many(
        "stock.lot",
        "recall_campaign_component_lot_rel",
        "campaign_id",
        "lot_id",
        string="Component Lots",
        help="Component lots: the recall reaches every finished device that contains them.",
    )
    manufacture_date_from = fields.Date(string="Manufactured From")
    manufacture_date_to = fields.Date(string="Manufactured Until")
    expiry_date_from = fields.Date(string="Expiring From")
    expiry_date_to = fields.Date(string="Expiring Until")
    scope_lot_ids = fields.Many2many(
        "stock.lot",
        "recall_campaign_resolved_lot_rel",
        "campaign_id",
        "lot_id",
        string="Lots in Scope",
        readonly=True,
        copy=False,
        help="The lots and serials the scope resolved to at the last impact analysis.",
    )
    scope_widened_lot_ids = fields.Many2many(
        "stock.lot",
        "recall_campaign_widened_lot_rel",
        "campaign_id",
        "lot_id",
        string="Units in Scope by Order Genealogy",
        readonly=True,
        copy=False,
        help="Units reached only through a manufacturing order's genealogy at the last impact "
        "analysis: the order consumed several lots of the component and did not record which "
        "went into which unit, so every unit it made is in scope. Recording per-unit "
        "genealogy on the order narrows the scope to the units that really contain it.",
    )
    scope_widened_count = fields.Integer(
        string="Units without Per-Unit Data",
        readonly=True,
        copy=False,
        help="How many lots/serials in scope were reached only through an order's genealogy "
        "(per-unit data missing): the scope may be wider than the units truly affected.",
    )
    scope_warning = fields.Char(compute="_compute_scope_warning")
    # -- what consignees must do
    action_stop_use = fields.Boolean(string="Stop use", default=True)
    action_stop_distribution = fields.Boolean(string="Stop distribution", default=True)
    action_quarantine = fields.Boolean(string="Quarantine units", default=True)
    action_return = fields.Boolean(string="Return to us")
    action_destroy = fields.Boolean(string="Destroy")
    action_forward = fields.Boolean(string="Forward to own customers", default=True)
    instructions = fields.Text(string="Instructions to Consignees", translate=True)
    response_days = fields.Integer(
        string="Response Within (days)",
        default=3,
        help="Consignees must acknowledge within this many days of the notice.",
    )
    reminder_days = fields.Integer(string="Remind After (days)", default=1)
    escalation_days = fields.Integer(string="Escalate After (days)", default=3)
    quarantine_location_id = fields.Many2one(
        "stock.location",
        domain="[('usage', '=', 'internal')]",
        check_company=True,
        help="If set, approving the recall prepares transfers of our own affected stock to "
        "this location (lots are blocked in any case).",
    )
    # -- drills
    is_drill = fields.Boolean(
        string="Mock Recall (Drill)",
        tracking=True,
        help="Runs the same flow to measure it, without blocking stock or mailing partners "
        "unless asked below.",
    )
    drill_quarantine = fields.Boolean(string="Drill: really block stock")
    drill_send_mail = fields.Boolean(string="Drill: really mail consignees")
    # -- life cycle
    state = fields.Selection(
        STATES, required=True, default="draft", readonly=True, tracking=True, copy=False
    )
    decision_date = fields.Datetime(
        string="Decision",
        readonly=True,
        copy=False,
        help="When the recall was approved: the regulatory clocks start here.",
    )
    analysed_at = fields.Datetime(readonly=True, copy=False)
    analysis_seconds = fields.Float(string="Analysis Duration (s)", readonly=True, copy=False)
    first_notified_at = fields.Datetime(readonly=True, copy=False)
    last_notified_at = fields.Datetime(readonly=True, copy=False)
    closed_at = fields.Datetime(readonly=True, copy=False)
    termination_reason = fields.Text(readonly=True, copy=False)
    approval_signature_id = fields.Many2one("recall.signature", readonly=True, copy=False)
    approved_by_id = fields.Many2one(related="approval_signature_id.user_id", string="Approved By")
    effectiveness_level = fields.Selection(
        EFFECTIVENESS_LEVELS, string="Effectiveness Check Level", default="A", tracking=True
    )
    # -- children
    line_ids = fields.One2many("recall.campaign.line", "campaign_id", string="Impact")
    notice_ids = fields.One2many("recall.notice", "campaign_id", string="Notices")
    deadline_ids = fields.One2many("recall.campaign.deadline", "campaign_id", string="Deadlines")
    log_ids = fields.One2many("recall.campaign.log", "campaign_id", string="Sealed Log")
    quarantine_ids = fields.One2many("recall.quarantine", "campaign_id", string="Quarantined Lots")
    # -- dashboard
    consignee_count = fields.Integer(compute="_compute_dashboard", store=True)
    notified_count = fields.Integer(
        compute="_compute_dashboard",
        store=True,
        help="Consignees reached: their notice was delivered (the mail server accepted it) or "
        "they answered.",
    )
    undelivered_count = fields.Integer(
        string="Not Delivered",
        compute="_compute_dashboard",
        store=True,
        help="Notices whose mail failed, or whose consignee has no e-mail address: they block "
        "the notification milestone until resolved.",
    )
    acknowledged_count = fields.Integer(compute="_compute_dashboard", store=True)
    completed_count = fields.Integer(compute="_compute_dashboard", store=True)
    overdue_count = fields.Integer(compute="_compute_overdue")
    units_shipped = fields.Float(compute="_compute_units", store=True)
    units_in_own_stock = fields.Float(compute="_compute_units", store=True)
    units_located = fields.Float(compute="_compute_units", store=True)
    units_recovered = fields.Float(compute="_compute_units", store=True)
    recovery_rate = fields.Float(
        compute="_compute_units",
        store=True,
        aggregator="avg",
        help="Units returned or destroyed (reported or received back) over units shipped.",
    )
    located_rate = fields.Float(
        compute="_compute_units",
        store=True,
        aggregator="avg",
        help="Units whose fate consignees reported (on hand, used, returned, destroyed) over "
        "units shipped.",
    )
    acknowledgement_rate = fields.Float(
        compute="_compute_dashboard",
        store=True,
        aggregator="avg",
        help="Share of consignees that acknowledged the notice.",
    )
    hours_to_notify = fields.Float(
        string="Hours to Notify All",
        compute="_compute_hours_to_notify",
        store=True,
        aggregator="avg",
        help="From the decision to the last notice sent.",
    )
    line_count = fields.Integer(compute="_compute_line_count")

    #: what an approval or closure signature binds (21 CFR 11.70): locked once approved
    _recall_signed_fields = (
        "kind",
        "recall_class",
        "reason",
        "is_drill",
        "jurisdiction_ids",
        "product_ids",
        "lot_ids",
        "component_lot_ids",
        "manufacture_date_from",
        "manufacture_date_to",
        "expiry_date_from",
        "expiry_date_to",
        "action_stop_use",
        "action_stop_distribution",
        "action_quarantine",
        "action_return",
        "action_destroy",
        "action_forward",
        "instructions",
    )

    @api.model_create_multi
    def create(self, vals_list):
        self._workflow_check_values(vals_list, creating=True)
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                code = "recall.campaign.drill" if vals.get("is_drill") else "recall.campaign"
                vals["name"] = self.env["ir.sequence"].next_by_code(code) or "/"
        with workflow_writes():  # the reference from the sequence, checked values otherwise
            return super().create(vals_list)

    def write(self, vals):
        signed = set(self._recall_signed_fields).intersection(vals)
        if signed and not in_workflow():
            decided = self.filtered(lambda c: c.state not in ("draft", "analysed"))
            if decided:
                raise UserError(
                    self.env._(
                        "%(campaign)s is approved: its signed content (%(fields)s) cannot "
                        "change. Terminate it and open a new recall with the new scope.",
                        campaign=decided[0].display_name,
                        fields=", ".join(
                            sorted(self._fields[f]._description_string(self.env) for f in signed)
                        ),
                    )
                )
        return super().write(vals)

    def _recall_signed_content(self):
        """The decisive content an approval or closure signature binds, as plain values."""
        self.ensure_one()
        content = {"model": self._name, "id": self.id, "name": self.name}
        for name in self._recall_signed_fields:
            field = self._fields[name]
            value = self[name]
            if field.type in ("many2many", "one2many"):
                value = sorted(value.ids)
            content[name] = value if value is not False or field.type == "boolean" else None
        return content

    # ------------------------------------------------------------------ computes

    @api.depends("notice_ids.state", "notice_ids.delivery_state")
    def _compute_dashboard(self):
        for campaign in self:
            notices = campaign.notice_ids.filtered(lambda notice: notice.state != "cancel")
            campaign.consignee_count = len(notices)
            campaign.notified_count = len(notices.filtered("is_notified"))
            campaign.undelivered_count = len(
                notices.filtered(
                    lambda n: n.state == "sent" and n.delivery_state in ("failed", "no_channel")
                )
            )
            campaign.acknowledged_count = len(
                notices.filtered(lambda n: n.state in ("acknowledged", "completed"))
            )
            campaign.completed_count = len(notices.filtered(lambda n: n.state == "completed"))
            campaign.acknowledgement_rate = (
                campaign.acknowledged_count / len(notices) if notices else 0.0
            )

    def _compute_overdue(self):
        now = fields.Datetime.now()
        for campaign in self:
            if campaign.state in ("closed", "terminated"):
                campaign.overdue_count = 0
                continue
            late_notices = campaign.notice_ids.filtered("is_overdue")
            late_deadlines = campaign.deadline_ids.filtered(
                lambda d: not d.done_at and d.due_at and d.due_at < now
            )
            campaign.overdue_count = len(late_notices) + len(late_deadlines)

    @api.depends(
        "line_ids.received_quantity",
        "line_ids.quantity",
        "line_ids.holder_type",
        "line_ids.reported_located",
        "line_ids.recovered_quantity",
    )
    def _compute_units(self):
        for campaign in self:
            partner_lines = campaign.line_ids.filtered(lambda line: line.holder_type == "partner")
            own_lines = campaign.line_ids - partner_lines
            shipped = sum(partner_lines.mapped("received_quantity"))
            located = sum(partner_lines.mapped("reported_located"))
            recovered = sum(partner_lines.mapped("recovered_quantity"))
            campaign.units_shipped = shipped
            campaign.units_in_own_stock = sum(own_lines.mapped("quantity"))
            campaign.units_located = located
            campaign.units_recovered = recovered
            campaign.located_rate = min(located / shipped, 1.0) if shipped else 0.0
            campaign.recovery_rate = min(recovered / shipped, 1.0) if shipped else 0.0

    @api.depends("decision_date", "last_notified_at", "notified_count", "consignee_count")
    def _compute_hours_to_notify(self):
        for campaign in self:
            done = campaign.consignee_count and campaign.notified_count == campaign.consignee_count
            if campaign.decision_date and campaign.last_notified_at and done:
                delta = campaign.last_notified_at - campaign.decision_date
                campaign.hours_to_notify = max(delta.total_seconds(), 0) / 3600
            else:
                campaign.hours_to_notify = 0.0

    @api.depends("scope_widened_count")
    def _compute_scope_warning(self):
        Event = self.env["trace.event"]
        for campaign in self:
            campaign.scope_warning = Event._trace_genealogy_summary(
                campaign.scope_widened_lot_ids.ids
            )["message"]

    def _compute_line_count(self):
        counts = dict(
            self.env["recall.campaign.line"]._read_group(
                [("campaign_id", "in", self.ids)], ["campaign_id"], ["__count"]
            )
        )
        for campaign in self:
            campaign.line_count = counts.get(campaign, 0)

    @api.constrains(
        "manufacture_date_from", "manufacture_date_to", "expiry_date_from", "expiry_date_to"
    )
    def _check_date_ranges(self):
        for campaign in self:
            for start, end in (
                (campaign.manufacture_date_from, campaign.manufacture_date_to),
                (campaign.expiry_date_from, campaign.expiry_date_to),
            ):
                if start and end and start > end:
                    raise ValidationError(
                        self.env._(
                            "%(campaign)s: a date range of the scope ends before it starts.",
                            campaign=campaign.display_name,
                        )
                    )

    @api.depends("name", "title")
    def _compute_display_name(self):
        for campaign in self:
            campaign.display_name = (
                f"{campaign.name} {campaign.title}" if campaign.title else campaign.name
            )

    # ------------------------------------------------------------------ life cycle

    def _recall_check_manager(self):
        if not (self.env.su or self.env.user.has_group("udi_master.group_trace_manager")):
            raise UserError(
                self.env._("Only a Traceability Manager can change the state of a recall.")
            )

    @workflow
    def _recall_transition(self, target, note=None, signature=None, details=None):
        """Move to ``target`` and seal the transition in the campaign's log."""
        for campaign in self:
            if campaign.state not in TRANSITIONS[target]:
                states = dict(self._fields["state"]._description_selection(self.env))
                raise UserError(
                    self.env._(
                        "%(campaign)s is %(state)s: it cannot become %(target)s.",
                        campaign=campaign.display_name,
                        state=states[campaign.state],
                        target=states[target],
                    )
                )
        logs = []
        for campaign in self:
            logs.append(
                {
                    "campaign_id": campaign.id,
                    "from_state": campaign.state,
                    "to_state": target,
                    "note": note or False,
                    "details": details or False,
                    "signature_id": signature.id if signature else False,
                }
            )
        self.write({"state": target})
        self.env["recall.campaign.log"].sudo().create(logs)

    def _recall_log(self, note, details=None):
        """Seal a fact about the campaign that is not a state change (re-analysis, reminder)."""
        self.env["recall.campaign.log"].sudo().create(
            [
                {
                    "campaign_id": campaign.id,
                    "from_state": campaign.state,
                    "to_state": campaign.state,
                    "note": note,
                    "details": details or False,
                }
                for campaign in self
            ]
        )

    @workflow
    def action_analyze_impact(self):
        """Trace the scope forward and store who holds what (re-runnable until closure)."""
        self._recall_check_manager()
        for campaign in self:
            if campaign.state in ("closed", "terminated"):
                raise UserError(
                    self.env._("%(campaign)s is closed.", campaign=campaign.display_name)
                )
            started = time.perf_counter()
            changes = campaign._recall_analyze()
            campaign.analysis_seconds = time.perf_counter() - started
            campaign.analysed_at = fields.Datetime.now()
            summary = campaign._recall_change_summary(changes)
            if campaign.state == "draft":
                campaign._recall_transition("analysed", note=summary, details=changes)
            else:
                campaign._recall_log(summary, details=changes)
                campaign.message_post(body=summary)
                if campaign.state not in ("draft", "analysed"):
                    # decided already: new holdings are quarantined and notified at once
                    campaign._recall_quarantine()
                    campaign._recall_prepare_notices()
        return True

    def action_approve(self):
        """Open the electronic signature of the approval (password re-entry)."""
        self._recall_check_manager()
        self.ensure_one()
        if self.state != "analysed":
            raise UserError(self.env._("Analyse the impact before approving the recall."))
        if not self.reason:
            raise UserError(self.env._("Give the reason for the recall before approving it."))
        return self.env["recall.sign.wizard"]._recall_open(self, "approve")

    @workflow
    def _recall_approve(self, signature):
        """Decision taken: clocks start, own stock is quarantined, notices are prepared."""
        self.ensure_one()
        self.write({"decision_date": signature.signed_at, "approval_signature_id": signature.id})
        self._recall_transition("approved", note=signature.meaning_text, signature=signature)
        self._recall_create_deadlines()
        self._recall_quarantine()
        self._recall_prepare_notices()
        return True

    #: notices mailed within the button's request; more go to the sending job (the notice PDF
    #: takes wkhtmltopdf 1 to 2 s each: 500 notices would outlast a worker's time limit)
    _recall_send_now_limit = 20

    @workflow
    def action_notify(self):
        """Send every prepared notice (mail, and the portal once published)."""
        self._recall_check_manager()
        for campaign in self:
            if campaign.state not in ("approved", "notified", "in_progress", "effectiveness"):
                raise UserError(self.env._("Approve the recall before notifying consignees."))
            notices = campaign.notice_ids.filtered(
                lambda notice: notice.state == "draft" and not notice.send_queued
            )
            if len(notices) > self._recall_send_now_limit:
                notices.write({"send_queued": True})
                self.env.ref("recall_mgmt.ir_cron_recall_send_notices")._trigger()
                campaign._recall_log(
                    self.env._(
                        "%(count)s notice(s) queued for sending by the background job.",
                        count=len(notices),
                    )
                )
                continue
            campaign._recall_notices_sent(notices)
        return True

    def _recall_notices_sent(self, notices):
        self.ensure_one()
        notices._recall_send()
        if self.state == "approved":
            self._recall_transition(
                "notified",
                note=self.env._("%(count)s notice(s) sent.", count=len(notices)),
            )
        self._recall_notices_delivered()

    @workflow
    def _recall_notices_delivered(self):
        """Notices reached their consignees: the notification times and milestone follow."""
        for campaign in self:
            times = campaign.notice_ids.filtered("is_notified").mapped(
                lambda n: n.delivered_at or n.acknowledged_at or n.sent_at
            )
            if times:
                campaign.write({"first_notified_at": min(times), "last_notified_at": max(times)})
            campaign._recall_mark_milestone("notification")

    @workflow
    def _recall_notices_bounced(self, notices):
        """Notices counted as delivered came back: they are exceptions again, and a notification
        milestone met on their account is open again (the consignees were not reached)."""
        self.ensure_one()
        self._recall_log(
            self.env._(
                "Returned undelivered after the mail server had accepted them: %(notices)s. "
                "Not notified until sent again or answered.",
                notices=", ".join(notices.mapped("name")),
            )
        )
        if self.notified_count < self.consignee_count:
            met = self.deadline_ids.filtered(lambda d: d.milestone == "notification" and d.done_at)
            if met:
                met.write({"done_at": False})
                self._recall_log(
                    self.env._("Notification milestone open again: not every consignee reached.")
                )

    @workflow
    @api.model
    def _recall_send_queued(self, limit):
        """Mail up to ``limit`` queued notices; returns how many were sent."""
        notices = self.env["recall.notice"].search(
            [("send_queued", "=", True), ("state", "=", "draft")], limit=limit, order="id"
        )
        for campaign in notices.campaign_id:
            campaign._recall_notices_sent(
                notices.filtered(lambda n, c=campaign: n.campaign_id == c)
            )
        notices.send_queued = False
        return len(notices)

    @api.model
    def _cron_recall_send_notices(self, batch_size=20):
        """Mail queued notices in batches, committing after each batch."""
        Cron = self.env["ir.cron"]
        while sent := self._recall_send_queued(batch_size):
            remaining = self.env["recall.notice"].search_count(
                [("send_queued", "=", True), ("state", "=", "draft")]
            )
            if Cron._commit_progress(sent, remaining=remaining) <= 0 or not remaining:
                break

    @workflow
    def action_start_follow_up(self):
        self._recall_check_manager()
        self._recall_transition("in_progress")
        return True

    @workflow
    def action_start_effectiveness(self):
        """Pick the consignees to verify, per the effectiveness level."""
        self._recall_check_manager()
        for campaign in self:
            campaign._recall_select_effectiveness_checks()
        self._recall_transition("effectiveness")
        return True

    def action_close(self):
        self._recall_check_manager()
        self.ensure_one()
        unverified = self.notice_ids.filtered(
            lambda n: n.effectiveness_selected and not n.effectiveness_verified_at
        )
        if unverified:
            raise UserError(
                self.env._(
                    "%(count)s consignee(s) selected for the effectiveness check are not "
                    "verified yet: %(names)s.",
                    count=len(unverified),
                    names=", ".join(unverified[:5].mapped("partner_id.display_name")),
                )
            )
        return self.env["recall.sign.wizard"]._recall_open(self, "close")

    @workflow
    def _recall_close(self, signature):
        self.ensure_one()
        self.closed_at = signature.signed_at
        self._recall_transition("closed", note=signature.meaning_text, signature=signature)
        self._recall_mark_milestone("closure")
        return True

    def action_terminate(self):
        self._recall_check_manager()
        self.ensure_one()
        return self.env["recall.reason.wizard"]._recall_open(self, "terminate")

    @workflow
    def _recall_terminate(self, reason):
        self.ensure_one()
        self.write({"termination_reason": reason, "closed_at": fields.Datetime.now()})
        self._recall_transition("terminated", note=reason)
        return True

    # ------------------------------------------------------------------ scope and impact

    def _recall_start_lots(self):
        """The lots and serials the scope names, directly or by product and dates."""
        self.ensure_one()
        lots = self.lot_ids | self.component_lot_ids
        products = self.product_ids - lots.product_id
        if products:
            domain = [("product_id", "in", products.ids)]
            if self.manufacture_date_from:
                domain.append(("udi_manufacture_date", ">=", self.manufacture_date_from))
            if self.manufacture_date_to:
                domain.append(("udi_manufacture_date", "<=", self.manufacture_date_to))
            if self.expiry_date_from:
                domain.append(
                    ("expiration_date", ">=", fields.Datetime.to_datetime(self.expiry_date_from))
                )
            if self.expiry_date_to:
                end = fields.Datetime.to_datetime(self.expiry_date_to) + timedelta(days=1)
                domain.append(("expiration_date", "<", end))
            lots |= self.env["stock.lot"].search(domain)
        if not lots:
            raise UserError(
                self.env._(
                    "%(campaign)s: the scope names no lot or serial (add lots, component lots, "
                    "or products with lots in the date ranges).",
                    campaign=self.display_name,
                )
            )
        return lots

    def _recall_analyze(self):
        """Run the forward trace and merge its holders into the campaign lines.

        Returns the changes ``{"new": n, "changed": n, "gone": n, "unchanged": n}``.
        """
        self.ensure_one()
        start = self._recall_start_lots()
        # only this campaign's company's events: the trace runs as superuser (the analysis
        # is the campaign's, whoever starts it), so the company is named, never implied
        result = (
            self.env["trace.event"]
            .sudo()
            ._trace_result(start.ids, "forward", company_ids=self.company_id.ids)
        )
        self.scope_lot_ids = [(6, 0, [row["lot_id"] for row in result["lots"]])]
        genealogy = result["genealogy"]
        self.scope_widened_lot_ids = [(6, 0, genealogy["widened_lot_ids"])]
        self.scope_widened_count = genealogy["widened_unit_count"]
        changes = self.env["recall.campaign.line"]._recall_merge(self, result["holders"])
        return dict(changes, widened=genealogy["widened_unit_count"])

    def _recall_change_summary(self, changes):
        summary = self.env._(
            "Impact analysis: %(new)s new, %(changed)s changed, %(gone)s no longer held, "
            "%(unchanged)s unchanged holding(s).",
            **changes,
        )
        if changes.get("widened"):
            genealogy = self.env["trace.event"]._trace_genealogy_summary(
                self.scope_widened_lot_ids.ids
            )
            summary = f"{summary} {genealogy['message']}"
        return summary

    # ------------------------------------------------------------------ quarantine

    @workflow
    def _recall_quarantine(self):
        """Block every lot in scope that we still hold (drills only when asked)."""
        for campaign in self:
            if campaign.is_drill and not campaign.drill_quarantine:
                continue
            own = campaign.line_ids.filtered(
                lambda line: line.holder_type == "location" and line.quantity > 0
            )
            campaign.env["recall.quarantine"]._recall_block(campaign, own.lot_id)
            if campaign.quarantine_location_id:
                campaign._recall_prepare_quarantine_transfers(own)

    def _recall_prepare_quarantine_transfers(self, own_lines):
        """Internal transfers of our affected stock to the quarantine location (confirmed)."""
        self.ensure_one()
        dest = self.quarantine_location_id
        lines = own_lines.filtered(
            lambda line: line.location_id != dest and not line.location_id._child_of(dest)
        )
        by_location = defaultdict(lambda: self.env["recall.campaign.line"])
        for line in lines:
            by_location[line.location_id] |= line
        Picking = self.env["stock.picking"].sudo()
        for location, group in by_location.items():
            warehouse = location.warehouse_id
            picking_type = (
                warehouse.int_type_id
                if warehouse
                else self.env.ref("stock.picking_type_internal", raise_if_not_found=False)
            )
            if not picking_type:
                continue
            existing = Picking.search(
                [
                    ("recall_campaign_id", "=", self.id),
                    ("location_id", "=", location.id),
                    ("state", "not in", ("done", "cancel")),
                ],
                limit=1,
            )
            if existing:
                continue
            by_product = defaultdict(float)
            for line in group:
                by_product[line.product_id] += line.quantity
            picking = Picking.create(
                {
                    "picking_type_id": picking_type.id,
                    "location_id": location.id,
                    "location_dest_id": dest.id,
                    "origin": self.name,
                    "recall_campaign_id": self.id,
                    "move_ids": [
                        (
                            0,
                            0,
                            {
                                "product_id": product.id,
                                "product_uom_qty": qty,
                                "location_id": location.id,
                                "location_dest_id": dest.id,
                            },
                        )
                        for product, qty in by_product.items()
                    ],
                }
            )
            picking.action_confirm()
            picking.action_assign()  # a recall's own transfer: reserves the quarantined units

    # ------------------------------------------------------------------ notices

    @workflow
    def _recall_prepare_notices(self):
        """One draft notice per consignee (commercial entity) for lines without a notice."""
        for campaign in self:
            lines = campaign.line_ids.filtered(
                lambda line: line.holder_type == "partner" and not line.notice_id
            )
            # ids first, recordsets once per consignee: a union per line is quadratic
            ids_by_entity = defaultdict(list)
            for line in lines:
                ids_by_entity[line.partner_id.commercial_partner_id].append(line.id)
            by_entity = {
                entity: lines.browse(ids) for entity, ids in ids_by_entity.items()
            }
            existing = {
                notice.partner_id: notice
                for notice in campaign.notice_ids
                if notice.state != "cancel"
            }
            vals_list, targets = [], []
            for entity, group in by_entity.items():
                notice = existing.get(entity)
                if notice:
                    group.notice_id = notice
                    continue
                vals_list.append(campaign._recall_notice_vals(entity))
                targets.append(group)
            notices = self.env["recall.notice"].sudo().create(vals_list)
            for notice, group in zip(notices, targets, strict=True):
                group.notice_id = notice
        return True

    def _recall_notice_vals(self, entity):
        self.ensure_one()
        return {
            "campaign_id": self.id,
            "partner_id": entity.id,
            "company_id": self.company_id.id,
        }

    # ------------------------------------------------------------------ deadlines

    @workflow
    def _recall_create_deadlines(self):
        """Deadlines of every jurisdiction's rules for the class, from the decision."""
        Deadline = self.env["recall.campaign.deadline"].sudo()
        for campaign in self:
            rules = self.env["recall.deadline.rule"].search(
                [
                    ("jurisdiction_id", "in", campaign.jurisdiction_ids.ids),
                    # recall milestones only: other addons keep their clocks in the same table
                    ("milestone", "in", [key for key, _label in MILESTONES]),
                    "|",
                    ("recall_class", "=", False),
                    ("recall_class", "=", campaign.recall_class),
                ]
            )
            Deadline.create(
                [
                    {
                        "campaign_id": campaign.id,
                        "rule_id": rule.id,
                        "due_at": rule._due_from(campaign.decision_date, campaign.company_id),
                    }
                    for rule in rules
                ]
            )

    @workflow
    def _recall_mark_milestone(self, milestone):
        now = fields.Datetime.now()
        for campaign in self:
            if milestone == "notification" and campaign.notified_count < campaign.consignee_count:
                continue
            deadlines = campaign.deadline_ids.filtered(
                lambda d: d.milestone == milestone and not d.done_at
            )
            done_at = campaign.last_notified_at if milestone == "notification" else now
            deadlines.write({"done_at": done_at or now})

    # ------------------------------------------------------------------ effectiveness

    @workflow
    def _recall_select_effectiveness_checks(self):
        """Select the consignees to verify: all for level A, a reproducible sample else."""
        self.ensure_one()
        notices = self.notice_ids.filtered(lambda notice: notice.state != "cancel").sorted("id")
        share = EFFECTIVENESS_SHARE[self.effectiveness_level or "A"]
        count = math.ceil(len(notices) * share) if share else 0
        chosen = (
            notices
            if share >= 1
            else notices.browse(sorted(random.Random(self.id).sample(notices.ids, count)))
        )
        notices.write({"effectiveness_selected": False})
        chosen.write({"effectiveness_selected": True})
        self._recall_log(
            self.env._(
                "Effectiveness check level %(level)s: %(count)s of %(total)s consignee(s) to "
                "verify.",
                level=self.effectiveness_level,
                count=len(chosen),
                total=len(notices),
            )
        )

    # ------------------------------------------------------------------ buttons

    def action_open_lines(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "recall_mgmt.recall_campaign_line_action"
        )
        action["domain"] = [("campaign_id", "=", self.id)]
        action["context"] = {"default_campaign_id": self.id, "search_default_group_holder": 1}
        return action

    def action_open_notices(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("recall_mgmt.recall_notice_action")
        action["domain"] = [("campaign_id", "=", self.id)]
        action["context"] = {"default_campaign_id": self.id}
        return action

    def action_open_undelivered(self):
        action = self.action_open_notices()
        action["context"] = {**action["context"], "search_default_filter_undelivered": 1}
        return action

    # ------------------------------------------------------------------ crons

    @workflow
    @api.model
    def _cron_recall_deadlines(self):
        """Remind before a regulatory deadline is missed; escalate when it is."""
        self.env["recall.campaign.deadline"].search(
            [("done_at", "=", False), ("campaign_id.state", "not in", ("closed", "terminated"))]
        )._recall_alert()

    @workflow
    @api.model
    def _cron_recall_reminders(self):
        """Remind consignees that have not acknowledged; escalate to the responsible."""
        self.env["recall.notice"].search(
            [("state", "=", "sent"), ("campaign_id.state", "not in", ("closed", "terminated"))]
        )._recall_remind()
