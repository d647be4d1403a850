from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common import PATIENT, ImplantCommon, gs1


@tagged("post_install", "-at_install")
class TestImplantRecords(ImplantCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.implanted = cls._implant("PM-T001", physician="Dr. Chen Wei")
        cls.explanted = cls._implant("PM-T002", day="2026-10-01")
        cls.explant = cls.Record.browse(
            cls.Record.with_user(cls.staff).record_explant(
                gs1(cls.di, "PM-T002"), cls.hospital.id, "2026-11-25", reason="Infection"
            )["id"]
        )
        cls.env["audit.seal.entry"]._seal_run_pending()

    def test_implantation_records_unit_facility_and_sealed_facts(self):
        record = self.implanted
        self.assertEqual(record.lot_id, self.units["PM-T001"])
        self.assertEqual(record.product_id, self.pacemaker)
        self.assertEqual(record.udi_di_id.di, self.di)
        self.assertEqual(record.facility_id, self.hospital)
        self.assertEqual(record.state, "implanted")
        self.assertEqual(record.source, "api")
        self.assertEqual(record.reporter_id, self.staff)
        self.assertTrue(record.name.startswith("IMP/"))
        self.assertIn(record.seal_status, ("sealed", "verified"))
        with self.assertRaises(UserError):
            record.sudo().write({"event_date": "2026-01-01"})

    def test_implantation_is_an_epcis_event_in_the_forward_trace(self):
        event = self.implanted.trace_event_id
        self.assertEqual((event.biz_step, event.disposition), ("installing", "dispensed"))
        self.assertEqual(event.dest_partner_id, self.hospital)
        self.assertEqual(event.line_ids.lot_id, self.units["PM-T001"])
        trace = self.env["trace.event"]._trace_result(self.units["PM-T001"].ids, "forward")
        holders = [h for h in trace["holders"] if h["holder_type"] == "partner"]
        self.assertEqual([h["partner_id"] for h in holders], [self.hospital.id])
        self.assertEqual(holders[0]["quantity"], 1.0)
        self.assertIn(
            event,
            self.env["trace.event"].search([("line_ids.lot_id", "=", self.units["PM-T001"].id)]),
        )

    def test_explantation_ends_the_implantation(self):
        implant = self.explanted
        self.assertEqual(implant.state, "explanted")
        self.assertEqual(implant.explant_id, self.explant)
        self.assertEqual(self.explant.implant_id, implant)
        self.assertEqual(self.explant.patient_token, implant.patient_token)
        event = self.explant.trace_event_id
        self.assertEqual((event.biz_step, event.disposition), ("removing", "non_sellable_other"))

    def test_unit_shipped_to_a_distributor_moves_to_the_facility_in_the_trace(self):
        self._implant("PM-T005", facility=self.us_hospital)
        trace = self.env["trace.event"]._trace_result(self.units["PM-T005"].ids, "forward")
        held = {
            h["partner_id"]: h["quantity"]
            for h in trace["holders"]
            if h["holder_type"] == "partner"
        }
        self.assertEqual(held, {self.distributor.id: 0.0, self.us_hospital.id: 1.0})

    def test_refuses_unknown_unit(self):
        with self.assertRaisesRegex(UserError, "Unknown unit"):
            self._implant("PM-NOPE")

    def test_refuses_unit_still_in_stock(self):
        with self.assertRaisesRegex(UserError, "never shipped"):
            self._implant("PM-T006")
        self.assertFalse(self.Record.search([("lot_id", "=", self.units["PM-T006"].id)]))

    def test_refuses_second_implantation_of_an_implanted_unit(self):
        with self.assertRaisesRegex(UserError, "cannot be implanted"):
            self._implant("PM-T001", patient="RJ-OTHER")

    def test_refuses_explant_of_a_unit_not_implanted(self):
        with self.assertRaisesRegex(UserError, "no implantation"):
            self.Record.with_user(self.staff).record_explant(
                gs1(self.di, "PM-T003"), self.hospital.id, "2026-11-25"
            )

    def test_refuses_explant_with_another_patient(self):
        with self.assertRaisesRegex(UserError, "does not match"):
            self.Record.with_user(self.staff).record_explant(
                gs1(self.di, "PM-T001"), self.hospital.id, "2026-11-25", patient_ref="RJ-9"
            )
        self.assertEqual(self.implanted.state, "implanted")

    def test_explant_with_the_same_patient_whatever_the_spacing_and_case(self):
        result = self.Record.with_user(self.staff).record_explant(
            gs1(self.di, "PM-T001"),
            self.hospital.id,
            "2026-11-26",
            patient_ref=f"  {PATIENT.lower()} ",
        )
        self.assertEqual(self.Record.browse(result["id"]).implant_id, self.implanted)

    def test_refuses_another_companys_unit_as_unknown(self):
        with self.assertRaisesRegex(UserError, "Unknown unit"):
            self._implant("PM-T003", user=self.other_user)

    def test_refuses_facility_without_healthcare_role(self):
        with self.assertRaisesRegex(UserError, "not a healthcare facility"):
            self._implant("PM-T003", facility=self.distributor)

    def test_refuses_untracked_device(self):
        self.implant.implant_tracked = False
        with self.assertRaisesRegex(UserError, "not a tracked device"):
            self._implant("PM-T003")

    def test_refuses_bad_date_and_missing_patient(self):
        with self.assertRaises(ValidationError):
            self._implant("PM-T003", day="20-11-2026")
        with self.assertRaises(ValidationError):
            self._implant("PM-T003", day="2099-01-01")
        with self.assertRaisesRegex(UserError, "patient id"):
            self._implant("PM-T003", patient="")

    def test_user_without_traceability_rights_cannot_record(self):
        portal = self.env["res.users"].create(
            {
                "name": "Somebody",
                "login": "implant_nobody",
                "group_ids": [(6, 0, self.env.ref("base.group_user").ids)],
            }
        )
        with self.assertRaises(AccessError):
            self._implant("PM-T003", user=portal)

    def test_records_are_written_only_by_the_workflow(self):
        with self.assertRaises(AccessError):
            self.Record.sudo().create(
                {
                    "company_id": self.env.company.id,
                    "event_type": "implant",
                    "lot_id": self.units["PM-T003"].id,
                    "product_id": self.pacemaker.id,
                    "event_date": "2026-11-01",
                    "facility_id": self.hospital.id,
                }
            )
        with self.assertRaises(AccessError):
            self.implanted.sudo().write({"state": "voided"})

    def test_staff_wizard_records_and_forgets_the_patient_id(self):
        wizard = (
            self.env["implant.record.wizard"]
            .with_user(self.staff)
            .create(
                {
                    "event_type": "implant",
                    "udi_scan": gs1(self.di, "PM-T003"),
                    "facility_id": self.hospital.id,
                    "event_date": "2026-11-21",
                    "patient_ref": "RJ-WIZ-1",
                }
            )
        )
        action = wizard.action_record()
        record = self.Record.browse(action["res_id"])
        self.assertEqual(record.source, "staff")
        self.assertFalse(wizard.patient_ref)
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT count(*) FROM implant_record_wizard WHERE patient_ref = 'RJ-WIZ-1'"
        )
        self.assertEqual(self.env.cr.fetchone()[0], 0)
