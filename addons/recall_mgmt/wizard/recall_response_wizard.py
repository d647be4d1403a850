from odoo import api, fields, models
from odoo.exceptions import UserError

from .recall_sign_mixin import PASSWORD_KEY


class RecallResponseWizard(models.TransientModel):
    """Staff record a consignee's answer received by mail or phone."""

    _name = "recall.response.wizard"
    _description = "Record a Recall Response"

    notice_id = fields.Many2one("recall.notice", required=True, readonly=True)
    acknowledge = fields.Boolean(
        string="Acknowledged", help="The consignee confirmed it received and read the notice."
    )
    # never stored: the Record button sends it in its context (see recall.sign.wizard)
    password = fields.Char(
        store=False,
        help="Your password: you sign that the consignee acknowledged (as its contact said).",
    )
    note = fields.Text(help="Who answered, how, and what they said.")
    line_ids = fields.One2many("recall.response.wizard.line", "wizard_id", string="Quantities")

    @api.model
    def _recall_open(self, notice):
        lots = notice.line_ids.lot_id
        wizard = self.create(
            {
                "notice_id": notice.id,
                "acknowledge": notice.state == "sent",
                "line_ids": [(0, 0, {"lot_id": lot.id}) for lot in lots],
            }
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Record Response"),
            "res_model": self._name,
            "res_id": wizard.id,
            "view_mode": "form",
            "target": "new",
        }

    def action_record(self):
        """Record the answer; an acknowledgement is signed with the password in the context
        key ``signature_password``."""
        self.ensure_one()
        # typed in the dialog: the button's context (web client, RPC), else the unstored field
        # set in this transaction (server code)
        password = self.env.context.get(PASSWORD_KEY) or self.password
        # the password goes no further than the signature check
        wizard = self.with_context(**{PASSWORD_KEY: None})
        notice = wizard.notice_id
        if wizard.acknowledge and notice.state == "sent":
            signature = wizard.env["recall.signature"]._recall_sign(notice, "acknowledge", password)
            notice._recall_acknowledge(signature, channel="backend")
        reports = [
            {
                "lot_id": line.lot_id.id,
                "qty_on_hand": line.qty_on_hand,
                "qty_used": line.qty_used,
                "qty_returned": line.qty_returned,
                "qty_destroyed": line.qty_destroyed,
            }
            for line in wizard.line_ids
            if line.qty_on_hand or line.qty_used or line.qty_returned or line.qty_destroyed
        ]
        if reports:
            notice._recall_report(reports, channel="backend", note=wizard.note)
        elif not wizard.acknowledge:
            raise UserError(self.env._("Nothing to record: acknowledge or enter quantities."))
        return {"type": "ir.actions.act_window_close"}


class RecallResponseWizardLine(models.TransientModel):
    _name = "recall.response.wizard.line"
    _description = "Record a Recall Response: Quantities"

    wizard_id = fields.Many2one("recall.response.wizard", required=True, ondelete="cascade")
    lot_id = fields.Many2one("stock.lot", string="Lot/Serial", required=True, readonly=True)
    qty_on_hand = fields.Float(string="On Hand", digits="Product Unit")
    qty_used = fields.Float(string="Used", digits="Product Unit")
    qty_returned = fields.Float(string="Returned", digits="Product Unit")
    qty_destroyed = fields.Float(string="Destroyed", digits="Product Unit")
