from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    trace_webhook_retention_days = fields.Integer(
        related="company_id.trace_webhook_retention_days", readonly=False
    )
