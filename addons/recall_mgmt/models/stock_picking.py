from odoo import fields, models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    recall_campaign_id = fields.Many2one(
        "recall.campaign", string="Recall", readonly=True, index="btree_not_null", copy=False
    )
    recall_notice_id = fields.Many2one(
        "recall.notice", readonly=True, index="btree_not_null",
        copy=False,
    )
