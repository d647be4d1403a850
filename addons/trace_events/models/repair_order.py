from odoo import fields, models


class RepairOrder(models.Model):
    _inherit = "repair.order"

    def action_repair_done(self):
        result = super().action_repair_done()
        self._trace_record_repair()
        return result

    def _trace_record_repair(self):
        """The events of done repair orders, for their move lines not recorded yet.

        * parts added: an AssociationEvent ``add`` (bizStep ``repairing``) with the repaired
          unit as ``parent`` and the added parts as ``child`` lines, so that a part recall
          reaches the devices it was fitted into; without added parts, an ObjectEvent
          ``observe`` ``repairing`` with the unit line;
        * parts removed or recycled: an AssociationEvent ``delete`` with the unit as ``parent``
          (a line without move line: the unit's move line belongs to the first event) and the
          parts as ``removed`` lines.

        Every done move line of a traced product thus gets exactly one event line; lines
        already recorded are skipped, so running this again records nothing twice. A repair
        without a product to repair (parts only) gets one ObjectEvent with the part lines.
        """
        events = self.env["trace.event"]
        repairs = self.filtered(lambda repair: repair.state == "done")
        if not repairs:
            return events
        all_lines = events._trace_order_done_lines(repairs.move_ids | repairs.move_id)
        recorded = events._trace_recorded_move_lines(all_lines)
        builder = events._trace_line_builder(all_lines.product_id | repairs.product_id)
        dis = events._trace_product_dis(repairs.product_id)
        vals_list = []
        for repair in repairs:
            vals_list += repair._trace_repair_events_vals(builder, dis, recorded)
        return events._trace_create(vals_list)

    def _trace_repair_events_vals(self, builder, dis, recorded):
        """Values of the events of this done repair for its move lines not in ``recorded``
        (see :meth:`_trace_record_repair`); ``builder`` makes the line values of a move line,
        ``dis`` gives the repaired product's DI."""
        self.ensure_one()
        unit = self._trace_repair_new_lines(self.move_id, recorded)
        added = self._trace_repair_new_lines(
            self.move_ids.filtered(lambda m: m.repair_line_type == "add"), recorded
        )
        removed = self._trace_repair_new_lines(
            self.move_ids.filtered(lambda m: m.repair_line_type in ("remove", "recycle")),
            recorded,
        )
        if not (unit or added or removed):
            return []
        lines = unit | added | removed
        when = max((line.date for line in lines if line.date), default=fields.Datetime.now())
        header = self._trace_repair_header(when)
        if not self.product_id:
            return [
                dict(
                    header,
                    event_type="object",
                    action="observe",
                    line_ids=[(0, 0, builder(line, "object")) for line in added | removed],
                )
            ]
        vals_list = []
        bare_parent = self._trace_unit_line_vals(dis)
        if added:
            parents = [
                self._trace_unit_move_line_vals(builder, line, "parent") for line in unit
            ] or [bare_parent]
            vals_list.append(
                dict(
                    header,
                    event_type="association",
                    action="add",
                    line_ids=[(0, 0, vals) for vals in parents]
                    + [(0, 0, builder(line, "child")) for line in added],
                )
            )
        elif unit:
            vals_list.append(
                dict(
                    header,
                    event_type="object",
                    action="observe",
                    line_ids=[
                        (0, 0, self._trace_unit_move_line_vals(builder, line, "object"))
                        for line in unit
                    ],
                )
            )
        if removed:
            vals_list.append(
                dict(
                    header,
                    event_type="association",
                    action="delete",
                    line_ids=[(0, 0, bare_parent)]
                    + [(0, 0, builder(line, "removed")) for line in removed],
                )
            )
        return vals_list

    def _trace_repair_new_lines(self, moves, recorded):
        """The done move lines of ``moves`` that are not in ``recorded``."""
        return (
            self.env["trace.event"]
            ._trace_order_done_lines(moves)
            .filtered(lambda line: line.id not in recorded)
        )

    def _trace_unit_move_line_vals(self, builder, line, role):
        """Values of the event line of the repaired unit's move ``line``: the unit stays with
        its holder, so at a customer's site the repair's partner holds it before and after
        (nothing moves in the holder balance)."""
        vals = builder(line, role)
        partner = line.move_id.repair_id.partner_id.id or False
        if line.location_id.usage != "internal":
            vals["partner_id"] = partner
        if line.location_dest_id.usage != "internal":
            vals["partner_dest_id"] = partner
        return vals

    def _trace_repair_header(self, when):
        """Header of this repair's events: at the repaired unit's location; the customer is
        source / destination only when the unit is not in one of our locations."""
        self.ensure_one()
        events = self.env["trace.event"]
        location = self.product_location_dest_id or self.location_id
        internal = location if location.usage == "internal" else self.location_id
        gln = events._trace_location_glns(internal).get(internal.id)
        external_src = self.product_location_src_id.usage != "internal"
        external_dest = self.product_location_dest_id.usage != "internal"
        return {
            "biz_step": "repairing",
            "disposition": "active",
            "event_time": when,
            "event_tz": events._trace_tz_offset(when, company=self.company_id, location=internal),
            "read_point_id": internal.id,
            "read_point_gln": gln,
            "biz_location_id": location.id if location.usage == "internal" else False,
            "biz_location_gln": gln if location.usage == "internal" else False,
            "source_partner_id": self.partner_id.id if external_src else False,
            "dest_partner_id": self.partner_id.id if external_dest else False,
            "origin": "repair",
            "repair_id": self.id,
            "biz_transaction": self.name,
            "company_id": self.company_id.id,
        }

    def _trace_unit_line_vals(self, dis):
        """A ``parent`` line naming the repaired unit without a move line (it stays where it
        is: no location, no partner, so it moves nothing in the holder balance)."""
        self.ensure_one()
        product = self.product_id
        uom = self.product_uom or product.uom_id
        return {
            "role": "parent",
            "product_id": product.id,
            "udi_di": dis.get(product.id) or False,
            "lot_id": self.lot_id.id,
            "lot_name": self.lot_id.name or False,
            "quantity": uom._compute_quantity(self.product_qty, product.uom_id),
            "uom_id": product.uom_id.id,
        }
