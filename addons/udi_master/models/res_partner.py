from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..lib.errors import UdiError
from ..lib.identifiers import normalize_gln

# A licence expiring within this many days is flagged, so it can be renewed before shipments stop.
LICENCE_WARNING_DAYS = 30


class ResPartner(models.Model):
    _inherit = "res.partner"

    udi_role_ids = fields.Many2many(
        "udi.partner.role", string="Supply-chain roles", tracking=True,
        help="Manufacturer, supplier, distributor, healthcare facility.",
    )
    udi_gln = fields.Char(
        string="Supply-chain GLN", tracking=True, copy=False,
        help="GS1 Global Location Number of the party in the device supply chain (13 digits "
        "with check digit); events, exports and EPCIS documents identify the party by it.",
    )
    udi_licence_number = fields.Char(
        string="Business licence", tracking=True,
        help="Medical device business licence or filing number (医疗器械经营许可证/备案凭证).",
    )
    udi_licence_expiry = fields.Date(string="Licence valid until", tracking=True)
    udi_licence_state = fields.Selection(
        [("none", "Not required"), ("missing", "Missing"), ("valid", "Valid"),
         ("expiring", "Expiring soon"), ("expired", "Expired")],
        string="Licence status", compute="_compute_udi_licence_state",
    )

    _udi_gln_unique = models.UniqueIndex(
        "(udi_gln) WHERE udi_gln IS NOT NULL", "This GLN is already assigned to another partner."
    )

    @api.depends("udi_role_ids.requires_licence", "udi_licence_number", "udi_licence_expiry")
    @api.depends_context("date")
    def _compute_udi_licence_state(self):
        today = fields.Date.context_today(self)
        for partner in self:
            expiry = partner.udi_licence_expiry
            if expiry and expiry < today:
                partner.udi_licence_state = "expired"
            elif expiry and expiry < today + timedelta(days=LICENCE_WARNING_DAYS):
                partner.udi_licence_state = "expiring"
            elif partner.udi_licence_number:
                partner.udi_licence_state = "valid"
            elif any(partner.udi_role_ids.mapped("requires_licence")):
                partner.udi_licence_state = "missing"
            else:
                partner.udi_licence_state = "none"

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("udi_gln"):
                vals["udi_gln"] = self._udi_normalized_gln(vals["udi_gln"])
        return super().create(vals_list)

    def write(self, vals):
        if vals.get("udi_gln"):
            vals = {**vals, "udi_gln": self._udi_normalized_gln(vals["udi_gln"])}
        return super().write(vals)

    @api.model
    def _udi_normalized_gln(self, gln):
        try:
            return normalize_gln(gln)
        except UdiError as exc:
            raise ValidationError(self.env["udi.parser"]._udi_message(exc)) from None

    def _udi_check_can_receive_devices(self):
        """Refuse to ship regulated devices to a partner without a valid business licence."""
        for partner in self:
            state = partner.commercial_partner_id.udi_licence_state
            if state == "expired":
                raise ValidationError(self.env._(
                    "%(partner)s's business licence %(licence)s expired on %(date)s: regulated "
                    "devices cannot be shipped to it. Record the renewed licence on the partner "
                    "first.",
                    partner=partner.commercial_partner_id.display_name,
                    licence=partner.commercial_partner_id.udi_licence_number or "",
                    date=partner.commercial_partner_id.udi_licence_expiry.isoformat()))
            if state == "missing":
                raise ValidationError(self.env._(
                    "%(partner)s has no business licence on record: regulated devices cannot be "
                    "shipped to it. Record its licence number on the partner first.",
                    partner=partner.commercial_partner_id.display_name))
