from odoo import api, models
from odoo.fields import Domain

#: The context value with which a recall's own transfer reserves quarantined units (see
#: stock.move._update_reserved_quantity_vals). An object, not a flag: a context sent over RPC is
#: JSON and cannot hold it, so no caller lifts the block on reservation with a context key.
RECALL_TRANSFER = object()


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

    def _recall_reserves_blocked(self):
        """While reserving: True for a recall's own transfer, which takes quarantined units only
        (the units it moves to the quarantine area); False for any other move, to which they
        are not offered; None when not reserving."""
        context = self.env.context
        if not context.get("recall_reserving"):
            return None
        return context.get("recall_allow_blocked") is RECALL_TRANSFER

    def _get_gather_domain(self, product_id, location_id, lot_id=None, package_id=None,
                           owner_id=None, strict=False):
        domain = super()._get_gather_domain(
            product_id, location_id, lot_id=lot_id, package_id=package_id, owner_id=owner_id,
            strict=strict,
        )
        blocked = self._recall_reserves_blocked()
        if blocked is False:
            # in the search, not after it: a location holds thousands of quants of a serial
            # product (emptied ones too), and reading each one's lot cost a delivery's
            # reservation 240 ms at 9,000 quants (tests/load)
            domain &= Domain("lot_id", "=", False) | Domain("lot_id.recall_blocked", "=", False)
        elif blocked:
            domain &= Domain("lot_id.recall_blocked", "=", True)
        return domain

    def _gather(self, product_id, location_id, lot_id=None, package_id=None, owner_id=None,
                strict=False, qty=0):
        quants = super()._gather(
            product_id, location_id, lot_id=lot_id, package_id=package_id, owner_id=owner_id,
            strict=strict, qty=qty,
        )
        blocked = self._recall_reserves_blocked()
        if blocked is not None and self.env.context.get("quants_cache") is not None:
            # Odoo takes these quants from its cache, not from a search with the domain above
            quants = quants.filtered(lambda quant: bool(quant.lot_id.recall_blocked) == blocked)
        return quants
