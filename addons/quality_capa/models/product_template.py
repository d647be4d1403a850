from odoo import fields, models


class ProductTemplate(models.Model):
    _inherit = "product.template"

    capa_nonconformity_count = fields.Integer(
        string="Nonconformities", compute="_compute_capa_nonconformity_count"
    )

    def _capa_domain(self):
        return [("product_ids.product_tmpl_id", "in", self.ids)]

    def _compute_capa_nonconformity_count(self):
        NC = self.env["mgmtsystem.nonconformity"]
        if not NC.has_access("read"):
            self.capa_nonconformity_count = 0
            return
        for template in self:
            template.capa_nonconformity_count = NC.search_count(template._capa_domain())

    def action_open_capa_nonconformities(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "mgmtsystem_nonconformity.open_mgmtsystem_nonconformity_list"
        )
        action["domain"] = self._capa_domain()
        action["context"] = {"create": False}
        return action
