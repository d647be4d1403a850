"""Recall notices in the portal: access links, invitations, and the consignee's answers.

Everything a consignee does (acknowledge, report quantities, attach evidence, request a return,
report onward consignees) goes through the ``_portal_*`` methods below, from the portal routes
(``controllers/portal.py``) and from the public API methods ``portal_*`` (JSON-2 / XML-RPC).
They first check that the current user is a contact of the notice's consignee and can read the
notice under the record rules, then record the answer as the system while keeping the user as
author (``sudo()`` keeps the uid), so that sealed responses and signatures name who answered.
"""

import base64
import binascii
import datetime
import logging
import math
import re
import uuid
from collections import defaultdict

import pytz

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import email_normalize, float_compare, plaintext2html

from odoo.addons.trace_events.lib import epcis

_logger = logging.getLogger(__name__)

#: evidence files: accepted types, recognised by their first bytes (not by the name alone)
EVIDENCE_TYPES = (
    ("application/pdf", (".pdf",), (b"%PDF-",)),
    ("image/png", (".png",), (b"\x89PNG\r\n\x1a\n",)),
    ("image/jpeg", (".jpg", ".jpeg"), (b"\xff\xd8\xff",)),
)
EVIDENCE_MAX_MB_PARAM = "partner_portal.evidence_max_mb"
EVIDENCE_MAX_MB = 10
EVIDENCE_MAX_FILES = 10
#: settings (ir.config_parameter) of the mail links and of the invitations asked from them
TOKEN_DAYS_PARAM = "partner_portal.access_token_days"
TOKEN_DAYS = 30
INVITE_INTERVAL_PARAM = "partner_portal.invite_interval_minutes"
INVITE_INTERVAL_MINUTES = 10
INVITE_PER_IP_PARAM = "partner_portal.invite_per_ip_per_hour"
INVITE_PER_IP = 5
#: free text the consignee types (notes, names) is kept within these lengths
NOTE_MAX = 2000
NAME_MAX = 128
DOCUMENT_MAX = 64
#: rows of one onward report
ONWARD_MAX_ROWS = 500
QTY_KEYS = ("qty_on_hand", "qty_used", "qty_returned", "qty_destroyed")
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _is_number(value):
    """A finite int or float (not a bool, not NaN or infinity)."""
    return (
        isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    )


class RecallNotice(models.Model):
    _name = "recall.notice"
    _inherit = ["recall.notice", "portal.mixin"]

    # internal follow-up of the notice: not for the consignee's eyes
    effectiveness_selected = fields.Boolean(groups="udi_master.group_trace_user")
    effectiveness_verified_at = fields.Datetime(groups="udi_master.group_trace_user")
    effectiveness_note = fields.Text(groups="udi_master.group_trace_user")
    escalated_at = fields.Datetime(groups="udi_master.group_trace_user")
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

    # ------------------------------------------------------------------ portal basics

    def _compute_access_url(self):
        super()._compute_access_url()
        for notice in self:
            notice.access_url = f"/my/recalls/{notice.id}"

    def _get_report_base_filename(self):
        self.ensure_one()
        return self.env._("Recall notice %(name)s", name=self.name or "")

    def action_preview_portal(self):
        """Open the notice as the consignee sees it in the portal."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_url",
            "target": "self",
            "url": self.get_portal_url(),
        }

    def _notify_get_recipients_groups(self, message, model_description, msg_vals=False):
        """Give the consignee's contacts a button to the notice in every mail about it.

        The link carries the notice's access token, so it opens for a contact who has no portal
        login yet; acting on the notice then asks them to sign in (they are invited when the
        notice is sent).
        """
        groups = super()._notify_get_recipients_groups(
            message, model_description, msg_vals=msg_vals
        )
        if not self or len(self) != 1 or self.state == "draft":
            return groups
        subtype_id = msg_vals.get("subtype_id") if msg_vals else message.subtype_id.id
        subtype = self.env["mail.message.subtype"].sudo().browse(subtype_id)
        if subtype and not subtype.internal:
            # a mail to the consignee: its link works for another lifetime from now
            self.sudo()._portal_renew_token()
        entity = self.sudo().partner_id.commercial_partner_id
        url = self.get_base_url() + self.sudo().get_portal_url()
        title = self.env._("Open the recall notice")

        def is_consignee_contact(pdata):
            partner = self.env["res.partner"].sudo().browse(pdata["id"])
            return pdata["type"] != "user" and partner.commercial_partner_id == entity

        new_group = (
            "recall_consignee",
            is_consignee_contact,
            {
                "active": True,
                "has_button_access": True,
                "button_access": {"url": url, "title": title},
            },
        )
        return [new_group, *groups]

    # ------------------------------------------------------------------ mail links

    @api.model
    def _portal_setting(self, param, default):
        """A positive integer setting (ir.config_parameter), else ``default``."""
        value = self.env["ir.config_parameter"].sudo().get_param(param)
        try:
            value = int(value)
        except (TypeError, ValueError):
            return default
        return value if value > 0 else default

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
            lambda n: n.state != "draft"
            and not (n.campaign_id.is_drill and not n.campaign_id.drill_send_mail)
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
            lambda p: email_normalize(p.email or "")
            and not p.with_context(active_test=False).user_ids
        )
        if not candidates:
            return invited
        for lang, contacts in candidates.grouped(lambda p: p.lang or "").items():
            notice = self.with_context(lang=lang or self.env.lang)
            wizard = notice.env["portal.wizard"].sudo().with_context(active_ids=[]).create({
                "partner_ids": [(6, 0, contacts.ids)],
                "welcome_message": notice.env._(
                    "You received the recall notice %(notice)s. Set your password to "
                    "acknowledge it and report your quantities in the portal.",
                    notice=self.name,
                ),
            })
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
        contact = self.env["res.partner"].sudo().search(
            [("id", "child_of", entity.id), ("email_normalized", "=", email)], limit=1
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

    # ------------------------------------------------------------------ access

    def _portal_check_consignee(self):
        """The current user must be a contact of the consignee and read the notice under the
        record rules; then the notice is returned as the system, with the user kept as uid."""
        if len(self) != 1:
            raise UserError(
                self.env._("Give exactly one recall notice (ids: [id]), not %(count)s.",
                           count=len(self))
            )
        user = self.env.user
        if self.env.su:
            raise AccessError(self.env._("Answers to a recall notice are given as a user."))
        entity = self.sudo().partner_id.commercial_partner_id
        if user._is_public() or user.partner_id.commercial_partner_id != entity:
            raise AccessError(
                self.env._(
                    "Only the contacts of the consignee can answer this recall notice (you are "
                    "signed in as %(user)s).",
                    user=user.name,
                )
            )
        self.check_access("read")
        return self.sudo()

    def _portal_check_open(self):
        """Reports need an acknowledged notice of a recall still running."""
        self.ensure_one()
        if self.state not in ("acknowledged", "completed"):
            raise UserError(
                self.env._(
                    "Acknowledge the recall notice %(notice)s first: answers supplement a signed "
                    "acknowledgement.",
                    notice=self.name,
                )
            )
        if self.campaign_id.state in ("closed", "terminated"):
            raise UserError(
                self.env._(
                    "The recall %(campaign)s is closed: it takes no more answers.",
                    campaign=self.campaign_id.name,
                )
            )

    # ------------------------------------------------------------------ reading

    def _portal_lot_domain(self, search=None):
        self.ensure_one()
        domain = [("notice_id", "=", self.id), ("holder_type", "=", "partner")]
        if search:
            domain.append(("lot_id.name", "ilike", search))
        return domain

    def _portal_unit_count(self, search=None):
        """How many lots/serials of this notice match ``search``."""
        Line = self.env["recall.campaign.line"].sudo()
        [(count,)] = Line._read_group(
            self._portal_lot_domain(search), [], ["lot_id:count_distinct"]
        )
        return count

    def _portal_units(self, offset=0, limit=None, search=None):
        """The notice's units, one row per lot/serial: what was shipped to the consignee and
        when, and the quantities it reported last (a dict per lot, in lot order)."""
        Line = self.env["recall.campaign.line"].sudo()
        groups = Line._read_group(
            self._portal_lot_domain(search),
            ["product_id", "lot_id"],
            [
                "received_quantity:sum",
                "first_date:min",
                "last_date:max",
                "reported_on_hand:max",
                "reported_used:max",
                "reported_returned:max",
                "reported_destroyed:max",
                "documents:array_agg",
            ],
            order="product_id, lot_id",
            offset=offset,
            limit=limit,
        )
        lots = self.env["stock.lot"].sudo().browse([group[1].id for group in groups])
        lots.fetch(["name", "expiration_date", "product_id"])
        units = []
        for product, lot, shipped, first, last, on_hand, used, returned, destroyed, docs in groups:
            documents = sorted({doc for value in docs if value for doc in value.split(", ")})
            units.append(
                {
                    "lot": lot,
                    "lot_id": lot.id,
                    "lot_name": lot.name,
                    "product": product,
                    "product_name": product.display_name,
                    "serial": product.tracking == "serial",
                    "shipped": shipped,
                    "first_date": first,
                    "last_date": last,
                    "documents": documents,
                    "qty_on_hand": on_hand,
                    "qty_used": used,
                    "qty_returned": returned,
                    "qty_destroyed": destroyed,
                    "located": on_hand + used + returned + destroyed,
                }
            )
        return units

    def _portal_figures(self):
        """Totals of the notice's units in one query (the stored per-line figures)."""
        self.ensure_one()
        Line = self.env["recall.campaign.line"].sudo()
        [(lots, shipped, located, recovered)] = Line._read_group(
            self._portal_lot_domain(),
            [],
            [
                "lot_id:count_distinct",
                "received_quantity:sum",
                "reported_located:sum",
                "recovered_quantity:sum",
            ],
        )
        return {
            "lot_count": lots,
            "shipped": shipped or 0.0,
            "located": located or 0.0,
            "recovered": recovered or 0.0,
        }

    def _portal_required_actions(self):
        """The actions the recall asks of the consignee, as translated sentences."""
        campaign = self.sudo().campaign_id
        _ = self.env._
        actions = [
            (campaign.action_stop_use, _("Stop using the affected devices at once.")),
            (campaign.action_stop_distribution, _("Stop distributing them.")),
            (campaign.action_quarantine, _("Quarantine the units you hold.")),
            (campaign.action_return, _("Return them to us.")),
            (campaign.action_destroy, _("Destroy them and keep the evidence.")),
            (
                campaign.action_forward,
                _(
                    "Forward this notice to every customer you supplied them to, and tell us "
                    "who they are."
                ),
            ),
        ]
        return [text for wanted, text in actions if wanted]

    # ------------------------------------------------------------------ acting

    def _portal_acknowledge(self, password, channel="portal"):
        """Sign (password re-entry) and record the acknowledgement; returns the signature."""
        notice = self._portal_check_consignee()
        if notice.state != "sent":
            if notice.state in ("acknowledged", "completed"):
                raise UserError(
                    self.env._(
                        "%(notice)s was acknowledged already, by %(signer)s on %(date)s. The "
                        "acknowledgement cannot be changed; add reports or evidence instead.",
                        notice=notice.name,
                        signer=notice.acknowledged_by or "",
                        date=fields.Datetime.to_string(notice.acknowledged_at) or "",
                    )
                )
            raise UserError(
                self.env._("%(notice)s cannot be acknowledged any more.", notice=notice.name)
            )
        if notice.campaign_id.state in ("closed", "terminated"):
            raise UserError(
                self.env._(
                    "The recall %(campaign)s is closed: it takes no more answers.",
                    campaign=notice.campaign_id.name,
                )
            )
        if not isinstance(password, str):
            raise UserError(self.env._("Enter your password to sign."))
        signature = self.env["recall.signature"]._recall_sign(
            notice, "acknowledge", password, user=self.env.user
        )
        notice._recall_acknowledge(signature, channel=channel)
        return signature

    def _portal_clean_text(self, text, what, limit=NOTE_MAX):
        """Free text typed by the consignee: a string without control characters, trimmed,
        within ``limit`` characters (it is shown escaped, never as markup)."""
        if text in (None, False):
            return False
        if not isinstance(text, str):
            raise UserError(self.env._("%(what)s must be text.", what=what))
        text = _CONTROL_CHARS.sub("", text).strip()
        if len(text) > limit:
            raise UserError(
                self.env._(
                    "%(what)s is too long (%(length)s characters, at most %(limit)s).",
                    what=what,
                    length=len(text),
                    limit=limit,
                )
            )
        return text or False

    def _portal_lot_ids(self):
        """{lot id: lot} of the notice's units, and {lot name: [lots]}, for resolving reports."""
        self.ensure_one()
        lots = self.sudo().line_ids.filtered(lambda line: line.holder_type == "partner").lot_id
        by_name = defaultdict(list)
        for lot in lots:
            by_name[lot.name].append(lot)
        return {lot.id: lot for lot in lots}, by_name

    def _portal_resolve_lot(self, entry, lots, by_name, errors, position):
        """The lot of a report row given by ``lot_id`` (an id) or ``lot`` (its name)."""
        _ = self.env._
        lot_id, name = entry.get("lot_id"), entry.get("lot")
        if lot_id not in (None, False):
            if isinstance(lot_id, int) and not isinstance(lot_id, bool) and lot_id in lots:
                return lots[lot_id]
            errors.append(
                _("row %(row)s: lot/serial id %(lot)s is not in this notice", row=position,
                  lot=lot_id)
            )
            return None
        if isinstance(name, str) and name.strip():
            found = by_name.get(name.strip(), [])
            if len(found) == 1:
                return found[0]
            if len(found) > 1:
                errors.append(
                    _("row %(row)s: %(lot)s names lots of several devices; give its lot_id",
                      row=position, lot=name.strip())
                )
                return None
            errors.append(
                _("row %(row)s: lot/serial %(lot)s is not in this notice", row=position,
                  lot=name.strip()[:NAME_MAX])
            )
            return None
        errors.append(_("row %(row)s: give the lot or serial (lot or lot_id)", row=position))
        return None

    def _portal_report(self, reports, channel="portal", note=None):
        """Record quantity reports; lots may be given by id (``lot_id``) or name (``lot``)."""
        notice = self._portal_check_consignee()
        notice._portal_check_open()
        note = self._portal_clean_text(note, self.env._("The note"))
        if not isinstance(reports, (list, tuple)):
            raise UserError(self.env._("Give the reports as a list of rows, one per lot/serial."))
        lots, by_name = notice._portal_lot_ids()
        errors, resolved, seen = [], [], set()
        for position, entry in enumerate(reports, start=1):
            if not isinstance(entry, dict):
                errors.append(self.env._("row %(row)s is not an object", row=position))
                continue
            unknown = set(entry) - {"lot_id", "lot", *QTY_KEYS}
            if unknown:
                errors.append(
                    self.env._("row %(row)s: unknown key(s) %(keys)s", row=position,
                               keys=", ".join(sorted(str(key)[:40] for key in unknown)))
                )
            lot = notice._portal_resolve_lot(entry, lots, by_name, errors, position)
            if not lot:
                continue
            if lot.id in seen:
                errors.append(
                    self.env._("row %(row)s: %(lot)s is reported twice", row=position,
                               lot=lot.name)
                )
                continue
            seen.add(lot.id)
            row = {"lot_id": lot.id}
            for key in QTY_KEYS:
                value = entry.get(key, 0)
                if value is None:
                    value = 0
                if not _is_number(value):
                    errors.append(
                        self.env._("row %(row)s: %(field)s must be a number", row=position,
                                   field=key)
                    )
                    value = 0
                row[key] = value
            resolved.append(row)
        if errors:
            raise UserError(
                self.env._("Nothing was recorded: %(errors)s.", errors="; ".join(errors[:20]))
            )
        return notice._recall_report(resolved, channel=channel, note=note)

    # -- evidence

    def _portal_evidence_limit(self):
        value = self.env["ir.config_parameter"].sudo().get_param(EVIDENCE_MAX_MB_PARAM)
        try:
            return max(float(value), 0.1) if value else EVIDENCE_MAX_MB
        except ValueError:
            return EVIDENCE_MAX_MB

    def _portal_check_evidence(self, files):
        """``files`` [(name, bytes)]: PDF, PNG or JPEG, each within the size limit."""
        _ = self.env._
        if not files:
            raise UserError(_("Choose the file(s) to attach."))
        if len(files) > EVIDENCE_MAX_FILES:
            raise UserError(
                _("Attach at most %(count)s files at a time.", count=EVIDENCE_MAX_FILES)
            )
        limit_mb = self._portal_evidence_limit()
        errors, checked = [], []
        for name, content in files:
            name = self._portal_clean_text(
                (name or "").replace("\\", "/").rsplit("/", 1)[-1], _("The file name"),
                limit=255,
            ) or _("evidence")
            if not content:
                errors.append(_("%(file)s is empty", file=name))
                continue
            if len(content) > limit_mb * 1024 * 1024:
                errors.append(
                    _(
                        "%(file)s is %(size).1f MB, more than the %(limit)s MB allowed",
                        file=name,
                        size=len(content) / 1024 / 1024,
                        limit=f"{limit_mb:g}",
                    )
                )
                continue
            lower = name.lower()
            kind = next(
                (
                    (mimetype, suffixes)
                    for mimetype, suffixes, magics in EVIDENCE_TYPES
                    if any(content.startswith(magic) for magic in magics)
                ),
                None,
            )
            if not kind or not lower.endswith(kind[1]):
                errors.append(
                    _(
                        "%(file)s is not a PDF, PNG or JPEG file (only these are accepted as "
                        "evidence)",
                        file=name,
                    )
                )
                continue
            checked.append((name, content, kind[0]))
        if errors:
            raise UserError(
                _("Nothing was attached: %(errors)s.", errors="; ".join(errors))
            )
        return checked

    def _portal_attach_evidence(self, files, note=None, channel="portal"):
        """Attach evidence (destruction certificates, photos) as a new response."""
        notice = self._portal_check_consignee()
        notice._portal_check_open()
        note = self._portal_clean_text(note, self.env._("The note"))
        checked = notice._portal_check_evidence(files)
        attachments = self.env["ir.attachment"].sudo().create(
            [
                {
                    "name": name,
                    "raw": content,
                    "mimetype": mimetype,
                    "res_model": "recall.notice",
                    "res_id": notice.id,
                }
                for name, content, mimetype in checked
            ]
        )
        response = self.env["recall.response"].sudo().create(
            {
                "notice_id": notice.id,
                "kind": "note",
                "channel": channel,
                "note": note or self.env._("Evidence attached."),
                "attachment_ids": [(6, 0, attachments.ids)],
            }
        )
        attachments.write({"res_model": "recall.response", "res_id": response.id})
        return response

    # -- returns

    def _portal_request_return(self, note=None):
        """A draft return of the units the consignee holds, for the company to confirm."""
        notice = self._portal_check_consignee()
        notice._portal_check_open()
        note = self._portal_clean_text(note, self.env._("The note"))
        campaign = notice.campaign_id
        if not campaign.action_return:
            raise UserError(
                self.env._(
                    "The recall %(campaign)s does not ask for the units to be returned: report "
                    "what you hold, used or destroyed instead.",
                    campaign=campaign.name,
                )
            )
        pending = notice.return_picking_ids.filtered(
            lambda p: p.recall_portal_requested and p.state not in ("done", "cancel")
        )
        if pending:
            raise UserError(
                self.env._(
                    "Your return request %(picking)s is waiting for us already; it covers the "
                    "units you hold.",
                    picking=pending[0].name,
                )
            )
        held = {}
        reports = notice._recall_latest_reports()
        for line in notice.line_ids.filtered(lambda line: line.holder_type == "partner"):
            report = reports.get((notice.id, line.lot_id.id))
            key = (line.product_id, line.lot_id)
            if report:
                held[key] = report.qty_on_hand
            else:
                held[key] = held.get(key, 0.0) + line.quantity
        held = {key: qty for key, qty in held.items() if qty > 0}
        if not held:
            raise UserError(
                self.env._(
                    "You hold no affected unit according to your last report and our trace: "
                    "there is nothing to return. Report the units you hold on hand first."
                )
            )
        company = notice.company_id
        warehouse = self.env["stock.warehouse"].sudo().search(
            [("company_id", "=", company.id)], limit=1
        )
        if not warehouse:
            raise UserError(self.env._("No warehouse can receive the return; contact us."))
        dest = campaign.quarantine_location_id or warehouse.lot_stock_id
        customers = self.env.ref("stock.stock_location_customers")
        by_product = defaultdict(float)
        for (product, _lot), qty in held.items():
            by_product[product] += qty
        lines_text = "\n".join(
            f"- {product.display_name} {lot.name}: {qty:g}"
            for (product, lot), qty in sorted(held.items(), key=lambda item: item[0][1].name)
        )
        picking = (
            self.env["stock.picking"]
            .sudo()
            .with_company(company)
            .create(
                {
                    "picking_type_id": warehouse.in_type_id.id,
                    "partner_id": notice.partner_id.id,
                    "location_id": customers.id,
                    "location_dest_id": dest.id,
                    "origin": notice.name,
                    "recall_campaign_id": campaign.id,
                    "recall_notice_id": notice.id,
                    "recall_portal_requested": True,
                    "company_id": company.id,
                    "move_ids": [
                        (0, 0, {
                            "product_id": product.id,
                            "product_uom_qty": qty,
                            "location_id": customers.id,
                            "location_dest_id": dest.id,
                            "company_id": company.id,
                        })
                        for product, qty in by_product.items()
                    ],
                }
            )
        )
        requested = self.env._(
            "Return requested by %(user)s (%(consignee)s) for:\n%(lines)s",
            user=self.env.user.name,
            consignee=notice.partner_id.display_name,
            lines=lines_text,
        )
        if note:
            requested += "\n" + self.env._("Their note: %(note)s", note=note)
        picking.activity_schedule(
            "mail.mail_activity_data_todo",
            user_id=campaign.user_id.id or self.env.ref("base.user_admin").id,
            summary=self.env._("Recall return requested: confirm or cancel"),
            note=plaintext2html(requested),
        )
        notice.message_post(body=requested, subtype_xmlid="mail.mt_note")
        return picking

    # -- onward consignees

    def _portal_parse_date(self, value, errors, position):
        """A shipping date (``YYYY-MM-DD`` text or date), not in the future."""
        _ = self.env._
        if isinstance(value, datetime.datetime):
            value = value.date()
        if isinstance(value, str):
            try:
                value = datetime.date.fromisoformat(value.strip()[:10])
            except ValueError:
                errors.append(
                    _("row %(row)s: %(value)s is not a date (YYYY-MM-DD)", row=position,
                      value=value.strip()[:20])
                )
                return None
        if not isinstance(value, datetime.date):
            errors.append(_("row %(row)s: give the shipping date (YYYY-MM-DD)", row=position))
            return None
        if value > fields.Date.context_today(self):
            errors.append(
                _("row %(row)s: the shipping date %(date)s is in the future", row=position,
                  date=value.isoformat())
            )
            return None
        return value

    def _portal_onward_context(self):
        """What onward rows are checked against: the notice's lots, and per lot what the
        consignee holds now (see :meth:`_portal_onward_holdings`), when the units first
        reached it, who of its addresses holds most, and the GLNs it may not name."""
        lots, by_name = self._portal_lot_ids()
        own_glns = {
            self.partner_id.commercial_partner_id.udi_gln,
            self.company_id.partner_id.udi_gln,
        } - {False, None}
        return {
            "lots": lots,
            "by_name": by_name,
            **self._portal_onward_holdings(list(lots)),
            "zone": self._portal_onward_zone(),
            "own_glns": own_glns,
        }

    def _portal_onward_holdings(self, lot_ids):
        """Per lot, from the trace as it stands (every shipment recorded so far, ours and the
        consignee's onward ones, whoever recorded them): ``received`` (units that reached the
        consignee), ``available`` (what it holds less the units it reported used, destroyed or
        returned and not received back yet), ``first_dates`` (first arrival, UTC) and
        ``sources`` (the address of the consignee holding most)."""
        entity = self.partner_id.commercial_partner_id
        rows = [
            row for row in self.env["trace.event"].sudo()._trace_holders(lot_ids)
            if row["holder_type"] == "partner" and row["partner_id"]
        ]
        partners = self.env["res.partner"].sudo().browse({row["partner_id"] for row in rows})
        ours = {partner.id for partner in partners if partner.commercial_partner_id == entity}
        held, received, first_dates, sources = (
            defaultdict(float), defaultdict(float), {}, {}
        )
        for row in rows:
            lot_id = row["lot_id"]
            if row["partner_id"] not in ours:
                continue
            held[lot_id] += row["quantity"]
            received[lot_id] += row["received_quantity"]
            if row["first_date"]:
                first = datetime.datetime.fromisoformat(row["first_date"]).replace(tzinfo=None)
                first_dates[lot_id] = min(first_dates.get(lot_id, first), first)
            if lot_id not in sources or row["quantity"] > sources[lot_id][1]:
                sources[lot_id] = (row["partner_id"], row["quantity"])
        reports = self._recall_latest_reports()
        back = self._recall_returned_quantities()
        available = defaultdict(float)
        for lot_id in lot_ids:
            report = reports.get((self.id, lot_id))
            # units reported used or destroyed have left the holdings already (trace events);
            # units reported returned leave them when the return is received
            pending = 0.0
            if report:
                pending = max(report.qty_returned - back.get((self.id, lot_id), 0.0), 0.0)
            available[lot_id] = held[lot_id] - pending
        return {
            "received": received,
            "available": available,
            "first_dates": first_dates,
            "sources": {lot_id: partner_id for lot_id, (partner_id, _qty) in sources.items()},
        }

    def _portal_onward_zone(self):
        """The time zone of the consignee's site, where its onward shipments happen: the
        partner's, else the company's (not the zone of whoever types the report)."""
        partner = self.partner_id
        tz_name = (
            partner.tz
            or partner.commercial_partner_id.tz
            or self.company_id.partner_id.tz
            or self.env.user.tz
            or "UTC"
        )
        try:
            return pytz.timezone(tz_name)
        except pytz.UnknownTimeZoneError:
            return pytz.utc

    def _portal_parse_gln(self, gln, context, errors, position):
        _ = self.env._
        if not gln:
            return False
        if not isinstance(gln, str):
            gln = str(gln) if _is_number(gln) else ""
        try:
            gln = self.env["res.partner"]._udi_normalized_gln(gln.strip())
        except ValidationError as exc:
            errors.append(_("row %(row)s: %(error)s", row=position, error=exc.args[0]))
            return False
        if gln in context["own_glns"]:
            errors.append(
                _("row %(row)s: GLN %(gln)s is yours or ours, not your customer's",
                  row=position, gln=gln)
            )
        return gln

    def _portal_parse_quantity(self, quantity, lot, errors, position):
        _ = self.env._
        if isinstance(quantity, str):
            try:
                quantity = float(quantity.strip())
            except ValueError:
                quantity = None
        if not _is_number(quantity) or quantity <= 0:
            errors.append(_("row %(row)s: the quantity must be a number above 0", row=position))
            return None
        if lot and lot.product_id.tracking == "serial" and quantity != 1:
            errors.append(
                _("row %(row)s: %(serial)s is a serial number: its quantity is 1",
                  row=position, serial=lot.name)
            )
            return None
        return quantity

    def _portal_parse_onward_row(self, row, context, errors, position):
        _ = self.env._
        unknown = set(row) - {"name", "gln", "lot_id", "lot", "quantity", "date", "document"}
        if unknown:
            errors.append(
                _("row %(row)s: unknown key(s) %(keys)s", row=position,
                  keys=", ".join(sorted(str(key)[:40] for key in unknown)))
            )
        try:
            name = self._portal_clean_text(row.get("name"), _("The consignee's name"),
                                           limit=NAME_MAX)
            document = self._portal_clean_text(row.get("document"), _("The document"),
                                               limit=DOCUMENT_MAX)
        except UserError as exc:
            errors.append(_("row %(row)s: %(error)s", row=position, error=exc.args[0]))
            return None
        if not name:
            errors.append(_("row %(row)s: give the name of the consignee", row=position))
        gln = self._portal_parse_gln(row.get("gln"), context, errors, position)
        lot = self._portal_resolve_lot(row, context["lots"], context["by_name"], errors, position)
        quantity = self._portal_parse_quantity(row.get("quantity"), lot, errors, position)
        when = self._portal_parse_date(row.get("date"), errors, position)
        first = context["first_dates"].get(lot.id) if lot else None
        if when and first:
            arrival = pytz.utc.localize(first).astimezone(context["zone"]).date()
            if when < arrival:
                errors.append(
                    _("row %(row)s: %(lot)s reached you on %(first)s, after %(date)s",
                      row=position, lot=lot.name, first=arrival.isoformat(),
                      date=when.isoformat())
                )
        if lot and quantity:
            self._portal_check_onward_quantity(lot, quantity, context, errors, position)
        return {"name": name, "gln": gln, "lot": lot, "quantity": quantity, "date": when,
                "document": document, "received_at": first,
                "source_id": context["sources"].get(lot.id) if lot else False}

    def _portal_check_onward_quantity(self, lot, quantity, context, errors, position):
        """An onward shipment moves units the consignee still holds (rows of one report
        draw on the same units)."""
        _ = self.env._
        available = context["available"]
        if float_compare(quantity, available[lot.id], precision_digits=6) > 0:
            errors.append(
                _(
                    "row %(row)s: %(lot)s: %(quantity)s unit(s) reported shipped onward, but "
                    "you hold %(held)s of it now (%(received)s reached you; the rest is "
                    "recorded as shipped onward, used, destroyed or returned already)",
                    row=position,
                    lot=lot.name,
                    quantity=f"{quantity:g}",
                    held=f"{max(available[lot.id], 0.0):g}",
                    received=f"{context['received'][lot.id]:g}",
                )
            )
        available[lot.id] -= quantity

    def _portal_parse_onward(self, rows):
        """Validated onward rows ``[{name, gln, lot, quantity, date, document}]``, or a
        UserError listing every problem."""
        _ = self.env._
        if not isinstance(rows, (list, tuple)) or not rows:
            raise UserError(_("Give the onward shipments as a list of rows."))
        if len(rows) > ONWARD_MAX_ROWS:
            raise UserError(
                _("Report at most %(count)s onward shipments at a time.", count=ONWARD_MAX_ROWS)
            )
        context = self._portal_onward_context()
        errors, parsed = [], []
        for position, row in enumerate(rows, start=1):
            if not isinstance(row, dict):
                errors.append(_("row %(row)s is not an object", row=position))
                continue
            parsed.append(self._portal_parse_onward_row(row, context, errors, position))
        if errors:
            raise UserError(
                _("Nothing was recorded: %(errors)s.", errors="; ".join(errors[:20]))
            )
        return parsed

    def _portal_onward_partners(self, parsed):
        """The consignees of onward rows: found by GLN among active partners, else by exactly
        the name typed (case aside, no wildcards) among healthcare partners without GLN, else
        created (companies with the healthcare role). A GLN held by a partner that cannot be
        used (archived, another company's) is refused without naming it."""
        Partner = self.env["res.partner"].sudo()
        companies = [False, self.company_id.id]
        glns = [row["gln"] for row in parsed if row["gln"]]
        by_gln, errors = {}, []
        if glns:
            for partner in Partner.with_context(active_test=False).search(
                [("udi_gln", "in", glns)]
            ):
                usable = partner.active and partner.company_id.id in companies
                by_gln[partner.udi_gln] = partner if usable else None
        for position, row in enumerate(parsed, start=1):
            if row["gln"] and row["gln"] in by_gln and not by_gln[row["gln"]]:
                errors.append(self.env._(
                    "row %(row)s: GLN %(gln)s cannot be recorded for your customer here; "
                    "check it, or leave it empty and contact us", row=position, gln=row["gln"]))
        if errors:
            raise UserError(
                self.env._("Nothing was recorded: %(errors)s.", errors="; ".join(errors[:20]))
            )
        by_name, result = {}, []
        for row in parsed:
            key = row["name"].casefold()
            partner = by_gln.get(row["gln"]) if row["gln"] else by_name.get(key)
            if not partner and not row["gln"]:
                partner = self._portal_onward_partner_named(row["name"], companies)
            if not partner:
                partner = Partner.create(self._portal_onward_partner_vals(row))
                if row["gln"]:
                    by_gln[row["gln"]] = partner
            if not row["gln"]:
                by_name[key] = partner
            result.append(partner)
        return result

    def _portal_onward_partner_named(self, name, companies):
        """The healthcare company without GLN called exactly ``name`` (case aside)."""
        role = self.env.ref("udi_master.partner_role_healthcare")
        pattern = name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        candidates = self.env["res.partner"].sudo().search(
            [
                ("name", "=ilike", pattern),
                ("is_company", "=", True),
                ("udi_role_ids", "in", role.ids),
                ("udi_gln", "=", False),
                ("company_id", "in", companies),
            ],
            order="id",
        )
        key = name.casefold()
        return next((p for p in candidates if (p.name or "").casefold() == key), None)

    def _portal_onward_partner_vals(self, row):
        return {
            "name": row["name"],
            "is_company": True,
            "udi_gln": row["gln"] or False,
            "udi_role_ids": [(6, 0, self.env.ref("udi_master.partner_role_healthcare").ids)],
            "company_id": False,
            "comment": self.env._(
                "Reported by %(consignee)s as a customer supplied with devices of "
                "recall %(campaign)s.",
                consignee=self.partner_id.display_name,
                campaign=self.campaign_id.name,
            ),
        }

    def _portal_party_uri(self, partner, scope):
        if partner.udi_gln:
            return epcis.party_uri(partner.udi_gln)
        return epcis.local_uri(scope, "party", partner.id)

    def _portal_onward_events(self, parsed, partners):
        """EPCIS 2.0 shipping events (consignee -> its customer), one per row."""
        Event = self.env["trace.event"].sudo()
        scope = Event._epcis_scope()
        products = self.env["product.product"].browse(
            list({row["lot"].product_id.id for row in parsed})
        )
        dis = Event._trace_product_dis(products)
        agencies = {
            level.di: level.issuing_agency
            for level in self.env["udi.di"].sudo().with_context(active_test=False).search(
                [("di", "in", [di for di in dis.values() if di])]
            )
        }
        zone = self._portal_onward_zone()
        now = fields.Datetime.now()
        events = []
        for row, partner in zip(parsed, partners, strict=True):
            lot = row["lot"]
            product = lot.product_id
            serial = lot.name if product.tracking == "serial" else None
            lot_name = None if serial else lot.name
            di = dis.get(product.id)
            if di:
                uri = epcis.object_uri(agencies.get(di, "gs1"), di, lot=lot_name, serial=serial)
            else:
                uri = epcis.local_uri(scope, "product", product.id, lot=lot_name, serial=serial)
            when = self._portal_onward_time(row, zone, now)
            offset = Event._trace_tz_offset(when, zone.zone)
            source = self.env["res.partner"].sudo().browse(row["source_id"]) or self.partner_id
            source_uri = self._portal_party_uri(source, scope)
            dest_uri = self._portal_party_uri(partner, scope)
            event = {
                "type": "ObjectEvent",
                "eventID": f"urn:uuid:{uuid.uuid4()}",
                "eventTime": epcis.format_time(when, offset),
                "eventTimeZoneOffset": offset,
                "action": "OBSERVE",
                "bizStep": "shipping",
                "disposition": "in_transit",
                "sourceList": [
                    {"type": "owning_party", "source": source_uri},
                    {"type": "possessing_party", "source": source_uri},
                ],
                "destinationList": [
                    {"type": "owning_party", "destination": dest_uri},
                    {"type": "possessing_party", "destination": dest_uri},
                ],
                f"{epcis.EXT_PREFIX}:document": row["document"] or self.name,
            }
            if serial:
                event["epcList"] = [uri]
            else:
                quantity = row["quantity"]
                event["quantityList"] = [
                    {"epcClass": uri,
                     "quantity": int(quantity) if float(quantity).is_integer() else quantity}
                ]
            events.append(event)
        return events

    @api.model
    def _portal_onward_time(self, row, zone, now):
        """Noon of the shipping date where the consignee is, never before the units reached
        it (a shipment on the day they arrived is dated just after their arrival) nor in the
        future."""
        local_noon = zone.localize(datetime.datetime.combine(row["date"], datetime.time(12)))
        when = local_noon.astimezone(pytz.utc).replace(tzinfo=None, microsecond=0)
        if row.get("received_at"):
            when = max(when, row["received_at"].replace(microsecond=0)
                       + datetime.timedelta(seconds=1))
        return min(when, now)

    def _portal_report_onward(self, rows, channel="portal", note=None):
        """Record the consignee's own customers for the affected units: the shipments become
        captured trace events, each a response of kind "onward"; the recall's impact analysis
        then runs again so that these customers get their own (draft) notices."""
        notice = self._portal_check_consignee()
        notice._portal_check_open()
        note = self._portal_clean_text(note, self.env._("The note"))
        parsed = notice._portal_parse_onward(rows)
        company = notice.company_id
        notice = notice.with_company(company)
        partners = notice._portal_onward_partners(parsed)
        events = notice._portal_onward_events(parsed, partners)
        result = self.env["trace.event"].sudo().with_company(company)._epcis_capture(events)
        by_uid = {
            event.event_uid: event
            for event in self.env["trace.event"].sudo().browse(result["event_ids"])
        }
        responses = self.env["recall.response"].sudo().create(
            [
                {
                    "notice_id": notice.id,
                    "kind": "onward",
                    "channel": channel,
                    "lot_id": row["lot"].id,
                    "onward_partner_id": partner.id,
                    "onward_name": row["name"],
                    "onward_quantity": row["quantity"],
                    "onward_event_id": by_uid[event["eventID"]].id,
                    "note": note,
                }
                for row, partner, event in zip(parsed, partners, events, strict=True)
            ]
        )
        campaign = notice.campaign_id.sudo()
        before = campaign.notice_ids
        campaign.action_analyze_impact()
        new_notices = campaign.notice_ids - before
        summary = self.env._(
            "%(consignee)s reported %(count)s onward shipment(s) to: %(customers)s.",
            consignee=notice.partner_id.display_name,
            count=len(responses),
            customers=", ".join(sorted({p.display_name for p in partners})),
        )
        if new_notices:
            summary += " " + self.env._(
                "New notice(s) to review and send: %(notices)s.",
                notices=", ".join(new_notices.mapped("display_name")),
            )
            campaign.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=campaign.user_id.id or self.env.ref("base.user_admin").id,
                summary=self.env._("Onward consignees reported: send their notices"),
                note=plaintext2html(summary),
            )
        notice.message_post(body=summary, subtype_xmlid="mail.mt_note")
        return responses

    # ------------------------------------------------------------------ public API

    def _portal_notice_values(self, with_units=True):
        """The plain description of a notice its consignee may read (API)."""
        self.ensure_one()
        notice = self.sudo()
        campaign = notice.campaign_id
        classes = dict(campaign._fields["recall_class"]._description_selection(self.env))
        kinds = dict(campaign._fields["kind"]._description_selection(self.env))
        states = dict(notice._fields["state"]._description_selection(self.env))
        figures = notice._portal_figures()
        values = {
            "id": notice.id,
            "name": notice.name,
            "state": notice.state,
            "state_label": states.get(notice.state),
            "campaign": campaign.name,
            "title": campaign.title,
            "recall_class": campaign.recall_class,
            "recall_class_label": classes.get(campaign.recall_class),
            "kind": campaign.kind,
            "kind_label": kinds.get(campaign.kind),
            "reason": campaign.reason or "",
            "required_actions": notice._portal_required_actions(),
            "instructions": campaign.instructions or "",
            "sent_at": fields.Datetime.to_string(notice.sent_at) or False,
            "deadline": fields.Datetime.to_string(notice.deadline) or False,
            "overdue": notice.is_overdue,
            "acknowledged_at": fields.Datetime.to_string(notice.acknowledged_at) or False,
            "acknowledged_by": notice.acknowledged_by or False,
            "completed_at": fields.Datetime.to_string(notice.completed_at) or False,
            "portal_url": notice.access_url,
            "lot_count": figures["lot_count"],
            "qty_shipped": figures["shipped"],
            "qty_located": figures["located"],
        }
        if with_units:
            values["units"] = [
                {
                    "lot_id": unit["lot_id"],
                    "lot": unit["lot_name"],
                    "serial": unit["serial"],
                    "product": unit["product_name"],
                    "udi_di": unit["lot"].udi_di or False,
                    "udi": unit["lot"].udi_hri or False,
                    "shipped": unit["shipped"],
                    "first_received": fields.Datetime.to_string(unit["first_date"]) or False,
                    "last_received": fields.Datetime.to_string(unit["last_date"]) or False,
                    "documents": unit["documents"],
                    "reported": {key: unit[key] for key in QTY_KEYS},
                }
                for unit in notice._portal_units()
            ]
        return values

    @api.model
    @api.readonly
    def portal_list(self, with_units=True):
        """The recall notices addressed to the caller's company, newest first, each with its
        units (lots/serials shipped to you, when, and what you reported last).

        Returns a list of dicts (see the README); drafts are never listed. Times are UTC
        ("YYYY-MM-DD HH:MM:SS"); a value not set is false (XML-RPC has no null).
        """
        entity = self.env.user.partner_id.commercial_partner_id
        notices = self.search(
            [("partner_id", "child_of", entity.id), ("state", "!=", "draft")],
            order="sent_at desc, id desc",
        )
        return [notice._portal_notice_values(with_units=bool(with_units)) for notice in notices]

    def portal_acknowledge(self, password):
        """Acknowledge this notice with your electronic signature: ``password`` is your login
        password (not the API key), the second component of the signature. Returns
        ``{"notice_id", "state", "signature_id", "signed_by", "signed_at"}``."""
        signature = self._portal_acknowledge(password, channel="api")
        return {
            "notice_id": self.id,
            "state": self.sudo().state,
            "signature_id": signature.id,
            "signed_by": signature.signer_name,
            "signed_at": fields.Datetime.to_string(signature.signed_at),
        }

    def portal_report(self, reports, note=None):
        """Report, per lot or serial, the units on hand, used, returned and destroyed:
        ``reports`` = ``[{"lot": "L123" (or "lot_id": 7), "qty_on_hand": 3, "qty_used": 0,
        "qty_returned": 0, "qty_destroyed": 2}]``. A later report restates the lot. All rows
        are checked first (numbers >= 0, lots of this notice, no more than shipped to you);
        if any is wrong nothing is recorded. Returns ``{"response_ids", "state"}``."""
        responses = self._portal_report(reports, channel="api", note=note)
        return {"response_ids": responses.ids, "state": self.sudo().state}

    def portal_report_onward(self, onward, note=None):
        """Report your own customers supplied with affected units: ``onward`` =
        ``[{"name": "Ruijin Hospital", "gln": "6901234000023" (optional), "lot": "L123"
        (or "lot_id"), "quantity": 5, "date": "2026-03-01", "document": "DN-778"
        (optional)}]``. Each row becomes a captured EPCIS shipping event and a response; the
        recall then reaches these customers. Returns ``{"response_ids", "event_ids",
        "partner_ids", "consignees"}``, ``consignees`` being the names as you gave them."""
        responses = self._portal_report_onward(onward, channel="api", note=note)
        return {
            "response_ids": responses.ids,
            "event_ids": responses.onward_event_id.ids,
            "partner_ids": responses.onward_partner_id.ids,
            "consignees": responses.sorted("id").mapped("onward_name"),
        }

    def portal_request_return(self, note=None):
        """Ask us to take back the units you hold (per your last report, else our trace):
        a return transfer is prepared for us to confirm. Returns ``{"picking_id",
        "picking"}``."""
        picking = self._portal_request_return(note=note)
        return {"picking_id": picking.id, "picking": picking.name}

    def portal_attach_evidence(self, files, note=None):
        """Attach evidence: ``files`` = ``[{"name": "certificate.pdf", "content": "<base64>"}]``
        (PDF, PNG or JPEG, 10 MB each by default). Returns ``{"response_id"}``."""
        self._portal_check_consignee()
        if not isinstance(files, (list, tuple)):
            raise UserError(self.env._("Give the files as a list of {name, content}."))
        decoded = []
        for position, entry in enumerate(files, start=1):
            if not isinstance(entry, dict) or not isinstance(entry.get("content"), str):
                raise UserError(
                    self.env._("File %(row)s: give its name and its content in base64.",
                               row=position)
                )
            try:
                content = base64.b64decode(entry["content"], validate=True)
            except (binascii.Error, ValueError):
                raise UserError(
                    self.env._("File %(row)s: the content is not base64.", row=position)
                ) from None
            decoded.append((str(entry.get("name") or ""), content))
        response = self._portal_attach_evidence(decoded, note=note, channel="api")
        return {"response_id": response.id}
