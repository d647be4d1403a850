from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common import APPROVER_PASSWORD, CapaCommon


@tagged("post_install", "-at_install")
class TestCapaFlow(CapaCommon):
    """Each transition of the CAPA flow, and each refusal, as the role that takes it."""

    def test_nonconformity_links_devices_dis_and_lots_and_is_found_from_them(self):
        nc = self._nc()
        self.assertEqual(nc.product_ids, self.catheter_variant)
        self.assertEqual(nc.lot_ids, self.lot)
        self.assertEqual(nc.udi_di_ids, self.catheter.udi_di_ids)
        NC = self.env["mgmtsystem.nonconformity"].with_user(self.engineer)
        di = self.catheter.udi_di_ids[:1]
        for domain in (
            [("lot_ids", "in", self.lot.ids)],
            [("product_ids", "in", self.catheter_variant.ids)],
            [("udi_di_ids.di", "=", di.di)],
        ):
            self.assertEqual(NC.search(domain), nc, domain)
        self.assertEqual(self.lot.with_user(self.engineer).capa_nonconformity_count, 1)
        self.assertEqual(self.catheter.with_user(self.engineer).capa_nonconformity_count, 1)
        action = self.lot.with_user(self.engineer).action_open_capa_nonconformities()
        self.assertEqual(NC.search(action["domain"]), nc)
        action = self.catheter.with_user(self.engineer).action_open_capa_nonconformities()
        self.assertEqual(NC.search(action["domain"]), nc)

    def test_complaint_opens_its_nonconformity_prefilled_with_the_device(self):
        ticket = self.env["helpdesk.ticket"].create(
            {
                "name": "Hub cracked during injection",
                "description": "<p>Crack at the hub, contrast leaked.</p>",
                "partner_id": self.hospital.id,
                "trace_product_id": self.catheter_variant.id,
                "trace_lot_id": self.lot.id,
            }
        )
        action = ticket.with_user(self.engineer).action_open_nonconformity()
        nc = self.env["mgmtsystem.nonconformity"].browse(action["res_id"])
        self.assertEqual(
            (nc.capa_source, nc.ticket_id, nc.partner_id), ("complaint", ticket, self.hospital)
        )
        self.assertEqual((nc.product_ids, nc.lot_ids), (self.catheter_variant, self.lot))
        self.assertEqual(nc.udi_di_ids, self.catheter.udi_di_ids)
        self.assertIn("contrast leaked", nc.description)
        self.assertEqual(
            nc.origin_ids, self.env.ref("mgmtsystem_nonconformity.nc_origin_external_client")
        )
        again = ticket.with_user(self.engineer).action_open_nonconformity()
        self.assertEqual(again["res_id"], nc.id, "the second click opens the same one")

    def test_recall_root_cause_nonconformity_from_scope_and_reason(self):
        campaign = self._approved()
        action = campaign.with_user(self.engineer).action_capa_root_cause()
        nc = self.env["mgmtsystem.nonconformity"].browse(action["res_id"])
        self.assertEqual((nc.capa_source, nc.recall_campaign_id), ("recall", campaign))
        self.assertEqual(nc.lot_ids, self.lot)
        self.assertEqual(nc.product_ids, self.catheter_variant)
        self.assertIn("Hub cracks under pressure", nc.description)
        self.assertEqual(nc.origin_ids, self.env.ref("quality_capa.nc_origin_recall"))
        self.assertEqual(campaign.with_user(self.engineer).capa_nonconformity_count, 1)
        self.assertEqual(
            campaign.with_user(self.engineer).action_capa_root_cause()["res_id"], nc.id
        )

    def test_action_plan_needs_owner_and_due_date(self):
        nc = self._nc()
        nc.write({"stage_id": self.env.ref("mgmtsystem_nonconformity.stage_analysis").id})
        action = (
            self.env["mgmtsystem.action"]
            .with_user(self.engineer)
            .create({"name": "Retrain operators", "type_action": "correction"})
        )
        nc.write(
            {
                "stage_id": self.env.ref("mgmtsystem_nonconformity.stage_pending").id,
                "action_ids": [Command.link(action.id)],
                "action_comments": "Retraining.",
            }
        )
        with self.assertRaisesRegex(ValidationError, "owner and a due date"):
            nc.write({"stage_id": self.env.ref("mgmtsystem_nonconformity.stage_open").id})

    def test_overdue_actions_are_flagged_and_searchable(self):
        nc = self._in_progress()
        action = nc.action_ids
        self.assertFalse(action.is_overdue)
        action.date_deadline = fields.Date.today() - timedelta(days=1)
        Action = self.env["mgmtsystem.action"].with_user(self.engineer)
        self.assertTrue(action.is_overdue)
        self.assertIn(action, Action.search([("is_overdue", "=", True)]))
        self.assertEqual(nc.overdue_action_count, 1)
        self._actions_done(nc)
        self.assertFalse(action.is_overdue, "a closed action is no longer overdue")
        self.assertNotIn(action, Action.search([("is_overdue", "=", True)]))

    def test_effectiveness_check_needs_method_result_and_evidence(self):
        nc = self._in_progress().with_user(self.auditor)
        with self.assertRaisesRegex(UserError, "verification method, result, evidence"):
            nc.action_capa_verify_effectiveness()
        self.assertFalse(nc.effectiveness_verified_by_id)

    def test_engineer_cannot_verify_effectiveness(self):
        nc = self._in_progress()
        with self.assertRaisesRegex(AccessError, "Auditor"):
            nc.with_user(self.engineer).action_capa_verify_effectiveness()

    def test_changing_a_verified_check_voids_the_verification(self):
        nc = self._closable()
        self.assertEqual(nc.effectiveness_verified_by_id, self.auditor)
        self.assertEqual(nc.effectiveness_date, fields.Date.today())
        nc.with_user(self.engineer).effectiveness_result = "not_effective"
        self.assertFalse(nc.effectiveness_verified_by_id)
        self.assertFalse(nc.effectiveness_date)

    def test_verified_by_cannot_be_written(self):
        nc = self._in_progress()
        with self.assertRaisesRegex(AccessError, "set by its workflow"):
            nc.with_user(self.engineer).write({"effectiveness_verified_by_id": self.auditor.id})

    def test_closure_refused_without_effectiveness_check(self):
        nc = self._in_progress()
        self._actions_done(nc)
        with self.assertRaisesRegex(UserError, "effectiveness check is not recorded"):
            nc.with_user(self.approver).action_capa_close()
        self.assertEqual(nc.state, "open")

    def test_closure_refused_when_not_effective(self):
        nc = self._in_progress()
        self._actions_done(nc)
        self._effectiveness(nc, result="not_effective")
        with self.assertRaisesRegex(UserError, "not effective"):
            nc.with_user(self.approver).action_capa_close()

    def test_closure_refused_with_open_actions(self):
        nc = self._in_progress()
        self._effectiveness(nc)
        with self.assertRaisesRegex(UserError, "actions not closed yet"):
            nc.with_user(self.approver).action_capa_close()

    def test_only_an_approving_user_closes(self):
        nc = self._closable()
        with self.assertRaisesRegex(AccessError, "Approving User"):
            nc.with_user(self.auditor).action_capa_close()

    def test_wrong_password_closes_nothing(self):
        nc = self._closable()
        with self.assertRaisesRegex(UserError, "Wrong password"):
            self._sign_closure(nc, password="guess")
        self.assertEqual(nc.state, "open")
        self.assertFalse(nc.capa_closure_id)
        self.assertFalse(self.env["recall.signature"].search([("meaning", "=", "capa_close")]))

    def test_moving_to_the_closed_stage_is_refused(self):
        nc = self._closable()
        done = self.env.ref("mgmtsystem_nonconformity.stage_done")
        for user in (self.engineer, self.approver):
            with self.assertRaisesRegex(AccessError, "signed CAPA closure"):
                nc.with_user(user).write({"stage_id": done.id})
        with self.assertRaisesRegex(AccessError, "set by its workflow"):
            nc.with_user(self.approver).write({"state": "done"})
        with self.assertRaisesRegex(AccessError, "signed CAPA closure"):
            self._nc(stage_id=done.id)
        self.assertEqual(nc.state, "open")
        self.assertEqual(done.state, "done")

    def test_signed_closure_is_sealed_and_binds_the_content(self):
        nc = self._closable()
        self._sign_closure(nc)
        self.assertEqual(nc.state, "done")
        self.assertTrue(nc.closing_date)
        closure = nc.capa_closure_id
        signature = closure.signature_id
        self.assertEqual((signature.meaning, signature.user_id), ("capa_close", self.approver))
        self.assertEqual((signature.res_model, signature.res_id), (nc._name, nc.id))
        self.assertEqual(closure.effectiveness_verified_by_id, self.auditor)
        self.assertEqual(closure.effectiveness_result, "effective")
        self.assertIn(self.evidence.checksum, closure.evidence_summary)
        self.assertIn("temperature alarm", closure.action_summary)
        self.assertEqual(closure.content_digest, signature.content_digest)
        self.assertFalse(signature._recall_binding_problem())
        Entry = self.env["audit.seal.entry"]
        self.assertIn(closure.id, Entry._seal_pending_ids("quality.capa.closure"))
        self.assertIn(signature.id, Entry._seal_pending_ids("recall.signature"))
        # a closed CAPA does not change; a change made anyway breaks the signature's binding
        with self.assertRaisesRegex(AccessError, "closed with an electronic signature"):
            nc.with_user(self.engineer).write({"description": "Nothing happened."})
        with self.assertRaisesRegex(AccessError, "closed with an electronic signature"):
            nc.with_user(self.approver).write(
                {"stage_id": self.env.ref("mgmtsystem_nonconformity.stage_open").id}
            )
        nc.action_ids.sudo().name = "Something else"
        self.assertIn("no longer matches", signature._recall_binding_problem())

    def test_closing_twice_is_refused(self):
        nc = self._closable()
        self._sign_closure(nc)
        with self.assertRaisesRegex(UserError, "closed or cancelled"):
            self._sign_closure(nc)
        self.assertEqual(len(self.env["quality.capa.closure"].search([])), 1)

    def test_approver_of_another_company_cannot_reach_the_capa(self):
        nc = self._closable()
        with self.assertRaises(AccessError):
            self._sign_closure(nc, user=self.other_approver, password=APPROVER_PASSWORD)
        self.assertFalse(nc.capa_closure_id)
