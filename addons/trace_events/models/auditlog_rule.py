from odoo import api, models

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
                    if field.store and (name.startswith("udi_") or name == "tracking")
                )
            self._audit_seal_subscribe(model_name, list(names))
        return True
