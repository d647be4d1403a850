from odoo import fields, models


class UdiLabelWizard(models.TransientModel):
    _name = "udi.label.wizard"
    _description = "Print UDI Labels"

    lot_ids = fields.Many2many("stock.lot", string="Lots / serials")
