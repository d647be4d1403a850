import secrets

from odoo import api, fields, models

MANAGER_GROUP = "udi_master.group_trace_manager"


class TraceWebhookTarget(models.AbstractModel):
    """A destination of signed webhook deliveries.

    Any record that receives pushes (an EPCIS subscription, a partner's endpoint) inherits this
    model and calls ``self.env["trace.webhook.delivery"]._enqueue(record, kind, payload)``: one
    signed delivery of a JSON payload, run as a queue job, retried with backoff, logged.
    """

    _name = "trace.webhook.target"
    _description = "Webhook Destination"

    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    webhook_url = fields.Char(
        string="Destination URL",
        help="The https:// (or http://) address that receives a POST of each JSON payload. "
        "Addresses that resolve to loopback, private, link-local or reserved networks are "
        "refused.",
    )
    webhook_signing = fields.Selection(
        [
            ("ed25519", "Ed25519 (the suite's published key)"),
            ("hmac", "HMAC-SHA256 (a secret shared with this receiver)"),
        ],
        string="Signing Method",
        required=True,
        default="ed25519",
        help="Ed25519: the receiver verifies with the public key published at "
        "/trace/webhook/keys, named by the X-Trace-Key-Id header. HMAC-SHA256: the receiver "
        "verifies with the secret shown on this record to managers.",
    )
    webhook_secret = fields.Char(
        string="HMAC Secret",
        copy=False,
        groups=MANAGER_GROUP,
        help="Shared secret of HMAC-SHA256 signatures; generated when empty. Only traceability "
        "managers read it; it is never logged nor sent.",
    )
    webhook_delivery_count = fields.Integer(
        string="Deliveries", compute="_compute_webhook_delivery_count"
    )

    def _compute_webhook_delivery_count(self):
        Delivery = self.env["trace.webhook.delivery"]
        counts = {}
        if self.ids and Delivery.has_access("read"):
            groups = Delivery._read_group(
                [("target_model", "=", self._name), ("target_id", "in", self.ids)],
                ["target_id"],
                ["__count"],
            )
            counts = dict(groups)
        for target in self:
            target.webhook_delivery_count = counts.get(target.id, 0)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("webhook_url"):
                self.env["trace.webhook.delivery"]._check_destination(vals["webhook_url"])
        records = super().create(vals_list)
        # HMAC chosen in the values or by a default (an inheriting model's, the context's)
        for record in records.sudo():
            if record.webhook_signing == "hmac" and not record.webhook_secret:
                record.webhook_secret = self._webhook_new_secret()
        return records

    def write(self, vals):
        if vals.get("webhook_url"):
            self.env["trace.webhook.delivery"]._check_destination(vals["webhook_url"], self[:1])
        result = super().write(vals)
        if vals.get("webhook_signing") == "hmac":
            for target in self.sudo().filtered(lambda t: not t.webhook_secret):
                target.webhook_secret = self._webhook_new_secret()
        return result

    @api.model
    def _webhook_new_secret(self):
        return secrets.token_urlsafe(32)

    def _webhook_label(self):
        """How deliveries name this destination in their log."""
        self.ensure_one()
        return f"{self._description}: {self.display_name}"

    def action_view_webhook_deliveries(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "trace_events.trace_webhook_delivery_action"
        )
        action["domain"] = [("target_model", "=", self._name), ("target_id", "=", self.id)]
        action["context"] = {}
        return action
