from odoo import api, fields, models
from odoo.exceptions import UserError

#: context key of the password typed in the dialog (see the Sign button of the form)
PASSWORD_KEY = "signature_password"

#: signing action -> (meaning, method called on the record with the signature)
ACTIONS = {
    "approve": ("approve", "_recall_approve"),
    "close": ("close", "_recall_close"),
}


class RecallSignWizard(models.TransientModel):
    """Electronic signature: the signer sees name, time and meaning and re-enters the password."""

    _name = "recall.sign.wizard"
    _description = "Sign a Recall Decision"

    campaign_id = fields.Many2one("recall.campaign", required=True, readonly=True)
    action = fields.Selection(
        [("approve", "Approve"), ("close", "Close")], required=True, readonly=True
    )
    signer_name = fields.Char(
        string="Signer", readonly=True, default=lambda self: self.env.user.name
    )
    meaning_text = fields.Char(string="Meaning", compute="_compute_meaning_text")
    summary = fields.Text(compute="_compute_meaning_text")
    # never stored (as Odoo's res.users.identitycheck): the Sign button sends the typed
    # password in its context (PASSWORD_KEY), the column-less field only holds it in the form
    password = fields.Char(store=False)

    @api.model
    def _recall_open(self, campaign, action):
        wizard = self.create({"campaign_id": campaign.id, "action": action})
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Electronic Signature"),
            "res_model": self._name,
            "res_id": wizard.id,
            "view_mode": "form",
            "target": "new",
        }

    @api.depends("action", "campaign_id")
    def _compute_meaning_text(self):
        meanings = dict(
            self.env["recall.signature"]._fields["meaning"]._description_selection(self.env)
        )
        for wizard in self:
            wizard.meaning_text = meanings.get(ACTIONS[wizard.action][0]) if wizard.action else ""
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
        # typed in the dialog: the button's context (web client, RPC), else the unstored field
        # set in this transaction (server code)
        password = self.env.context.get(PASSWORD_KEY) or self.password
        # the password goes no further than the signature check
        wizard = self.with_context(**{PASSWORD_KEY: None})
        campaign = wizard.campaign_id
        campaign._recall_check_manager()
        if wizard.action == "approve" and campaign.state != "analysed":
            raise UserError(self.env._("This recall is no longer waiting for approval."))
        meaning, method = ACTIONS[wizard.action]
        signature = wizard.env["recall.signature"]._recall_sign(campaign, meaning, password)
        getattr(campaign, method)(signature)
        return {"type": "ir.actions.act_window_close"}
