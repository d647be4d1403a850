from odoo import api, fields, models

from ..models.udi_di_publication import DATABASES


class UdiDiPublishWizard(models.TransientModel):
    """Record that a database published the DI record (its acknowledgement), with the date."""

    _name = "udi.di.publish.wizard"
    _description = "Record a UDI-DI Publication"

    di_id = fields.Many2one("udi.di", string="UDI-DI", required=True, readonly=True)
    database = fields.Selection(DATABASES, required=True)
    publish_date = fields.Date(
        string="Publication date", required=True, default=fields.Date.context_today
    )

    @api.model
    def _udi_open(self, di):
        wizard = self.create({"di_id": di.id, "database": self._udi_next_database(di)})
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Publish UDI-DI %(di)s", di=di.di),
            "res_model": self._name,
            "res_id": wizard.id,
            "view_mode": "form",
            "target": "new",
        }

    @api.model
    def _udi_next_database(self, di):
        done = set(di.publication_ids.mapped("database"))
        return next((key for key, _label in DATABASES if key not in done), "nmpa")

    def action_publish(self):
        self.ensure_one()
        di = self.di_id
        di._udi_check_step(("approved", "published", "superseded"), self.env._("Publish"))
        di._udi_publish(self.database, self.publish_date)
        return {"type": "ir.actions.act_window_close"}
