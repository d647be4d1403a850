from odoo import models


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
                (line, "output") for line in events._trace_order_done_lines(order.move_finished_ids)
            ]
            if lines:
                plans.append((order, lines))
        if not plans:
            return events
        first_seen = events._trace_lots_first_seen(
            self.env["stock.move.line"]
            .union(*(line for _order, lines in plans for line, role in lines if role == "output"))
            .lot_id
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

    def action_open_unit_genealogy(self):
        """The scan dialog recording which components went into each unit of this order."""
        self.ensure_one()
        self.env["trace.event"]._trace_genealogy_check_access()
        self.env["trace.event"]._trace_genealogy_order(self.id)  # done and readable
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Per-Unit Genealogy of %(order)s", order=self.name),
            "res_model": "trace.unit.genealogy.wizard",
            "views": [(False, "form")],
            "target": "new",
            "context": {"default_production_id": self.id},
        }
