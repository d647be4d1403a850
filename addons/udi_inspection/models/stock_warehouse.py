from odoo import api, fields, models
from odoo.exceptions import UserError


class StockWarehouse(models.Model):
    _inherit = "stock.warehouse"

    udi_incoming_inspection = fields.Boolean(
        string="Incoming inspection",
        help="Receipts of regulated devices go to an inspection stage (the input location of a "
        "receipt in 2 or 3 steps): their stock cannot be reserved, consumed or shipped until an "
        "inspector releases it with an electronic signature. Turning it on switches a one-step "
        "reception to two steps.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("udi_incoming_inspection") and vals.get("reception_steps") in (
                None,
                "one_step",
            ):
                vals["reception_steps"] = "two_steps"
        warehouses = super().create(vals_list)
        warehouses._udi_flag_inspection_locations()
        return warehouses

    def write(self, vals):
        if "udi_incoming_inspection" in vals and not vals["udi_incoming_inspection"]:
            self._udi_check_nothing_waiting()
        if vals.get("udi_incoming_inspection"):
            if vals.get("reception_steps") == "one_step" or (
                "reception_steps" not in vals
                and any(wh.reception_steps == "one_step" for wh in self)
            ):
                vals = {**vals, "reception_steps": "two_steps"}
        res = super().write(vals)
        if {"udi_incoming_inspection", "reception_steps"} & vals.keys():
            self._udi_flag_inspection_locations()
        return res

    def _udi_check_nothing_waiting(self):
        """Turning inspection off would release what waits for it: refused while it waits."""
        waiting = (
            self.env["udi.inspection"]
            .sudo()
            .search(
                [
                    ("location_id", "in", self._udi_inspection_locations().ids),
                    ("state", "=", "pending"),
                ]
            )
        )
        if waiting:
            raise UserError(
                self.env._(
                    "%(warehouse)s still has %(count)s lot(s)/serial(s) waiting for incoming "
                    "inspection (%(inspections)s): release or reject them before turning incoming "
                    "inspection off.",
                    warehouse=", ".join(self.mapped("display_name")),
                    count=len(waiting),
                    inspections=", ".join(waiting[:10].mapped("name")),
                )
            )

    def _udi_inspection_locations(self):
        """The locations of the inspection stage: input (2 steps), input and quality (3 steps)."""
        locations = self.env["stock.location"]
        for warehouse in self.filtered("udi_incoming_inspection"):
            if warehouse.reception_steps in ("two_steps", "three_steps"):
                locations |= warehouse.wh_input_stock_loc_id
            if warehouse.reception_steps == "three_steps":
                locations |= warehouse.wh_qc_stock_loc_id
        return locations

    def _udi_flag_inspection_locations(self):
        staged = self._udi_inspection_locations()
        candidates = (self.wh_input_stock_loc_id | self.wh_qc_stock_loc_id).sudo()
        (candidates - staged).filtered("udi_inspection_location").write(
            {"udi_inspection_location": False}
        )
        staged.sudo().filtered(lambda loc: not loc.udi_inspection_location).write(
            {"udi_inspection_location": True}
        )
