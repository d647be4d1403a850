from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    udi_block_unpublished_shipping = fields.Boolean(
        string="Ship only published DIs",
        default=True,
        help="Refuse to validate the shipment of a regulated device to a destination whose "
        "jurisdiction uses a UDI database in which the device's DI is not published.",
    )
