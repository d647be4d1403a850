from odoo import fields, models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    udi_inspection_ids = fields.One2many(
        "udi.inspection", "picking_id", string="Incoming inspections"
    )
    udi_inspection_count = fields.Integer(compute="_compute_udi_inspection_count")

    def _compute_udi_inspection_count(self):
        for picking in self:
            picking.udi_inspection_count = len(picking.udi_inspection_ids)

    def action_view_udi_inspections(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "udi_inspection.udi_inspection_action"
        )
        action["domain"] = [("picking_id", "=", self.id)]
        action["context"] = {"create": False}
        if len(self.udi_inspection_ids) == 1:
            action.update(
                view_mode="form", views=[(False, "form")], res_id=self.udi_inspection_ids.id
            )
        return action
