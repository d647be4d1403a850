from odoo import api, fields, models
from odoo.exceptions import UserError


class UdiDiVersionWizard(models.TransientModel):
    """A new DI version: a new device record (copy of the current one, to take the changed
    attribute) with its own base-unit DI, linked to the current DI as its previous version."""

    _name = "udi.di.version.wizard"
    _description = "New UDI-DI Version"

    di_id = fields.Many2one("udi.di", string="Current UDI-DI", required=True, readonly=True)
    new_di = fields.Char(
        string="New UDI-DI",
        help="The device identifier of the new version, issued by the same agency.",
    )
    name = fields.Char(string="Device name", required=True)
    default_code = fields.Char(string="Internal reference")

    @api.model
    def _udi_open(self, di):
        template = di.product_tmpl_id
        wizard = self.create(
            {"di_id": di.id, "name": template.name, "default_code": template.default_code}
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("New version of UDI-DI %(di)s", di=di.di),
            "res_model": self._name,
            "res_id": wizard.id,
            "view_mode": "form",
            "target": "new",
        }

    def action_create(self):
        """Create the new version and open it."""
        self.ensure_one()
        old = self.di_id
        if not (self.new_di or "").strip():
            raise UserError(
                self.env._(
                    "Enter the device identifier of the new version of UDI-DI %(di)s.",
                    di=old.di,
                )
            )
        old._udi_check_step(("approved", "published", "superseded"), self.env._("New DI version"))
        new = old._udi_new_version(self.new_di, self.name, self.default_code)
        return {
            "type": "ir.actions.act_window",
            "res_model": "udi.di",
            "res_id": new.id,
            "view_mode": "form",
            "target": "current",
        }
