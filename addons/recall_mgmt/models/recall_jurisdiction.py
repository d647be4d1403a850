from datetime import timedelta

from odoo import api, fields, models

from odoo.addons.base.models.res_partner import _tz_get

from ..tools import zoned_time

MILESTONES = [
    ("notification", "All consignees notified"),
    ("regulator_initial", "Recall event report to the regulator"),
    ("regulator_plan", "Investigation report and recall plan"),
    ("regulator_report", "Correction/removal report"),
    ("status_report", "Status report"),
    ("fsn", "Field safety notice"),
    ("closure", "Recall closed"),
]
RECALL_CLASSES = [("1", "Class I"), ("2", "Class II"), ("3", "Class III")]


class RecallJurisdiction(models.Model):
    """A regulator whose recall rules a campaign follows (NMPA, FDA, EU MDR...)."""

    _name = "recall.jurisdiction"
    _description = "Recall Jurisdiction"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True, help="Short code used in reports (NMPA, FDA, EU).")
    authority = fields.Char(
        translate=True, help="The authority that receives the reports of this jurisdiction."
    )
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    rule_ids = fields.One2many("recall.deadline.rule", "jurisdiction_id", string="Deadline Rules")
    tz = fields.Selection(
        _tz_get,
        string="Time Zone",
        required=True,
        default="UTC",
        help="The regulator's time zone: its deadlines are counted (working days, calendar "
        "days) and shown in this zone.",
    )

    _code_unique = models.UniqueIndex("(code)")


class RecallDeadlineRule(models.Model):
    """A regulatory clock: milestone X is due N (working) days after the recall decision."""

    _name = "recall.deadline.rule"
    _description = "Recall Deadline Rule"
    _order = "jurisdiction_id, sequence, id"

    jurisdiction_id = fields.Many2one("recall.jurisdiction", required=True, ondelete="cascade")
    recall_class = fields.Selection(
        RECALL_CLASSES, string="Class", help="Empty: the rule applies to every class."
    )
    milestone = fields.Selection(MILESTONES, required=True)
    sequence = fields.Integer(default=10)
    delay = fields.Float(
        required=True, help="Days after the decision (0: immediately)."
    )
    delay_unit = fields.Selection(
        [("days", "Calendar days"), ("working_days", "Working days"), ("hours", "Hours")],
        required=True,
        default="days",
    )
    repeat_days = fields.Integer(
        string="Repeat Every (days)",
        help="For periodic obligations (status reports): a new deadline every N days until "
        "the recall is closed.",
    )
    reference = fields.Char(
        string="Legal Reference", translate=True, help="The article the clock comes from."
    )
    note = fields.Text(translate=True)
    active = fields.Boolean(default=True)

    @api.depends("jurisdiction_id", "milestone", "recall_class")
    def _compute_display_name(self):
        milestones = dict(self._fields["milestone"]._description_selection(self.env))
        classes = dict(self._fields["recall_class"]._description_selection(self.env))
        for rule in self:
            parts = [rule.jurisdiction_id.code or "", milestones.get(rule.milestone, "")]
            if rule.recall_class:
                parts.append(classes[rule.recall_class])
            rule.display_name = " / ".join(part for part in parts if part)

    def _due_from(self, start, company):
        """Due datetime (naive UTC) of this rule for a decision taken at ``start`` (naive UTC).

        Days and working days are counted in the jurisdiction's time zone: a decision taken on
        Saturday 04:00 in Shanghai (Friday in UTC) starts the NMPA clock on a Saturday.
        """
        self.ensure_one()
        if self.delay_unit == "hours":
            return start + timedelta(hours=self.delay)
        tz_name = self.jurisdiction_id.tz
        local = zoned_time.to_local(start, tz_name).replace(tzinfo=None)
        if self.delay_unit == "days":
            span = timedelta(days=self.delay)
        else:
            span = timedelta(days=self._working_days_span(local, int(self.delay), company))
        due = zoned_time.zone(tz_name).localize(local + span)
        return due.astimezone(zoned_time.zone("UTC")).replace(tzinfo=None)

    @api.model
    def _working_days_span(self, start, days, company):
        """Calendar days from ``start`` (a local datetime) to the ``days``-th working day after it.

        Working days are the weekdays of the company's working schedule (Monday to Friday
        without one) minus its public holidays (global time off, e.g. the Spring Festival, read
        as days in the schedule's time zone).
        """
        calendar = company.resource_calendar_id
        weekdays = {int(day) for day in calendar.attendance_ids.mapped("dayofweek")} or {
            0,
            1,
            2,
            3,
            4,
        }
        holidays = set()
        for leave in calendar.global_leave_ids:
            day = zoned_time.to_local(leave.date_from, calendar.tz).date()
            last = zoned_time.to_local(leave.date_to, calendar.tz).date()
            while day <= last:
                holidays.add(day)
                day += timedelta(days=1)
        span, left, day = 0, days, start.date()
        while left > 0:
            span += 1
            day += timedelta(days=1)
            if day.weekday() in weekdays and day not in holidays:
                left -= 1
        return span
