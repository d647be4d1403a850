""" "Sent" means delivered: a notice counts as notified when a real SMTP server accepted its
mail; a refused mail, an unreachable server or a consignee without any address is an
exception that blocks the notification milestone and says what to do."""

import socket
from unittest.mock import patch

from aiosmtpd.controller import Controller

from odoo.modules.module import load_script
from odoo.tests import tagged

from .common import RecallCommon


class _Mailbox:
    """aiosmtpd handler: accepts every recipient but the refused ones, keeps what it got."""

    def __init__(self):
        self.refused = set()
        self.received = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.refused:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.received.append((tuple(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@tagged("post_install", "-at_install")
class TestNoticeDelivery(RecallCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mailbox = _Mailbox()
        cls.port = _free_port()
        cls.smtp = Controller(cls.mailbox, hostname="127.0.0.1", port=cls.port)
        cls.smtp.start()
        cls.addClassCleanup(cls.smtp.stop)
        cls.server = cls.env["ir.mail_server"].create(
            {
                "name": "Local SMTP of the tests",
                "smtp_host": "127.0.0.1",
                "smtp_port": cls.port,
                "smtp_encryption": "none",
            }
        )
        # Odoo's test mode sends no mail at all: here the mails really go to the local server
        mail_server_class = type(cls.env["ir.mail_server"])
        cls.startClassPatcher(
            patch.object(mail_server_class, "_disable_send", classmethod(lambda cls_: False))
        )

    def setUp(self):
        super().setUp()
        self.mailbox.refused.clear()
        self.mailbox.received.clear()
        self.campaign = self._approved()
        self.deadline = self.campaign.deadline_ids.filtered(lambda d: d.milestone == "notification")

    def _run_mail_queue(self):
        self.env["mail.mail"].sudo().search([("state", "=", "outgoing")]).send()
        self.env.invalidate_all()

    def test_notice_counts_once_the_server_accepted_it(self):
        self.campaign.action_notify()
        self._run_mail_queue()
        recipients = {address for rcpts, _content in self.mailbox.received for address in rcpts}
        self.assertIn("quality@huadong.example.com", recipients)
        self.assertEqual(set(self.campaign.notice_ids.mapped("delivery_state")), {"delivered"})
        self.assertEqual(self.campaign.notified_count, self.campaign.consignee_count)
        self.assertEqual(self.deadline.state, "done")

    def test_refused_mail_is_an_exception_that_blocks_the_milestone(self):
        self.mailbox.refused.add("quality@huadong.example.com")
        self.campaign.action_notify()
        self._run_mail_queue()
        notice = self._notice(self.campaign, self.distributor)
        self.assertEqual(notice.state, "sent")
        self.assertEqual(notice.delivery_state, "failed")
        self.assertIn("quality@huadong.example.com", notice.delivery_issue)
        self.assertEqual(self.campaign.undelivered_count, 1)
        self.assertEqual(self.campaign.notified_count, self.campaign.consignee_count - 1)
        self.assertNotEqual(self.deadline.state, "done")
        # the quality manager corrects the address and sends again, as the web client does it
        self.distributor.email = "recall@huadong.example.com"
        self.mailbox.refused.clear()
        notice.with_user(self.manager).action_send_again()
        self._run_mail_queue()
        self.assertEqual(notice.delivery_state, "delivered")
        self.assertEqual(self.campaign.undelivered_count, 0)
        self.assertEqual(self.deadline.state, "done")

    def test_unreachable_mail_server_delivers_nothing(self):
        self.server.smtp_port = _free_port()  # nothing listens there: connection refused
        self.campaign.action_notify()
        self._run_mail_queue()
        self.assertEqual(set(self.campaign.notice_ids.mapped("delivery_state")), {"failed"})
        self.assertEqual(self.campaign.notified_count, 0)
        self.assertNotEqual(self.deadline.state, "done")

    def test_consignee_without_address_has_no_channel(self):
        self.distributor.email = False
        self.campaign.action_notify()
        self._run_mail_queue()
        notice = self._notice(self.campaign, self.distributor)
        self.assertEqual(notice.delivery_state, "no_channel")
        self.assertIn("no e-mail address", notice.delivery_issue)
        self.assertEqual(self.campaign.undelivered_count, 1)
        self.assertNotEqual(self.deadline.state, "done")
        # an acknowledgement taken by phone proves the consignee was reached
        signature = (
            self.env["recall.signature"]
            .with_user(self.manager)
            ._recall_sign(notice, "acknowledge", "qm-password")
        )
        notice._recall_acknowledge(signature)
        self.assertTrue(notice.is_notified)
        self.assertEqual(self.campaign.undelivered_count, 0)
        self.assertEqual(self.deadline.state, "done")

    def test_bounce_after_acceptance_undoes_the_delivery(self):
        """The server accepted the mail, then the consignee's server returned it (a DSN): the
        notice is not delivered after all and the milestone met on its account opens again."""
        self.campaign.action_notify()
        self._run_mail_queue()
        notice = self._notice(self.campaign, self.distributor)
        self.assertEqual(notice.delivery_state, "delivered")
        self.assertEqual(self.deadline.state, "done")
        message_id = notice.notice_message_id.message_id
        bounce = (
            "From: MAILER-DAEMON@mx.huadong.example.com\r\n"
            "To: catchall@example.com\r\n"
            "Subject: Undelivered Mail Returned to Sender\r\n"
            "Message-Id: <dsn-1@mx.huadong.example.com>\r\n"
            "MIME-Version: 1.0\r\n"
            'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n'
            "\r\n--B\r\nContent-Type: text/plain\r\n\r\n"
            "quality@huadong.example.com: mailbox full\r\n"
            "--B\r\nContent-Type: message/delivery-status\r\n\r\n"
            "Reporting-MTA: dns; mx.huadong.example.com\r\n\r\n"
            "Final-Recipient: rfc822; quality@huadong.example.com\r\n"
            "Action: failed\r\nStatus: 5.2.2\r\n"
            "--B\r\nContent-Type: text/rfc822-headers\r\n\r\n"
            f"Message-Id: {message_id}\r\n"
            "To: quality@huadong.example.com\r\n"
            "--B--\r\n"
        )
        self.env["mail.thread"].sudo().message_process(False, bounce.encode())
        self.env.invalidate_all()
        self.assertEqual(notice.delivery_state, "failed")
        self.assertIn("came back undelivered", notice.delivery_issue)
        self.assertIn("quality@huadong.example.com", notice.delivery_issue)
        self.assertFalse(notice.is_notified)
        self.assertEqual(self.campaign.undelivered_count, 1)
        self.assertNotEqual(self.deadline.state, "done")
        self.assertIn(notice.name, " ".join(self.campaign.log_ids.mapped("note")))
        # sent again to a corrected address, it is delivered and the milestone met again
        self.distributor.email = "recall@huadong.example.com"
        notice.with_user(self.manager).action_send_again()
        self._run_mail_queue()
        self.assertEqual(notice.delivery_state, "delivered")
        self.assertEqual(self.deadline.state, "done")

    def test_delivery_issue_reads_in_the_readers_language(self):
        """The issue is stored as facts and written in the language of whoever reads it, not of
        whoever (or whichever job) sent the notice."""
        self.env["res.lang"]._activate_lang("zh_CN")
        self.mailbox.refused.add("quality@huadong.example.com")
        self.campaign.with_context(lang="en_US").action_notify()
        self._run_mail_queue()
        notice = self._notice(self.campaign, self.distributor)
        self.assertEqual(notice.delivery_issue_kind, "refused")
        self.assertIn("quality@huadong.example.com", notice.delivery_issue_detail)
        english = notice.with_context(lang="en_US").delivery_issue
        chinese = notice.with_context(lang="zh_CN").delivery_issue
        self.assertIn("The mail server did not deliver the notice", english)
        self.assertIn("邮件服务器", chinese)
        self.assertIn("quality@huadong.example.com", chinese)

    def test_update_turns_stored_sentences_into_facts(self):
        """Databases from before 19.0.1.2.0 stored the sentence: the migration keeps the mail
        servers' answers and drops the sentence."""
        self.mailbox.refused.add("quality@huadong.example.com")
        self.campaign.action_notify()
        self._run_mail_queue()
        notice = self._notice(self.campaign, self.distributor)
        cr = self.env.cr
        cr.execute("ALTER TABLE recall_notice ADD COLUMN delivery_issue text")
        cr.execute(
            "UPDATE recall_notice SET delivery_issue = %s, delivery_issue_kind = NULL, "
            "delivery_issue_detail = NULL WHERE id = %s",
            (
                "邮件服务器未送达该通知（a@x.example: 550 No such mailbox）。请更正后重新发送。",
                notice.id,
            ),
        )
        script = load_script("recall_mgmt/migrations/19.0.1.2.0/post-migrate.py", "issues")
        script.migrate(cr, "19.0.1.1.0")
        self.env.invalidate_all()
        self.assertEqual(notice.delivery_issue_kind, "refused")
        self.assertEqual(notice.delivery_issue_detail, "a@x.example: 550 No such mailbox")
        cr.execute(
            "SELECT 1 FROM information_schema.columns "
            "WHERE table_name = 'recall_notice' AND column_name = 'delivery_issue'"
        )
        self.assertFalse(cr.fetchone())

    def test_update_gives_shipped_jurisdictions_their_zone(self):
        """Jurisdictions loaded before their zone existed got UTC (noupdate data): the update
        gives them the regulator's zone, and leaves a zone the company chose alone."""
        nmpa = self.env.ref("recall_mgmt.jurisdiction_nmpa")
        fda = self.env.ref("recall_mgmt.jurisdiction_fda")
        self.env.cr.execute(
            "UPDATE recall_jurisdiction SET tz = CASE id WHEN %s THEN 'UTC' ELSE 'America/Chicago' "
            "END WHERE id IN %s",
            (nmpa.id, (nmpa.id, fda.id)),
        )
        self.env.invalidate_all()
        script = load_script("recall_mgmt/migrations/19.0.1.2.0/post-migrate.py", "zones")
        script.migrate(self.env.cr, "19.0.1.1.0")
        self.env.invalidate_all()
        self.assertEqual(nmpa.tz, "Asia/Shanghai")
        self.assertEqual(fda.tz, "America/Chicago")
