from odoo import api, models

from .stock_move import reserving_for


class StockQuant(models.Model):
    _inherit = "stock.quant"

    @api.model
    def _get_reserve_quantity(
        self,
        product_id,
        location_id,
        quantity,
        uom_id=None,
        lot_id=None,
        package_id=None,
        owner_id=None,
        strict=False,
    ):
        # reservation only: units waiting for (or failed at) incoming inspection are not offered
        return super(
            StockQuant, self.with_context(udi_inspection_reserving=True)
        )._get_reserve_quantity(
            product_id,
            location_id,
            quantity,
            uom_id=uom_id,
            lot_id=lot_id,
            package_id=package_id,
            owner_id=owner_id,
            strict=strict,
        )

    def _gather(
        self,
        product_id,
        location_id,
        lot_id=None,
        package_id=None,
        owner_id=None,
        strict=False,
        qty=0,
    ):
        quants = super()._gather(
            product_id,
            location_id,
            lot_id=lot_id,
            package_id=package_id,
            owner_id=owner_id,
            strict=strict,
            qty=qty,
        )
        if self.env.context.get("udi_inspection_reserving"):
            quants = quants._udi_without_inspection_blocked(reserving_for())
        return quants

    def _udi_without_inspection_blocked(self, dest_usage):
        """These quants less those an incoming inspection blocks for a move to a location of
        usage ``dest_usage`` (a rejected lot can still be returned to its supplier)."""
        staged = self.filtered(
            lambda q: q.location_id.udi_inspection_location and q.product_id.udi_regulated
        )
        if not staged:
            return self
        Inspection = self.env["udi.inspection"]
        blocked_ids = set()
        for (product, company), quants in staged.grouped(
            lambda q: (q.product_id, q.company_id)
        ).items():
            states = Inspection._udi_blocking_states(product, quants.lot_id, company)
            for quant in quants:
                state = states.get(quant.lot_id.id or False)
                if state == "pending" or (state == "rejected" and dest_usage != "supplier"):
                    blocked_ids.add(quant.id)
        return self.filtered(lambda q: q.id not in blocked_ids)
