from odoo import models


class StockMoveLine(models.Model):
    _inherit = "stock.move.line"

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
