import datetime

import pytz

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..lib.compose import gs1_digital_link, gs1_element_string, gs1_hri, plain_hri
from ..lib.errors import UdiError
from ..lib.identifiers import check_pi_value

# GS1 dates are calendar dates; product_expiry stores expiry as a Datetime. A date we write (from a
# scan, an import, the UDI expiry field) is stored at 12:00:00 UTC and read back as that UTC date,
# whatever the reader's timezone; a datetime a user typed is read as a date in the user's timezone.
UDI_DATE_TIME = datetime.time(12, 0)


class StockLot(models.Model):
    _inherit = "stock.lot"

    # A scan or a captured event names a lot by device and number: stock.lot only has a
    # trigram index on the name, which answers exact names slowly when many look alike
    # (serials of a series share most trigrams: seconds for a batch of 1,000).
    _udi_product_name_index = models.Index("(product_id, name)")

    udi_regulated = fields.Boolean(related="product_id.udi_regulated")
    udi_manufacture_date = fields.Date(
        string="Manufacture date", tracking=True, help="GS1 AI (11), the production date."
    )
    udi_expiry_date = fields.Date(
        string="Expiry date (UDI)",
        compute="_compute_udi_expiry_date",
        inverse="_inverse_udi_expiry_date",
        help="The calendar date of the lot's expiration date, as printed on the label (AI 17).",
    )
    udi_di = fields.Char(string="UDI-DI", compute="_compute_udi_strings")
    udi_element_string = fields.Char(
        string="UDI (element string)",
        compute="_compute_udi_strings",
        help="The UDI as a scanner delivers it, FNC1 shown as ASCII 29.",
    )
    udi_hri = fields.Char(string="UDI (human readable)", compute="_compute_udi_strings")
    udi_digital_link = fields.Char(string="GS1 Digital Link", compute="_compute_udi_strings")

    # -- expiry as a calendar date -------------------------------------------------------------

    @api.model
    def _udi_date_to_datetime(self, day):
        """The Datetime value product_expiry stores for the calendar date ``day``."""
        return datetime.datetime.combine(day, UDI_DATE_TIME) if day else False

    def _udi_datetime_to_date(self, value):
        """The calendar date of a stored Datetime (see ``UDI_DATE_TIME``)."""
        if not value:
            return False
        if value.time() == UDI_DATE_TIME:
            return value.date()
        tz = pytz.timezone(self.env.user.tz or "UTC")
        return pytz.utc.localize(value).astimezone(tz).date()

    @api.depends("expiration_date")
    @api.depends_context("uid")
    def _compute_udi_expiry_date(self):
        for lot in self:
            lot.udi_expiry_date = self._udi_datetime_to_date(lot.expiration_date)

    def _inverse_udi_expiry_date(self):
        for lot in self:
            # a form saves this computed field with every change of the expiration date: only a
            # new calendar date moves the time (to UDI_DATE_TIME); Odoo's own times stay
            if self._udi_datetime_to_date(lot.expiration_date) != lot.udi_expiry_date:
                lot.expiration_date = self._udi_date_to_datetime(lot.udi_expiry_date)

    # -- UDI strings -----------------------------------------------------------------------------

    def _udi_base_level(self):
        """The base-unit DI record of this lot's product variant."""
        self.ensure_one()
        levels = self.product_id.product_tmpl_id.udi_di_ids.filtered(
            lambda d: d.packaging_level == "base"
        )
        return levels.filtered(lambda d: d.product_id == self.product_id)[:1] or levels[:1]

    def _udi_pi(self):
        """The PI elements the label of this lot carries, as plain values."""
        self.ensure_one()
        template = self.product_id.product_tmpl_id
        serial = template.tracking == "serial"
        return {
            "lot": self.name if not serial and template.udi_pi_lot else None,
            "serial": self.name if serial else None,
            "manufactured": (
                self.udi_manufacture_date if template.udi_pi_manufacture_date else None
            ) or None,
            "expiry": (self.udi_expiry_date if template.udi_pi_expiry else None) or None,
        }

    @api.depends(
        "name", "product_id", "udi_manufacture_date", "expiration_date",
        "product_id.product_tmpl_id.udi_di_ids.di",
    )
    @api.depends_context("uid")
    def _compute_udi_strings(self):
        for lot in self:
            level = lot._udi_base_level() if lot.udi_regulated else self.env["udi.di"]
            lot.udi_di = level.di
            if not level:
                lot.udi_element_string = lot.udi_hri = lot.udi_digital_link = False
                continue
            pi = lot._udi_pi()
            if level.issuing_agency == "gs1":
                lot.udi_element_string = gs1_element_string(level.di, **pi)
                lot.udi_hri = gs1_hri(level.di, **pi)
                lot.udi_digital_link = gs1_digital_link(level.di, **pi)
            else:
                lot.udi_element_string = lot.udi_digital_link = False
                lot.udi_hri = plain_hri(level.di, **pi)

    # -- rules -------------------------------------------------------------------------------------

    @api.constrains("name", "product_id")
    def _check_udi_pi_name(self):
        for lot in self.filtered("udi_regulated"):
            what = "serial number" if lot.product_id.tracking == "serial" else "lot"
            try:
                check_pi_value(lot.name, what)
            except UdiError as exc:
                raise ValidationError(
                    self.env._("%(device)s: ", device=lot.product_id.display_name)
                    + self.env["udi.parser"]._udi_message(exc)
                ) from None

    @api.constrains("udi_manufacture_date", "expiration_date")
    def _check_udi_dates(self):
        for lot in self.filtered("udi_manufacture_date"):
            expiry = lot.udi_expiry_date
            if expiry and expiry < lot.udi_manufacture_date:
                raise ValidationError(self.env._(
                    "Lot %(lot)s of %(device)s expires on %(expiry)s, before its manufacture date "
                    "%(manufactured)s.",
                    lot=lot.name, device=lot.product_id.display_name,
                    expiry=expiry.isoformat(), manufactured=lot.udi_manufacture_date.isoformat()))

    @api.constrains("expiration_date", "product_id")
    def _check_udi_expiry_required(self):
        for lot in self.filtered(lambda lot: lot.udi_regulated and not lot.expiration_date):
            if lot.product_id.udi_pi_expiry:
                raise ValidationError(self.env._(
                    "Lot %(lot)s of %(device)s needs an expiry date: the device's label carries "
                    "one.", lot=lot.name, device=lot.product_id.display_name))
