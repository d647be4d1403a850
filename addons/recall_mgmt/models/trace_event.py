from odoo import api, fields, models

from odoo.addons.trace_events.models.trace_event import EVENT_FACT_FIELDS, LINE_FACT_FIELDS


class TraceEvent(models.Model):
    _inherit = "trace.event"

    origin = fields.Selection(selection_add=[("recall", "Recall")], ondelete={"recall": "cascade"})

    @api.model
    def _recall_record_holding(self, campaign, lots):
        """EPCIS 'holding' / 'recalled' observation of our quarantined stock (sealed)."""
        own = campaign.line_ids.filtered(
            lambda line: line.holder_type == "location" and line.lot_id in lots
            and line.quantity > 0
        )
        if not own:
            return self.browse()
        dis = self._trace_product_dis(own.product_id)
        now = fields.Datetime.now()
        by_location = {}
        for line in own:
            by_location.setdefault(line.location_id, []).append(line)
        vals_list = []
        for location, lines in by_location.items():
            gln = self._trace_location_glns(location).get(location.id)
            vals_list.append(
                {
                    "event_type": "object",
                    "action": "observe",
                    "biz_step": "holding",
                    "disposition": "recalled",
                    "event_time": now,
                    "event_tz": self._trace_tz_offset(now),
                    "read_point_id": location.id,
                    "read_point_gln": gln,
                    "biz_location_id": location.id,
                    "biz_location_gln": gln,
                    "origin": "recall",
                    "biz_transaction": campaign.name,
                    "company_id": campaign.company_id.id,
                    "line_ids": [
                        (0, 0, {
                            "role": "object",
                            "product_id": line.product_id.id,
                            "udi_di": dis.get(line.product_id.id) or False,
                            "lot_id": line.lot_id.id,
                            "lot_name": line.lot_id.name,
                            "quantity": line.quantity,
                            "uom_id": line.product_id.uom_id.id,
                        })
                        for line in lines
                    ],
                }
            )
        return self._trace_create(vals_list)

    # ------------------------------------------------------------------ reported fates

    @api.model
    def _recall_fate_events(self, notice, lot, step):
        """The effective events recording what ``notice``'s consignee reported of ``lot`` with
        business step ``step`` (see :meth:`_recall_record_fate`), corrections included."""
        entity = notice.partner_id.commercial_partner_id
        events = self.sudo().search(
            [
                ("origin", "in", ("recall", "correction")),
                ("biz_step", "=", step),
                ("biz_transaction", "=", notice.name),
                ("company_id", "=", notice.company_id.id),
                ("source_partner_id", "child_of", entity.id),
                ("line_ids.lot_id", "=", lot.id),
            ]
        )
        return events.filtered(lambda event: not event.correction_ids)

    @api.model
    def _recall_record_fate(self, notice, lot, quantity, fate):
        """Events taking ``quantity`` units of ``lot`` out of the holdings of ``notice``'s
        consignee (its addresses holding most first, never more than they hold), as reported
        to the notice: ``fate`` is (business step, disposition, action)."""
        step, disposition, action = fate
        entity = notice.partner_id.commercial_partner_id
        company = notice.company_id
        rows = [
            row for row in self._trace_holders([lot.id], company_ids=company.ids)
            if row["holder_type"] == "partner" and row["partner_id"] and row["quantity"] > 1e-9
        ]
        partners = self.env["res.partner"].sudo().browse([row["partner_id"] for row in rows])
        held = sorted(
            ((partner, row["quantity"]) for partner, row in zip(partners, rows, strict=True)
             if partner.commercial_partner_id == entity),
            key=lambda item: (-item[1], item[0].id),
        )
        now = fields.Datetime.now()
        offset = self._trace_tz_offset(now, entity.tz or None)
        di = self._trace_product_dis(lot.product_id).get(lot.product_id.id) or False
        vals_list = []
        for partner, available in held:
            moved = min(quantity, available)
            if moved <= 1e-9:
                break
            quantity -= moved
            vals_list.append({
                "event_type": "object",
                "action": action,
                "biz_step": step,
                "disposition": disposition,
                "event_time": now,
                "event_tz": offset,
                "source_partner_id": partner.id,
                "origin": "recall",
                "biz_transaction": notice.name,
                "company_id": company.id,
                "line_ids": [(0, 0, {
                    "role": "object",
                    "product_id": lot.product_id.id,
                    "udi_di": di,
                    "lot_id": lot.id,
                    "lot_name": lot.name,
                    "quantity": moved,
                    "uom_id": lot.product_id.uom_id.id,
                    "partner_id": partner.id,
                })],
            })
        return self._trace_create(vals_list)

    def _recall_reduce(self, quantity):
        """Correction events taking ``quantity`` units off ``self`` (effective events), the
        latest first: an event keeping some units is restated with fewer (incorrect data), one
        keeping none is declared not to have occurred."""
        vals_list = []
        for event in self.sudo().sorted(lambda e: (e.event_time, e.id), reverse=True):
            if quantity <= 1e-9:
                break
            vals = {name: event._fields[name].convert_to_write(event[name], event)
                    for name in EVENT_FACT_FIELDS}
            lines = []
            for line in event.line_ids:
                cut = min(quantity, line.quantity)
                quantity -= cut
                if line.quantity - cut > 1e-9:
                    values = {name: line._fields[name].convert_to_write(line[name], line)
                              for name in LINE_FACT_FIELDS}
                    lines.append((0, 0, {**values, "quantity": line.quantity - cut}))
            vals.update(
                origin="correction",
                corrected_event_id=event.id,
                error_reason="incorrect_data" if lines else "did_not_occur",
                record_time=fields.Datetime.now(),
                line_ids=lines,
            )
            vals_list.append(vals)
        return self._trace_create(vals_list)
