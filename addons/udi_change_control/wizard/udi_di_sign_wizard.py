from odoo import api, fields, models
from odoo.exceptions import UserError

#: meaning of the approval signature (recall.signature, extended by this addon)
MEANING = "udi_di_approve"


class UdiDiSignWizard(models.TransientModel):
    """Electronic signature of a DI's approval: the signer sees name, time, meaning and what is
    approved, and re-enters the password (the recall signature mechanism and its rules)."""

    _name = "udi.di.sign.wizard"
    _inherit = ["recall.sign.mixin"]
    _description = "Approve a UDI-DI"

    di_id = fields.Many2one("udi.di", string="UDI-DI", required=True, readonly=True)

    @api.model
    def _udi_open(self, di):
        return self._recall_open_dialog({"di_id": di.id})

    @api.depends("di_id")
    def _compute_meaning_text(self):
        for wizard in self:
            di = wizard.di_id
            device = di.product_tmpl_id
            wizard.meaning_text = self._recall_meaning_label(MEANING)
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
        password, wizard = self._recall_take_password()
        di = wizard.di_id
        di._udi_check_manager()
        if di.state != "review":
            raise UserError(
                self.env._("UDI-DI %(di)s is no longer waiting for approval.", di=di.di)
            )
        signature = wizard.env["recall.signature"]._recall_sign(di, MEANING, password)
        di._udi_approve(signature)
        return {"type": "ir.actions.act_window_close"}
