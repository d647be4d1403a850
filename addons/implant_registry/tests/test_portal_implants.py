"""A hospital's portal contact records implantations and explantations over HTTP."""

import datetime

from odoo.tests import tagged

from .portal_common import ImplantPortalCommon, pacemaker_udi


@tagged("post_install", "-at_install")
class TestImplantPortal(ImplantPortalCommon):
    def setUp(self):
        super().setUp()
        self.authenticate("hosp_a", "hosp_a-password")

    def _record(self, **values):
        data = {
            "event_type": "implant",
            "udi": pacemaker_udi("PM-003"),
            "event_date": self.implant_date.isoformat(),
            "physician": "Dr. Liu Yang",
            "patient_ref": "RJ-2026-0009",
            **values,
        }
        return self._post("/my/implants/new", data)

    def test_form_records_an_implantation_encrypted_and_read_back_logged(self):
        page = self.url_open("/my/implants/new")
        self.assertEqual(page.status_code, 200)
        self.assertIn('name="csrf_token"', page.text)
        response = self._record()
        self.assertEqual(response.status_code, 303, response.text[:500])
        record = (
            self.env["implant.record"].sudo().search([("lot_id", "=", self.units["PM-003"].id)])
        )
        self.assertEqual(len(record), 1)
        self.assertEqual(
            (
                record.event_type,
                record.facility_id,
                record.source,
                record.reporter_id,
                record.state,
                record.physician,
            ),
            ("implant", self.hospital_a, "portal", self.user_a, "implanted", "Dr. Liu Yang"),
        )
        self.assertIn(f"/my/implants/{record.id}", response.headers["Location"])
        self.env.cr.execute("SELECT patient_ref_enc FROM implant_record WHERE id = %s", [record.id])
        self.assertNotIn("RJ-2026-0009", self.env.cr.fetchone()[0] or "")
        Access = self.env["implant.patient.access"].sudo()
        before = Access.search_count([("record_id", "=", record.id)])
        page = self.url_open(response.headers["Location"])
        self.assertIn("RJ-2026-0009", page.text)
        self.assertIn("o_implant_message", page.text)
        logs = Access.search([("record_id", "=", record.id)])
        self.assertEqual(len(logs), before + 1)
        self.assertEqual(logs[0].user_id, self.user_a)
        self.assertIn(f"/my/implants/{record.id}", logs[0].route)

    def test_explantation_ends_the_implantation_at_the_same_facility(self):
        response = self._record(
            event_type="explant",
            udi=pacemaker_udi("PM-004"),
            patient_ref="RJ-2026-0002",
            event_date=datetime.date.today().isoformat(),
            explant_reason="Battery depleted",
        )
        self.assertEqual(response.status_code, 303, response.text[:500])
        self.record_a4.invalidate_recordset()
        explant = self.record_a4.explant_id
        self.assertEqual(self.record_a4.state, "explanted")
        self.assertEqual((explant.event_type, explant.implant_id), ("explant", self.record_a4))
        self.assertEqual(explant.explant_reason, "Battery depleted")

    def test_wrong_input_is_shown_on_the_form_and_records_nothing(self):
        today = datetime.date.today()
        cases = {
            "unknown DI": ({"udi": "(01)09506000134352(21)PM-003"}, "not a device unit"),
            "unknown serial": ({"udi": pacemaker_udi("PM-999")}, "not a device unit"),
            "not a UDI": ({"udi": "hello"}, None),
            "not tracked": (
                {"udi": "(01)06901234567892(17)281231(10)RC-L1"},
                "not a tracked device",
            ),
            "implanted at another facility": (
                {"udi": pacemaker_udi("PM-002")},
                "implanted at another facility",
            ),
            "implanted here already": ({"udi": pacemaker_udi("PM-001")}, "already recorded"),
            "explant of a unit implanted elsewhere": (
                {"udi": pacemaker_udi("PM-002"), "event_type": "explant"},
                "not recorded as implanted at your facility",
            ),
            "explant of a unit never implanted": (
                {"udi": pacemaker_udi("PM-005"), "event_type": "explant"},
                "not recorded as implanted at your facility",
            ),
            "explant of another patient": (
                {
                    "udi": pacemaker_udi("PM-001"),
                    "event_type": "explant",
                    "patient_ref": "RJ-2026-0002",
                },
                "does not match the patient",
            ),
            "date in the future": (
                {"event_date": (today + datetime.timedelta(days=2)).isoformat()},
                "future",
            ),
            "not a date": ({"event_date": "yesterday"}, "is not a date"),
            "no physician": ({"physician": "  "}, "Give the Physician"),
            "no patient": ({"patient_ref": ""}, "Give the Patient ID"),
            "patient id too long": ({"patient_ref": "X" * 65}, "too long"),
            "unknown event": ({"event_type": "transplant"}, "Choose the event"),
        }
        before = self._counts()
        for label, (values, expected) in cases.items():
            with self.subTest(label):
                response = self._record(**values)
                self.assertEqual(response.status_code, 400, response.text[:300])
                self.assertIn("o_implant_error", response.text)
                if expected:
                    self.assertIn(expected, response.text)
                self.assertEqual(self._counts(), before)

    def test_post_without_csrf_records_nothing(self):
        before = self._counts()
        response = self._post(
            "/my/implants/new",
            {
                "event_type": "implant",
                "udi": pacemaker_udi("PM-003"),
                "event_date": self.implant_date.isoformat(),
                "physician": "Dr. X",
                "patient_ref": "RJ-1",
            },
            csrf=False,
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(self._counts(), before)

    def test_list_shows_own_records_with_own_patient_ids(self):
        response = self.url_open("/my/implants")
        self.assertEqual(response.status_code, 200)
        self.assertIn("RJ-2026-0001", response.text)
        self.assertIn("RJ-2026-0002", response.text)
        self.assertNotIn("ZS-PT-7781", response.text)
        self.assertNotIn(self.record_b2.name, response.text)
        self.assertNotIn(self.record_b2.patient_token, response.text)

    def test_home_shows_the_implants_entry_to_facilities(self):
        response = self.url_open("/my")
        self.assertIn('href="/my/implants"', response.text)
        counters = self.make_jsonrpc_request("/my/counters", {"counters": ["implant_count"]})
        self.assertEqual(counters["implant_count"], 2)
