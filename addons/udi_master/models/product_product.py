from odoo import api, models


class ProductProduct(models.Model):
    _inherit = "product.product"

    @api.model
    def _udi_find_by_di(self, di):
        """The product variant and packaging level identified by ``di`` (canonical form), or
        empty recordsets. Archived DIs still resolve: old labels stay readable."""
        levels = self.env["udi.di"].with_context(active_test=False)
        level = levels.search([("di", "=", di)], limit=1)
        product = level.product_id or level.product_tmpl_id.product_variant_id
        return product, level
