from odoo import fields, models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    recall_portal_requested = fields.Boolean(
        string="Requested by the Consignee",
        readonly=True,
        copy=False,
        help="The consignee asked for this return in the portal or over the API. It stays a "
        "draft until someone here confirms it (or cancels it).",
    )
