import json

from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException

from odoo.addons.udi_master.tests.json2 import api_key, post_json2

from .common import PASSWORD, VigilanceCommon
from .common_documents import FORM_VALUES

TOUR_LOGIN = "tour_vig_qm"


@tagged("post_install", "-at_install")
class TestVigilanceHttp(VigilanceCommon, HttpCase):
    """The paths users take: the web client's buttons as the quality manager and as a reader,
    JSON-2 with an integrator's key, and the browser tour."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tour_manager = new_test_user(
            cls.env,
            TOUR_LOGIN,
            password=TOUR_LOGIN,
            name="Tour Quality Manager",
            groups="base.group_user,udi_master.group_trace_manager,"
            "stock.group_stock_manager,helpdesk_mgmt.group_helpdesk_user",
        )

    def call_button(self, model, method, ids, context=None):
        return self.make_jsonrpc_request(
            f"/web/dataset/call_button/{model}/{method}",
            {"model": model, "method": method, "args": [ids], "kwargs": {"context": context or {}}},
        )

    def call_kw(self, model, method, args, kwargs=None):
        return self.make_jsonrpc_request(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": args, "kwargs": kwargs or {}},
        )

    def test_quality_manager_takes_a_complaint_to_a_filed_report_through_the_buttons(self):
        self.authenticate("recall_qm", PASSWORD)
        action = self.call_button("helpdesk.ticket", "action_vigilance_assess", self.ticket.ids)
        wizard = action["res_id"]
        self.call_kw(
            "vigilance.assess.wizard",
            "write",
            [
                [wizard],
                {
                    "reportable": True,
                    "severity": "malfunction",
                    "reason": "Could cause an air embolism if it recurred.",
                    "jurisdiction_ids": [[6, 0, self.fda.ids]],
                },
            ],
        )
        self.call_button(
            "vigilance.assess.wizard", "action_sign", [wizard], {"signature_password": PASSWORD}
        )
        report = self.Report.search([("ticket_id", "=", self.ticket.id)])
        self.assertEqual((report.jurisdiction_id, report.state), (self.fda, "draft"))
        # the event date, and what the FDA 3500A asks beyond the report
        self.call_kw(
            "vigilance.report", "write", [report.ids, {"event_date": "2026-12-01", **FORM_VALUES}]
        )
        self.call_button("vigilance.report", "action_submit_review", report.ids)
        action = self.call_button("vigilance.report", "action_approve", report.ids)
        self.call_button(
            "vigilance.report.sign.wizard",
            "action_sign",
            [action["res_id"]],
            {"signature_password": PASSWORD},
        )
        self.call_button("vigilance.report", "action_issue", report.ids)
        action = self.call_button("vigilance.report", "action_file", report.ids)
        self.call_kw(
            "vigilance.report.file.wizard",
            "write",
            [[action["res_id"]], {"regulator_reference": "MW5012345"}],
        )
        self.call_button("vigilance.report.file.wizard", "action_file", [action["res_id"]])
        report.invalidate_recordset()
        self.assertEqual(report.state, "filed")
        self.assertEqual(report.regulator_reference, "MW5012345")
        self.assertEqual(report.signature_id.user_id, self.manager)
        action = self.call_button("vigilance.report", "action_create_follow_up", report.ids)
        follow_up = self.Report.browse(action["res_id"])
        self.assertEqual((follow_up.initial_id, follow_up.report_type), (report, "follow_up"))

    def test_a_reader_cannot_assess_nor_move_reports_through_the_buttons(self):
        self.authenticate("vig_reader", "reader-password")
        with self.assertRaisesRegex(JsonRpcException, "AccessError"):
            self.call_button("helpdesk.ticket", "action_vigilance_assess", self.ticket.ids)
        report = self._assess().report_ids[:1]
        with self.assertRaisesRegex(JsonRpcException, "AccessError"):
            self.call_button("vigilance.report", "action_submit_review", report.ids)
        self.assertEqual(report.state, "draft")

    def test_integrators_cannot_write_the_workflow_nor_call_its_private_steps(self):
        report = self._assess().report_ids[:1]
        key = api_key(self.env, self.manager)
        response = post_json2(
            self,
            "/json/2/vigilance.report/write",
            {"ids": report.ids, "vals": {"state": "filed"}, "context": {"workflow": True}},
            key,
        )
        self.assertEqual(response.status_code, 403, response.text)
        response = post_json2(
            self,
            "/json/2/vigilance.report/_vigilance_file",
            {"ids": report.ids, "filed_at": "2026-12-01 00:00:00", "reference": "X"},
            key,
        )
        self.assertNotEqual(response.status_code, 200, response.text)
        response = post_json2(
            self, "/json/2/vigilance.report/action_submit_review", {"ids": report.ids}, key
        )
        self.assertEqual(response.status_code, 200, response.text)
        report.invalidate_recordset()
        self.assertEqual(report.state, "review")
        response = post_json2(
            self,
            "/json/2/vigilance.report/search_read",
            {"domain": [["id", "=", report.id]], "fields": ["state", "due_at", "deadline_state"]},
            key,
        )
        self.assertEqual(json.loads(response.text)[0]["state"], "review")

    def test_quality_manager_files_a_report_from_a_complaint_in_the_browser(self):
        self.start_tour(
            f"/odoo/helpdesk-tickets/{self.ticket.id}",
            "vigilance_mgmt_complaint_to_filed_report",
            login=TOUR_LOGIN,
        )
        report = self.Report.search(
            [("ticket_id", "=", self.ticket.id), ("jurisdiction_id", "=", self.eu.id)]
        )
        self.assertEqual(report.state, "filed")
        self.assertEqual(report.regulator_reference, "EU-MIR-TOUR-1")
        self.assertEqual(report.signature_id.user_id, self.tour_manager)
        self.assertEqual(report.assessment_id.signature_id.user_id, self.tour_manager)
        self.assertEqual(str(report.event_date), "2026-12-01")
