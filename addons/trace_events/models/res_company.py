from odoo import fields, models

#: days a delivered (or discarded) webhook delivery is kept, by default
WEBHOOK_RETENTION_DAYS = 90


class ResCompany(models.Model):
    _inherit = "res.company"

    trace_webhook_retention_days = fields.Integer(
        string="Webhook Deliveries Kept (days)",
        default=WEBHOOK_RETENTION_DAYS,
        help="Deliveries that reached their receiver, and dead letters a manager discarded, are "
        "purged with their attempts this many days after delivery or discard (0: kept for "
        "ever). Deliveries still queued or retrying, and dead letters nobody discarded, are "
        "never purged.",
    )

    _trace_webhook_retention_days_positive = models.Constraint(
        "CHECK (trace_webhook_retention_days >= 0)",
        "A webhook delivery retention period cannot be negative: give 0 to keep them for ever.",
    )
