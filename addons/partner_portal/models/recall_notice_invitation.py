"""Recall notices: the links in their mails (access tokens) and the portal invitations of the
consignees' contacts who have no login yet."""

import datetime
import uuid

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import email_normalize

#: settings (ir.config_parameter) of the mail links and of the invitations asked from them
TOKEN_DAYS_PARAM = "partner_portal.access_token_days"
TOKEN_DAYS = 30
INVITE_INTERVAL_PARAM = "partner_portal.invite_interval_minutes"
INVITE_INTERVAL_MINUTES = 10
INVITE_PER_IP_PARAM = "partner_portal.invite_per_ip_per_hour"
INVITE_PER_IP = 5


class RecallNotice(models.Model):
    _inherit = "recall.notice"

    portal_invite_pending = fields.Boolean(
        string="Portal Invitation Pending",
        copy=False,
        groups="udi_master.group_trace_user",
        help="The consignee's contacts without a portal login are invited shortly after the "
        "notice is sent (by a scheduled action, so that sending many notices stays fast).",
    )
    access_token_expires_at = fields.Datetime(
        string="Link Valid Until",
        copy=False,
        readonly=True,
        groups="udi_master.group_trace_user",
        help="The link in the mails (access token) opens the notice without a login until "
        "then; each new mail about the notice renews it (Settings: "
        "partner_portal.access_token_days, 30 days by default).",
    )

    # ------------------------------------------------------------------ mail links

    def _portal_token_expiry(self):
        """When the mail link stops opening the notice (a notice mailed before links had a
        lifetime: a lifetime after it was sent)."""
        self.ensure_one()
        notice = self.sudo()
        if notice.access_token_expires_at:
            return notice.access_token_expires_at
        if notice.sent_at:
            days = self._portal_setting(TOKEN_DAYS_PARAM, TOKEN_DAYS)
            return notice.sent_at + datetime.timedelta(days=days)
        return False

    def _portal_token_expired(self):
        self.ensure_one()
        expiry = self._portal_token_expiry()
        return bool(expiry) and expiry <= fields.Datetime.now()

    def _portal_renew_token(self):
        """Give the mail link another lifetime from now; an expired link gets a new token, so
        that the old mails stay dead."""
        days = self._portal_setting(TOKEN_DAYS_PARAM, TOKEN_DAYS)
        expires_at = fields.Datetime.now() + datetime.timedelta(days=days)
        for notice in self.sudo():
            vals = {"access_token_expires_at": expires_at}
            if not notice.access_token or notice._portal_token_expired():
                vals["access_token"] = str(uuid.uuid4())
            notice.write(vals)

    # ------------------------------------------------------------------ sending, invitations

    def _recall_send(self):
        """Give every notice its access token before the notices are mailed, then queue the
        invitation of the consignee's contacts who have no portal login yet."""
        for notice in self:
            notice.sudo()._portal_ensure_token()
        result = super()._recall_send()
        to_invite = self.filtered(
            lambda n: (
                n.state != "draft"
                and not (n.campaign_id.is_drill and not n.campaign_id.drill_send_mail)
            )
        )
        if to_invite:
            # creating users opens savepoints, which would seal this transaction's records
            # before its commit: invitations run in their own transaction, right after
            to_invite.sudo().portal_invite_pending = True
            self.env.ref("partner_portal.ir_cron_recall_portal_invite")._trigger()
        return result

    @api.model
    def _cron_portal_invite(self, batch_size=50):
        """Invite the contacts of the consignees of notices sent recently."""
        Notice = self.sudo()
        cron_id = self.env.context.get("cron_id")
        while True:
            notices = Notice.search([("portal_invite_pending", "=", True)], limit=batch_size)
            if not notices:
                return
            notices._portal_send_invitations()
            if not cron_id:
                continue
            remaining = Notice.search_count([("portal_invite_pending", "=", True)])
            if not self.env["ir.cron"]._commit_progress(len(notices), remaining=remaining):
                return

    def _portal_send_invitations(self):
        for notice in self:
            notice.sudo().portal_invite_pending = False
            notice._portal_invite(notice._recall_recipients())

    def _portal_invite(self, partners):
        """Grant portal access (and send Odoo's invitation to set a password) to ``partners``
        who have an email and no login yet. Returns the partners invited."""
        self.ensure_one()
        invited = self.env["res.partner"]
        candidates = partners.sudo().filtered(
            lambda p: (
                email_normalize(p.email or "") and not p.with_context(active_test=False).user_ids
            )
        )
        if not candidates:
            return invited
        for lang, contacts in candidates.grouped(lambda p: p.lang or "").items():
            notice = self.with_context(lang=lang or self.env.lang)
            wizard = (
                notice.env["portal.wizard"]
                .sudo()
                .with_context(active_ids=[])
                .create(
                    {
                        "partner_ids": [(6, 0, contacts.ids)],
                        "welcome_message": notice.env._(
                            "You received the recall notice %(notice)s. Set your password to "
                            "acknowledge it and report your quantities in the portal.",
                            notice=self.name,
                        ),
                    }
                )
            )
            for wizard_user in wizard.user_ids:
                try:
                    # refused before anything is written (invalid or already used address);
                    # no savepoint: it would seal this transaction's records before the commit
                    wizard_user.with_company(self.company_id).action_grant_access()
                    invited |= wizard_user.partner_id
                except UserError as exc:
                    self.message_post(
                        body=self.env._(
                            "%(contact)s could not be invited to the portal: %(reason)s",
                            contact=wizard_user.partner_id.display_name,
                            reason=exc.args[0],
                        ),
                        subtype_xmlid="mail.mt_note",
                    )
        if invited:
            self.message_post(
                body=self.env._(
                    "Invited to the portal: %(contacts)s.",
                    contacts=", ".join(invited.mapped("display_name")),
                ),
                subtype_xmlid="mail.mt_note",
            )
        return invited

    def _portal_invite_address(self, email):
        """Invite (again) the contact of the consignee with ``email``, if there is one.

        Used from the portal page reached with the mail's link: the invitation goes only to an
        address already on record for the consignee, so the visitor learns nothing either way.
        """
        self.ensure_one()
        email = email_normalize(email or "")
        if not email:
            return False
        entity = self.sudo().partner_id.commercial_partner_id
        contact = (
            self.env["res.partner"]
            .sudo()
            .search([("id", "child_of", entity.id), ("email_normalized", "=", email)], limit=1)
        )
        if not contact:
            return False
        user = contact.with_context(active_test=False).user_ids[:1]
        if user and not user.share:
            return False
        if not user:
            return bool(self._portal_invite(contact))
        if not user.active:
            return False
        wizard = self.env["portal.wizard"].sudo().create({"partner_ids": [(6, 0, contact.ids)]})
        wizard.user_ids.action_invite_again()
        return True
