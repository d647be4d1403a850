from odoo import fields, models


class ImplantEraseWizard(models.TransientModel):
    _name = "implant.erase.wizard"
    _description = "Erase Patient Data"

    record_ids = fields.Many2many("implant.record", string="Records", required=True)
    reason = fields.Text(required=True)
    override_retention = fields.Boolean(
        string="Erase before the end of retention",
        help="Only on a legal basis (for example a patient's erasure request the law allows); "
        "say which in the reason.",
    )

    def action_erase(self):
        self.ensure_one()
        self.record_ids._implant_erase_patient(self.reason, override=self.override_retention)
        return {"type": "ir.actions.act_window_close"}
