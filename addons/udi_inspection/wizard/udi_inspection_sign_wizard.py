from odoo import api, fields, models
from odoo.exceptions import UserError

#: signing action -> (signature meaning, method called on the inspection with the signature)
ACTIONS = {
    "release": ("inspection_release", "_udi_release"),
    "reject": ("inspection_reject", "_udi_reject"),
}


class UdiInspectionSignWizard(models.TransientModel):
    """Electronic signature of an incoming inspection decision: the inspector sees the units,
    the checks and the meaning, gives the reason of a rejection, and re-enters the password
    (the recall signature mechanism: ``recall.signature._recall_sign``)."""

    _name = "udi.inspection.sign.wizard"
    _inherit = ["recall.sign.mixin"]
    _description = "Sign an Incoming Inspection Decision"

    inspection_id = fields.Many2one("udi.inspection", required=True, readonly=True)
    action = fields.Selection(
        [("release", "Release"), ("reject", "Reject")], required=True, readonly=True
    )
    reason = fields.Text(help="Why the units are rejected (required for a rejection).")

    @api.model
    def _udi_open(self, inspection, action):
        return self._recall_open_dialog({"inspection_id": inspection.id, "action": action})

    @api.depends("action", "inspection_id")
    def _compute_meaning_text(self):
        for wizard in self:
            wizard.meaning_text = (
                self._recall_meaning_label(ACTIONS[wizard.action][0]) if wizard.action else ""
            )
            inspection = wizard.inspection_id
            wizard.summary = self.env._(
                "%(inspection)s: %(quantity)s %(uom)s of %(device)s, lot/serial %(lot)s, "
                "received from %(supplier)s on %(receipt)s. Checks: %(checks)s.",
                inspection=inspection.name,
                quantity=inspection.quantity,
                uom=inspection.uom_id.name,
                device=inspection.product_id.display_name,
                lot=inspection.lot_id.name or "-",
                supplier=inspection.partner_id.display_name,
                receipt=inspection.picking_id.name,
                checks=inspection.check_summary,
            )

    def action_sign(self):
        """Sign with the password in the context key ``signature_password``, then release or
        reject. A wrong password records nothing but the throttled failure."""
        self.ensure_one()
        password, wizard = self._recall_take_password()
        inspection = wizard.inspection_id
        inspection._udi_check_pending()
        inspection._udi_check_inspector()
        meaning, method = ACTIONS[wizard.action]
        if wizard.action == "reject":
            if not (wizard.reason or "").strip():
                raise UserError(
                    self.env._(
                        "%(inspection)s: give the reason for the rejection.",
                        inspection=inspection.display_name,
                    )
                )
            inspection._udi_set_reason(wizard.reason.strip())
        else:
            inspection._udi_check_releasable()
        signature = wizard.env["recall.signature"]._recall_sign(inspection, meaning, password)
        getattr(inspection, method)(signature)
        return {"type": "ir.actions.act_window_close"}
