from odoo import api, models

from .stock_move import ALLOWED_USAGES


class StockMoveLine(models.Model):
    _inherit = "stock.move.line"

    @api.onchange("lot_id")
    def _onchange_recall_blocked_lot(self):
        """Warn the clerk who picks or scans a quarantined unit for a delivery or a consumption
        at once, not only when the transfer is validated (which refuses it)."""
        lot = self.lot_id
        if not lot.recall_blocked or self.location_dest_id.usage in ALLOWED_USAGES:
            return None
        return {
            "warning": {
                "title": self.env._("Quarantined by a recall"),
                "message": self.env._(
                    "%(lot)s is quarantined by %(campaigns)s: it cannot be shipped or consumed "
                    "until a Traceability Manager releases it. Put it aside and take another "
                    "unit.",
                    lot=lot.display_name,
                    campaigns=lot._recall_blocking_campaign_names(),
                ),
            }
        }
