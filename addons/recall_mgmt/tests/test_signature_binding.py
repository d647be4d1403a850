"""A signature is bound to what it signs (21 CFR 11.70): its sealed digest of the document's
decisive content, compared by chain verification; the signed content is locked once approved."""

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import RecallCommon


@tagged("post_install", "-at_install")
class TestSignatureBinding(RecallCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # seal the class's fixtures at class level, as their commit would (a test's entries
        # are rolled back with the test, the fixtures' records are not)
        cls.env["audit.seal.entry"]._seal_run_pending()

    def setUp(self):
        super().setUp()
        self.campaign = self._approved()
        self.signature = self.campaign.approval_signature_id
        self.Entry = self.env["audit.seal.entry"]
        self.Entry._seal_run_pending()  # the append, as the commit runs it

    def _verify(self):
        self.Entry._seal_run_pending()
        self.env.invalidate_all()
        return self.Entry.sudo().verify_chain()

    def test_signature_carries_the_digest_of_the_approved_content(self):
        Signature = self.env["recall.signature"]
        self.assertEqual(len(self.signature.content_digest), 64)
        self.assertEqual(self.signature.content_digest, Signature._recall_digest(self.campaign))
        other = self._approved(recall_class="1")
        self.assertNotEqual(
            other.approval_signature_id.content_digest, self.signature.content_digest
        )
        self.Entry._seal_run_pending()
        result = self._verify()
        self.assertTrue(result["ok"], result["reason"])

    def test_verification_reports_content_changed_after_signing(self):
        self.env.cr.execute(
            "UPDATE recall_campaign SET recall_class = '3' WHERE id = %s", [self.campaign.id]
        )
        result = self._verify()
        self.assertFalse(result["ok"])
        self.assertIn("no longer matches", result["reason"])
        self.assertIn(self.campaign.name, result["reason"])

    def test_verification_reports_a_signature_of_another_record(self):
        other = self._approved(title="Another recall")
        self.Entry._seal_run_pending()
        self.env.cr.execute(
            "UPDATE recall_campaign SET approval_signature_id = %s WHERE id = %s",
            [other.approval_signature_id.id, self.campaign.id],
        )
        result = self._verify()
        self.assertFalse(result["ok"])
        self.assertIn("which was made for", result["reason"])

    def test_acknowledgement_binds_the_notice(self):
        self.campaign.action_notify()
        notice = self._notice(self.campaign, self.distributor)
        signature = (
            self.env["recall.signature"]
            .with_user(self.manager)
            ._recall_sign(notice, "acknowledge", "qm-password")
        )
        notice._recall_acknowledge(signature)
        self.Entry._seal_run_pending()
        self.assertTrue(self._verify()["ok"])
        other = self.env["res.partner"].create({"name": "Someone Else Ltd.", "is_company": True})
        response = notice.response_ids.filtered(lambda r: r.kind == "acknowledgement")
        self.env.cr.execute(
            "UPDATE recall_notice SET partner_id = %s WHERE id = %s", [other.id, notice.id]
        )
        result = self._verify()
        self.assertFalse(result["ok"])
        self.assertIn("no longer matches", result["reason"])
        self.assertTrue(response)

    def test_signed_content_is_locked_once_approved(self):
        with self.assertRaisesRegex(UserError, "signed content"):
            self.campaign.with_user(self.manager).write({"recall_class": "3"})
        with self.assertRaisesRegex(UserError, "signed content"):
            self.campaign.with_user(self.manager).write({"lot_ids": [(4, self.other_lot.id)]})
        # what the signature does not bind stays editable
        self.campaign.with_user(self.manager).write({"title": "Catheter hub may crack (v2)"})
        draft = self._campaign()
        draft.with_user(self.manager).write({"recall_class": "1"})
        self.assertEqual(draft.recall_class, "1")
