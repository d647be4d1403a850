from odoo import api, fields, models
from odoo.exceptions import UserError

#: signing action -> (meaning, method called on the record with the signature)
ACTIONS = {
    "approve": ("approve", "_recall_approve"),
    "close": ("close", "_recall_close"),
}


class RecallSignWizard(models.TransientModel):
    """Electronic signature: the signer sees name, time and meaning and re-enters the password."""

    _name = "recall.sign.wizard"
    _inherit = ["recall.sign.mixin"]
    _description = "Sign a Recall Decision"

    campaign_id = fields.Many2one("recall.campaign", required=True, readonly=True)
    action = fields.Selection(
        [("approve", "Approve"), ("close", "Close")], required=True, readonly=True
    )

    @api.model
    def _recall_open(self, campaign, action):
        return self._recall_open_dialog({"campaign_id": campaign.id, "action": action})

    @api.depends("action", "campaign_id")
    def _compute_meaning_text(self):
        for wizard in self:
            wizard.meaning_text = (
                self._recall_meaning_label(ACTIONS[wizard.action][0]) if wizard.action else ""
            )
            campaign = wizard.campaign_id
            wizard.summary = self.env._(
                "%(campaign)s, class %(klass)s: %(units)s unit(s) shipped to %(consignees)s "
                "consignee(s), %(own)s unit(s) in our stock.",
                campaign=campaign.display_name,
                klass=campaign.recall_class,
                units=campaign.units_shipped,
                consignees=len(
                    campaign.line_ids.filtered(
                        lambda line: line.holder_type == "partner"
                    ).partner_id.commercial_partner_id
                ),
                own=campaign.units_in_own_stock,
            )

    def action_sign(self):
        """Sign with the password in the context key ``signature_password``."""
        self.ensure_one()
        password, wizard = self._recall_take_password()
        campaign = wizard.campaign_id
        campaign._recall_check_manager()
        if wizard.action == "approve" and campaign.state != "analysed":
            raise UserError(self.env._("This recall is no longer waiting for approval."))
        meaning, method = ACTIONS[wizard.action]
        signature = wizard.env["recall.signature"]._recall_sign(campaign, meaning, password)
        getattr(campaign, method)(signature)
        return {"type": "ir.actions.act_window_close"}
