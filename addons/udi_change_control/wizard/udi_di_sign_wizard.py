from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.recall_mgmt.wizard.recall_sign_wizard import PASSWORD_KEY

#: meaning of the approval signature (recall.signature, extended by this addon)
MEANING = "udi_di_approve"


class UdiDiSignWizard(models.TransientModel):
    """Electronic signature of a DI's approval: the signer sees name, time, meaning and what is
    approved, and re-enters the password (the recall signature mechanism and its rules)."""

    _name = "udi.di.sign.wizard"
    _description = "Approve a UDI-DI"

    di_id = fields.Many2one("udi.di", string="UDI-DI", required=True, readonly=True)
    signer_name = fields.Char(
        string="Signer", readonly=True, default=lambda self: self.env.user.name
    )
    meaning_text = fields.Char(string="Meaning", compute="_compute_summary")
    summary = fields.Text(compute="_compute_summary")
    # never stored: the Sign button sends the typed password in its context (PASSWORD_KEY)
    password = fields.Char(store=False)

    @api.model
    def _udi_open(self, di):
        wizard = self.create({"di_id": di.id})
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Electronic Signature"),
            "res_model": self._name,
            "res_id": wizard.id,
            "view_mode": "form",
            "target": "new",
        }

    @api.depends("di_id")
    def _compute_summary(self):
        meanings = dict(
            self.env["recall.signature"]._fields["meaning"]._description_selection(self.env)
        )
        for wizard in self:
            di = wizard.di_id
            device = di.product_tmpl_id
            wizard.meaning_text = meanings[MEANING]
            wizard.summary = self.env._(
                "UDI-DI %(di)s (%(agency)s) of %(device)s: brand %(brand)s, model %(model)s, "
                "%(count)s device(s) per base unit. Once approved, these attributes cannot "
                "change; a change needs a new DI version.",
                di=di.di,
                agency=dict(di._fields["issuing_agency"]._description_selection(self.env)).get(
                    di.issuing_agency, ""
                ),
                device=device.display_name,
                brand=device.udi_brand or "-",
                model=device.udi_model or "-",
                count=device.udi_device_count,
            )

    def action_sign(self):
        """Sign with the password in the context key ``signature_password``."""
        self.ensure_one()
        password = self.env.context.get(PASSWORD_KEY) or self.password
        wizard = self.with_context(**{PASSWORD_KEY: None})
        di = wizard.di_id
        di._udi_check_manager()
        if di.state != "review":
            raise UserError(
                self.env._("UDI-DI %(di)s is no longer waiting for approval.", di=di.di)
            )
        signature = wizard.env["recall.signature"]._recall_sign(di, MEANING, password)
        di._udi_approve(signature)
        return {"type": "ir.actions.act_window_close"}
