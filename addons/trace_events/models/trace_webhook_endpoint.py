from odoo import fields, models


class TraceWebhookEndpoint(models.Model):
    """A receiver's webhook endpoint, configured by a traceability manager.

    The plain destination of pushes; partner_portal adds the partner whose recall notices it
    receives. EPCIS subscriptions are destinations of their own (they inherit the same
    ``trace.webhook.target``).
    """

    _name = "trace.webhook.endpoint"
    _inherit = ["trace.webhook.target"]
    _description = "Webhook Endpoint"
    _order = "name, id"

    name = fields.Char(required=True)
    note = fields.Text(string="Notes")
    delivery_ids = fields.One2many(
        "trace.webhook.delivery",
        "target_id",
        string="Delivery Log",
        domain=[("target_model", "=", "trace.webhook.endpoint")],
        readonly=True,
    )
