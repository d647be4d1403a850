"""Recall notices: the consignee's signed acknowledgement, and its receipt.

The receipt (the notice's portal page once acknowledged, and the answer of the API) carries the
latest signed head of the sealed ledger, recorded as a head given out
(``audit.seal.published.head``): every consignee that acknowledges keeps evidence that a later
export of the ledger must still contain, and verification names the head if the ledger loses it.
"""

from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.audit_seal.tools.workflow import workflow

#: the fields of the ledger head given with the acknowledgement receipt (set by the workflow)
RECEIPT_HEAD_FIELDS = ("ack_ledger_head_seq", "ack_ledger_head_hash", "ack_ledger_head_signature")


class RecallNotice(models.Model):
    _inherit = "recall.notice"

    ack_ledger_head_seq = fields.Integer(
        string="Ledger Head Given with the Acknowledgement",
        readonly=True,
        copy=False,
        help="The signed head of the sealed ledger shown in the receipt of the consignee's "
        "acknowledgement (portal page and API answer): the consignee keeps evidence that a "
        "later ledger must still contain.",
    )
    ack_ledger_head_hash = fields.Char(
        string="Acknowledgement Ledger Head Hash", readonly=True, copy=False
    )
    ack_ledger_head_signature = fields.Char(
        string="Acknowledgement Ledger Head Signature",
        readonly=True,
        copy=False,
        help="The Ed25519 signature (base64) of the checkpoint that ends at this head.",
    )

    @api.model
    def _workflow_guarded_fields(self):
        return super()._workflow_guarded_fields() | set(RECEIPT_HEAD_FIELDS)

    def _portal_acknowledge(self, password, channel="portal"):
        """Sign (password re-entry) and record the acknowledgement, then give the consignee
        the signed ledger head with its receipt; returns the signature."""
        notice = self._portal_check_consignee()
        notice._portal_check_can_acknowledge()
        if not isinstance(password, str):
            raise UserError(self.env._("Enter your password to sign."))
        signature = self.env["recall.signature"]._recall_sign(
            notice, "acknowledge", password, user=self.env.user
        )
        notice._recall_acknowledge(signature, channel=channel)
        notice._portal_publish_receipt_head()
        return signature

    def _portal_check_can_acknowledge(self):
        """A notice is acknowledged once, while sent and while its recall runs."""
        self.ensure_one()
        if self.state != "sent":
            if self.state in ("acknowledged", "completed"):
                raise UserError(
                    self.env._(
                        "%(notice)s was acknowledged already, by %(signer)s on %(date)s. The "
                        "acknowledgement cannot be changed; add reports or evidence instead.",
                        notice=self.name,
                        signer=self.acknowledged_by or "",
                        date=fields.Datetime.to_string(self.acknowledged_at) or "",
                    )
                )
            raise UserError(
                self.env._("%(notice)s cannot be acknowledged any more.", notice=self.name)
            )
        if self.campaign_id.state in ("closed", "terminated"):
            raise UserError(
                self.env._(
                    "The recall %(campaign)s is closed: it takes no more answers.",
                    campaign=self.campaign_id.name,
                )
            )

    @workflow
    def _portal_publish_receipt_head(self):
        """Record the latest signed ledger head as given to the consignee with the receipt of
        its acknowledgement (to whom: the consignee and the contact who signed), and keep it on
        the notice for the receipt. Nothing before the ledger's first checkpoint."""
        self.ensure_one()
        user = self.env.user
        head = self.env["audit.seal.published.head"]._seal_publish(
            f"acknowledgement receipt of {self.name} to {self.partner_id.display_name} "
            f"({user.email or user.login})"
        )
        if head:
            self.sudo().write(
                {
                    "ack_ledger_head_seq": head.seq,
                    "ack_ledger_head_hash": head.head_hash,
                    "ack_ledger_head_signature": head.signature,
                }
            )
        return head

    def _portal_receipt_head(self):
        """The ledger head of the acknowledgement receipt as plain values (API), or False."""
        self.ensure_one()
        notice = self.sudo()
        if not notice.ack_ledger_head_hash:
            return False
        return {
            "seq": notice.ack_ledger_head_seq,
            "head_hash": notice.ack_ledger_head_hash,
            "signature": notice.ack_ledger_head_signature,
        }
