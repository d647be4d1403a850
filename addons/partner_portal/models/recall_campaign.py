from odoo import models

CLOSED_KIND = "recall.campaign.closed"
TERMINATED_KIND = "recall.campaign.terminated"


class RecallCampaign(models.Model):
    """A recall's closure is pushed to the endpoints of every consignee it notified."""

    _inherit = "recall.campaign"

    def _recall_close(self, signature):
        result = super()._recall_close(signature)
        self._webhook_push_notices(CLOSED_KIND)
        return result

    def _recall_terminate(self, reason):
        result = super()._recall_terminate(reason)
        self._webhook_push_notices(TERMINATED_KIND)
        return result

    def _webhook_push_notices(self, kind):
        notices = self.sudo().notice_ids.filtered(lambda n: n.state not in ("draft", "cancel"))
        notices._webhook_push(kind)
