from odoo import api, fields, models


class TraceEvent(models.Model):
    """The transformation events of orders (manufacturing, unbuild): one effective event per
    order, restated when the order changes after it was done."""

    _inherit = "trace.event"

    @api.model
    def _trace_order_done_lines(self, moves):
        """Done move lines with a quantity of the traced, non-scrap ``moves`` of an order."""
        moves = moves.filtered(lambda move: move.state == "done" and not move.scrap_id)
        return moves._trace_is_traced_product().move_line_ids.filtered(
            lambda line: line.state == "done" and line.quantity
        )

    @api.model
    def _trace_lots_first_seen(self, lots):
        """{lot id: time of the earliest effective event naming it} for ``lots`` seen before."""
        if not lots:
            return {}
        result = {}
        lines = (
            self.env["trace.event.line"]
            .sudo()
            .search([("lot_id", "in", lots.ids), ("event_id.is_superseded", "=", False)])
        )
        for line in lines:
            when = line.event_id.event_time
            if line.lot_id.id not in result or when < result[line.lot_id.id]:
                result[line.lot_id.id] = when
        return result

    @api.model
    def _trace_record_orders(self, field, plans, headers):
        """Record the events of orders (manufacturing, unbuild) in one batch.

        ``plans`` is ``[(order, [(move line, role)])]``, ``headers`` ``{order id: header
        values}``. Per order, the lines not recorded yet become one event. When the order
        already has an effective event (``field`` names the order), that event is restated by a
        correction holding its lines as they are now plus the new ones, so an order never has
        two events that each show only part of it.
        """
        all_lines = self.env["stock.move.line"].union(
            *(line for _order, lines in plans for line, _role in lines)
        )
        recorded = self._trace_recorded_move_lines(all_lines)
        todo = [
            (order, [(line, role) for line, role in lines if line.id not in recorded])
            for order, lines in plans
        ]
        todo = [(order, lines) for order, lines in todo if lines]
        if not todo:
            return self.browse()
        previous = {}
        for event in self.sudo().search(
            [(field, "in", [order.id for order, _lines in todo]), ("is_superseded", "=", False)],
            order="id",
        ):
            previous[event[field].id] = event  # the latest effective event of the order
        builder = self._trace_line_builder(all_lines.product_id)
        vals_list = []
        for order, lines in todo:
            when = max(
                (line.date for line, _role in lines if line.date), default=fields.Datetime.now()
            )
            zone = self._trace_tz_offset(
                when, company=order.company_id, location=order.location_dest_id
            )
            vals = dict(headers[order.id], event_time=when, event_tz=zone)
            line_vals = [builder(line, role) for line, role in lines]
            event = previous.get(order.id)
            if event:
                line_vals = event._trace_current_lines(builder) + line_vals
                vals.update(
                    biz_step=event.biz_step,
                    event_time=event.event_time,
                    event_tz=event.event_tz,
                    origin="correction",
                    corrected_event_id=event.id,
                    error_reason="incorrect_data",
                )
            vals["line_ids"] = [(0, 0, line) for line in line_vals]
            vals_list.append(vals)
        return self._trace_create(vals_list)

    @api.model
    def _trace_sync_move_lines(self, move_lines):
        """Also record done lines added to a done manufacturing order after it was closed.

        Odoo creates such lines directly done (an unlocked order edited), so neither
        ``_action_done`` nor the object-event path (which leaves order moves to their order)
        records them.
        """
        result = super()._trace_sync_move_lines(move_lines)
        moves = move_lines.move_id.filtered(lambda move: not move.scrap_id)
        orders = (moves.raw_material_production_id | moves.production_id).filtered(
            lambda order: order.state == "done"
        )
        if orders:
            result |= orders._trace_record_production()
        return result
