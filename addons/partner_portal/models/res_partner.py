from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    webhook_endpoint_ids = fields.One2many(
        "trace.webhook.endpoint",
        "partner_id",
        string="Webhook Endpoints",
        groups="udi_master.group_trace_manager",
        help="Where this consignee's recall notices and their changes are pushed.",
    )
