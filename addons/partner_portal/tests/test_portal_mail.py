"""The notice mail's link opens the notice for a contact without login, who is invited."""

from odoo.tests import tagged

from odoo.addons.mail.tests.common import MockEmail

from .common import PortalCommon


@tagged("post_install", "-at_install")
class TestPortalMail(PortalCommon, MockEmail):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # a second contact of distributor B, with an email and no login yet
        cls.contact_b2 = cls.env["res.partner"].create({
            "name": "Tan Wei Ling", "parent_id": cls.distributor_b.id, "type": "contact",
            "email": "tan.weiling@pacific.example.com",
        })

    def _notify_again(self):
        """A second recall of B's lot, notified while mails are captured."""
        with self.mock_mail_gateway():
            campaign = self._portal_campaign(title="Second recall of the catheter")
            notices = campaign.notice_ids
            self.assertTrue(all(notices.sudo().mapped("portal_invite_pending")))
            self.env["recall.notice"]._cron_portal_invite()
        return campaign.notice_ids.filtered(lambda n: n.partner_id == self.distributor_b)

    def test_notice_mail_carries_a_link_with_access_token(self):
        notice = self._notify_again()
        link = f"/my/recalls/{notice.id}?access_token={notice.access_token}"
        # a contact with a portal login, and one without
        for address in ("priya.raman", "tan.weiling"):
            mails = [
                mail for mail in self._mails
                if "Second recall" in mail["subject"] and address in str(mail["email_to"])
            ]
            self.assertEqual(len(mails), 1, address)
            self.assertIn(link, mails[0]["body"], address)

    def test_contact_without_login_is_invited(self):
        self._notify_again()
        user = self.contact_b2.with_context(active_test=False).user_ids
        self.assertTrue(user.share)
        self.assertTrue(user.active)
        self.assertTrue(user._is_portal())
        invitations = [
            mail for mail in self._mails
            if "tan.weiling@pacific.example.com" in str(mail["email_to"])
            and "Second recall" not in mail["subject"]
        ]
        self.assertTrue(invitations)
        self.assertIn("You received the recall notice RC/", invitations[0]["body"])
        self.assertIn("/web/signup", invitations[0]["body"])

    def test_link_opens_notice_for_logged_out_visitor(self):
        token = self.notice_a.sudo()._portal_ensure_token()
        response = self.url_open(f"/my/recalls/{self.notice_a.id}?access_token={token}")
        self.assertEqual(response.status_code, 200)
        self.assertIn("RC-L1", response.text)
        self.assertIn("Hub cracks under pressure", response.text)
        self.assertIn("Sign in to acknowledge", response.text)
        self.assertIn("o_recall_invite_form", response.text)
        self.assertNotIn("o_recall_acknowledge_form", response.text)
        pdf = self.url_open(f"/my/recalls/{self.notice_a.id}/pdf?access_token={token}")
        self.assertEqual(pdf.status_code, 200)

    def test_link_without_token_sends_visitor_away(self):
        response = self.url_open(f"/my/recalls/{self.notice_a.id}", allow_redirects=False)
        self.assertEqual(response.status_code, 303)
        self.assertNotIn("RC-L1", response.text)

    def test_visitor_can_ask_for_an_invitation_to_a_known_address(self):
        token = self.notice_b.sudo()._portal_ensure_token()
        url = f"/my/recalls/{self.notice_b.id}/invite"
        with self.mock_mail_gateway():
            unknown = self._post(url, {"access_token": token, "email": "mallory@evil.example"})
            known = self._post(url, {"access_token": token,
                                     "email": "Tan.WeiLing@pacific.example.com"})
        self.assertEqual(unknown.headers["Location"], known.headers["Location"])
        self.assertTrue(self.contact_b2.user_ids)
        self.assertFalse([m for m in self._mails if "mallory" in str(m["email_to"])])
        self.assertFalse(self.env["res.users"].search([("login", "=", "mallory@evil.example")]))
