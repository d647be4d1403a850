from odoo import api, models

#: move line fields whose change after the move is done changes what the event says
TRACED_FIELDS = frozenset(
    {"lot_id", "lot_name", "quantity", "product_id", "location_id", "location_dest_id"}
)


class StockMoveLine(models.Model):
    _inherit = "stock.move.line"

    _trace_done_lot_index = models.Index("(lot_id) WHERE state = 'done' AND lot_id IS NOT NULL")

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        done = lines.filtered(lambda line: line.state == "done")
        if done:
            # a line added to a done transfer: Odoo moves the quants without _action_done
            self.env["trace.event"]._trace_sync_move_lines(done)
        return lines

    def write(self, vals):
        done = self.browse()
        if TRACED_FIELDS.intersection(vals):
            done = self.filtered(lambda line: line.state == "done")
        result = super().write(vals)
        if done:
            # a done line edited (Detailed Operations of a done transfer): correct its event
            self.env["trace.event"]._trace_sync_move_lines(done)
        return result
