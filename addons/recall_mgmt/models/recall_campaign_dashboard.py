from odoo import api, fields, models

#: states of a deadline still running (see recall.campaign.deadline.state)
OPEN_DEADLINE_STATES = [("pending", "Pending"), ("due_soon", "Due soon"), ("late", "Late")]
#: campaign states in which nothing is overdue any more
ENDED_STATES = ("closed", "terminated")


class RecallCampaign(models.Model):
    """The campaign dashboard: what the quality manager watches until closure, and the
    timings kept for management review (real recalls and drills alike)."""

    _inherit = "recall.campaign"

    # -- attention
    overdue_notice_count = fields.Integer(
        string="Overdue Notices",
        compute="_compute_attention",
        help="Notices sent and not acknowledged by their response deadline.",
    )
    overdue_deadline_count = fields.Integer(
        string="Missed Deadlines",
        compute="_compute_attention",
        help="Regulatory deadlines passed and not met.",
    )
    quarantine_count = fields.Integer(
        string="Lots Blocked",
        compute="_compute_attention",
        help="Lots and serials this recall blocks now.",
    )
    response_count = fields.Integer(string="Responses", compute="_compute_attention")
    deadline_count = fields.Integer(
        string="Number of Deadlines", compute="_compute_deadline_clock"
    )
    deadline_met_count = fields.Integer(
        string="Deadlines Met", compute="_compute_deadline_clock"
    )
    # -- the next regulatory clock
    next_deadline_id = fields.Many2one(
        "recall.campaign.deadline",
        compute="_compute_deadline_clock",
        help="The earliest regulatory deadline not met yet.",
    )
    next_deadline_label = fields.Char(string="Next Obligation", compute="_compute_deadline_clock")
    next_deadline_due = fields.Datetime(
        compute="_compute_deadline_clock"
    )
    next_deadline_state = fields.Selection(
        OPEN_DEADLINE_STATES, string="Next Deadline Status", compute="_compute_deadline_clock"
    )
    next_deadline_countdown = fields.Char(
        string="Time Left", compute="_compute_deadline_clock"
    )
    # -- KPIs over all campaigns and drill review (stored)
    kpi_kind = fields.Selection(
        [("real", "Real recall"), ("drill", "Drill")],
        string="Real / Drill",
        compute="_compute_kpi_kind",
        store=True,
    )
    hours_to_decision = fields.Float(
        string="Hours to Decision",
        compute="_compute_timings",
        store=True,
        aggregator="avg",
        help="From opening the recall to the signed approval.",
    )
    hours_to_first_notice = fields.Float(
        string="Hours to First Notice",
        compute="_compute_timings",
        store=True,
        aggregator="avg",
        help="From the decision to the first notice sent.",
    )
    analysis_duration_display = fields.Char(
        string="Impact Analysis", compute="_compute_timing_labels"
    )
    decision_duration_display = fields.Char(
        string="Opening to Decision", compute="_compute_timing_labels"
    )
    first_notice_duration_display = fields.Char(
        string="Decision to First Notice", compute="_compute_timing_labels"
    )
    notify_duration_display = fields.Char(
        string="Decision to Last Notice", compute="_compute_timing_labels"
    )

    # ------------------------------------------------------------------ computes

    def _compute_attention(self):
        now = fields.Datetime.now()
        for campaign in self:
            running = campaign.state not in ENDED_STATES
            campaign.overdue_notice_count = running and len(
                campaign.notice_ids.filtered("is_overdue")
            )
            campaign.overdue_deadline_count = running and len(
                campaign.deadline_ids.filtered(
                    lambda d: not d.done_at and d.due_at and d.due_at < now
                )
            )
            campaign.quarantine_count = len(
                campaign.quarantine_ids.filtered(lambda q: q.state == "blocked")
            )
            campaign.response_count = len(campaign.notice_ids.response_ids)

    def _compute_deadline_clock(self):
        now = fields.Datetime.now()
        for campaign in self:
            deadlines = campaign.deadline_ids
            # a closed or terminated recall has no clock running any more
            running = deadlines.filtered(lambda d: not d.done_at).sorted(
                lambda d: (d.due_at, d.id)
            )
            if campaign.state in ENDED_STATES:
                running = running.browse()
            campaign.deadline_count = len(deadlines)
            campaign.deadline_met_count = len(deadlines.filtered(lambda d: d.state == "done"))
            nxt = running[:1]
            campaign.next_deadline_id = nxt
            campaign.next_deadline_label = nxt.rule_id.display_name if nxt else False
            campaign.next_deadline_due = nxt.due_at if nxt else False
            campaign.next_deadline_state = nxt.state if nxt else False
            if not nxt:
                campaign.next_deadline_countdown = False
            elif nxt.due_at < now:
                campaign.next_deadline_countdown = self.env._(
                    "%(duration)s late",
                    duration=self._recall_format_duration((now - nxt.due_at).total_seconds()),
                )
            else:
                campaign.next_deadline_countdown = self.env._(
                    "%(duration)s left",
                    duration=self._recall_format_duration((nxt.due_at - now).total_seconds()),
                )

    @api.depends("is_drill")
    def _compute_kpi_kind(self):
        for campaign in self:
            campaign.kpi_kind = "drill" if campaign.is_drill else "real"

    @api.depends("create_date", "decision_date", "first_notified_at")
    def _compute_timings(self):
        for campaign in self:
            opened, decided = campaign.create_date, campaign.decision_date
            campaign.hours_to_decision = (
                max((decided - opened).total_seconds(), 0) / 3600 if opened and decided else 0.0
            )
            first = campaign.first_notified_at
            campaign.hours_to_first_notice = (
                max((first - decided).total_seconds(), 0) / 3600 if first and decided else 0.0
            )

    @api.depends(
        "analysed_at", "analysis_seconds", "decision_date", "hours_to_decision",
        "first_notified_at", "hours_to_first_notice", "hours_to_notify",
    )
    def _compute_timing_labels(self):
        fmt = self._recall_format_duration
        for campaign in self:
            campaign.analysis_duration_display = (
                fmt(campaign.analysis_seconds) if campaign.analysed_at else False
            )
            campaign.decision_duration_display = (
                fmt(campaign.hours_to_decision * 3600) if campaign.decision_date else False
            )
            campaign.first_notice_duration_display = (
                fmt(campaign.hours_to_first_notice * 3600)
                if campaign.decision_date and campaign.first_notified_at
                else False
            )
            # hours_to_notify is only set once every consignee is notified
            campaign.notify_duration_display = (
                fmt(campaign.hours_to_notify * 3600)
                if campaign.decision_date and campaign.last_notified_at
                and campaign.consignee_count
                and campaign.notified_count == campaign.consignee_count
                else False
            )

    @api.model
    def _recall_format_duration(self, seconds):
        """A duration for people: 0.42 s, 12 s, 7 min, 3 h 05 min, 2 d 4 h."""
        seconds = max(seconds or 0.0, 0.0)
        if seconds < 10:
            return self.env._("%(seconds)s s", seconds=f"{seconds:.2f}")
        if seconds < 60:
            return self.env._("%(seconds)s s", seconds=round(seconds))
        minutes = round(seconds / 60)
        if minutes < 60:
            return self.env._("%(minutes)s min", minutes=minutes)
        hours, minutes = divmod(minutes, 60)
        if hours < 48:
            return self.env._("%(hours)s h %(minutes)s min", hours=hours, minutes=f"{minutes:02d}")
        days, hours = divmod(hours, 24)
        return self.env._("%(days)s d %(hours)s h", days=days, hours=hours)

    # ------------------------------------------------------------------ buttons

    def _recall_window(self, xmlid, domain, context=None, name=None):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
        action["domain"] = domain
        action["context"] = {"default_campaign_id": self.id, **(context or {})}
        if name:
            action["name"] = name
        return action

    def action_open_overdue_notices(self):
        """The notices whose consignee has not acknowledged in time."""
        return self._recall_window(
            "recall_mgmt.recall_notice_action",
            [("campaign_id", "=", self.id), ("is_overdue", "=", True)],
            name=self.env._("Overdue Notices"),
        )

    def action_open_deadlines(self):
        return self._recall_window(
            "recall_mgmt.recall_campaign_deadline_action",
            [("campaign_id", "=", self.id)],
            context={"search_default_filter_open": 0},
        )

    def action_open_overdue_deadlines(self):
        """The regulatory deadlines passed and not met."""
        return self._recall_window(
            "recall_mgmt.recall_campaign_deadline_action",
            [
                ("campaign_id", "=", self.id),
                ("done_at", "=", False),
                ("due_at", "<", fields.Datetime.now()),
            ],
            context={"search_default_filter_open": 0},
            name=self.env._("Missed Deadlines"),
        )

    def action_open_quarantine(self):
        return self._recall_window(
            "recall_mgmt.recall_quarantine_action",
            [("campaign_id", "=", self.id)],
        )

    def action_open_responses(self):
        return self._recall_window(
            "recall_mgmt.recall_response_action",
            [("campaign_id", "=", self.id)],
        )
