"""The receipt of a portal acknowledgement carries the latest signed ledger head (issue 12):
shown to the consignee, answered to its system, and recorded as a head given out."""

from lxml import html

from odoo.tests import tagged

from .common import PortalCommon


@tagged("post_install", "-at_install")
class TestPortalReceipt(PortalCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the commit of the recall's approval and sending: a signed checkpoint (for every test
        # of the class: what is sealed once is not pending any more)
        cls.env["audit.seal.entry"]._seal_run_pending()
        cls.checkpoint = cls.env["audit.seal.checkpoint"].sudo().search([], limit=1)
        cls.url = f"/my/recalls/{cls.notice_a.id}"

    def setUp(self):
        super().setUp()
        self.assertTrue(self.checkpoint)

    def _heads(self, notice):
        return (
            self.env["audit.seal.published.head"]
            .sudo()
            .search([("document", "like", f"acknowledgement receipt of {notice.name} ")])
        )

    @staticmethod
    def _receipt(text):
        """What the receipt on the page shows of the ledger head ({} when nothing)."""
        shown = {}
        for key in ("seq", "hash", "signature"):
            nodes = html.fromstring(text).find_class(f"o_recall_receipt_{key}")
            if nodes:
                shown[key] = nodes[0].text_content().strip()
        return shown

    def _assert_latest_checkpoint(self, head):
        """``head`` is a signed checkpoint's head, not older than the one before the answer."""
        checkpoint = (
            self.env["audit.seal.checkpoint"]
            .sudo()
            .search([("seq_to", "=", head.seq), ("head_hash", "=", head.head_hash)])
        )
        self.assertEqual(len(checkpoint), 1)
        self.assertEqual(head.signature, checkpoint.signature)
        self.assertGreaterEqual(head.seq, self.checkpoint.seq_to)

    def test_receipt_page_shows_the_signed_head_recorded_for_the_consignee(self):
        self.authenticate("dist_a", "dist-a-password")
        response = self._post(
            f"{self.url}/acknowledge", {"password": "dist-a-password", "confirm": "on"}
        )
        self.assertEqual(response.status_code, 303)
        page = self.url_open(response.headers["Location"])
        self.assertEqual(page.status_code, 200)
        head = self._heads(self.notice_a)
        self.assertEqual(len(head), 1)
        self._assert_latest_checkpoint(head)
        self.assertIn(self.distributor.name, head.document)
        self.assertIn(self.user_a.email, head.document)
        receipt = self._receipt(page.text)
        self.assertEqual(
            receipt, {"seq": str(head.seq), "hash": head.head_hash, "signature": head.signature}
        )
        self.assertEqual(
            (
                self.notice_a.ack_ledger_head_seq,
                self.notice_a.ack_ledger_head_hash,
                self.notice_a.ack_ledger_head_signature,
            ),
            (head.seq, head.head_hash, head.signature),
        )
        self.assertFalse(
            self.env["audit.seal.published.head"]._seal_missing_heads(),
            "the head given out is in the ledger",
        )

    def test_api_acknowledgement_answers_the_signed_head(self):
        key = self._api_key(self.user_a)
        response = self._json2(
            key,
            "recall.notice",
            "portal_acknowledge",
            ids=self.notice_a.ids,
            password="dist-a-password",
        )
        self.assertEqual(response.status_code, 200, response.text)
        head = self._heads(self.notice_a)
        self.assertEqual(len(head), 1)
        self._assert_latest_checkpoint(head)
        self.assertEqual(
            response.json()["ledger_head"],
            {"seq": head.seq, "head_hash": head.head_hash, "signature": head.signature},
        )

    def test_refused_acknowledgement_gives_out_no_head(self):
        self.authenticate("dist_a", "dist-a-password")
        response = self._post(f"{self.url}/acknowledge", {"password": "guess", "confirm": "on"})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(self._receipt(response.text), {})
        self.assertFalse(self._heads(self.notice_a))
        self.assertFalse(self.notice_a.ack_ledger_head_hash)

    def test_other_distributor_cannot_acknowledge_to_get_a_head(self):
        self.authenticate("dist_b", "dist-b-password")
        response = self._post(
            f"{self.url}/acknowledge", {"password": "dist-b-password", "confirm": "on"}
        )
        self.assertEqual(response.status_code, 303)
        self.assertTrue(response.headers["Location"].endswith("/my"))
        self.assertFalse(self._heads(self.notice_a))
        self.assertEqual(self.notice_a.state, "sent")

    def test_receipt_head_cannot_be_written_over_json2(self):
        key = self._api_key(self.manager)
        for vals in (
            {"ack_ledger_head_seq": 1},
            {"ack_ledger_head_hash": "0" * 64},
            {"ack_ledger_head_signature": "forged"},
        ):
            with self.subTest(vals=vals):
                response = self._json2(
                    key,
                    "recall.notice",
                    "write",
                    ids=self.notice_a.ids,
                    vals=vals,
                    context={"recall_workflow": True, "install_mode": True},
                )
                self.assertNotEqual(response.status_code, 200, response.text)
                self.assertIn("set by its workflow", response.text)
                self.env.invalidate_all()
                self.assertFalse(self.notice_a.ack_ledger_head_seq)
                self.assertFalse(self.notice_a.ack_ledger_head_hash)
                self.assertFalse(self.notice_a.ack_ledger_head_signature)
