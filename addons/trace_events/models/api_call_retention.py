from odoo import fields, models

from .api_call_log import KINDS


class TraceApiCallRetention(models.Model):
    """How long the API call log keeps each kind of call (sealed calls excepted: they are kept
    as long as the sealed ledger keeps them, under Audit Seal's retention periods)."""

    _name = "trace.api.call.retention"
    _description = "API Call Log Retention"
    _order = "kind"
    _rec_name = "kind"

    kind = fields.Selection(KINDS, string="Calls", required=True)
    days = fields.Integer(
        string="Kept (days)",
        required=True,
        help="Rows of this kind older than this are purged by the daily cron (0: kept "
        "forever). Calls that changed sealed data are kept as long as the ledger keeps them.",
    )

    _kind_unique = models.UniqueIndex("(kind)")
    _days_positive = models.Constraint(
        "CHECK (days >= 0)", "A retention period cannot be negative: give 0 to keep forever."
    )
