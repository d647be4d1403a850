from odoo import api, fields, models


class MgmtsystemAction(models.Model):
    """Corrective and preventive actions with an owner and a due date; overdue ones show."""

    _inherit = "mgmtsystem.action"

    is_overdue = fields.Boolean(
        string="Overdue",
        compute="_compute_is_overdue",
        search="_search_is_overdue",
        help="Past its due date and not closed.",
    )

    @api.depends("date_deadline", "stage_id.is_ending")
    def _compute_is_overdue(self):
        today = fields.Date.context_today(self)
        for action in self:
            action.is_overdue = bool(
                action.date_deadline
                and action.date_deadline < today
                and not action.stage_id.is_ending
            )

    def _search_is_overdue(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            return NotImplemented
        domain = [
            ("date_deadline", "<", fields.Date.context_today(self)),
            ("stage_id.is_ending", "=", False),
        ]
        if (operator == "=") == value:
            return domain
        return ["!", "&", *domain]
