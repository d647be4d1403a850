import datetime
import hashlib

from odoo import api, fields, models
from odoo.tools import email_normalize

#: requests are kept this long (the rate limits look one hour back)
KEEP_HOURS = 24


class RecallNoticeInviteRequest(models.Model):
    """An invitation asked anonymously from a notice's mail link: the rate limits' memory.

    Keeps no address in clear (a hash of the normalised address), and nothing after a day.
    """

    _name = "recall.notice.invite.request"
    _description = "Portal Invitation Request"
    _order = "id desc"

    notice_id = fields.Many2one(
        "recall.notice", string="Recall Notice", required=True, index=True, ondelete="cascade"
    )
    email_hash = fields.Char(string="Address (hash)", required=True, index=True)
    remote_addr = fields.Char(string="IP Address", index=True)

    @api.model
    def _portal_email_hash(self, email):
        normalized = email_normalize(email or "") or (email or "").strip().lower()
        return hashlib.sha256(normalized.encode()).hexdigest()

    @api.model
    def _portal_allow(self, notice, email, remote_addr, interval_minutes, per_ip_per_hour):
        """Record the request and tell whether an invitation may go out for it: at most one per
        notice and address every ``interval_minutes``, and ``per_ip_per_hour`` per client IP
        (counted whether the address is on record or not: the answer tells nothing)."""
        Request = self.sudo()
        now = fields.Datetime.now()
        email_hash = self._portal_email_hash(email)
        recent = Request.search_count(
            [
                ("notice_id", "=", notice.id),
                ("email_hash", "=", email_hash),
                ("create_date", ">", now - datetime.timedelta(minutes=interval_minutes)),
            ]
        )
        from_ip = remote_addr and Request.search_count(
            [
                ("remote_addr", "=", remote_addr),
                ("create_date", ">", now - datetime.timedelta(hours=1)),
            ]
        )
        if recent or (from_ip or 0) >= per_ip_per_hour:
            return False
        Request.create(
            {"notice_id": notice.id, "email_hash": email_hash, "remote_addr": remote_addr}
        )
        return True

    @api.autovacuum
    def _gc_invite_requests(self):
        limit = fields.Datetime.now() - datetime.timedelta(hours=KEEP_HOURS)
        self.sudo().search([("create_date", "<", limit)]).unlink()
