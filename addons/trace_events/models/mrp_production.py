from odoo import api, fields, models

from .trace_event import LINE_FACT_FIELDS


class MrpProduction(models.Model):
    _inherit = "mrp.production"

    def _post_inventory(self, cancel_backorder=False):
        result = super()._post_inventory(cancel_backorder=cancel_backorder)
        # after super: the raw and finished moves of this call are done (ODOO19_NOTES §1.6)
        self._trace_record_production()
        return result

    def _trace_record_production(self):
        """One transformation event per order for its done move lines not recorded yet.

        Inputs are the done lines of the component moves, outputs those of the finished
        product and by-product moves, of traced products only (scrapped components have their
        own destroying event). Lines already recorded are skipped, so this is safe to run again
        (a retry, the install-time backfill of done orders): it records nothing twice. A line
        added to a done order later (an unlocked order edited) restates the order's event as a
        correction that includes it, so the new component is linked to the outputs.
        """
        events = self.env["trace.event"]
        plans = []
        for order in self:
            lines = [
                (line, "input") for line in events._trace_order_done_lines(order.move_raw_ids)
            ] + [
                (line, "output")
                for line in events._trace_order_done_lines(order.move_finished_ids)
            ]
            if lines:
                plans.append((order, lines))
        if not plans:
            return events
        first_seen = events._trace_lots_first_seen(
            self.env["stock.move.line"].union(
                *(line for _order, lines in plans for line, role in lines if role == "output")
            ).lot_id
        )
        headers = {}
        for order, lines in plans:
            outputs = [line for line, role in lines if role == "output"]
            headers[order.id] = order._trace_production_header(outputs, first_seen)
        return events._trace_record_orders("production_id", plans, headers)

    def _trace_production_header(self, outputs, first_seen):
        """Header of the order's transformation event.

        ``commissioning`` when every produced line carries a lot/serial that no earlier event
        names (the order gave the devices their identity); otherwise (more units of a known
        lot, outputs without lot/serial, or no traced output) ``creating_class_instance``, the
        CBV step that may repeat for the same class-level identifier. "Earlier" is by event
        time, so a backfill that records the later shipments first still sees the order as
        the serials' commissioning.
        """
        self.ensure_one()
        events = self.env["trace.event"]
        commissioning = bool(outputs) and all(
            line.lot_id
            and (line.lot_id.id not in first_seen or first_seen[line.lot_id.id] > line.date)
            for line in outputs
        )
        location = self.location_dest_id
        gln = events._trace_location_glns(location).get(location.id)
        return {
            "event_type": "transformation",
            "biz_step": "commissioning" if commissioning else "creating_class_instance",
            "disposition": "active",
            "read_point_id": location.id,
            "read_point_gln": gln,
            "biz_location_id": location.id,
            "biz_location_gln": gln,
            "origin": "production",
            "production_id": self.id,
            "biz_transaction": self.name,
            "company_id": self.company_id.id,
        }


class TraceEvent(models.Model):
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
        lines = self.env["trace.event.line"].sudo().search(
            [("lot_id", "in", lots.ids), ("event_id.is_superseded", "=", False)]
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
            vals = dict(headers[order.id], event_time=when, event_tz=self._trace_tz_offset(when))
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

    def _trace_current_lines(self, builder):
        """Line values of this event as its move lines say now (for a restatement)."""
        self.ensure_one()
        result = []
        for line in self.sudo().line_ids:
            move_line = line.move_line_id
            if not move_line:
                result.append(
                    {name: line._fields[name].convert_to_write(line[name], line)
                     for name in LINE_FACT_FIELDS}
                )
            elif move_line.exists() and move_line.state == "done" and move_line.quantity:
                result.append(builder(move_line, line.role))
        return result

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
