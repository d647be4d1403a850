import logging

from odoo import fields, models
from odoo.exceptions import UserError

_logger = logging.getLogger(__name__)

#: the notice states whose reaching is pushed, and the event kind each is pushed as
STATE_KINDS = {
    "sent": "recall.notice.issued",
    "acknowledged": "recall.notice.acknowledged",
    "completed": "recall.notice.completed",
    "cancel": "recall.notice.cancelled",
}
REMINDER_KIND = "recall.notice.reminder"
QUANTITIES_KIND = "recall.notice.quantities_reported"


class RecallNotice(models.Model):
    """Recall notices pushed to their consignee's webhook endpoints when issued and changed."""

    _inherit = "recall.notice"

    def write(self, vals):
        kinds = self._webhook_kinds(vals)
        result = super().write(vals)
        for notice, kind in kinds:
            notice._webhook_push(kind)
        return result

    def _webhook_kinds(self, vals):
        """[(notice, kind)] of the changes ``vals`` makes that consignees are told about."""
        kinds = []
        state = vals.get("state")
        kind = STATE_KINDS.get(state)
        for notice in self:
            # a notice never issued is not announced when cancelled
            issued = notice.state != "draft" or state == "sent"
            if kind and notice.state != state and issued:
                kinds.append((notice, kind))
            if "reminder_count" in vals and vals["reminder_count"] != notice.reminder_count:
                kinds.append((notice, REMINDER_KIND))
        return kinds

    def _recall_report(self, reports, channel="backend", note=None):
        responses = super()._recall_report(reports, channel=channel, note=note)
        self._webhook_push(QUANTITIES_KIND)
        return responses

    def _webhook_endpoints(self):
        """The active endpoints of this notice's consignee, in the notice's company."""
        self.ensure_one()
        return (
            self.env["trace.webhook.endpoint"]
            .sudo()
            .search(
                [
                    ("partner_id", "=", self.partner_id.commercial_partner_id.id),
                    ("push_recall_notices", "=", True),
                    ("company_id", "=", self.company_id.id),
                    ("webhook_url", "!=", False),
                ]
            )
        )

    def _webhook_push(self, kind):
        """Queue one signed delivery of the notice to each endpoint of its consignee.

        Drills reach endpoints only when the drill mails consignees. A refused delivery (an
        endpoint whose address is no longer allowed, a payload over the limit) is logged on the
        notice and never stops the recall's workflow.
        """
        Delivery = self.env["trace.webhook.delivery"]
        for notice in self:
            campaign = notice.campaign_id
            if notice.state == "draft" or (campaign.is_drill and not campaign.drill_send_mail):
                continue
            endpoints = notice._webhook_endpoints()
            if not endpoints:
                continue
            payload = notice._webhook_payload(kind)
            for endpoint in endpoints:
                try:
                    Delivery._enqueue(endpoint, kind, payload)
                except UserError as exc:
                    _logger.warning(
                        "recall notice %s not pushed to %s: %s", notice.name, endpoint.name, exc
                    )
                    notice.sudo().message_post(
                        body=self.env._(
                            "Not pushed to the webhook endpoint %(endpoint)s: %(error)s",
                            endpoint=endpoint.name,
                            error=str(exc),
                        ),
                        message_type="comment",
                        subtype_xmlid="mail.mt_note",
                    )

    def _webhook_payload(self, kind):
        """What a consignee's system is told: the notice, its recall, its own units, links."""
        self.ensure_one()
        notice = self.sudo().with_context(lang=self.lang or self.partner_id.lang)
        base = notice.get_base_url()
        values = notice._portal_notice_values(with_units=True)
        return {
            "kind": kind,
            "occurred_at": fields.Datetime.to_string(fields.Datetime.now()),
            "company": notice.company_id.name,
            "consignee": {
                "id": notice.partner_id.id,
                "name": notice.partner_id.display_name,
                "ref": notice.partner_id.ref or False,
            },
            "campaign": {
                "id": notice.campaign_id.id,
                "name": notice.campaign_id.name,
                "state": notice.campaign_id.state,
                "is_drill": notice.is_drill,
            },
            "notice": values,
            "reminder_count": notice.reminder_count,
            "links": {
                "portal": base + (values.get("portal_url") or ""),
                "api": base + "/json/2/recall.notice/portal_list",
            },
        }
