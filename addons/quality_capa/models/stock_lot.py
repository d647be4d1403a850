from odoo import fields, models


class StockLot(models.Model):
    _inherit = "stock.lot"

    capa_nonconformity_count = fields.Integer(
        string="Nonconformities", compute="_compute_capa_nonconformity_count"
    )

    def _compute_capa_nonconformity_count(self):
        NC = self.env["mgmtsystem.nonconformity"]
        if not NC.has_access("read"):
            self.capa_nonconformity_count = 0
            return
        counts = dict(NC._read_group([("lot_ids", "in", self.ids)], ["lot_ids"], ["__count"]))
        for lot in self:
            lot.capa_nonconformity_count = counts.get(lot, 0)

    def action_open_capa_nonconformities(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "mgmtsystem_nonconformity.open_mgmtsystem_nonconformity_list"
        )
        action["domain"] = [("lot_ids", "in", self.ids)]
        action["context"] = {"create": False}
        return action
