from odoo import api, fields, models

from odoo.addons.audit_seal.tools.workflow import in_workflow

from .udi_di import SIGNED_TEMPLATE_FIELDS, value_differs
from .udi_di_publication import STATES

#: device record fields that belong to one database's record only (the others go to all)
DATABASE_FIELDS = {
    "udi_nmpa_class": ("nmpa",),
    "udi_nmpa_category_code": ("nmpa",),
    "udi_is_ivd": ("nmpa",),
    "udi_nhsa_code": ("nmpa",),
    "udi_nmpa_publish_date": ("nmpa",),
    "udi_fda_class": ("gudid",),
    "udi_fda_product_code": ("gudid",),
    "udi_fda_premarket_number": ("gudid",),
    "udi_fda_use": ("gudid",),
    "udi_labeler_duns": ("gudid",),
    "udi_labeled_no_latex": ("gudid",),
    "udi_gudid_publish_date": ("gudid",),
    "udi_eu_class": ("eudamed",),
    "udi_basic_di": ("eudamed",),
    "udi_emdn_code": ("eudamed",),
    "udi_eu_manufacturer_srn": ("eudamed",),
    "udi_eu_ar_srn": ("eudamed",),
    "udi_eu_active": ("eudamed",),
    "udi_eu_measuring_function": ("eudamed",),
    "udi_eu_administering_medicine": ("eudamed",),
    "udi_eu_reusable_instrument": ("eudamed",),
    "udi_eu_animal_tissues": ("eudamed",),
    "udi_eu_human_tissues": ("eudamed",),
    "udi_eu_medicinal_product": ("eudamed",),
    "udi_eu_human_product": ("eudamed",),
    "udi_eu_reprocessed": ("eudamed",),
}
#: udi_* fields of the device that are not part of any database record
NOT_IN_RECORD = ("udi_regulated", "udi_life_years", "udi_primary_di")
ALL_DATABASES = ("nmpa", "gudid", "eudamed")


class ProductTemplate(models.Model):
    _inherit = "product.template"

    udi_di_state = fields.Selection(
        STATES,
        string="DI life cycle",
        compute="_compute_udi_di_state",
        help="Life cycle of the device's base-unit UDI-DI (the first one for a device with "
        "variants).",
    )

    @api.depends("udi_di_ids.state", "udi_di_ids.packaging_level")
    def _compute_udi_di_state(self):
        for template in self:
            base = template.udi_di_ids.filtered(lambda d: d.packaging_level == "base")[:1]
            template.udi_di_state = base.state

    def write(self, vals):
        self._udi_check_locked(vals)
        changes, databases_of = self._udi_record_changes(vals)
        result = super().write(vals)
        self.env["udi.di"]._udi_open_submissions(changes, databases_of)
        return result

    def _udi_controlled_bases(self):
        """Base DIs of these devices that are approved or were published (sudo)."""
        return (
            self.env["udi.di"]
            .sudo()
            .with_context(active_test=False)
            .search(
                [
                    ("product_tmpl_id", "in", self.ids),
                    ("packaging_level", "=", "base"),
                    ("state", "not in", ("draft", "review")),
                ]
            )
        )

    def _udi_check_locked(self, vals):
        """Refuse a change of a DI trigger attribute of a published device record, or of an
        attribute its approval binds, whatever the path (form, import, JSON-2, XML-RPC)."""
        if not self.ids:
            return
        names = set(vals).intersection(self._fields)
        triggers = self.env["udi.di.trigger.attribute"]._udi_triggers("product.template", names)
        signed = names.intersection(SIGNED_TEMPLATE_FIELDS)
        if not (triggers or signed):
            return
        bases = self._udi_controlled_bases()
        for template in self:
            for base in bases.filtered(lambda b, t=template: b.product_tmpl_id == t):
                base.sudo(False)._udi_refuse_locked_change(template, vals, triggers, signed)

    @api.model
    def _udi_record_fields(self):
        """Fields of the device that form its record in the UDI databases: udi_master's stored
        device fields (other addons' ``udi_*`` fields, e.g. udi_inspection's minimum shelf life,
        are the company's own data, not part of any database record)."""
        names = {
            name
            for name, field in self._fields.items()
            if name.startswith("udi_")
            and "udi_master" in field._modules
            and field.store
            and not field.compute
            and field.type not in ("one2many", "many2many")
        }
        return (names | {"name", "default_code"}) - set(NOT_IN_RECORD)

    def _udi_record_changes(self, vals):
        """({published base DI: [field labels]}, {label: databases}) of a write of ``vals``."""
        if in_workflow() or not self.ids:
            return {}, {}
        names = set(vals).intersection(self._udi_record_fields())
        if not names:
            return {}, {}
        bases = self._udi_controlled_bases().filtered("publication_ids")
        changes, databases_of = {}, {}
        for template in bases.product_tmpl_id:
            changed = [name for name in names if value_differs(template, name, vals[name])]
            for name in changed:
                label = template._fields[name]._description_string(self.env)
                databases_of[label] = DATABASE_FIELDS.get(name, ALL_DATABASES)
            for base in bases.filtered(lambda b, t=template: b.product_tmpl_id == t):
                if changed:
                    changes[base] = [
                        template._fields[name]._description_string(self.env) for name in changed
                    ]
        return changes, databases_of
