from odoo import models


class StockMove(models.Model):
    _inherit = "stock.move"

    def _action_done(self, cancel_backorder=False):
        packages = self.move_line_ids.result_package_id | self.move_line_ids.package_id
        containers = {package: package.parent_package_id for package in packages}
        moves = super()._action_done(cancel_backorder=cancel_backorder)
        done = moves.filtered(lambda move: move.state == "done")
        done._trace_record_moves()
        done._trace_record_packing(containers)
        return moves

    def _trace_record_packing(self, containers):
        """The packing/unpacking events of these done moves (see
        :meth:`~.trace_event_package.TraceEvent._trace_record_packing`); ``containers``:
        {package: its container before the moves}."""
        lines = self._trace_is_traced_product().move_line_ids
        touched = {
            package: before
            for package, before in containers.items()
            if package.exists() and package.parent_package_id != before
        }
        if not (lines.result_package_id or lines.package_id or touched):
            return self.env["trace.event"]
        return self.env["trace.event"]._trace_record_packing(lines, touched)

    # ------------------------------------------------------------------ which moves

    def _trace_is_traced_product(self):
        """Moves of devices we trace: regulated (UDI) products, or tracked by lot/serial."""
        return self.filtered(
            lambda move: (
                move.product_id.tracking in ("lot", "serial") or move.product_id.udi_regulated
            )
        )

    def _trace_is_order_move(self):
        """Moves whose event is the order's (manufacturing, unbuild, repair), not their own."""
        self.ensure_one()
        if self.scrap_id:
            return False
        return bool(
            self.raw_material_production_id
            or self.production_id
            or self.unbuild_id
            or self.consume_unbuild_id
            or self.repair_id
        )

    def _trace_record_moves(self):
        """One object event per done move of a traced product, in one batch.

        Move lines that already have an effective event line are skipped, so running this
        twice (a retry, a re-entrant ``_action_done``) records nothing twice.
        """
        moves = self._trace_is_traced_product().filtered(
            lambda move: not move._trace_is_order_move()
        )
        if not moves:
            return self.env["trace.event"]
        events = self.env["trace.event"]
        done = events._trace_recorded_move_lines(moves.move_line_ids)
        vals_list = []
        builder = events._trace_line_builder(moves.product_id)
        for move in moves:
            move_lines = move.move_line_ids.filtered(
                lambda line: line.id not in done and line.quantity
            )
            if not move_lines:
                continue
            vals = move._trace_event_vals()
            vals["line_ids"] = [(0, 0, builder(line, "object")) for line in move_lines]
            vals_list.append(vals)
        return events._trace_create(vals_list)

    # ------------------------------------------------------------------ what the move means

    def _trace_step(self):
        """(business step, disposition, action) of this done move, after its operation."""
        self.ensure_one()
        src, dest = self.location_id, self.location_dest_id
        if self.is_inventory:
            return "cycle_counting", "active", "observe"
        if self.scrap_id or dest.usage == "inventory":
            return "destroying", "destroyed", "delete"
        if src.usage == "supplier" and dest.usage == "customer":
            return "shipping", "in_transit", "observe"  # dropship
        if dest.usage in ("customer", "supplier"):
            return "shipping", "returned" if dest.usage == "supplier" else "in_transit", "observe"
        if src.usage in ("customer", "supplier"):
            return "receiving", "returned" if src.usage == "customer" else "in_progress", "observe"
        warehouse = dest.warehouse_id
        if warehouse and dest == warehouse.wh_output_stock_loc_id:
            return "picking", "in_progress", "observe"
        if warehouse and dest == warehouse.wh_pack_stock_loc_id:
            return "packing", "in_progress", "observe"
        if warehouse and dest == warehouse.wh_qc_stock_loc_id:
            return "inspecting", "in_progress", "observe"
        if src.usage == "transit" or dest.usage == "transit":
            return ("departing" if dest.usage == "transit" else "arriving"), "in_transit", "observe"
        return "storing", "active", "observe"

    def _trace_partners(self):
        """(source partner, destination partner): the external parties the units left/reached."""
        self.ensure_one()
        partner = self.picking_id.partner_id or self.partner_id
        source = dest = self.env["res.partner"]
        if self.location_dest_id.usage in ("customer", "supplier"):
            dest = partner
        if self.location_id.usage in ("customer", "supplier") and not dest:
            source = partner
        return source, dest

    def _trace_event_vals(self):
        """Header values of the object event of this done move (lines added by the caller)."""
        self.ensure_one()
        events = self.env["trace.event"]
        step, disposition, action = self._trace_step()
        source, dest = self._trace_partners()
        internal_side = (
            self.location_dest_id if self.location_dest_id.usage == "internal" else self.location_id
        )
        glns = events._trace_location_glns(internal_side)
        when = self.date
        return {
            "event_type": "object",
            "action": action,
            "biz_step": step,
            "disposition": disposition,
            "event_time": when,
            "event_tz": events._trace_tz_offset(
                when, company=self.company_id, location=internal_side
            ),
            "read_point_id": internal_side.id,
            "read_point_gln": glns.get(internal_side.id),
            "biz_location_id": self.location_dest_id.id
            if self.location_dest_id.usage == "internal"
            else False,
            "biz_location_gln": glns.get(self.location_dest_id.id)
            if self.location_dest_id.usage == "internal"
            else False,
            "source_partner_id": source.id,
            "dest_partner_id": dest.id,
            "origin": "stock_move",
            "move_id": self.id,
            "picking_id": self.picking_id.id,
            "scrap_id": self.scrap_id.id,
            "biz_transaction": self.picking_id.name or self.scrap_id.name or self.reference,
            "company_id": self.company_id.id,
        }
