from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    capa_drill_analysis_minutes = fields.Float(
        string="Drill Target: Impact Analysis (minutes)",
        default=5.0,
        help="The forward trace of the drill's scope (who holds what). The suite's impact "
        "analysis answers in seconds from the sealed trace; minutes mean the data is not "
        "where the system expects it. Food-safety schemes ask a full trace within 4 hours "
        "(BRCGS Food Safety Issue 9, clause 3.9.2); 5 minutes keeps a margin below any of them.",
    )
    capa_drill_decision_hours = fields.Float(
        string="Drill Target: Decision (hours)",
        default=24.0,
        help="From opening the drill to the signed recall decision. The regulatory clocks only "
        "start at the decision: a day keeps the decision from costing more than the shortest "
        "notification deadline it then starts (NMPA class I: 1 day, CFDA Order No. 29, "
        "2017).",
    )
    capa_drill_first_notice_hours = fields.Float(
        string="Drill Target: First Notice (hours)",
        default=24.0,
        help="From the decision to the first consignee reached. NMPA class I recalls must "
        "reach distributors and users within 1 day of the decision (CFDA Order No. 29, 2017).",
    )
    capa_drill_notify_hours = fields.Float(
        string="Drill Target: Every Consignee Notified (hours)",
        default=24.0,
        help="From the decision to the last consignee reached; the drill also misses this "
        "target when a notification deadline of its class and jurisdictions (1, 3 or 7 days "
        "for NMPA classes I, II, III) was not met. A day is the class I deadline: a drill "
        "practises the worst case.",
    )
    capa_drill_notified_percent = fields.Float(
        string="Drill Target: Consignees Notified (%)",
        default=100.0,
        help="Share of the consignees the notice reached. 100 %: a consignee not reached in a "
        "drill is one not reached in a real recall (FDA effectiveness check level A verifies "
        "100 % of consignees, 21 CFR 7.42(b)(3)).",
    )
    capa_drill_ack_percent = fields.Float(
        string="Drill Target: Consignees Acknowledged (%)",
        default=100.0,
        help="Share of the consignees that acknowledged the notice before the drill closed. "
        "100 %: each consignee must confirm it received the notice and knows what to do.",
    )
    capa_drill_owner_id = fields.Many2one(
        "res.users",
        string="Owner of Drill Findings",
        help="Responsible for the nonconformities and corrective actions a drill's missed "
        "targets open. Empty: the quality manager who closes the drill.",
    )
    capa_drill_action_days = fields.Integer(
        string="Corrective Action Due In (days)",
        default=30,
        help="Due date of the corrective action a missed drill target opens, counted from the "
        "drill's closure (30 days: before the next quarterly drill can verify it).",
    )

    @api.constrains(
        "capa_drill_analysis_minutes",
        "capa_drill_decision_hours",
        "capa_drill_first_notice_hours",
        "capa_drill_notify_hours",
        "capa_drill_notified_percent",
        "capa_drill_ack_percent",
        "capa_drill_action_days",
    )
    def _check_capa_drill_targets(self):
        for company in self:
            durations = (
                company.capa_drill_analysis_minutes,
                company.capa_drill_decision_hours,
                company.capa_drill_first_notice_hours,
                company.capa_drill_notify_hours,
            )
            shares = (company.capa_drill_notified_percent, company.capa_drill_ack_percent)
            if (
                min(durations) < 0
                or not all(0 <= share <= 100 for share in shares)
                or company.capa_drill_action_days < 1
            ):
                raise ValidationError(
                    self.env._(
                        "%(company)s: drill targets are durations of zero or more, shares "
                        "between 0 and 100 %%, and corrective actions are due in one day or "
                        "more.",
                        company=company.display_name,
                    )
                )
