"""Trace events, EPCIS export and service tickets as the Traceability roles reach them in the
web client."""

import datetime

from odoo.tests import HttpCase, new_test_user, tagged

#: the addons of the suite (their server actions are checked for groups)
SUITE = ("udi_master", "audit_seal", "trace_events", "recall_mgmt", "partner_portal")


@tagged("post_install", "-at_install")
class TestTraceUiPaths(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.events = cls.env["trace.event"]._trace_create(
            [
                {
                    "event_type": "object",
                    "action": "observe",
                    "biz_step": "inspecting",
                    "event_time": datetime.datetime(2025, 2, 3, 6, minute),
                    "origin": "ticket",
                    "company_id": cls.env.company.id,
                }
                for minute in (0, 1)
            ]
        )
        cls.clerk = new_test_user(
            cls.env,
            login="ui_trace_clerk",
            password="ui_trace_clerk",
            groups="udi_master.group_trace_user",
        )
        cls.qm = new_test_user(
            cls.env,
            login="ui_trace_qm",
            password="ui_trace_qm",
            groups="udi_master.group_trace_manager",
        )
        # a complaint in a team neither of them belongs to, assigned to someone else
        helpdesk_agent = new_test_user(cls.env, login="ui_trace_agent", groups="base.group_user")
        team = cls.env["helpdesk.ticket.team"].create({"name": "Complaints (UI test)"})
        cls.ticket = cls.env["helpdesk.ticket"].create(
            {
                "name": "Catheter kinks at insertion",
                "description": "<p>Reported by Ruijin Hospital.</p>",
                "team_id": team.id,
                "user_id": helpdesk_agent.id,
                "partner_id": cls.env["res.partner"].create({"name": "Ruijin Hospital"}).id,
            }
        )

    def jsonrpc(self, route, params):
        return self.make_jsonrpc_request(route, params)

    def call_kw(self, model, method, args, kwargs):
        return self.jsonrpc(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": args, "kwargs": kwargs},
        )

    # ------------------------------------------------------------------ EPCIS export

    def test_export_epcis_action_runs_for_a_traceability_user(self):
        action = self.env.ref("trace_events.trace_event_action_export_epcis")
        bindings = self.env["ir.actions.actions"].with_user(self.clerk).get_bindings("trace.event")
        self.assertIn(action.id, [binding["id"] for binding in bindings["action"]])
        self.authenticate("ui_trace_clerk", "ui_trace_clerk")
        result = self.jsonrpc(
            "/web/action/run",
            {
                "action_id": action.id,
                "context": {
                    "active_model": "trace.event",
                    "active_ids": self.events.ids,
                    "active_id": self.events[0].id,
                },
            },
        )
        self.assertEqual(result["type"], "ir.actions.act_url")
        self.assertEqual(result["url"], "/trace_events/epcis?ids=%s,%s" % tuple(self.events.ids))
        response = self.url_open(result["url"])
        self.assertEqual(response.status_code, 200, response.text[:500])
        exported = [event["eventID"] for event in response.json()["epcisBody"]["eventList"]]
        self.assertCountEqual(exported, self.events.mapped("event_uid"))

    def test_every_bound_server_action_of_the_suite_has_groups(self):
        """Without groups, Odoo runs a code action only for users who may write the records;
        nobody may write append-only records (events, ledger entries)."""
        data = self.env["ir.model.data"].search(
            [("model", "=", "ir.actions.server"), ("module", "in", SUITE)]
        )
        actions = self.env["ir.actions.server"].browse(data.mapped("res_id")).exists()
        self.assertTrue(actions)
        for action in actions.filtered("binding_model_id"):
            with self.subTest(action=action.name):
                self.assertTrue(action.group_ids, f"{action.name} has no groups")

    # ------------------------------------------------------------------ tickets

    def open_tickets(self):
        """Open Helpdesk > Tickets > All Tickets, then the ticket's form, as the web client."""
        action = self.jsonrpc(
            "/web/action/load", {"action_id": "helpdesk_mgmt.helpdesk_ticket_action"}
        )
        self.assertEqual(action["res_model"], "helpdesk.ticket")
        found = self.call_kw(
            "helpdesk.ticket",
            "web_search_read",
            [],
            {
                "specification": {
                    "number": {},
                    "name": {},
                    "stage_id": {"fields": {"display_name": {}}},
                },
                "domain": [("id", "=", self.ticket.id)],
                "context": {"lang": "en_US"},
            },
        )
        self.assertEqual([record["id"] for record in found["records"]], self.ticket.ids)
        [ticket] = self.call_kw(
            "helpdesk.ticket",
            "web_read",
            [self.ticket.ids],
            {
                "specification": {
                    "name": {},
                    "description": {},
                    "partner_id": {"fields": {"display_name": {}}},
                    "team_id": {"fields": {"display_name": {}}},
                },
                "context": {"lang": "en_US"},
            },
        )
        self.assertEqual(ticket["name"], "Catheter kinks at insertion")
        self.assertEqual(ticket["partner_id"]["display_name"], "Ruijin Hospital")

    def test_traceability_manager_opens_complaint_tickets(self):
        self.assertFalse(self.qm.has_group("helpdesk_mgmt.group_helpdesk_manager"))
        menu = self.env.ref("helpdesk_mgmt.helpdesk_ticket_main_menu")
        self.assertIn(menu.id, self.env["ir.ui.menu"].with_user(self.qm)._visible_menu_ids())
        self.authenticate("ui_trace_qm", "ui_trace_qm")
        self.open_tickets()

    def test_traceability_user_reads_tickets(self):
        self.authenticate("ui_trace_clerk", "ui_trace_clerk")
        self.open_tickets()
