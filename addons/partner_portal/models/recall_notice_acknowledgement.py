"""Recall notices: the consignee's signed acknowledgement."""

from odoo import fields, models
from odoo.exceptions import UserError


class RecallNotice(models.Model):
    _inherit = "recall.notice"

    def _portal_acknowledge(self, password, channel="portal"):
        """Sign (password re-entry) and record the acknowledgement; returns the signature."""
        notice = self._portal_check_consignee()
        notice._portal_check_can_acknowledge()
        if not isinstance(password, str):
            raise UserError(self.env._("Enter your password to sign."))
        signature = self.env["recall.signature"]._recall_sign(
            notice, "acknowledge", password, user=self.env.user
        )
        notice._recall_acknowledge(signature, channel=channel)
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
