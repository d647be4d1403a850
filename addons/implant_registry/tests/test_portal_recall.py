"""A recall of implants reaches the implanting facilities, which report per patient."""

import datetime

from odoo.tests import new_test_user, tagged

from .portal_common import ImplantPortalCommon


@tagged("post_install", "-at_install")
class TestImplantRecall(ImplantPortalCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.campaign = cls._recall()
        cls.notice_a = cls._notice_of(cls.hospital_a)
        cls.notice_b = cls._notice_of(cls.hospital_b)
        cls.notice_dist = cls._notice_of(cls.distributor)
        lines = {line.implant_id: line for line in cls.campaign.implant_line_ids}
        cls.line_a1 = lines[cls.record_a1]
        cls.line_a4 = lines[cls.record_a4]
        cls.line_b2 = lines[cls.record_b2]
        cls.env["audit.seal.entry"]._seal_run_pending()

    @classmethod
    def _notice_of(cls, partner):
        return cls.campaign.notice_ids.filtered(lambda n: n.partner_id == partner)

    def _acknowledge(self, notice, user):
        notice.with_user(user)._portal_acknowledge(f"{user.login}-password")

    # ------------------------------------------------------------------ impact and notices

    def test_impact_analysis_lists_implanting_facilities_with_their_units(self):
        lines = self.campaign.implant_line_ids
        self.assertEqual(
            {(line.facility_id, line.lot_id.name) for line in lines},
            {(self.hospital_a, "PM-001"), (self.hospital_a, "PM-004"), (self.hospital_b, "PM-002")},
        )
        self.assertEqual(self.campaign.implant_unit_count, 3)
        self.assertEqual(self.campaign.implant_facility_count, 2)
        # Zhongshan received nothing from us (its pacemaker came through the distributor):
        # the implant registry names it
        self.assertEqual(self.notice_b.implant_line_ids, self.line_b2)
        self.assertEqual(self.notice_b.state, "sent")
        self.assertEqual(self.notice_a.implant_line_ids, self.line_a1 | self.line_a4)
        # the implantation events put the units at the facility in the trace as well
        self.assertEqual(sorted(self.notice_a.line_ids.lot_id.mapped("name")), ["PM-001", "PM-004"])
        self.assertFalse(self.notice_dist.implant_line_ids)
        notes = " ".join(self.campaign.log_ids.mapped("note"))
        self.assertIn("3 unit(s) implanted in patients", notes)

    def test_explanted_units_are_not_in_a_new_recall(self):
        self.env["implant.record"].with_user(self.user_a)._portal_record_event(
            self._event(
                "PM-004",
                "RJ-2026-0002",
                "Dr. Liu Yang",
                event_type="explant",
                date=datetime.date.today(),
            )
        )
        campaign = self._recall()
        self.assertEqual(
            sorted(campaign.implant_line_ids.lot_id.mapped("name")), ["PM-001", "PM-002"]
        )

    def test_notice_mail_and_pdf_carry_no_patient_id(self):
        mails = (
            self.env["mail.message"]
            .sudo()
            .search([("model", "=", "recall.notice"), ("res_id", "=", self.notice_b.id)])
        )
        self.assertTrue(mails)
        body = " ".join(str(m.body) for m in mails)
        self.assertNotIn("ZS-PT-7781", body)
        html = (
            self.env["ir.actions.report"]
            .sudo()
            ._render_qweb_html("recall_mgmt.action_report_recall_notice", self.notice_b.ids)[0]
            .decode()
        )
        self.assertIn("PM-002", html)
        self.assertIn("o_recall_notice_implants", html)
        self.assertNotIn("ZS-PT-7781", html)

    def test_internal_users_see_masks_unless_patient_data_readers(self):
        clerk = new_test_user(
            self.env, "imp_qa", groups="base.group_user,udi_master.group_trace_user"
        )
        line = self.line_b2.with_user(clerk)
        self.assertEqual(line.patient_ref, self.record_b2.patient_token)
        self.assertNotIn("ZS-PT-7781", str(line.read(["patient_ref"])))
        reader = new_test_user(
            self.env,
            "imp_reader",
            groups="base.group_user,implant_registry.group_patient_data_reader",
        )
        Access = self.env["implant.patient.access"].sudo()
        before = Access.search_count([("user_id", "=", reader.id)])
        self.assertEqual(self.line_b2.with_user(reader).patient_ref, "ZS-PT-7781")
        self.assertEqual(Access.search_count([("user_id", "=", reader.id)]), before + 1)

    # ------------------------------------------------------------------ the facility's page

    def test_facility_page_shows_its_patient_ids_only_to_its_contacts(self):
        self.authenticate("hosp_a", "hosp_a-password")
        page = self.url_open(f"/my/recalls/{self.notice_a.id}")
        self.assertEqual(page.status_code, 200)
        self.assertIn("o_recall_patients", page.text)
        self.assertIn("RJ-2026-0001", page.text)
        self.assertIn("RJ-2026-0002", page.text)
        self.assertNotIn("ZS-PT-7781", page.text)
        logs = (
            self.env["implant.patient.access"]
            .sudo()
            .search(
                [
                    ("user_id", "=", self.user_a.id),
                    ("route", "=", f"/my/recalls/{self.notice_a.id}"),
                ]
            )
        )
        self.assertEqual(logs.record_id, self.record_a1 | self.record_a4)
        # the mail link alone (no sign-in) shows the units, never the patient ids
        self.logout()
        token = self.notice_a.sudo()._portal_ensure_token()
        page = self.url_open(f"/my/recalls/{self.notice_a.id}?access_token={token}")
        self.assertEqual(page.status_code, 200)
        self.assertIn("PM-001", page.text)
        self.assertNotIn("RJ-2026-0001", page.text)

    def test_facility_reports_per_patient_over_http(self):
        self._acknowledge(self.notice_b, self.user_b)
        self.authenticate("hosp_b", "hosp_b-password")
        today = datetime.date.today().isoformat()
        response = self._post(
            f"/my/recalls/{self.notice_b.id}/patients",
            {
                f"patient_status-{self.line_b2.id}": "follow_up",
                f"patient_date-{self.line_b2.id}": today,
                "note": "Clinic visit booked",
            },
        )
        self.assertEqual(response.status_code, 303, response.text[:500])
        report = self.line_b2.report_ids
        self.assertEqual(
            (
                report.status,
                report.status_date.isoformat(),
                report.channel,
                report.create_uid,
                report.note,
            ),
            ("follow_up", today, "portal", self.user_b, "Clinic visit booked"),
        )
        self.env["audit.seal.entry"]._seal_run_pending()
        report.invalidate_recordset()
        self.assertTrue(report.seal_entry_hash, "the report is sealed in the ledger")
        self.campaign.invalidate_recordset()
        self.assertEqual(
            (self.campaign.implant_follow_up_count, self.campaign.implant_pending_count),
            (1, 2),
        )
        # every patient of Zhongshan (one) has a report: its notice is complete
        self.assertEqual(self.notice_b.state, "completed")
        response = self._post(
            f"/my/recalls/{self.notice_b.id}/patients",
            {
                f"patient_status-{self.line_b2.id}": "explanted",
                f"patient_date-{self.line_b2.id}": today,
            },
        )
        self.assertEqual(response.status_code, 303)
        self.campaign.invalidate_recordset()
        self.assertEqual(self.line_b2.status, "explanted")
        self.assertEqual(len(self.line_b2.report_ids), 2)
        self.assertEqual(
            (self.campaign.implant_explanted_count, self.campaign.implant_follow_up_count),
            (1, 0),
        )
        self.assertAlmostEqual(self.campaign.implant_reached_rate, 1 / 3)
        page = self.url_open(response.headers["Location"])
        self.assertIn("o_recall_message", page.text)

    def test_wrong_patient_reports_record_nothing(self):
        self._acknowledge(self.notice_a, self.user_a)
        self.authenticate("hosp_a", "hosp_a-password")
        today = datetime.date.today()
        line = self.line_a1.id
        cases = {
            "unknown status": (
                {f"patient_status-{line}": "cured", f"patient_date-{line}": today.isoformat()},
                "choose notified",
            ),
            "no date": ({f"patient_status-{line}": "notified"}, "give the date"),
            "future date": (
                {
                    f"patient_status-{line}": "notified",
                    f"patient_date-{line}": (today + datetime.timedelta(days=3)).isoformat(),
                },
                "in the future",
            ),
            "before the implantation": (
                {
                    f"patient_status-{line}": "notified",
                    f"patient_date-{line}": (
                        self.implant_date - datetime.timedelta(days=1)
                    ).isoformat(),
                },
                "before its implantation",
            ),
            "unit of another facility": (
                {
                    f"patient_status-{self.line_b2.id}": "notified",
                    f"patient_date-{self.line_b2.id}": today.isoformat(),
                },
                "not in this notice",
            ),
            "nothing chosen": ({f"patient_status-{line}": ""}, "at least one patient"),
            "one good row, one bad": (
                {
                    f"patient_status-{line}": "notified",
                    f"patient_date-{line}": today.isoformat(),
                    f"patient_status-{self.line_a4.id}": "notified",
                    f"patient_date-{self.line_a4.id}": "31/12/2026",
                },
                "is not a date",
            ),
        }
        before = self._counts()
        for label, (data, expected) in cases.items():
            with self.subTest(label):
                response = self._post(f"/my/recalls/{self.notice_a.id}/patients", data)
                self.assertEqual(response.status_code, 400, response.text[:300])
                self.assertIn("o_recall_error", response.text)
                self.assertIn(expected, response.text)
                self.assertEqual(self._counts(), before)

    def test_reports_need_the_acknowledgement_first(self):
        self.authenticate("hosp_a", "hosp_a-password")
        before = self._counts()
        response = self._post(
            f"/my/recalls/{self.notice_a.id}/patients",
            {
                f"patient_status-{self.line_a1.id}": "notified",
                f"patient_date-{self.line_a1.id}": datetime.date.today().isoformat(),
            },
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("Acknowledge the recall notice", response.text)
        self.assertEqual(self._counts(), before)

    def test_quality_team_follows_the_patients_on_the_campaign(self):
        self.authenticate("recall_qm", "qm-password")
        action = self.make_jsonrpc_request(
            "/web/dataset/call_button/recall.campaign/action_open_implant_lines",
            {
                "model": "recall.campaign",
                "method": "action_open_implant_lines",
                "args": [self.campaign.ids],
                "kwargs": {"context": {}},
            },
        )
        self.assertEqual(action["res_model"], "recall.implant.line")
        rows = self.make_jsonrpc_request(
            "/web/dataset/call_kw/recall.implant.line/search_read",
            {
                "model": "recall.implant.line",
                "method": "search_read",
                "args": [action["domain"], ["lot_id", "patient_ref", "status"]],
                "kwargs": {},
            },
        )
        self.assertEqual(len(rows), 3)
        self.assertEqual({row["status"] for row in rows}, {"pending"})
        # the quality manager is no Patient Data Reader: tokens, never the patient ids
        self.assertEqual(
            {row["patient_ref"] for row in rows},
            {
                self.record_a1.patient_token,
                self.record_a4.patient_token,
                self.record_b2.patient_token,
            },
        )
        counts = self.make_jsonrpc_request(
            "/web/dataset/call_kw/recall.campaign/read",
            {
                "model": "recall.campaign",
                "method": "read",
                "args": [
                    self.campaign.ids,
                    ["implant_unit_count", "implant_pending_count", "implant_reached_rate"],
                ],
                "kwargs": {},
            },
        )[0]
        self.assertEqual(
            (
                counts["implant_unit_count"],
                counts["implant_pending_count"],
                counts["implant_reached_rate"],
            ),
            (3, 3, 0.0),
        )
