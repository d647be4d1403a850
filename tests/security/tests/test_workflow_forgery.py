"""A Traceability Manager's API key and password cannot skip a signed workflow (21 CFR 11.10(e),
11.70): states, decision and acknowledgement times, signatures and releases are set by the
workflow methods only, whatever the caller sends, over JSON-2 and XML-RPC alike."""

import xmlrpc.client

from odoo.tests import tagged

from odoo.addons.partner_portal.tests.common import PortalCommon

#: any context a remote caller may send: none of it opens a guarded field
HOSTILE_CONTEXT = {
    "install_mode": True,
    "module": "recall_mgmt",
    "tracking_disable": True,
    "recall_workflow": True,
    "workflow": True,
    "audit_seal_workflow": True,
    "active_test": False,
}


@tagged("post_install", "-at_install")
class TestWorkflowForgery(PortalCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager_key = cls._api_key(cls.manager)
        cls.other_campaign = cls._portal_campaign(title="Second recall")
        cls.quarantine = cls.campaign.quarantine_ids[:1]
        cls.deadline = cls.campaign.deadline_ids[:1]
        cls.line = cls.notice_a.line_ids[:1]

    def setUp(self):
        super().setUp()
        self.assertTrue(self.quarantine and self.deadline and self.line)
        self.before = self._state()

    def _state(self):
        self.env.invalidate_all()
        campaign, notice = self.campaign, self.notice_a
        return {
            "campaign": campaign.read(
                ["state", "decision_date", "closed_at", "approval_signature_id", "name"]
            ),
            "notice": notice.read(["state", "acknowledged_at", "acknowledged_by", "sent_at"]),
            "quarantine": self.quarantine.read(["state", "released_by_id", "released_at"]),
            "deadline": self.deadline.read(["due_at", "done_at"]),
            "line": self.line.read(["quantity", "received_quantity", "notice_id"]),
            "logs": self.env["recall.campaign.log"].search_count([]),
            "signatures": self.env["recall.signature"].search_count([]),
            "campaigns": self.env["recall.campaign"].search_count([]),
        }

    def _forge_json2(self, model, method, ids=None, **params):
        if ids is not None:
            params["ids"] = ids
        response = self._json2(self.manager_key, model, method, context=HOSTILE_CONTEXT, **params)
        self.assertNotEqual(response.status_code, 200, f"{model}.{method} was accepted")
        self.assertIn("set by its workflow", response.text)
        self.assertEqual(self._state(), self.before, "a refused call changed something")

    # ------------------------------------------------------------------ JSON-2

    def test_campaign_state_and_signature_cannot_be_written(self):
        campaign = [self.campaign.id]
        for vals in (
            {"state": "closed"},
            {"state": "approved"},
            {"closed_at": "2026-01-01 00:00:00"},
            {"decision_date": "2020-01-01 00:00:00"},
            {"approval_signature_id": self.other_campaign.approval_signature_id.id},
            {"name": "RC/FORGED"},
            {"notified_count": 99},
        ):
            with self.subTest(vals=vals):
                self._forge_json2("recall.campaign", "write", ids=campaign, vals=vals)

    def test_campaign_cannot_be_created_decided(self):
        self._forge_json2(
            "recall.campaign",
            "create",
            vals_list=[
                {
                    "title": "Born closed",
                    "reason": "forged",
                    "jurisdiction_ids": [self.env.ref("recall_mgmt.jurisdiction_nmpa").id],
                    "state": "closed",
                    "approval_signature_id": self.campaign.approval_signature_id.id,
                }
            ],
        )

    def test_notice_acknowledgement_cannot_be_written(self):
        self._forge_json2(
            "recall.notice",
            "write",
            ids=self.notice_a.ids,
            vals={
                "state": "acknowledged",
                "acknowledged_at": "2026-01-01 08:00:00",
                "acknowledged_by": "Dr. Forged Signer",
            },
        )
        for vals in ({"name": "RC/FORGED/001"}, {"delivery_state": "delivered"}):
            with self.subTest(vals=vals):
                self._forge_json2("recall.notice", "write", ids=self.notice_a.ids, vals=vals)

    def test_notice_state_cannot_be_written_through_the_campaign(self):
        self._forge_json2(
            "recall.campaign",
            "write",
            ids=self.campaign.ids,
            vals={"notice_ids": [(1, self.notice_a.id, {"state": "completed"})]},
        )

    def test_quarantine_release_cannot_credit_another_user(self):
        self._forge_json2(
            "recall.quarantine",
            "write",
            ids=self.quarantine.ids,
            vals={
                "state": "released",
                "released_by_id": self.env.ref("base.user_admin").id,
                "released_at": "2026-01-01 08:00:00",
                "release_reason": "forged",
            },
        )

    def test_deadline_and_impact_cannot_be_written(self):
        self._forge_json2(
            "recall.campaign.deadline",
            "write",
            ids=self.deadline.ids,
            vals={"done_at": "2026-01-01 08:00:00"},
        )
        self._forge_json2(
            "recall.campaign.deadline",
            "write",
            ids=self.deadline.ids,
            vals={"due_at": "2099-01-01 08:00:00"},
        )
        self._forge_json2(
            "recall.campaign.line",
            "write",
            ids=self.line.ids,
            vals={"quantity": 0.0},
        )
        self._forge_json2(
            "recall.campaign.line",
            "write",
            ids=self.line.ids,
            vals={"notice_id": self.notice_b.id},
        )

    def test_duplicating_a_campaign_copies_no_workflow_field(self):
        """Duplicate (the form's action) starts a new draft: nothing of the decision is copied."""
        copy = self.campaign.with_user(self.manager).copy()
        self.assertEqual(copy.state, "draft")
        self.assertFalse(copy.approval_signature_id or copy.decision_date or copy.scope_lot_ids)
        self.assertEqual(copy.lot_ids, self.campaign.lot_ids)

    def test_editable_fields_stay_editable(self):
        """The guard refuses workflow fields only: a manager still edits the campaign's text."""
        response = self._json2(
            self.manager_key,
            "recall.campaign",
            "write",
            ids=self.campaign.ids,
            vals={"title": "Catheter hub may crack (updated)"},
            context=HOSTILE_CONTEXT,
        )
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(self.campaign.title, "Catheter hub may crack (updated)")

    # ------------------------------------------------------------------ XML-RPC

    def test_xmlrpc_write_is_refused(self):
        uid = self.manager.id
        db = self.env.cr.dbname
        for model, ids, vals in (
            ("recall.campaign", self.campaign.ids, {"state": "closed"}),
            ("recall.notice", self.notice_a.ids, {"acknowledged_by": "Dr. Forged Signer"}),
            ("recall.quarantine", self.quarantine.ids, {"state": "released"}),
        ):
            with self.subTest(model=model), self.assertRaises(xmlrpc.client.Fault) as caught:
                self.xmlrpc_object.execute_kw(
                    db,
                    uid,
                    "qm-password",
                    model,
                    "write",
                    [ids, vals],
                    {"context": HOSTILE_CONTEXT},
                )
            self.assertIn("set by its workflow", caught.exception.faultString)
        self.assertEqual(self._state(), self.before)

    # ------------------------------------------------------------------ the workflow itself

    def test_workflow_methods_still_write(self):
        """The real paths (the web client's buttons) set the same fields."""
        self.authenticate("recall_qm", "qm-password")
        self.make_jsonrpc_request(
            "/web/dataset/call_button/recall.campaign/action_start_follow_up",
            {
                "model": "recall.campaign",
                "method": "action_start_follow_up",
                "args": [self.campaign.ids],
                "kwargs": {"context": {}},
            },
        )
        self.assertEqual(self.campaign.state, "in_progress")
        log = self.campaign.log_ids.sorted("id")[-1]
        self.assertEqual((log.from_state, log.to_state), ("notified", "in_progress"))
