from odoo import api, fields, models

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

    @api.depends("campaign_id", "from_state", "to_state")
    def _compute_display_name(self):
        states = dict(self._fields["to_state"]._description_selection(self.env))
        for log in self:
            step = states.get(log.to_state, "")
            if log.from_state and log.from_state != log.to_state:
                step = f"{states.get(log.from_state, '')} → {step}"
            log.display_name = f"{log.campaign_id.name or ''} {step}".strip()
