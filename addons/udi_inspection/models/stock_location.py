from odoo import fields, models


class StockLocation(models.Model):
    _inherit = "stock.location"

    udi_inspection_location = fields.Boolean(
        string="Incoming inspection stage",
        readonly=True,
        help="Regulated devices received here wait for their incoming inspection: they cannot "
        "be reserved, consumed or shipped until released. Set by the warehouse's 'Incoming "
        "inspection' option.",
    )
