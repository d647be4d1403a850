from datetime import timedelta

from odoo import api, fields, models

from odoo.addons.audit_seal.tools.workflow import workflow

from ..tools import zoned_time


class RecallCampaignDeadline(models.Model):
    """One regulatory clock of a campaign, computed from a rule at the decision."""

    _name = "recall.campaign.deadline"
    _description = "Recall Deadline"
    _inherit = ["audit.seal.workflow.mixin"]
    _order = "due_at, id"
    _workflow_fields = "__all__"

    campaign_id = fields.Many2one("recall.campaign", required=True, ondelete="cascade")
    company_id = fields.Many2one(related="campaign_id.company_id", store=True)
    rule_id = fields.Many2one("recall.deadline.rule", required=True, ondelete="restrict")
    jurisdiction_id = fields.Many2one(related="rule_id.jurisdiction_id", store=True)
    milestone = fields.Selection(related="rule_id.milestone", store=True)
    reference = fields.Char(related="rule_id.reference")
    due_at = fields.Datetime(string="Due", required=True)
    due_local = fields.Char(
        string="Due (Jurisdiction Time)",
        compute="_compute_due_local",
        help="The due time in the time zone of the jurisdiction's regulator, zone named.",
    )
    done_at = fields.Datetime(string="Done")
    alerted_at = fields.Datetime(readonly=True)
    escalated_at = fields.Datetime(readonly=True)
    state = fields.Selection(
        [
            ("pending", "Pending"),
            ("due_soon", "Due soon"),
            ("late", "Late"),
            ("done", "Met"),
            ("done_late", "Met late"),
        ],
        compute="_compute_state",
    )

    @api.depends("due_at", "done_at")
    def _compute_state(self):
        now = fields.Datetime.now()
        for deadline in self:
            if deadline.done_at:
                deadline.state = "done_late" if deadline.done_at > deadline.due_at else "done"
            elif deadline.due_at < now:
                deadline.state = "late"
            elif deadline.due_at - now <= deadline._recall_warning_span():
                deadline.state = "due_soon"
            else:
                deadline.state = "pending"

    @api.depends("rule_id", "campaign_id.name", "due_at", "jurisdiction_id.tz")
    def _compute_display_name(self):
        """``RC/2026/0003: NMPA / Investigation report and recall plan, due 2026-12-11 13:44
        (Asia/Shanghai, UTC+08:00)``: what a document answering it shows (was the bare id)."""
        for deadline in self:
            deadline.display_name = self.env._(
                "%(campaign)s: %(rule)s, due %(due)s",
                campaign=deadline.campaign_id.name or "",
                rule=deadline.rule_id.display_name or "",
                due=deadline._recall_fmt_due() if deadline.due_at else "",
            )

    @api.depends("due_at", "jurisdiction_id.tz")
    def _compute_due_local(self):
        for deadline in self:
            deadline.due_local = deadline._recall_fmt_due()

    def _recall_fmt_due(self):
        """``2026-12-08 17:00 (Asia/Shanghai, UTC+08:00)``: the due time in the zone of the
        jurisdiction whose rule set it."""
        self.ensure_one()
        return zoned_time.format_zoned(self.due_at, self.jurisdiction_id.tz)

    def _recall_post_due_soon(self, template):
        """The due-soon mail to the responsible, rendered with this deadline (a template posted
        with message_post_with_source gets no render values: its body named no deadline)."""
        self.ensure_one()
        campaign = self.campaign_id
        render = {"compute_lang": True, "add_context": {"deadline": self}}
        body = template._render_field("body_html", campaign.ids, engine="qweb", **render)
        subject = template._render_field("subject", campaign.ids, **render)
        campaign.message_post(
            body=body[campaign.id],
            subject=subject[campaign.id],
            subtype_xmlid="mail.mt_note",
            partner_ids=campaign.user_id.partner_id.ids,
        )

    def _recall_warning_span(self):
        """Warn when a quarter of the span is left, at least 4 hours, at most 2 days."""
        self.ensure_one()
        decision = self.campaign_id.decision_date or self.due_at
        span = max(self.due_at - decision, timedelta(0))
        return min(max(span / 4, timedelta(hours=4)), timedelta(days=2))

    @workflow
    def action_mark_done(self):
        now = fields.Datetime.now()
        for deadline in self.filtered(lambda d: not d.done_at):
            deadline.done_at = now
            deadline.campaign_id._recall_log(
                self.env._("Deadline met: %(deadline)s.", deadline=deadline.rule_id.display_name)
            )
            deadline._recall_next_occurrence()

    def _recall_next_occurrence(self):
        """Periodic obligations (status reports) get their next deadline."""
        for deadline in self.filtered(lambda d: d.rule_id.repeat_days):
            if deadline.campaign_id.state in ("closed", "terminated"):
                continue
            self.create(
                {
                    "campaign_id": deadline.campaign_id.id,
                    "rule_id": deadline.rule_id.id,
                    "due_at": deadline.due_at + timedelta(days=deadline.rule_id.repeat_days),
                }
            )

    @workflow
    def _recall_alert(self):
        """Activity and mail to the responsible before the deadline; escalation after it."""
        now = fields.Datetime.now()
        template = self.env.ref("recall_mgmt.mail_template_recall_deadline")
        self.invalidate_recordset(["state"])  # time-dependent
        for deadline in self:
            campaign = deadline.campaign_id
            if deadline.state == "due_soon" and not deadline.alerted_at:
                deadline.alerted_at = now
                campaign.activity_schedule(
                    "mail.mail_activity_data_todo",
                    date_deadline=zoned_time.to_local(
                        deadline.due_at, deadline.jurisdiction_id.tz
                    ).date(),
                    user_id=campaign.user_id.id or self.env.uid,
                    summary=self.env._(
                        "Due soon: %(deadline)s", deadline=deadline.rule_id.display_name
                    ),
                )
                deadline._recall_post_due_soon(template)
            elif deadline.state == "late" and not deadline.escalated_at:
                deadline.escalated_at = now
                campaign.message_post(
                    body=self.env._(
                        "Deadline missed: %(deadline)s was due %(due)s.",
                        deadline=deadline.rule_id.display_name,
                        due=deadline._recall_fmt_due(),
                    ),
                    partner_ids=campaign.message_partner_ids.ids,
                    subtype_xmlid="mail.mt_comment",
                )
                campaign._recall_log(
                    self.env._(
                        "Deadline missed: %(deadline)s.", deadline=deadline.rule_id.display_name
                    )
                )
