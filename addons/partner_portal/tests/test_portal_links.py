"""Mail links and anonymous invitation requests: links expire, requests are rate-limited."""

import datetime

from odoo import fields
from odoo.tests import tagged

from odoo.addons.mail.tests.common import MockEmail

from .common import PortalCommon


@tagged("post_install", "-at_install")
class TestPortalLinks(PortalCommon, MockEmail):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # a contact of distributor B with an email and no login yet
        cls.contact_b2 = cls.env["res.partner"].create(
            {
                "name": "Tan Wei Ling",
                "parent_id": cls.distributor_b.id,
                "type": "contact",
                "email": "tan.weiling@pacific.example.com",
            }
        )

    def _invite(self, notice, email):
        return self._post(
            f"/my/recalls/{notice.id}/invite",
            {"access_token": notice.sudo().access_token, "email": email},
        )

    def _mails_to(self, address):
        return [mail for mail in self._mails if address in str(mail["email_to"])]

    def _expire(self, notice):
        notice.sudo().access_token_expires_at = fields.Datetime.now() - datetime.timedelta(
            minutes=1
        )

    # ------------------------------------------------------------------ invitations

    def test_invitation_for_an_address_goes_out_once_per_interval(self):
        with self.mock_mail_gateway():
            first = self._invite(self.notice_b, "tan.weiling@pacific.example.com")
            again = self._invite(self.notice_b, "Tan.WeiLing@pacific.example.com")
        self.assertIn("message=invited", first.headers["Location"])
        self.assertIn("message=invite_wait", again.headers["Location"])
        self.assertTrue(self.contact_b2.user_ids)
        self.assertEqual(len(self._mails_to("tan.weiling@pacific.example.com")), 1)
        page = self.url_open(again.headers["Location"])
        self.assertIn("An invitation was asked for this address", page.text)

    def test_the_answer_to_a_limited_request_does_not_tell_if_the_address_is_known(self):
        with self.mock_mail_gateway():
            self._invite(self.notice_b, "mallory@evil.example")
            unknown = self._invite(self.notice_b, "mallory@evil.example")
            self._invite(self.notice_b, "tan.weiling@pacific.example.com")
            known = self._invite(self.notice_b, "tan.weiling@pacific.example.com")
        self.assertEqual(unknown.headers["Location"], known.headers["Location"])

    def test_invitation_requests_from_one_address_are_capped_per_hour(self):
        self.env["ir.config_parameter"].sudo().set_param("partner_portal.invite_per_ip_per_hour", 3)
        with self.mock_mail_gateway():
            for name in ("eve", "trudy", "oscar"):
                self._invite(self.notice_b, f"{name}@evil.example")
            capped = self._invite(self.notice_b, "tan.weiling@pacific.example.com")
        self.assertIn("message=invite_wait", capped.headers["Location"])
        self.assertFalse(self.contact_b2.with_context(active_test=False).user_ids)
        self.assertFalse(self._mails_to("tan.weiling@pacific.example.com"))

    # ------------------------------------------------------------------ link lifetime

    def test_sent_notice_link_lives_thirty_days_by_default(self):
        notice = self.notice_a.sudo()
        self.assertEqual(
            notice.access_token_expires_at.date(),
            (notice.sent_at + datetime.timedelta(days=30)).date(),
        )

    def test_expired_link_asks_the_visitor_to_sign_in_and_shows_nothing_of_the_notice(self):
        token = self.notice_a.sudo().access_token
        self._expire(self.notice_a)
        base = f"/my/recalls/{self.notice_a.id}"
        page = self.url_open(f"{base}?access_token={token}")
        self.assertEqual(page.status_code, 403)
        self.assertIn("This link has expired", page.text)
        self.assertIn("/web/login?redirect=", page.text)
        for secret in ("RC-L1", "Hub cracks under pressure", self.notice_a.name):
            self.assertNotIn(secret, page.text)
        pdf = self.url_open(f"{base}/pdf?access_token={token}")
        self.assertEqual(pdf.status_code, 403)
        self.assertNotIn("RC-L1", pdf.text)
        self._expire(self.notice_b)
        with self.mock_mail_gateway():
            refused = self._invite(self.notice_b, "tan.weiling@pacific.example.com")
        self.assertEqual(refused.status_code, 403)
        self.assertFalse(self.contact_b2.with_context(active_test=False).user_ids)

    def test_signed_in_consignee_reads_the_notice_with_an_expired_link(self):
        token = self.notice_a.sudo().access_token
        self._expire(self.notice_a)
        self.authenticate("dist_a", "dist-a-password")
        page = self.url_open(f"/my/recalls/{self.notice_a.id}?access_token={token}")
        self.assertEqual(page.status_code, 200)
        self.assertIn("RC-L1", page.text)

    def test_next_mail_about_the_notice_renews_the_link_for_the_set_lifetime(self):
        self.env["ir.config_parameter"].sudo().set_param("partner_portal.access_token_days", 7)
        notice = self.notice_a.sudo()
        old_token = notice.access_token
        self._expire(self.notice_a)
        with self.mock_mail_gateway():
            notice.message_post(
                body="Reminder: please acknowledge the recall notice.",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
                partner_ids=self.contact_a.ids,
            )
        self.assertNotEqual(notice.access_token, old_token)
        self.assertEqual(
            notice.access_token_expires_at.date(),
            (fields.Datetime.now() + datetime.timedelta(days=7)).date(),
        )
        link = f"/my/recalls/{notice.id}?access_token={notice.access_token}"
        self.assertIn(link, self._mails_to("zhang.min@huadong.example.com")[0]["body"])
        self.assertIn("RC-L1", self.url_open(link).text)
        stale = self.url_open(
            f"/my/recalls/{notice.id}?access_token={old_token}", allow_redirects=False
        )
        self.assertNotIn("RC-L1", stale.text)
