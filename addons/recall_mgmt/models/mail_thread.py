from odoo import models


class MailThread(models.AbstractModel):
    _inherit = "mail.thread"

    def _routing_handle_bounce(self, email_message, message_dict):
        """A bounce of a recall notice's mail, arriving after the mail server had accepted it,
        undoes the delivery: "sent" means delivered."""
        result = super()._routing_handle_bounce(email_message, message_dict)
        message = message_dict.get("bounced_message")
        if message and message.model == "recall.notice":
            self.env["recall.notice"].sudo().search(
                [("notice_message_id", "=", message.id)]
            )._recall_check_bounces()
        return result
