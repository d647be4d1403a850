from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    udi_block_unpublished_shipping = fields.Boolean(
        related="company_id.udi_block_unpublished_shipping", readonly=False
    )
