"""Recall notices in the portal: the notice as a portal document, and who may answer it.

Everything a consignee does (acknowledge, report quantities, attach evidence, request a return,
report onward consignees) goes through the ``_portal_*`` methods of this model, from the portal
routes (``controllers/portal.py``) and from the public API methods ``portal_*`` (JSON-2 /
XML-RPC). They first check that the current user is a contact of the notice's consignee and can
read the notice under the record rules (:meth:`RecallNotice._portal_check_consignee`), then
record the answer as the system while keeping the user as author (``sudo()`` keeps the uid), so
that sealed responses and signatures name who answered.

The model's portal methods live in one file per concern:

- ``recall_notice.py``: portal document, access checks, helpers shared by the answers;
- ``recall_notice_invitation.py``: the mail links (access tokens) and portal invitations;
- ``recall_notice_rendering.py``: what the portal page and the API show of a notice;
- ``recall_notice_acknowledgement.py``: the signed acknowledgement and its receipt;
- ``recall_notice_quantities.py``: quantity reports; ``recall_notice_evidence.py``: evidence;
- ``recall_notice_return.py``: return requests; ``recall_notice_onward.py``: onward consignees;
- ``recall_notice_api.py``: the public API (``portal_*``).

Reading what the consignee types needs no ORM: that is ``lib/inputs.py`` and ``lib/evidence.py``.
"""

from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from ..lib import inputs


class RecallNotice(models.Model):
    _name = "recall.notice"
    _inherit = ["recall.notice", "portal.mixin"]

    # internal follow-up of the notice: not for the consignee's eyes
    effectiveness_selected = fields.Boolean(groups="udi_master.group_trace_user")
    effectiveness_verified_at = fields.Datetime(groups="udi_master.group_trace_user")
    effectiveness_note = fields.Text(groups="udi_master.group_trace_user")
    escalated_at = fields.Datetime(groups="udi_master.group_trace_user")

    # ------------------------------------------------------------------ portal basics

    def _compute_access_url(self):  # pylint: disable=missing-return
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

    @api.model
    def _portal_setting(self, param, default):
        """A positive integer setting (ir.config_parameter), else ``default``."""
        value = self.env["ir.config_parameter"].sudo().get_param(param)
        try:
            value = int(value)
        except (TypeError, ValueError):
            return default
        return value if value > 0 else default

    # ------------------------------------------------------------------ access

    def _portal_check_consignee(self):
        """The current user must be a contact of the consignee and read the notice under the
        record rules; then the notice is returned as the system, with the user kept as uid."""
        if len(self) != 1:
            raise UserError(
                self.env._(
                    "Give exactly one recall notice (ids: [id]), not %(count)s.", count=len(self)
                )
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

    # ------------------------------------------------------------------ reading answers

    def _portal_input_message(self, error, **params):
        """The translated text of an :class:`~..lib.inputs.PortalInputError` (``params`` add
        what the error leaves to its caller, such as ``what``)."""
        return self.env._(error.message, **error.params, **params)

    def _portal_row_error(self, position, error):
        """``row <position>: <error>``, translated (``error`` a PortalInputError or a text)."""
        if isinstance(error, inputs.PortalInputError):
            error = self._portal_input_message(error)
        return self.env._("row %(row)s: %(error)s", row=position, error=error)

    def _portal_clean_text(self, text, what, limit=inputs.NOTE_MAX):
        """Free text typed by the consignee: a string without control characters, trimmed,
        within ``limit`` characters (it is shown escaped, never as markup)."""
        try:
            return inputs.clean_text(text, limit)
        except inputs.PortalInputError as exc:
            raise UserError(self._portal_input_message(exc, what=what)) from None

    def _portal_lot_ids(self):
        """{lot id: lot} of the notice's units, and {lot name: [lots]}, for resolving reports."""
        self.ensure_one()
        lots = self.sudo().line_ids.filtered(lambda line: line.holder_type == "partner").lot_id
        by_name = defaultdict(list)
        for lot in lots:
            by_name[lot.name].append(lot)
        return {lot.id: lot for lot in lots}, by_name

    def _portal_resolve_lot(self, entry, lots, by_name, errors, position):
        """The lot of a report row given by ``lot_id`` (an id) or ``lot`` (its name); else
        ``None``, the problem added to ``errors``."""
        try:
            return inputs.resolve_lot(entry, lots, by_name)
        except inputs.PortalInputError as exc:
            errors.append(self._portal_row_error(position, exc))
            return None

    def _portal_unknown_keys(self, entry, allowed, errors, position):
        """Name the keys of a row that are not among ``allowed`` in ``errors``."""
        unknown = inputs.unknown_keys(entry, allowed)
        if unknown:
            errors.append(
                self.env._(
                    "row %(row)s: unknown key(s) %(keys)s", row=position, keys=", ".join(unknown)
                )
            )

    def _portal_refuse(self, errors):
        """Refuse the whole answer when a row of it is wrong, naming the first problems."""
        if errors:
            raise UserError(
                self.env._("Nothing was recorded: %(errors)s.", errors="; ".join(errors[:20]))
            )
