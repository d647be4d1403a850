from odoo import api, models


class StockMoveLine(models.Model):
    _inherit = "stock.move.line"

    @api.onchange("lot_id")
    def _onchange_udi_inspection_blocked_lot(self):
        """Warn the clerk who picks a unit waiting for (or rejected at) incoming inspection at
        once, not only when the transfer is validated (which refuses it)."""
        lot, source = self.lot_id, self.location_id
        if not (lot and source.udi_inspection_location and self.product_id.udi_regulated):
            return None
        if self.location_dest_id.udi_inspection_location:
            return None
        states = self.env["udi.inspection"]._udi_blocking_states(
            self.product_id, lot, self.company_id or self.env.company
        )
        state = states.get(lot.id)
        if not state or (state == "rejected" and self.location_dest_id.usage == "supplier"):
            return None
        return {
            "warning": {
                "title": self.env._("Incoming inspection"),
                "message": self.env._(
                    "%(device)s %(lot)s in %(location)s waits for its incoming inspection: it "
                    "cannot be reserved, consumed or shipped until an inspector releases it. "
                    "Open Traceability > Incoming Inspections.",
                    device=self.product_id.display_name,
                    lot=lot.name,
                    location=source.display_name,
                )
                if state == "pending"
                else self.env._(
                    "%(device)s %(lot)s was rejected at incoming inspection: it can only be "
                    "returned to the supplier (its return transfer is prepared) or scrapped.",
                    device=self.product_id.display_name,
                    lot=lot.name,
                ),
            }
        }

    def _action_done(self):
        res = super()._action_done()
        # before the next step is reserved (stock.move._action_done assigns it afterwards)
        received = self.exists().filtered(lambda line: line._udi_needs_inspection())
        if received:
            self.env["udi.inspection"]._udi_create_for_move_lines(received)
        return res

    def _udi_needs_inspection(self):
        """A line receiving a regulated device from a supplier into an inspection location."""
        self.ensure_one()
        return (
            self.quantity
            and self.product_id.udi_regulated
            and self.location_id.usage == "supplier"
            and self.location_dest_id.udi_inspection_location
        )
