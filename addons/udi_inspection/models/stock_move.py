import contextvars
from contextlib import contextmanager

from odoo import models
from odoo.exceptions import UserError

#: the destination usage of the move being reserved (a Python context variable, not an Odoo
#: context key: a remote caller cannot set it)
_RESERVING_DEST = contextvars.ContextVar("udi_inspection_reserving_dest", default=None)


def reserving_for():
    """Usage of the destination of the move whose reservation is running, or None."""
    return _RESERVING_DEST.get()


@contextmanager
def _reserving(usage):
    token = _RESERVING_DEST.set(usage)
    try:
        yield
    finally:
        _RESERVING_DEST.reset(token)


class StockMove(models.Model):
    _inherit = "stock.move"

    def _update_reserved_quantity_vals(
        self, need, location_id, lot_id=None, package_id=None, owner_id=None, strict=True
    ):
        with _reserving(self.location_dest_id.usage):
            return super()._update_reserved_quantity_vals(
                need,
                location_id,
                lot_id=lot_id,
                package_id=package_id,
                owner_id=owner_id,
                strict=strict,
            )

    def _action_done(self, cancel_backorder=False):
        self._udi_check_inspection_stage()
        return super()._action_done(cancel_backorder=cancel_backorder)

    def _udi_check_inspection_stage(self):
        """Refuse to store regulated devices received from a supplier anywhere but the
        inspection stage of a warehouse that inspects, and to move units out of the stage before
        their inspection released them (a rejected lot may only go back to its supplier or be
        destroyed)."""
        lines = self.move_line_ids.filtered(
            lambda ml: (
                ml.product_id.udi_regulated and ml.quantity and ml.picked and ml.move_id.picked
            )
        )
        for line in lines:
            src, dest = line.location_id, line.location_dest_id
            warehouse = dest.warehouse_id
            if (
                src.usage == "supplier"
                and dest.usage == "internal"
                and warehouse.udi_incoming_inspection
                and not dest.udi_inspection_location
            ):
                raise UserError(
                    self.env._(
                        "%(device)s is a regulated device: a receipt from a supplier into "
                        "%(warehouse)s goes to its incoming inspection (%(stage)s), not to "
                        "%(location)s. Receive it into the inspection location.",
                        device=line.product_id.display_name,
                        warehouse=warehouse.display_name,
                        stage=", ".join(
                            warehouse._udi_inspection_locations().mapped("display_name")
                        ),
                        location=dest.display_name,
                    )
                )
        staged = lines.filtered(
            lambda ml: (
                ml.location_id.udi_inspection_location
                and not ml.location_dest_id.udi_inspection_location
                and ml.location_dest_id.usage != "inventory"
            )
        )
        self._udi_check_released(staged)

    def _udi_check_released(self, lines):
        Inspection = self.env["udi.inspection"]
        for (product, company), group in lines.grouped(
            lambda ml: (ml.product_id, ml.company_id)
        ).items():
            states = Inspection._udi_blocking_states(product, group.lot_id, company)
            for line in group:
                state = states.get(line.lot_id.id or False)
                if state == "pending":
                    raise UserError(
                        self.env._(
                            "%(device)s %(lot)s in %(location)s waits for its incoming inspection: "
                            "it cannot be reserved, consumed or shipped until an inspector "
                            "releases it. Open Traceability > Incoming Inspections.",
                            device=product.display_name,
                            lot=line.lot_id.name or "",
                            location=line.location_id.display_name,
                        )
                    )
                if state == "rejected" and line.location_dest_id.usage != "supplier":
                    raise UserError(
                        self.env._(
                            "%(device)s %(lot)s was rejected at incoming inspection: it can only "
                            "be returned to the supplier (its return transfer is prepared) or "
                            "scrapped.",
                            device=product.display_name,
                            lot=line.lot_id.name or "",
                        )
                    )

    # ------------------------------------------------------------------ EPCIS

    def _trace_step(self):
        """For a regulated device: receiving into the inspection stage, not sellable until
        inspected (CBV non_sellable_other); leaving it for stock, the inspection passed and the
        units are active; between two stage locations (3-step receipt), still being
        inspected. Other products keep trace_events' steps."""
        src, dest = self.location_id, self.location_dest_id
        if not self.product_id.udi_regulated:
            return super()._trace_step()
        if dest.udi_inspection_location and src.usage == "supplier":
            return "receiving", "non_sellable_other", "observe"
        if src.udi_inspection_location and dest.udi_inspection_location:
            return "inspecting", "in_progress", "observe"
        if src.udi_inspection_location and dest.usage == "internal":
            return "inspecting", "active", "observe"
        return super()._trace_step()
