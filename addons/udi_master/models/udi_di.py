from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..lib.errors import UdiError
from ..lib.identifiers import normalize_di

PACKAGING_LEVELS = [
    ("unit_of_use", "Unit of use"),
    ("base", "Base unit"),
    ("package", "Higher package"),
]

ISSUING_AGENCIES = [
    ("gs1", "GS1"),
    ("hibcc", "HIBCC"),
    ("iccbba", "ICCBBA"),
    ("other", "Other (MA / ZIIOT, AHM)"),
]


class UdiDi(models.Model):
    """One UDI device identifier: a packaging level of a device model.

    Every DI of every product lives in this table, so a DI is unique across all products and all
    packaging levels by one unique index.
    """

    _name = "udi.di"
    _description = "UDI Device Identifier"
    _order = "product_tmpl_id, level_sequence, id"
    _rec_name = "di"
    _check_company_auto = True

    di = fields.Char(
        string="UDI-DI",
        required=True,
        index="btree",
        help="The device identifier as its issuing agency defines it: a GTIN-14 for GS1, the "
        "primary data structure with its check character for HIBCC.",
    )
    issuing_agency = fields.Selection(ISSUING_AGENCIES, required=True, default="gs1")
    other_agency_name = fields.Char(
        string="Agency name",
        help="For the 'Other' issuing agency, e.g. MA (ZIIOT) or AHM.",
    )
    product_tmpl_id = fields.Many2one(
        "product.template", string="Device", required=True, ondelete="cascade", index=True
    )
    product_id = fields.Many2one(
        "product.product",
        string="Variant",
        compute="_compute_product_id",
        store=True,
        readonly=False,
        domain="[('product_tmpl_id', '=', product_tmpl_id)]",
        help="The variant this DI identifies. Set automatically for a device with one variant.",
    )
    company_id = fields.Many2one(related="product_tmpl_id.company_id", store=True)
    packaging_level = fields.Selection(PACKAGING_LEVELS, required=True, default="base")
    level_sequence = fields.Integer(compute="_compute_level_sequence", store=True)
    contained_di_id = fields.Many2one(
        "udi.di",
        string="Contains",
        ondelete="restrict",
        domain="[('product_tmpl_id', '=', product_tmpl_id), ('id', '!=', id)]",
        help="The packaging level directly inside this one.",
    )
    contained_qty = fields.Integer(
        string="Quantity contained",
        default=1,
        help="How many units of the contained level one unit of this level holds.",
    )
    active = fields.Boolean(default=True)

    _di_unique = models.UniqueIndex(
        "(di)", "This UDI-DI is already assigned; a DI identifies exactly one device and level."
    )
    _contained_qty_positive = models.Constraint(
        "CHECK(contained_qty > 0)", "The quantity contained must be at least 1."
    )

    @api.depends("product_tmpl_id.product_variant_ids")
    def _compute_product_id(self):
        for record in self:
            variants = record.product_tmpl_id.product_variant_ids
            if not record.product_id and len(variants) == 1:
                record.product_id = variants

    @api.depends("packaging_level")
    def _compute_level_sequence(self):
        order = {key: index for index, (key, _label) in enumerate(PACKAGING_LEVELS)}
        for record in self:
            record.level_sequence = order.get(record.packaging_level, 0)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if "di" in vals:
                vals["di"] = self._normalized_di(vals.get("issuing_agency") or "gs1", vals["di"])
        return super().create(vals_list)

    def write(self, vals):
        if "di" in vals or "issuing_agency" in vals:
            for record in self:
                normalized = self._normalized_di(
                    vals.get("issuing_agency", record.issuing_agency), vals.get("di", record.di)
                )
            if "di" in vals:
                vals = {**vals, "di": normalized}
        return super().write(vals)

    def _normalized_di(self, agency, di):
        """``di`` validated against its agency's rules, in canonical form."""
        try:
            return normalize_di(agency, di)
        except UdiError as exc:
            raise ValidationError(self.env["udi.parser"]._udi_message(exc)) from None

    @api.constrains("contained_di_id", "packaging_level", "product_tmpl_id")
    def _check_containment(self):
        for record in self:
            inner = record.contained_di_id
            if not inner:
                if record.packaging_level == "package":
                    raise ValidationError(self.env._(
                        "Higher package %(di)s of %(device)s must say which packaging level it "
                        "contains.", di=record.di, device=record.product_tmpl_id.display_name))
                continue
            if inner.product_tmpl_id != record.product_tmpl_id:
                raise ValidationError(self.env._(
                    "Packaging level %(di)s can only contain a level of the same device.",
                    di=record.di))
            if record.packaging_level != "package":
                raise ValidationError(self.env._(
                    "Only a higher package can contain another level (%(di)s).", di=record.di))
            seen = record
            while inner:
                if inner in seen:
                    raise ValidationError(self.env._(
                        "Packaging level %(di)s contains itself.", di=record.di))
                seen |= inner
                inner = inner.contained_di_id

    @api.constrains("packaging_level", "product_tmpl_id", "product_id", "active")
    def _check_one_base_level(self):
        for record in self.filtered(lambda r: r.packaging_level == "base" and r.active):
            count = self.search_count([
                ("product_tmpl_id", "=", record.product_tmpl_id.id),
                ("product_id", "=", record.product_id.id),
                ("packaging_level", "=", "base"),
            ])
            if count > 1:
                raise ValidationError(self.env._(
                    "%(device)s already has a base-unit UDI-DI; each device variant has exactly "
                    "one.", device=(record.product_id or record.product_tmpl_id).display_name))

    def _units_of_base(self):
        """How many base units one unit of this level holds (1 for the base level)."""
        self.ensure_one()
        qty, level = 1, self
        while level.packaging_level == "package" and level.contained_di_id:
            qty *= level.contained_qty
            level = level.contained_di_id
        return qty

    def _udi_exported(self, database, export):
        """Hook: the records of these DIs were exported (not as a draft) for ``database``
        ('nmpa', 'gudid' or 'eudamed') in ``export`` (a ``udi.di.export``)."""
        return True
