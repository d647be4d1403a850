from odoo import fields, models

from .recall_campaign import STATES


class RecallCampaignLog(models.Model):
    """Sealed journal of a campaign: every transition and every re-analysis."""

    _name = "recall.campaign.log"
    _description = "Recall Campaign Log"
    _inherit = ["audit.seal.mixin"]
    _order = "id desc"
    _seal_fields = (
        "campaign_id",
        "from_state",
        "to_state",
        "note",
        "details",
        "signature_id",
        "create_uid",
        "create_date",
    )

    campaign_id = fields.Many2one(
        "recall.campaign", required=True, readonly=True, ondelete="restrict", index=True
    )
    company_id = fields.Many2one(related="campaign_id.company_id", store=True, precompute=True)
    from_state = fields.Selection(STATES, readonly=True)
    to_state = fields.Selection(STATES, readonly=True)
    note = fields.Text(readonly=True)
    details = fields.Json(readonly=True)
    signature_id = fields.Many2one("recall.signature", readonly=True)
