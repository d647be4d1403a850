from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .udi_di import ISSUING_AGENCIES


class ProductTemplate(models.Model):
    _inherit = "product.template"

    udi_regulated = fields.Boolean(
        string="Regulated medical device",
        help="The device carries a UDI: its lots and serials follow the UDI rules and its "
        "movements are traced.",
    )
    udi_di_ids = fields.One2many("udi.di", "product_tmpl_id", string="UDI-DIs")
    udi_primary_di = fields.Char(
        string="Primary UDI-DI",
        compute="_compute_udi_primary_di",
        store=True,
        help="The DI of the base unit, the one sent to the UDI databases as primary DI.",
    )
    udi_issuing_agency = fields.Selection(
        ISSUING_AGENCIES, string="Issuing agency", default="gs1",
        help="The agency whose rules the DIs of this device follow.",
    )
    udi_basic_di = fields.Char(
        string="Basic UDI-DI",
        help="EU MDR Basic UDI-DI, the key of the device model in EUDAMED and on the declaration "
        "of conformity.",
    )
    udi_brand = fields.Char(string="Brand name")
    udi_model = fields.Char(string="Model / specification")
    udi_description = fields.Text(string="Device description", translate=True)
    udi_registration_number = fields.Char(
        string="Registration certificate",
        help="NMPA registration certificate or filing number (注册证编号/备案编号), "
        "FDA 510(k) / PMA number, or EU certificate number.",
    )
    udi_nmpa_class = fields.Selection(
        [("1", "Class I"), ("2", "Class II"), ("3", "Class III")], string="NMPA class"
    )
    udi_fda_class = fields.Selection(
        [("1", "Class I"), ("2", "Class II"), ("3", "Class III")], string="FDA class"
    )
    udi_eu_class = fields.Selection(
        [("1", "Class I"), ("2a", "Class IIa"), ("2b", "Class IIb"), ("3", "Class III")],
        string="EU MDR class",
    )
    udi_gmdn_code = fields.Char(string="GMDN code")
    udi_implantable = fields.Boolean(string="Implantable")
    udi_single_use = fields.Boolean(string="Single use")
    udi_sterile = fields.Boolean(string="Sterile")
    udi_sterilize_before_use = fields.Boolean(string="Sterilise before use")
    udi_contains_latex = fields.Boolean(string="Contains natural rubber latex")
    udi_life_years = fields.Integer(
        string="Expected lifetime (years)",
        help="Device lifetime set by the maker; record retention is measured from it.",
    )
    udi_pi_lot = fields.Boolean(string="Label carries lot")
    udi_pi_serial = fields.Boolean(string="Label carries serial")
    udi_pi_manufacture_date = fields.Boolean(string="Label carries manufacture date")
    udi_pi_expiry = fields.Boolean(string="Label carries expiry date")

    _udi_life_years_positive = models.Constraint(
        "CHECK(udi_life_years >= 0)", "The expected lifetime cannot be negative."
    )

    @api.depends("udi_di_ids.di", "udi_di_ids.packaging_level", "udi_di_ids.active")
    def _compute_udi_primary_di(self):
        for template in self:
            base = template.udi_di_ids.filtered(lambda d: d.packaging_level == "base")[:1]
            template.udi_primary_di = base.di

    @api.onchange("udi_regulated", "tracking")
    def _onchange_udi_pi_from_tracking(self):
        if self.udi_regulated:
            self.udi_pi_lot = self.tracking == "lot"
            self.udi_pi_serial = self.tracking == "serial"
            self.udi_pi_expiry = self.use_expiration_date

    @api.constrains("udi_regulated", "udi_pi_lot", "udi_pi_serial", "udi_pi_expiry", "tracking",
                    "use_expiration_date")
    def _check_udi_pi_consistency(self):
        for template in self.filtered("udi_regulated"):
            if template.udi_pi_serial and template.tracking != "serial":
                raise ValidationError(self.env._(
                    "%(device)s: the label carries a serial number, so the product must be tracked "
                    "by unique serial number.", device=template.display_name))
            if template.udi_pi_lot and template.tracking == "none":
                raise ValidationError(self.env._(
                    "%(device)s: the label carries a lot, so the product must be tracked by lots.",
                    device=template.display_name))
            if template.udi_pi_expiry and not template.use_expiration_date:
                raise ValidationError(self.env._(
                    "%(device)s: the label carries an expiry date, so 'Expiration Date' must be "
                    "enabled on the product.", device=template.display_name))
