"""Guessing a signing password from the portal: throttled like logins, reported, sealed."""

from odoo.tests import new_test_user, tagged

from odoo.addons.partner_portal.tests.common import PortalCommon


@tagged("post_install", "-at_install")
class TestPortalSigningThrottle(PortalCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.security_manager = new_test_user(
            cls.env,
            "sec_manager",
            name="Security Manager",
            groups="base.group_user,base.group_erp_manager",
        )
        ICP = cls.env["ir.config_parameter"].sudo()
        ICP.set_param("base.login_cooldown_after", 3)
        ICP.set_param("base.login_cooldown_duration", 600)

    def _acknowledge(self, password):
        return self._post(
            f"/my/recalls/{self.notice_a.id}/acknowledge", {"password": password, "confirm": "on"}
        )

    def test_portal_password_guessing_locks_signing_and_alerts_security_managers(self):
        self.authenticate("dist_a", "dist-a-password")
        guesses = [self._acknowledge(f"guess-{n}") for n in range(6)]
        right = self._acknowledge("dist-a-password")
        self.assertEqual(right.status_code, 400, "the right password was accepted")
        self.assertIn("signing is locked until", right.text)
        self.assertTrue(all(r.status_code == 400 for r in guesses))
        self.assertIn("Wrong password", guesses[0].text)
        self.assertIn("signing is locked until", guesses[-1].text)
        self.assertEqual(self.notice_a.state, "sent")
        self.assertFalse(self.notice_a.response_ids)
        failures = self.env["recall.signature.failure"].search([("user_id", "=", self.user_a.id)])
        self.assertEqual(len(failures), 3)
        self.assertEqual(set(failures.mapped("res_id")), {self.notice_a.id})
        self.assertEqual(set(failures.mapped("remote_addr")), {"127.0.0.1"})
        report = self.env["mail.message"].search(
            [
                ("model", "=", "recall.notice"),
                ("res_id", "=", self.notice_a.id),
                ("partner_ids", "in", self.security_manager.partner_id.ids),
            ]
        )
        self.assertEqual(len(report), 1)
        self.assertIn("dist_a", report.body)
        # the consignee's contacts are not told (the report is not on their thread's mails)
        self.assertNotIn(self.contact_a, report.partner_ids)
