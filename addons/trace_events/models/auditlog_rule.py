from odoo import api, models, tools

#: regulated master data whose changes are logged and sealed: {model: fields or None (udi_*)}
MASTER_DATA_FIELDS = {
    "product.template": None,
    "udi.di": (
        "di",
        "issuing_agency",
        "product_tmpl_id",
        "product_id",
        "packaging_level",
        "contained_di_id",
        "contained_qty",
        "active",
    ),
    "stock.lot": ("name", "product_id", "udi_manufacture_date", "expiration_date"),
    "res.partner": ("udi_role_ids", "udi_gln", "udi_licence_number", "udi_licence_expiry"),
}


class AuditlogRule(models.Model):
    _inherit = "auditlog.rule"

    @api.model
    def _trace_subscribe_master_data(self):
        """Subscribe the UDI master data to the sealed change log (install and update)."""
        for model_name, names in MASTER_DATA_FIELDS.items():
            model = self.env[model_name]
            if names is None:
                names = sorted(
                    name
                    for name, field in model._fields.items()
                    if field.store
                    and not field.compute
                    and (name.startswith("udi_") or name == "tracking")
                )
            self._audit_seal_subscribe(model_name, list(names))
        return True

    def get_auditlog_fields(self, model):
        """Only the fields a rule logs, not every stored field.

        OCA auditlog snapshots all stored fields of a new record inside a throw-away cache;
        for a new contact that computes ``commercial_partner_id`` there and loses it before the
        flush ("Could not find all values ... to flush"). Reading only the subscribed fields
        avoids that, and is cheaper.
        """
        names = super().get_auditlog_fields(model)
        excluded = self._trace_excluded_field_names(model._name)
        if not excluded:
            return names
        return [name for name in names if name not in excluded]

    @api.model
    @tools.ormcache("model_name")
    def _trace_excluded_field_names(self, model_name):
        """The field names the confirmed rule of ``model_name`` excludes (a frozenset, empty
        without a rule), cached: auditlog asks at every create of a logged record (each lot of
        a receipt). Rules change through create/write/unlink, which clear the cache."""
        rule = self.sudo().search(
            [("model_id.model", "=", model_name), ("state", "=", "confirmed")], limit=1
        )
        return frozenset(rule.fields_to_exclude_ids.mapped("name"))

    @api.model_create_multi
    def create(self, vals_list):
        self.env.registry.clear_cache()
        return super().create(vals_list)

    def write(self, vals):
        self.env.registry.clear_cache()
        return super().write(vals)

    def unlink(self):
        self.env.registry.clear_cache()
        return super().unlink()
