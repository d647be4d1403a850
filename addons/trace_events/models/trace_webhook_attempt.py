from odoo import fields, models


class TraceWebhookAttempt(models.Model):
    """One POST of a webhook delivery: when, to where, the answer and how long it took.

    Never the secret, never the signature: only the key id that signed it.
    """

    _name = "trace.webhook.attempt"
    _description = "Webhook Delivery Attempt"
    _order = "delivery_id desc, number desc"

    delivery_id = fields.Many2one(
        "trace.webhook.delivery", required=True, ondelete="cascade", index=True, readonly=True
    )
    company_id = fields.Many2one(related="delivery_id.company_id", store=True, index=True)
    number = fields.Integer(string="Attempt", readonly=True)
    url = fields.Char(string="Destination URL", readonly=True)
    key_id = fields.Char(string="Key ID", readonly=True)
    status_code = fields.Integer(readonly=True, help="0 when no HTTP answer came back.")
    duration_ms = fields.Integer(string="Duration (ms)", readonly=True)
    error = fields.Char(readonly=True)
    create_date = fields.Datetime(string="Attempted On", readonly=True)
