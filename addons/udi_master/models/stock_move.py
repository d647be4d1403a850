from odoo import fields, models
from odoo.exceptions import ValidationError


class StockMove(models.Model):
    _inherit = "stock.move"

    def _action_done(self, cancel_backorder=False):
        self._udi_check_outgoing()
        return super()._action_done(cancel_backorder=cancel_backorder)

    def _udi_check_outgoing(self):
        """Regulated devices leaving for a customer: the consignee needs a valid licence and no
        expired lot may be shipped."""
        outgoing = self.filtered(
            lambda m: m.product_id.udi_regulated and m.location_dest_id.usage == "customer"
        )
        if not outgoing:
            return
        consignees = (outgoing.picking_id.partner_id | outgoing.partner_id)
        consignees._udi_check_can_receive_devices()
        today = fields.Date.context_today(self)
        for line in outgoing.move_line_ids.filtered(lambda ml: ml.lot_id and ml.quantity):
            expiry = line.lot_id.udi_expiry_date
            if expiry and expiry < today:
                raise ValidationError(self.env._(
                    "Lot %(lot)s of %(device)s expired on %(date)s and cannot be shipped "
                    "(%(reference)s).",
                    lot=line.lot_id.name, device=line.product_id.display_name,
                    date=expiry.isoformat(), reference=line.reference or ""))
