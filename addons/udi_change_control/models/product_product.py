from odoo import models


class ProductProduct(models.Model):
    _inherit = "product.product"

    def write(self, vals):
        """The internal reference lives on the variant: a change through the variant is checked
        and recorded like one through the device record."""
        if "default_code" in vals:
            templates = self.product_tmpl_id
            templates._udi_check_locked({"default_code": vals["default_code"]})
            changes, databases_of = templates._udi_record_changes(
                {"default_code": vals["default_code"]}
            )
            result = super().write(vals)
            self.env["udi.di"]._udi_open_submissions(changes, databases_of)
            return result
        return super().write(vals)

    def _udi_base_di(self):
        """The base-unit UDI-DI of this variant (sudo), or an empty recordset."""
        self.ensure_one()
        bases = (
            self.env["udi.di"]
            .sudo()
            .search(
                [
                    ("product_tmpl_id", "=", self.product_tmpl_id.id),
                    ("packaging_level", "=", "base"),
                ]
            )
        )
        return (
            bases.filtered(lambda d: d.product_id == self)[:1]
            or bases.filtered(lambda d: not d.product_id)[:1]
        )
