"""Another hospital's and a distributor's portal users attack facility A's implant records,
patient ids and recall notice over real HTTP (pages, /my routes, JSON-2, ids in URLs)."""

import datetime

from odoo.tests import tagged

from .portal_common import ImplantPortalCommon, pacemaker_udi

#: what facility A's pages hold that nobody else may read
A_SECRETS = ("RJ-2026-0001", "RJ-2026-0002")


@tagged("post_install", "-at_install")
class TestImplantPortalAttacks(ImplantPortalCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.campaign = cls._recall()
        notices = {notice.partner_id: notice for notice in cls.campaign.notice_ids}
        cls.notice_a = notices[cls.hospital_a]
        cls.notice_b = notices[cls.hospital_b]
        cls.notice_dist = notices[cls.distributor]
        cls.notice_a.with_user(cls.user_a)._portal_acknowledge("hosp_a-password")
        cls.line_a1 = cls.notice_a.implant_line_ids.filtered(
            lambda line: line.lot_id.name == "PM-001"
        )
        cls.token_a = cls.notice_a.sudo()._portal_ensure_token()
        cls.key_b = cls._api_key(cls.user_b)
        cls.key_dist = cls._api_key(cls.user_dist)
        cls.env["audit.seal.entry"]._seal_run_pending()

    def assertNoLeak(self, response, records=True):
        """No patient id or token of facility A (nor, with ``records``, its records)."""
        secrets = [*A_SECRETS, self.record_a1.patient_token, self.record_a4.patient_token]
        if records:
            secrets += [self.record_a1.name, self.record_a4.name]
        for secret in secrets:
            self.assertNotIn(secret, response.text)

    # ------------------------------------------------------------------ another hospital

    def test_other_hospital_pages_show_nothing_of_facility_a(self):
        self.authenticate("hosp_b", "hosp_b-password")
        listing = self.url_open("/my/implants")
        self.assertEqual(listing.status_code, 200)
        self.assertIn("ZS-PT-7781", listing.text)
        self.assertNoLeak(listing)
        for url in (
            f"/my/implants/{self.record_a1.id}",
            f"/my/recalls/{self.notice_a.id}",
            f"/my/recalls/{self.notice_a.id}/pdf",
        ):
            with self.subTest(url):
                response = self.url_open(url, allow_redirects=False)
                self.assertEqual(response.status_code, 303)
                self.assertTrue(response.headers["Location"].endswith("/my"))
                self.assertNoLeak(response)
        listing = self.url_open("/my/recalls?filterby=all")
        self.assertNotIn(self.notice_a.name, listing.text)

    def test_other_hospital_with_the_mail_link_sees_no_patient_id(self):
        self.authenticate("hosp_b", "hosp_b-password")
        response = self.url_open(f"/my/recalls/{self.notice_a.id}?access_token={self.token_a}")
        self.assertEqual(response.status_code, 200)
        # the mail link shows the notice (its units and documents), never a patient
        self.assertIn("PM-001", response.text)
        self.assertNoLeak(response, records=False)
        self.assertNotIn("patient_status-", response.text)

    def test_other_hospital_cannot_report_or_record_for_facility_a(self):
        self.authenticate("hosp_b", "hosp_b-password")
        before = self._counts()
        today = datetime.date.today().isoformat()
        response = self._post(
            f"/my/recalls/{self.notice_a.id}/patients",
            {
                f"patient_status-{self.line_a1.id}": "explanted",
                f"patient_date-{self.line_a1.id}": today,
            },
        )
        self.assertEqual(response.status_code, 303)
        self.assertTrue(response.headers["Location"].endswith("/my"))
        # its own notice does not take facility A's units either
        self.notice_b.with_user(self.user_b)._portal_acknowledge("hosp_b-password")
        response = self._post(
            f"/my/recalls/{self.notice_b.id}/patients",
            {
                f"patient_status-{self.line_a1.id}": "explanted",
                f"patient_date-{self.line_a1.id}": today,
            },
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("not in this notice", response.text)
        self.assertNoLeak(response)
        # nor can it explant facility A's patient's pacemaker
        response = self._post(
            "/my/implants/new",
            {
                "event_type": "explant",
                "udi": pacemaker_udi("PM-001"),
                "event_date": today,
                "physician": "Dr. Sun Li",
                "patient_ref": "RJ-2026-0001",
            },
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("not recorded as implanted at your facility", response.text)
        self.assertNotIn(self.record_a1.name, response.text)
        self.assertNotIn("Dr. Liu Yang", response.text)
        after = self._counts()
        self.assertEqual(
            (after["records"], after["reports"]), (before["records"], before["reports"])
        )

    def test_other_hospital_json2_reads_nothing_of_facility_a(self):
        found = self._json2(
            self.key_b,
            "implant.record",
            "search_read",
            domain=[],
            fields=["name", "lot_id", "patient_ref", "patient_token"],
        )
        self.assertEqual(found.status_code, 200, found.text[:300])
        self.assertEqual([row["name"] for row in found.json()], [self.record_b2.name])
        self.assertNotIn("ZS-PT-7781", found.text, "no clear patient id over the API either")
        self.assertNoLeak(found)
        for model, method, params in (
            ("implant.record", "read", {"ids": self.record_a1.ids, "fields": ["patient_ref"]}),
            ("implant.record", "read", {"ids": self.record_a1.ids, "fields": ["patient_ref_enc"]}),
            ("recall.notice", "portal_implants", {"ids": self.notice_a.ids}),
            (
                "recall.notice",
                "portal_report_patients",
                {
                    "ids": self.notice_a.ids,
                    "rows": [
                        {
                            "line_id": self.line_a1.id,
                            "status": "explanted",
                            "date": datetime.date.today().isoformat(),
                        }
                    ],
                },
            ),
        ):
            with self.subTest(model=model, method=method, params=list(params)):
                response = self._json2(self.key_b, model, method, **params)
                self.assertNotEqual(response.status_code, 200, response.text[:300])
                self.assertNoLeak(response)
        for model in ("recall.implant.line", "recall.implant.report"):
            response = self._json2(self.key_b, model, "search_read", domain=[], fields=["lot_id"])
            self.assertEqual(response.status_code, 200, response.text[:300])
            self.assertNotIn("PM-001", response.text)
            self.assertNotIn("PM-004", response.text)
        self.assertFalse(self.line_a1.report_ids)

    def test_facility_reads_its_own_patient_ids_over_json2_logged(self):
        key_a = self._api_key(self.user_a)
        response = self._json2(key_a, "recall.notice", "portal_implants", ids=self.notice_a.ids)
        self.assertEqual(response.status_code, 200, response.text[:300])
        self.assertEqual(sorted(row["patient_ref"] for row in response.json()), list(A_SECRETS))
        logs = (
            self.env["implant.patient.access"]
            .sudo()
            .search([("user_id", "=", self.user_a.id), ("route", "like", "portal_implants")])
        )
        self.assertEqual(logs.record_id, self.record_a1 | self.record_a4)

    # ------------------------------------------------------------------ a distributor

    def test_distributor_sees_no_patient_data(self):
        self.authenticate("dist_imp", "dist_imp-password")
        response = self.url_open("/my/implants", allow_redirects=False)
        self.assertEqual(response.status_code, 303)
        response = self.url_open("/my/implants/new", allow_redirects=False)
        self.assertEqual(response.status_code, 303)
        own = self.url_open(f"/my/recalls/{self.notice_dist.id}")
        self.assertEqual(own.status_code, 200)
        self.assertIn("PM-001", own.text, "the distributor's own shipped units are listed")
        self.assertNotIn("o_recall_patients", own.text)
        self.assertNoLeak(own)
        self.assertNotIn("ZS-PT-7781", own.text)
        home = self.url_open("/my")
        self.assertNotIn('href="/my/implants"', home.text)
        before = self._counts()
        response = self._post("/my/implants/new", self._event("PM-003", "D-1", "Dr. Who"))
        self.assertEqual(response.status_code, 303)
        self.assertEqual(self._counts(), before)
        for model in ("implant.record", "recall.implant.line", "recall.implant.report"):
            response = self._json2(
                self.key_dist, model, "search_read", domain=[], fields=["display_name"]
            )
            self.assertEqual(response.status_code, 200, response.text[:300])
            self.assertEqual(response.json(), [], model)

    def test_visitor_without_login_gets_nothing(self):
        before = self._counts()
        for url in ("/my/implants", f"/my/implants/{self.record_a1.id}", "/my/implants/new"):
            response = self.url_open(url, allow_redirects=False)
            self.assertEqual(response.status_code, 303, url)
            self.assertIn("/web/login", response.headers["Location"])
        response = self.url_open(f"/my/recalls/{self.notice_a.id}?access_token={self.token_a}")
        self.assertEqual(response.status_code, 200)
        self.assertIn("PM-001", response.text)
        self.assertNoLeak(response, records=False)
        self.assertEqual(self._counts(), before)
