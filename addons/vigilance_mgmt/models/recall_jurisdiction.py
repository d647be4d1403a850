from odoo import api, fields, models

#: the vigilance clocks kept in the suite's deadline rules (recall campaigns pick only theirs)
VIGILANCE_MILESTONES = [
    ("vigilance_initial", "Initial vigilance report"),
    ("vigilance_follow_up", "Follow-up vigilance report"),
    ("vigilance_final", "Final vigilance report"),
    ("vigilance_trend", "Trend report"),
]
#: report type -> milestone of its clock
REPORT_MILESTONES = {
    "initial": "vigilance_initial",
    "follow_up": "vigilance_follow_up",
    "final": "vigilance_final",
    "trend": "vigilance_trend",
}
SEVERITIES = [
    ("public_health_threat", "Serious public health threat"),
    ("death", "Death"),
    ("serious_deterioration", "Unanticipated serious deterioration of health"),
    ("serious_injury", "Serious injury"),
    ("malfunction", "Malfunction"),
    ("other", "Other"),
]


class RecallDeadlineRule(models.Model):
    _inherit = "recall.deadline.rule"

    milestone = fields.Selection(
        selection_add=VIGILANCE_MILESTONES,
        ondelete={key: "cascade" for key, _label in VIGILANCE_MILESTONES},
    )
    vigilance_severity = fields.Selection(
        SEVERITIES,
        string="Severity",
        help="Vigilance rules: the severity of the event this clock applies to. Empty: every "
        "severity without a rule of its own.",
    )

    @api.model
    def _vigilance_rule(self, jurisdiction, milestone, severity):
        """The clock of ``milestone`` in ``jurisdiction`` for an event of ``severity``: the rule
        of that severity, else the jurisdiction's rule for every severity (empty if none)."""
        rules = self.sudo().search(
            [
                ("jurisdiction_id", "=", jurisdiction.id),
                ("milestone", "=", milestone),
                ("vigilance_severity", "in", [severity, False]),
            ],
            order="sequence, id",
        )
        return rules.filtered(lambda r: r.vigilance_severity == severity)[:1] or rules[:1]
