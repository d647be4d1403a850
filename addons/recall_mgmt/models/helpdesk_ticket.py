from odoo import fields, models


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    recall_campaign_ids = fields.One2many("recall.campaign", "ticket_id", string="Recalls")

    def action_open_recall(self):
        """A draft recall whose scope is the ticket's device (lot/serial or product)."""
        self.ensure_one()
        lot = self.trace_lot_id if "trace_lot_id" in self._fields else self.env["stock.lot"]
        product = self.trace_product_id if "trace_product_id" in self._fields else lot.product_id
        return {
            "type": "ir.actions.act_window",
            "res_model": "recall.campaign",
            "view_mode": "form",
            "target": "current",
            "context": {
                "default_title": self.name,
                "default_source": "complaint",
                "default_ticket_id": self.id,
                "default_reason": self.env._(
                    "Complaint %(ticket)s: %(title)s", ticket=self.number, title=self.name
                ),
                "default_lot_ids": [(6, 0, lot.ids)],
                "default_product_ids": [(6, 0, (product or lot.product_id).ids)],
            },
        }
