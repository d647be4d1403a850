from odoo import fields, models


class MgmtsystemNonconformity(models.Model):
    _inherit = "mgmtsystem.nonconformity"

    udi_inspection_id = fields.Many2one(
        "udi.inspection",
        string="Incoming inspection",
        readonly=True,
        index="btree_not_null",
        copy=False,
    )
    udi_product_id = fields.Many2one("product.product", string="Device", readonly=True)
    udi_lot_id = fields.Many2one("stock.lot", string="Lot/Serial", readonly=True)
