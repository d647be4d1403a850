from odoo import api, fields, models
from odoo.exceptions import UserError


class RecallReasonWizard(models.TransientModel):
    """Asks why: ending a recall early, or releasing quarantined stock."""

    _name = "recall.reason.wizard"
    _description = "Recall Reason"

    action = fields.Selection(
        [("terminate", "Terminate early"), ("release", "Release quarantine")],
        required=True,
        readonly=True,
    )
    campaign_id = fields.Many2one("recall.campaign", readonly=True)
    quarantine_ids = fields.Many2many("recall.quarantine", readonly=True)
    reason = fields.Text()

    @api.model
    def _recall_open(self, records, action):
        vals = {"action": action}
        if records._name == "recall.campaign":
            vals["campaign_id"] = records.id
        else:
            vals["quarantine_ids"] = [(6, 0, records.ids)]
        wizard = self.create(vals)
        return {
            "type": "ir.actions.act_window",
            "name": dict(self._fields["action"]._description_selection(self.env))[action],
            "res_model": self._name,
            "res_id": wizard.id,
            "view_mode": "form",
            "target": "new",
        }

    def action_confirm(self):
        self.ensure_one()
        if not (self.reason or "").strip():
            raise UserError(self.env._("Give a reason."))
        if self.action == "terminate":
            self.campaign_id._recall_check_manager()
            self.campaign_id._recall_terminate(self.reason.strip())
        else:
            self.quarantine_ids._recall_release(self.reason.strip())
        return {"type": "ir.actions.act_window_close"}
