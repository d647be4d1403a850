from odoo import api, models


class TraceEvent(models.Model):
    """Event lines from move lines: the values of a move line's event line, which move lines
    have one already, and the restatement of events whose done move lines changed."""

    _inherit = "trace.event"

    @api.model
    def _trace_effective_lines(self, move_lines):
        """The event lines of ``move_lines`` in effective (not superseded) events."""
        if not move_lines:
            return self.env["trace.event.line"]
        return (
            self.env["trace.event.line"]
            .sudo()
            .search(
                [
                    ("move_line_id", "in", move_lines.ids),
                    ("event_id.is_superseded", "=", False),
                ]
            )
        )

    @api.model
    def _trace_recorded_move_lines(self, move_lines):
        """Ids of ``move_lines`` that already have an effective event line."""
        return set(self._trace_effective_lines(move_lines).move_line_id.ids)

    @api.model
    def _trace_line_builder(self, products):
        """A function (move line, role) -> event line values, with the DIs read once."""
        dis = self._trace_product_dis(products)
        cache = {}

        def external(location, partner):
            return partner.id if location.usage != "internal" and partner else False

        def build(line, role):
            move = line.move_id
            if move not in cache:
                cache[move] = (
                    move._trace_partners()
                    if move.picking_id or move.partner_id
                    else (self.env["res.partner"], self.env["res.partner"])
                )
            source, dest = cache[move]
            product = line.product_id
            if product.id not in dis:
                dis.update(self._trace_product_dis(product))
            return {
                "role": role,
                "product_id": product.id,
                "udi_di": dis.get(product.id) or False,
                "lot_id": line.lot_id.id,
                "lot_name": line.lot_id.name or line.lot_name or False,
                "quantity": line.quantity_product_uom,
                "uom_id": product.uom_id.id,
                "move_line_id": line.id,
                "location_id": line.location_id.id,
                "location_dest_id": line.location_dest_id.id,
                "partner_id": external(line.location_id, source),
                "partner_dest_id": external(line.location_dest_id, dest),
            }

        return build

    @api.model
    def _trace_sync_move_lines(self, move_lines):
        """Bring the events of done ``move_lines`` in line with what the lines say now.

        Called after a done move line was created or edited outside ``_action_done``. Events
        are never edited: each affected event is restated by a correction event (EPCIS error
        declaration, reason ``incorrect_data``) carrying the lines as they are now; a line whose
        move has no event yet gets the move's ordinary event.
        """
        move_lines = move_lines.filtered(
            lambda line: (
                line.product_id.tracking in ("lot", "serial") or line.product_id.udi_regulated
            )
        )
        if not move_lines:
            return self.browse()
        effective = self._trace_effective_lines(move_lines.move_id.move_line_ids)
        events = effective.event_id
        by_move = {line.move_line_id.move_id for line in effective}
        unrecorded_moves = move_lines.move_id.filtered(lambda move: move not in by_move)
        corrections = events._trace_restate("incorrect_data")
        return corrections | unrecorded_moves._trace_record_moves()
