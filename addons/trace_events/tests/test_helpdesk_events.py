from datetime import timedelta

from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged

from .common import TraceCommon

IMPLANT_DI = "06901234500011"
CATHETER_DI = "06901234567892"
UNKNOWN_DI = "09506000134352"  # a valid GTIN that no device here has


@tagged("post_install", "-at_install")
class TestHelpdeskEvents(TraceCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.pacemaker = cls.implant.product_variant_id
        cls.hospital.write({  # a consignee of regulated devices needs its licence on record
            "udi_licence_number": "沪卫医证20180002号",
            "udi_licence_expiry": cls._date(365),
        })
        cls._receive([
            (cls.pacemaker, "PMH0001", 1),
            (cls.pacemaker, "PMH0002", 1),
            (cls.pacemaker, "PMH0003", 1),
            (cls.catheter_variant, "C-HD-1", 10),
        ])
        cls.sold_on = cls._lot_named(cls.pacemaker, "PMH0001")  # via the distributor
        cls.direct = cls._lot_named(cls.pacemaker, "PMH0002")  # shipped to the hospital
        cls.spare = cls._lot_named(cls.pacemaker, "PMH0003")  # still in our stock
        cls.catheter_lot = cls._lot_named(cls.catheter_variant, "C-HD-1")
        cls._deliver(cls.distributor, [(cls.pacemaker, cls.sold_on, 1)])
        cls._deliver(cls.hospital, [(cls.pacemaker, cls.direct, 1)])
        cls.stage_new = cls.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_new")
        cls.stage_done = cls.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_done")
        cls.stage_cancelled = cls.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_cancelled")
        # the ward is attached to the hospital by a write: created with its parent in the same
        # transaction, its commercial partner is lost (auditlog's snapshot of the new contact
        # consumes the pending computation, see the report to the lead)
        cls.ward = cls.env["res.partner"].create({"name": "Cardiology ward", "type": "contact"})
        cls.ward.parent_id = cls.hospital
        cls.env.flush_all()

    def _ticket(self, service_type, lot=None, **values):
        return self.env["helpdesk.ticket"].create({
            "name": f"{service_type} of a pacemaker",
            "description": "<p>On site visit.</p>",
            "partner_id": self.ward.id,
            "trace_service_type": service_type,
            "trace_lot_id": lot.id if lot else False,
            **values,
        })

    def _close(self, ticket):
        ticket.stage_id = self.stage_done
        return ticket.trace_event_ids

    def _holders(self, lot):
        return sorted(
            (row["holder_type"], row["partner_id"] or row["location_id"], row["quantity"])
            for row in self.Event._trace_holders(lot.ids)
        )

    # ------------------------------------------------------------------ events

    def test_closing_an_installation_records_an_installing_event_at_the_customer(self):
        ticket = self._ticket("installation", self.direct)
        event = self._close(ticket)
        self.assertRecordValues(event, [{
            "event_type": "object",
            "action": "observe",
            "biz_step": "installing",
            "disposition": "active",
            "origin": "ticket",
            "ticket_id": ticket.id,
            "biz_transaction": ticket.number,
            "read_point_gln": "6901234000023",
            "biz_location_gln": "6901234000023",
            "dest_partner_id": self.hospital.id,
            "event_time": ticket.closed_date,
        }])
        self.assertRecordValues(event.line_ids, [{
            "role": "object", "lot_id": self.direct.id, "product_id": self.pacemaker.id,
            "udi_di": IMPLANT_DI, "quantity": 1, "move_line_id": False,
            "partner_id": False, "partner_dest_id": False,
        }])
        self.assertEqual(ticket.trace_event_count, 1)

    def test_installation_at_a_shanghai_hospital_has_the_hospital_offset(self):
        """Not the zone of the engineer who closes the ticket (Paris, +01:00 in winter)."""
        self.hospital.tz = "Asia/Shanghai"
        self.env.company.partner_id.tz = "Europe/Brussels"
        self.env.user.tz = "Europe/Paris"
        event = self._close(self._ticket("installation", self.direct))
        self.assertEqual(event.event_tz, "+08:00")
        local = event.event_time + timedelta(hours=8)
        self.assertEqual(event.event_time_local, f"{local:%Y-%m-%d %H:%M:%S} (UTC+08:00)")

    def test_installation_at_a_hospital_without_zone_has_the_company_offset(self):
        self.hospital.tz = False
        self.env.company.partner_id.tz = "Asia/Tokyo"
        self.env.user.tz = "Europe/Paris"
        event = self._close(self._ticket("installation", self.direct))
        self.assertEqual(event.event_tz, "+09:00")

    def test_installation_of_a_device_the_customer_holds_moves_nothing(self):
        before = self._holders(self.direct)
        self._close(self._ticket("installation", self.direct))
        self.assertEqual(self._holders(self.direct), before)
        self.assertEqual(before, [("partner", self.hospital.id, 1)])

    def test_installation_of_a_device_sold_on_by_the_distributor_makes_the_customer_hold_it(self):
        event = self._close(self._ticket("installation", self.sold_on))
        self.assertEqual(event.source_partner_id, self.distributor)
        self.assertRecordValues(event.line_ids, [{
            "partner_id": self.distributor.id, "partner_dest_id": self.hospital.id,
        }])
        self.assertEqual(
            self._holders(self.sold_on),
            [("partner", self.distributor.id, 0), ("partner", self.hospital.id, 1)],
        )
        forward = self.Event.trace_forward(self.sold_on.ids)
        hospital = [row for row in forward["holders"] if row["partner_id"] == self.hospital.id]
        self.assertEqual(hospital[0]["last_event_id"], event.id)

    def test_installation_of_a_device_in_our_stock_is_a_pure_observation(self):
        event = self._close(self._ticket("installation", self.spare))
        self.assertFalse(event.line_ids.partner_id | event.line_ids.partner_dest_id)
        self.assertEqual(self._holders(self.spare), [("location", self.stock_location.id, 1)])

    def test_inspection_records_inspecting_and_maintenance_other(self):
        inspection = self._close(self._ticket("inspection", self.direct))
        maintenance = self._close(self._ticket("maintenance", self.direct))
        self.assertEqual(inspection.biz_step, "inspecting")
        self.assertEqual(maintenance.biz_step, "other")
        self.assertFalse(inspection.line_ids.partner_dest_id | maintenance.line_ids.partner_dest_id)

    def test_closing_again_or_reopening_records_no_second_event(self):
        ticket = self._ticket("installation", self.sold_on)
        event = self._close(ticket)
        ticket.stage_id = self.stage_new
        ticket.stage_id = self.stage_done
        ticket.write({"stage_id": self.stage_done.id, "trace_lot_id": self.sold_on.id})
        self.assertEqual(ticket.trace_event_ids, event)
        self.assertEqual(
            self._holders(self.sold_on),
            [("partner", self.distributor.id, 0), ("partner", self.hospital.id, 1)],
        )

    def test_reclosing_with_another_serial_records_a_correction(self):
        ticket = self._ticket("installation", self.sold_on)
        first = self._close(ticket)
        ticket.stage_id = self.stage_new
        ticket.trace_lot_id = self.direct
        ticket.stage_id = self.stage_done
        correction = ticket.trace_event_ids - first
        self.assertEqual(correction.corrected_event_id, first)
        self.assertEqual(correction.error_reason, "incorrect_data")
        self.assertEqual(correction.line_ids.lot_id, self.direct)
        self.assertTrue(first.is_superseded)
        self.assertEqual(self._holders(self.sold_on), [("partner", self.distributor.id, 1)],
                         "the wrong serial goes back to the distributor")

    def test_another_service_type_on_the_same_ticket_records_its_own_event(self):
        ticket = self._ticket("installation", self.direct)
        installation = self._close(ticket)
        ticket.stage_id = self.stage_new
        ticket.trace_service_type = "inspection"
        ticket.stage_id = self.stage_done
        self.assertEqual(len(ticket.trace_event_ids), 2)
        self.assertFalse(installation.is_superseded)

    def test_closing_a_service_ticket_without_serial_is_refused(self):
        ticket = self._ticket("maintenance")
        with self.assertRaisesRegex(ValidationError, ticket.number), self.env.cr.savepoint():
            ticket.stage_id = self.stage_done
        ticket.invalidate_recordset()
        self.assertEqual(ticket.stage_id, self.stage_new)
        self.assertFalse(ticket.trace_event_ids)

    def test_creating_a_closed_service_ticket_records_its_event(self):
        ticket = self._ticket("inspection", self.direct, stage_id=self.stage_done.id)
        self.assertEqual(ticket.trace_event_ids.biz_step, "inspecting")

    def test_cancelling_a_service_ticket_records_nothing_and_needs_no_serial(self):
        ticket = self._ticket("installation")
        ticket.stage_id = self.stage_cancelled
        self.assertTrue(ticket.closed)
        self.assertFalse(ticket.trace_event_ids)

    def test_complaint_records_no_event_and_is_listed_on_the_lot(self):
        ticket = self._ticket("complaint", self.direct)
        self._close(ticket)
        self.assertFalse(ticket.trace_event_ids)
        self.assertEqual(self.direct.trace_ticket_count, 1)
        self.assertEqual(self.direct.trace_ticket_ids, ticket)
        action = self.direct.action_view_trace_tickets()
        self.assertEqual(self.env["helpdesk.ticket"].search(action["domain"]), ticket)

    def test_ticket_events_leave_the_consistency_check_clean(self):
        self._close(self._ticket("installation", self.sold_on))
        result = self.Event.check_consistency()
        self.assertTrue(result["ok"], result)

    def test_ticket_with_an_event_cannot_be_deleted(self):
        ticket = self._ticket("inspection", self.direct)
        self._close(ticket)
        with self.assertRaises(UserError):
            ticket.unlink()

    def test_event_ticket_field_is_sealed(self):
        self.assertIn("ticket_id", self.Event._seal_field_names())

    # ------------------------------------------------------------------ device and UDI scan

    def test_scanning_a_udi_fills_device_and_serial(self):
        ticket = self._ticket("installation", trace_udi_scan=f"(01){IMPLANT_DI}(21)PMH0002")
        self.assertEqual(ticket.trace_product_id, self.pacemaker)
        self.assertEqual(ticket.trace_lot_id, self.direct)

    def test_scanning_a_udi_in_the_form_fills_device_and_serial(self):
        form = Form(self.env["helpdesk.ticket"])
        form.name = "Inspection"
        form.description = "<p>Yearly inspection.</p>"
        form.trace_service_type = "inspection"
        form.trace_udi_scan = f"(01){CATHETER_DI}(17)991231(10)C-HD-1"
        self.assertEqual(form.trace_product_id, self.catheter_variant)
        self.assertEqual(form.trace_lot_id, self.catheter_lot)

    def test_scan_of_an_unknown_di_is_refused(self):
        with self.assertRaisesRegex(ValidationError, UNKNOWN_DI):
            self._ticket("installation", trace_udi_scan=f"(01){UNKNOWN_DI}(21)X1")

    def test_scan_of_a_serial_unknown_for_the_device_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "PMH9999"):
            self._ticket("installation", trace_udi_scan=f"(01){IMPLANT_DI}(21)PMH9999")

    def test_scan_naming_a_lot_of_another_device_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "Dual-chamber pacemaker"):
            self._ticket(
                "installation", trace_udi_scan=f"(01){CATHETER_DI}(17)991231(10)PMH0001"
            )

    def test_scan_contradicting_the_given_serial_is_refused(self):
        with self.assertRaises(ValidationError):
            self._ticket(
                "installation", self.sold_on, trace_udi_scan=f"(01){IMPLANT_DI}(21)PMH0002"
            )

    def test_lot_of_another_device_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "PMH0001"):
            self._ticket(
                "complaint", self.sold_on, trace_product_id=self.catheter_variant.id
            )

    def test_lot_alone_fills_the_device(self):
        ticket = self._ticket("complaint", self.catheter_lot)
        self.assertEqual(ticket.trace_product_id, self.catheter_variant)
