"""Signing passwords (21 CFR 11.300): never stored, wrong ones throttled and reported."""

import xmlrpc.client

from odoo.tests import HttpCase, new_test_user, tagged

from .common import RecallCommon

WRONG = "wrong-guess-7Q"
RIGHT = "qm-password"
WIZARD_TABLES = ("recall_sign_wizard", "recall_response_wizard", "recall_response_wizard_line")


@tagged("post_install", "-at_install")
class TestSigningPasswords(RecallCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.security_manager = new_test_user(
            cls.env,
            "recall_secmgr",
            name="Security Manager",
            groups="base.group_user,base.group_erp_manager",
        )

    # ------------------------------------------------------------------ web client helpers

    def _jsonrpc_error(self, route, params):
        """The error message a JSON-RPC call answers (None if it succeeds)."""
        response = self.opener.post(
            f"{self.base_url()}{route}",
            json={"id": 0, "jsonrpc": "2.0", "method": "call", "params": params},
        )
        error = response.json().get("error")
        return error and error["data"]["message"]

    def _call_button(self, model, method, ids, context=None):
        return self.make_jsonrpc_request(
            f"/web/dataset/call_button/{model}/{method}",
            {"model": model, "method": method, "args": [ids], "kwargs": {"context": context or {}}},
        )

    def _web_save(self, model, record_id, vals):
        """What the form dialog does before it calls a button: save the typed values."""
        return self.make_jsonrpc_request(
            f"/web/dataset/call_kw/{model}/web_save",
            {
                "model": model,
                "method": "web_save",
                "args": [[record_id], vals],
                "kwargs": {"context": {}, "specification": {name: {} for name in vals}},
            },
        )

    def _click_with_password(self, model, wizard_id, method, password, extra=None):
        """Type ``password`` in the dialog and click its button, as the web client does: the
        error message, or None."""
        self._web_save(model, wizard_id, {"password": password, **(extra or {})})
        return self._jsonrpc_error(
            f"/web/dataset/call_button/{model}/{method}",
            {
                "model": model,
                "method": method,
                "args": [[wizard_id]],
                "kwargs": {"context": {"signature_password": password}},
            },
        )

    def _assert_no_password_in_wizard_tables(self, *passwords):
        self.env.flush_all()
        for table in WIZARD_TABLES:
            self.env.cr.execute(f"SELECT row_to_json(t)::text FROM {table} t")  # noqa: S608
            rows = [row for (row,) in self.env.cr.fetchall()]
            for password in passwords:
                stored = [row for row in rows if password in row]
                self.assertFalse(stored, f"password {password!r} stored in {table}: {stored}")

    # ------------------------------------------------------------------ tests

    def test_sign_dialog_keeps_no_typed_password_in_the_database(self):
        campaign = self._campaign()
        campaign.action_analyze_impact()
        self.authenticate("recall_qm", RIGHT)
        action = self._call_button("recall.campaign", "action_approve", [campaign.id])
        wizard_id = action["res_id"]
        error = self._click_with_password("recall.sign.wizard", wizard_id, "action_sign", WRONG)
        self.assertIn("Wrong password", error)
        self._assert_no_password_in_wizard_tables(WRONG)
        error = self._click_with_password("recall.sign.wizard", wizard_id, "action_sign", RIGHT)
        self.assertIsNone(error)
        self._assert_no_password_in_wizard_tables(WRONG, RIGHT)
        campaign.invalidate_recordset()
        self.assertEqual(campaign.state, "approved")
        self.assertEqual(campaign.approval_signature_id.user_id, self.manager)

    def test_response_dialog_keeps_no_typed_password_in_the_database(self):
        campaign = self._approved()
        campaign.action_notify()
        notice = self._notice(campaign, self.distributor)
        self.authenticate("recall_qm", RIGHT)
        action = self._call_button("recall.notice", "action_record_response", [notice.id])
        wizard_id = action["res_id"]
        typed = {"acknowledge": True, "note": "Zhang Min confirmed by phone"}
        error = self._click_with_password(
            "recall.response.wizard", wizard_id, "action_record", WRONG, typed
        )
        self.assertIn("Wrong password", error)
        self._assert_no_password_in_wizard_tables(WRONG)
        error = self._click_with_password(
            "recall.response.wizard", wizard_id, "action_record", RIGHT, typed
        )
        self.assertIsNone(error)
        self._assert_no_password_in_wizard_tables(WRONG, RIGHT)
        notice.invalidate_recordset()
        self.assertEqual(notice.state, "acknowledged")
        self.assertEqual(notice.acknowledged_by, "Li Wei")
        signature = self.env["recall.signature"].search(
            [("res_model", "=", "recall.notice"), ("res_id", "=", notice.id)]
        )
        self.assertEqual(signature.user_id, self.manager)

    def test_wrong_signing_passwords_over_xmlrpc_lock_signing_and_alert_managers(self):
        self.env["ir.config_parameter"].sudo().set_param("base.login_cooldown_after", 5)
        self.env["ir.config_parameter"].sudo().set_param("base.login_cooldown_duration", 600)
        campaign = self._campaign()
        campaign.action_analyze_impact()
        uid = self.manager.id

        def sign(password):
            wizard_id = self.xmlrpc_object.execute_kw(
                self.env.cr.dbname,
                uid,
                RIGHT,
                "recall.campaign",
                "action_approve",
                [[campaign.id]],
            )["res_id"]
            return self.xmlrpc_object.execute_kw(
                self.env.cr.dbname,
                uid,
                RIGHT,
                "recall.sign.wizard",
                "action_sign",
                [[wizard_id]],
                {"context": {"signature_password": password}},
            )

        def fault(password):
            try:
                sign(password)
            except xmlrpc.client.Fault as exc:
                return exc.faultString
            return None

        faults = [fault(WRONG) for _attempt in range(15)]
        right = fault(RIGHT)
        self.assertTrue(right, "the right password was accepted during the cooldown")
        self.assertIn("signing is locked until", right)
        self.assertTrue(all(faults), faults)
        self.assertIn("Wrong password", faults[0])
        self.assertIn("signing is locked until", faults[-1])
        campaign.invalidate_recordset()
        self.assertEqual(campaign.state, "analysed")
        self.assertFalse(campaign.approval_signature_id)
        # counted like login failures: attempts during the cooldown are refused, not counted
        failures = self.env["recall.signature.failure"].search([("user_id", "=", uid)])
        self.assertEqual(len(failures), 5)
        self.assertEqual(set(failures.mapped("res_id")), {campaign.id})
        sealed = self.env["audit.seal.entry"].search_count(
            [("res_model", "=", "recall.signature.failure"), ("res_id", "in", failures.ids)]
        )
        self.assertEqual(sealed, 5)
        report = self.env["mail.message"].search(
            [
                ("model", "=", "recall.campaign"),
                ("res_id", "=", campaign.id),
                ("partner_ids", "in", self.security_manager.partner_id.ids),
            ]
        )
        self.assertEqual(len(report), 1)
        self.assertIn("5 wrong passwords", report.body)
        self.assertIn("recall_qm", report.body)
