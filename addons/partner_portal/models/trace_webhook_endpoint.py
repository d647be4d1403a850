from odoo import api, fields, models
from odoo.exceptions import ValidationError


class TraceWebhookEndpoint(models.Model):
    """A consignee's endpoint: the recall notices issued to that partner, and their changes,
    are pushed to it (signed, retried, logged as every webhook delivery)."""

    _inherit = "trace.webhook.endpoint"

    partner_id = fields.Many2one(
        "res.partner",
        string="Consignee",
        index="btree_not_null",
        ondelete="cascade",
        help="The consignee (a company) whose recall notices are pushed here: when a notice is "
        "issued to it, reminded, acknowledged, reported on, completed, or its recall closed.",
    )
    push_recall_notices = fields.Boolean(
        default=True,
        help="Push this consignee's recall notices and their changes to the endpoint.",
    )

    @api.constrains("partner_id")
    def _check_partner_is_company(self):
        for endpoint in self.filtered("partner_id"):
            if endpoint.partner_id != endpoint.partner_id.commercial_partner_id:
                raise ValidationError(
                    self.env._(
                        "Endpoint %(endpoint)s: recall notices go to a consignee's company; "
                        "choose %(company)s instead of its contact %(contact)s.",
                        endpoint=endpoint.name,
                        company=endpoint.partner_id.commercial_partner_id.display_name,
                        contact=endpoint.partner_id.display_name,
                    )
                )
