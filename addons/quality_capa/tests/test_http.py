from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from odoo.addons.udi_master.tests.json2 import api_key, post_json2

from .common import APPROVER_PASSWORD, CapaCommon


class ButtonError(Exception):
    """The error a button call returned to the web client."""


@tagged("post_install", "-at_install")
class TestCapaOverHttp(CapaCommon, HttpCase):
    """The CAPA flow as its roles click it: buttons through /web/dataset/call_button, stage
    changes as the form saves them, the signature dialog, and JSON-2 as an integrator."""

    def _rpc(self, path, model, method, args, kwargs=None):
        response = self.opener.post(
            f"{self.base_url()}{path}",
            json={
                "id": 0,
                "jsonrpc": "2.0",
                "method": "call",
                "params": {"model": model, "method": method, "args": args, "kwargs": kwargs or {}},
            },
            timeout=30,
        )
        response.raise_for_status()
        body = response.json()
        if "error" in body:
            raise ButtonError(body["error"]["data"]["message"])
        return body.get("result")

    def _button(self, model, method, ids, context=None):
        return self._rpc(
            f"/web/dataset/call_button/{model}/{method}",
            model,
            method,
            [ids],
            {"context": context or {}},
        )

    def _save(self, record, vals):
        """What the form's Save (or a statusbar click) sends."""
        return self._rpc(
            f"/web/dataset/call_kw/{record._name}/web_save",
            record._name,
            "web_save",
            [record.ids, vals],
            {"specification": {}},
        )

    def _stage(self, xmlid):
        return self.env.ref(f"mgmtsystem_nonconformity.{xmlid}").id

    def test_complaint_to_signed_closure_through_the_buttons(self):
        ticket = self.env["helpdesk.ticket"].create(
            {
                "name": "Hub cracked during injection",
                "description": "<p>Crack at the hub.</p>",
                "partner_id": self.hospital.id,
                "trace_product_id": self.catheter_variant.id,
                "trace_lot_id": self.lot.id,
            }
        )
        # the engineer opens the nonconformity from the complaint and runs the action plan
        self.authenticate("capa_engineer", "capa_engineer")
        action = self._button("helpdesk.ticket", "action_open_nonconformity", ticket.ids)
        nc = self.env["mgmtsystem.nonconformity"].browse(action["res_id"])
        self.assertEqual((nc.capa_source, nc.lot_ids), ("complaint", self.lot))
        self._save(nc, {"stage_id": self._stage("stage_analysis"), "analysis": "Mould drift."})
        self._save(
            nc,
            {
                "stage_id": self._stage("stage_pending"),
                "action_comments": "Temperature alarm.",
                "action_ids": [
                    (
                        0,
                        0,
                        {
                            "name": "Add a temperature alarm",
                            "type_action": "correction",
                            "user_id": self.engineer.id,
                            "date_deadline": "2030-01-31",
                        },
                    )
                ],
            },
        )
        self._save(nc, {"stage_id": self._stage("stage_open")})
        self.assertEqual(nc.state, "open")
        self.assertEqual(nc.action_ids.stage_id, self.env.ref("mgmtsystem_action.stage_open"))
        self._save(nc.action_ids, {"stage_id": self.env.ref("mgmtsystem_action.stage_close").id})
        # the approver cannot close before the effectiveness check
        self.authenticate("capa_approver", APPROVER_PASSWORD)
        with self.assertRaisesRegex(ButtonError, "effectiveness check is not recorded"):
            self._button(nc._name, "action_capa_close", nc.ids)
        # the auditor records the check with its evidence and verifies it
        self.authenticate("capa_auditor", "capa_auditor")
        evidence = self._rpc(
            "/web/dataset/call_kw/ir.attachment/create",
            "ir.attachment",
            "create",
            [{"name": "trend.csv", "datas": "MCwwCg==", "res_model": nc._name, "res_id": nc.id}],
        )
        self._save(
            nc,
            {
                "evaluation_comments": "No recurrence.",
                "effectiveness_method": "Complaint trend, 3 months, accepted at 0.",
                "effectiveness_result": "effective",
                "effectiveness_evidence_ids": [(6, 0, [evidence])],
            },
        )
        self._button(nc._name, "action_capa_verify_effectiveness", nc.ids)
        self.assertEqual(nc.effectiveness_verified_by_id, self.auditor)
        # the approver signs: a wrong password first, then the right one
        self.authenticate("capa_approver", APPROVER_PASSWORD)
        dialog = self._button(nc._name, "action_capa_close", nc.ids)
        self.assertEqual(dialog["res_model"], "quality.capa.sign.wizard")
        with self.assertRaisesRegex(ButtonError, "Wrong password"):
            self._button(
                dialog["res_model"],
                "action_sign",
                [dialog["res_id"]],
                {"signature_password": "guess"},
            )
        self.assertFalse(nc.capa_closure_id)
        self._button(
            dialog["res_model"],
            "action_sign",
            [dialog["res_id"]],
            {"signature_password": APPROVER_PASSWORD},
        )
        self.assertEqual(nc.state, "done")
        self.assertEqual(nc.capa_closure_id.signature_id.user_id, self.approver)
        self.assertEqual(nc.capa_closure_id.effectiveness_verified_by_id, self.auditor)

    def test_statusbar_click_on_closed_is_refused(self):
        nc = self._closable()
        self.authenticate("capa_approver", APPROVER_PASSWORD)
        with self.assertRaisesRegex(ButtonError, "signed CAPA closure"):
            self._save(nc, {"stage_id": self._stage("stage_done")})
        self.assertEqual(nc.state, "open")

    def test_approver_of_another_company_cannot_close(self):
        nc = self._closable()
        self.authenticate("capa_other_approver", APPROVER_PASSWORD)
        with self.assertRaises(ButtonError):
            self._button(nc._name, "action_capa_close", nc.ids)
        self.assertFalse(nc.capa_closure_id)

    @mute_logger("odoo.http")
    def test_json2_cannot_write_the_closure(self):
        nc = self._closable()
        key = api_key(self.env, self.approver)
        for vals in (
            {"stage_id": self._stage("stage_done")},
            {"state": "done"},
            {"effectiveness_verified_by_id": self.approver.id},
        ):
            response = post_json2(
                self,
                "/json/2/mgmtsystem.nonconformity/write",
                {"ids": nc.ids, "vals": vals, "context": {"is_writing": True}},
                key,
            )
            self.assertEqual(response.status_code, 403, response.text)
        response = post_json2(
            self,
            "/json/2/mgmtsystem.nonconformity/_capa_close",
            {"ids": nc.ids, "signature": 1},
            key,
        )
        self.assertNotEqual(response.status_code, 200, response.text)
        self.assertEqual(nc.state, "open")
        self.assertFalse(nc.capa_closure_id)
