from odoo import models
from odoo.exceptions import UserError

from .stock_quant import RECALL_TRANSFER

#: destinations a quarantined lot may still go to: our own locations (e.g. the quarantine
#: area) and scrap/inventory (destruction)
ALLOWED_USAGES = ("internal", "inventory")


class StockMove(models.Model):
    _inherit = "stock.move"

    def _action_done(self, cancel_backorder=False):
        self._recall_check_blocked_lots()
        moves = super()._action_done(cancel_backorder=cancel_backorder)
        # a recall return received: the consignee's lines hold that much less
        self.picking_id.sudo().recall_notice_id.line_ids._recall_refresh_held()
        return moves

    def _update_reserved_quantity_vals(
        self, need, location_id, lot_id=None, package_id=None, owner_id=None, strict=True
    ):
        # Quarantined units are reserved only for a recall's own transfer going where they may
        # go (its quarantine area): decided from the move, so that Check Availability on that
        # transfer reserves them, and no caller's context reserves them for anything else.
        move = self
        if self.picking_id.recall_campaign_id and self.location_dest_id.usage in ALLOWED_USAGES:
            move = self.with_context(recall_allow_blocked=RECALL_TRANSFER)
        return super(StockMove, move)._update_reserved_quantity_vals(
            need, location_id, lot_id=lot_id, package_id=package_id, owner_id=owner_id,
            strict=strict,
        )

    def _recall_check_blocked_lots(self):
        """Refuse to ship, consume or hand over a lot that a recall quarantines.

        No context key lifts it: a caller over RPC sends any context it likes. The recall's own
        transfers (to the quarantine area, to scrap) go where a quarantined lot may go."""
        lines = self.move_line_ids.filtered(
            lambda line: line.lot_id.recall_blocked
            and line.location_id.usage == "internal"
            and line.location_dest_id.usage not in ALLOWED_USAGES
        )
        if not lines:
            return
        details = ", ".join(
            self.env._(
                "%(lot)s (%(campaigns)s)",
                lot=line.lot_id.display_name,
                campaigns=line.lot_id._recall_blocking_campaign_names(),
            )
            for line in lines[:10]
        )
        raise UserError(
            self.env._(
                "Quarantined by a recall, these lots/serials cannot be shipped or consumed: "
                "%(details)s. A Traceability Manager can release them with a reason.",
                details=details,
            )
        )
