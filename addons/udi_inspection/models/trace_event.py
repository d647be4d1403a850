from odoo import api, fields, models


class TraceEvent(models.Model):
    _inherit = "trace.event"

    origin = fields.Selection(
        selection_add=[("inspection", "Incoming inspection")],
        ondelete={"inspection": "cascade"},
    )

    @api.model
    def _udi_record_rejection(self, inspection):
        """EPCIS observation of units rejected at incoming inspection: they stay where they
        are (nothing moves), business step inspecting, disposition non_conformant."""
        location = inspection.location_id
        now = fields.Datetime.now()
        gln = self._trace_location_glns(location).get(location.id)
        product = inspection.product_id
        di = self._trace_product_dis(product).get(product.id)
        return self._trace_create(
            [
                {
                    "event_type": "object",
                    "action": "observe",
                    "biz_step": "inspecting",
                    "disposition": "non_conformant",
                    "event_time": now,
                    "event_tz": self._trace_tz_offset(
                        now, company=inspection.company_id, location=location
                    ),
                    "read_point_id": location.id,
                    "read_point_gln": gln,
                    "biz_location_id": location.id,
                    "biz_location_gln": gln,
                    "origin": "inspection",
                    "picking_id": inspection.picking_id.id,
                    "biz_transaction": inspection.picking_id.name,
                    "company_id": inspection.company_id.id,
                    "line_ids": [
                        (
                            0,
                            0,
                            {
                                "role": "object",
                                "product_id": product.id,
                                "udi_di": di or False,
                                "lot_id": inspection.lot_id.id,
                                "lot_name": inspection.lot_id.name or False,
                                "quantity": inspection.quantity,
                                "uom_id": product.uom_id.id,
                            },
                        )
                    ],
                }
            ]
        )
