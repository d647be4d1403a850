from odoo import api, fields, models


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
