import datetime

import pytz

from odoo import api, fields, models

#: EPCIS 2.0 / CBV 2.0 business step and disposition of each implant event. Implantation puts the
#: unit into a larger whole it stays in (CBV "installing"), in the hands of the patient (CBV
#: "dispensed": supplied to the end user); explantation takes it out again (CBV "removing") and
#: the unit may not be used again (CBV "non_sellable_other"). No patient data is in the event.
IMPLANT_EPCIS = {
    "implant": ("installing", "dispensed"),
    "explant": ("removing", "non_sellable_other"),
}


class TraceEvent(models.Model):
    _inherit = "trace.event"

    origin = fields.Selection(
        selection_add=[("implant", "Implant registry")], ondelete={"implant": "cascade"}
    )

    @api.model
    def _implant_event_time(self, record):
        """Noon of the record's date at the facility (its time zone), as naive UTC."""
        facility = record.facility_id
        tz_name = facility.tz or facility.commercial_partner_id.tz or "UTC"
        try:
            zone = pytz.timezone(tz_name)
        except pytz.UnknownTimeZoneError:
            zone = pytz.utc
        local = zone.localize(datetime.datetime.combine(record.event_date, datetime.time(12)))
        return local.astimezone(pytz.utc).replace(tzinfo=None)

    @api.model
    def _implant_record_events(self, records, holders):
        """One EPCIS ObjectEvent (OBSERVE) per implant record, at its facility.

        ``holders``: {record id: partner holding the unit before the event}. When a partner
        other than the facility held it (a distributor that did not report its onward
        shipment), the event's line moves the unit from that partner to the facility, so the
        trace's holdings show the facility; otherwise nothing moves (the unit stays with the
        facility, in the patient).
        """
        vals_list = []
        for record in records:
            step, disposition = IMPLANT_EPCIS[record.event_type]
            when = self._implant_event_time(record)
            product = record.product_id
            holder = holders.get(record.id)
            moves = holder and holder != record.facility_id.commercial_partner_id
            line = {
                "role": "object",
                "product_id": product.id,
                "udi_di": record.udi_di_id.di or self._trace_product_dis(product).get(product.id),
                "lot_id": record.lot_id.id,
                "lot_name": record.lot_id.name,
                "quantity": 1.0,
                "uom_id": product.uom_id.id,
                "partner_id": holder.id if moves else False,
                "partner_dest_id": record.facility_id.commercial_partner_id.id if moves else False,
            }
            vals_list.append(
                {
                    "event_type": "object",
                    "action": "observe",
                    "biz_step": step,
                    "disposition": disposition,
                    "event_time": when,
                    "event_tz": self._trace_tz_offset(
                        when, partner=record.facility_id, company=record.company_id
                    ),
                    "source_partner_id": holder.id if moves else False,
                    "dest_partner_id": record.facility_id.commercial_partner_id.id,
                    "origin": "implant",
                    "biz_transaction": record.name,
                    "company_id": record.company_id.id,
                    "line_ids": [(0, 0, line)],
                }
            )
        return self._trace_create(vals_list)
