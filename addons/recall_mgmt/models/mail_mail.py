from odoo import models


class MailMail(models.Model):
    _inherit = "mail.mail"

    def _postprocess_sent_message(
        self, success_pids, success_emails, failure_reason=False, failure_type=None
    ):
        """Once the mail server answered for a recall notice's mail, the notice is delivered
        (or not): "sent" means delivered."""
        # before super() deletes auto-deleted mails; other documents' mails cost no query
        message_ids = self.filtered(lambda mail: mail.model == "recall.notice").mail_message_id.ids
        result = super()._postprocess_sent_message(
            success_pids, success_emails, failure_reason=failure_reason, failure_type=failure_type
        )
        if message_ids:
            notices = (
                self.env["recall.notice"]
                .sudo()
                .search(
                    [
                        ("notice_message_id", "in", message_ids),
                        ("delivery_state", "in", ("pending", "failed")),
                    ]
                )
            )
            notices._recall_update_delivery()
        return result
