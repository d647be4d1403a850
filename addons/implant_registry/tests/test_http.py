import json
import xmlrpc.client

from odoo.tests import HttpCase, get_db_name, tagged

from odoo.addons.udi_master.tests.json2 import api_key, post_json2

from .common import CONTACT, PATIENT, ImplantCommon, gs1


@tagged("post_install", "-at_install")
class TestImplantHttp(ImplantCommon, HttpCase):
    """The routes people and integrators take, over real HTTP: nobody without the Patient
    Data Reader group gets a clear patient id by any of them; the reader's reads are logged
    with their route."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.record = cls._implant("PM-T001", patient_contact=CONTACT)
        cls.env["audit.seal.entry"]._seal_run_pending()
        cls.staff_key = api_key(cls.env, cls.staff)
        cls.reader_key = api_key(cls.env, cls.reader)

    def assertNoLeak(self, text):
        self.assertNotIn(PATIENT, text)
        self.assertNotIn(CONTACT, text)
        self.assertNotIn(PATIENT.lower(), text)

    def _call_kw(self, model, method, args, kwargs=None):
        return self.make_jsonrpc_request(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": args, "kwargs": kwargs or {}},
        )

    # ------------------------------------------------------------------ web client

    def test_web_client_form_list_export_and_groups_show_no_clear_value(self):
        self.authenticate("implant_staff", "implant_staff")
        spec = {"patient_ref": {}, "patient_contact": {}, "patient_token": {}, "name": {}}
        form = self._call_kw(
            "implant.record", "web_read", [self.record.ids], {"specification": spec}
        )
        self.assertEqual(form[0]["patient_ref"], self.record.patient_token)
        listed = self._call_kw(
            "implant.record", "web_search_read", [], {"domain": [], "specification": spec}
        )
        exported = self._call_kw(
            "implant.record",
            "export_data",
            [self.record.ids],
            {"fields_to_export": ["patient_ref", "patient_contact"]},
        )
        grouped = self._call_kw(
            "implant.record",
            "web_read_group",
            [],
            {"domain": [], "groupby": ["patient_token"], "aggregates": ["__count"]},
        )
        for answer in (form, listed, exported, grouped):
            self.assertNoLeak(json.dumps(answer))
        for domain in ([("patient_ref", "=", PATIENT)], [("patient_ref", "ilike", "RJ-")]):
            with self.assertRaises(Exception):  # noqa: B017 refused, never answered
                self._call_kw(
                    "implant.record",
                    "web_search_read",
                    [],
                    {"domain": domain, "specification": spec},
                )
        with self.assertRaises(Exception):  # noqa: B017 group_system field
            self._call_kw(
                "implant.record",
                "web_read",
                [self.record.ids],
                {"specification": {"patient_ref_enc": {}}},
            )
        self.assertFalse(self.env["implant.patient.access"].search([]))

    def test_reader_form_read_is_logged_with_its_route(self):
        self.authenticate("implant_reader", "implant_reader")
        form = self._call_kw(
            "implant.record", "web_read", [self.record.ids], {"specification": {"patient_ref": {}}}
        )
        self.assertEqual(form[0]["patient_ref"], PATIENT)
        log = self.env["implant.patient.access"].search([("user_id", "=", self.reader.id)])
        self.assertEqual(log.record_id, self.record)
        self.assertEqual(log.route, "/web/dataset/call_kw/implant.record/web_read")

    def test_tracking_report_pdf_shows_tokens_only(self):
        self.authenticate("implant_reader", "implant_reader")
        response = self.url_open(
            f"/report/html/implant_registry.report_implant_tracking/{self.implant.id}"
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("PM-T001", response.text)
        self.assertIn(self.record.patient_token, response.text)
        self.assertNoLeak(response.text)

    def test_epcis_interface_shows_no_patient_data(self):
        self.authenticate("implant_staff", "implant_staff")
        response = self.url_open(f"/trace_events/epcis?ids={self.record.trace_event_id.id}")
        self.assertEqual(response.status_code, 200)
        self.assertIn("installing", response.text)
        self.assertNoLeak(response.text)
        self.assertNotIn(self.record.patient_token, response.text)

    # ------------------------------------------------------------------ JSON-2, XML-RPC

    def test_json2_records_an_implantation_and_refuses_bad_requests(self):
        response = post_json2(
            self,
            "/json/2/implant.record/record_implant",
            {
                "udi": gs1(self.di, "PM-T002"),
                "facility_id": self.us_hospital.id,
                "event_date": "2026-11-30",
                "patient_ref": "MGH-77",
                "physician": "Dr. Miller",
            },
            self.staff_key,
        )
        self.assertEqual(response.status_code, 200, response.text)
        result = response.json()
        record = self.Record.browse(result["id"])
        self.assertEqual((record.source, record.facility_id), ("api", self.us_hospital))
        self.assertEqual(result["event_id"], record.trace_event_id.event_uid)
        self.assertNotIn("MGH-77", response.text)
        for body in (
            # in stock: never shipped
            {
                "udi": gs1(self.di, "PM-T006"),
                "facility_id": self.hospital.id,
                "event_date": "2026-11-30",
                "patient_ref": "X",
            },
            # a caller cannot choose the source
            {
                "udi": gs1(self.di, "PM-T003"),
                "facility_id": self.hospital.id,
                "event_date": "2026-11-30",
                "patient_ref": "X",
                "source": "portal",
            },
        ):
            response = post_json2(
                self, "/json/2/implant.record/record_implant", body, self.staff_key
            )
            self.assertGreaterEqual(response.status_code, 400, response.text)
        unrecorded = self.units["PM-T006"] | self.units["PM-T003"]
        self.assertFalse(self.Record.search([("lot_id", "in", unrecorded.ids)]))
        response = post_json2(
            self,
            "/json/2/implant.record/record_explant",
            {
                "udi": gs1(self.di, "PM-T004"),
                "facility_id": self.hospital.id,
                "event_date": "2026-11-30",
            },
            self.staff_key,
        )
        self.assertEqual(response.status_code, 422, response.text)
        self.assertIn("no implantation", response.text)

    def test_json2_and_xmlrpc_reads_show_the_token_without_group(self):
        response = post_json2(
            self,
            "/json/2/implant.record/read",
            {"ids": self.record.ids, "fields": ["patient_ref", "patient_contact"]},
            self.staff_key,
        )
        self.assertEqual(response.status_code, 200, response.text)
        self.assertNoLeak(response.text)
        response = post_json2(
            self,
            "/json/2/implant.record/search_read",
            {"domain": [["patient_ref", "=", PATIENT]], "fields": ["patient_ref"]},
            self.staff_key,
        )
        self.assertGreaterEqual(response.status_code, 400)
        self.assertNoLeak(response.text)
        response = post_json2(
            self,
            "/json/2/implant.record/read",
            {"ids": self.record.ids, "fields": ["patient_ref_enc"]},
            self.staff_key,
        )
        self.assertGreaterEqual(response.status_code, 400)
        proxy = self.xmlrpc_object
        rows = proxy.execute_kw(
            get_db_name(),
            self.staff.id,
            self.staff_key,
            "implant.record",
            "read",
            [self.record.ids],
            {"fields": ["patient_ref"]},
        )
        self.assertEqual(rows[0]["patient_ref"], self.record.patient_token)
        with self.assertRaises(xmlrpc.client.Fault):
            proxy.execute_kw(
                get_db_name(),
                self.staff.id,
                self.staff_key,
                "implant.record",
                "search",
                [[["patient_ref", "=", PATIENT]]],
            )

    def test_json2_reader_reads_with_a_reason_and_is_logged(self):
        response = post_json2(
            self,
            "/json/2/implant.record/read_patient_data",
            {"ids": self.record.ids, "reason": "Recall RC-2026-07: notify the patient"},
            self.reader_key,
        )
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(response.json()[0]["patient_ref"], PATIENT)
        log = self.env["implant.patient.access"].search([("user_id", "=", self.reader.id)])
        self.assertEqual(log.reason, "Recall RC-2026-07: notify the patient")
        self.assertEqual(log.route, "/json/2/implant.record/read_patient_data")
        response = post_json2(
            self,
            "/json/2/implant.record/read_patient_data",
            {"ids": self.record.ids, "reason": "curious"},
            self.staff_key,
        )
        self.assertEqual(response.status_code, 403, response.text)
        self.assertNoLeak(response.text)

    def test_staff_button_opens_erasure_only_for_the_group(self):
        self.authenticate("implant_staff", "implant_staff")
        with self.assertRaises(Exception):  # noqa: B017 AccessError over RPC
            self.make_jsonrpc_request(
                "/web/dataset/call_button/implant.record/action_erase_patient_data",
                {
                    "model": "implant.record",
                    "method": "action_erase_patient_data",
                    "args": [self.record.ids],
                    "kwargs": {},
                },
            )
        self.authenticate("implant_reader", "implant_reader")
        action = self.make_jsonrpc_request(
            "/web/dataset/call_button/implant.record/action_erase_patient_data",
            {
                "model": "implant.record",
                "method": "action_erase_patient_data",
                "args": [self.record.ids],
                "kwargs": {},
            },
        )
        self.assertEqual(action["res_model"], "implant.erase.wizard")
