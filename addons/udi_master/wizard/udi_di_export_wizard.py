from odoo import fields, models


class UdiDiExportWizard(models.TransientModel):
    _name = "udi.di.export.wizard"
    _description = "Export DI Records to a UDI Database"

    product_tmpl_ids = fields.Many2many("product.template", string="Devices")
