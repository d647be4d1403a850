from odoo import api, models


class StockQuant(models.Model):
    _inherit = "stock.quant"

    @api.model
    def _get_reserve_quantity(self, product_id, location_id, quantity, uom_id=None, lot_id=None,
                              package_id=None, owner_id=None, strict=False):
        # reservation only: lots quarantined by a recall are not offered (see _gather)
        return super(StockQuant, self.with_context(recall_reserving=True))._get_reserve_quantity(
            product_id, location_id, quantity, uom_id=uom_id, lot_id=lot_id,
            package_id=package_id, owner_id=owner_id, strict=strict,
        )

    def _gather(self, product_id, location_id, lot_id=None, package_id=None, owner_id=None,
                strict=False, qty=0):
        quants = super()._gather(
            product_id, location_id, lot_id=lot_id, package_id=package_id, owner_id=owner_id,
            strict=strict, qty=qty,
        )
        context = self.env.context
        if context.get("recall_reserving") and not context.get("recall_allow_blocked"):
            quants = quants.filtered(lambda quant: not quant.lot_id.recall_blocked)
        return quants
