from odoo import models
from odoo.exceptions import ValidationError


class StockMove(models.Model):
    _inherit = "stock.move"

    def _action_done(self, cancel_backorder=False):
        self._udi_check_published_destination()
        return super()._action_done(cancel_backorder=cancel_backorder)

    def _udi_check_published_destination(self):
        """A regulated device leaves for a customer only if its DI is published in the UDI
        database of the destination's jurisdiction (when the company asks for it)."""
        outgoing = self.filtered(
            lambda m: (
                m.product_id.udi_regulated
                and m.location_dest_id.usage == "customer"
                and m.company_id.udi_block_unpublished_shipping
            )
        )
        jurisdictions = {}  # one lookup per destination, not per move
        for move in outgoing:
            partner = move.picking_id.partner_id or move.partner_id
            if partner not in jurisdictions:
                jurisdictions[partner] = partner._udi_jurisdiction() if partner else False
            jurisdiction = jurisdictions[partner]
            if not jurisdiction:
                continue
            base = move.product_id._udi_base_di()
            if base:
                problem = base._udi_shipping_problem(jurisdiction.udi_database)
            else:
                problem = self.env._("does not exist (the device has no base-unit DI)")
            if problem:
                databases = dict(
                    self.env["udi.di.publication"]
                    ._fields["database"]
                    ._description_selection(self.env)
                )
                raise ValidationError(
                    self.env._(
                        "%(device)s cannot be shipped to %(partner)s (%(country)s, "
                        "%(reference)s): its UDI-DI %(di)s %(problem)s, and %(jurisdiction)s "
                        "requires it in %(database)s. Publish the DI record there first, or "
                        "ship a device whose DI is published there.",
                        device=move.product_id.display_name,
                        partner=partner.display_name,
                        country=(
                            partner.country_id or partner.commercial_partner_id.country_id
                        ).name,
                        reference=move.reference or move.picking_id.name or "",
                        di=base.di or "",
                        problem=problem,
                        jurisdiction=jurisdiction.name,
                        database=databases[jurisdiction.udi_database],
                    )
                )
