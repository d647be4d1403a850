from odoo import fields, models


class ProductTemplate(models.Model):
    _inherit = "product.template"

    udi_min_shelf_life_days = fields.Integer(
        string="Minimum remaining shelf life (days)",
        help="Incoming inspection refuses a received lot/serial that expires sooner than this "
        "many days after its inspection (0: no minimum).",
    )
    udi_registration_expiry = fields.Date(
        string="Registration certificate valid until",
        help="Expiry of the registration certificate (注册证有效期至); incoming inspection "
        "refuses receipts of a device whose certificate has expired.",
    )

    _udi_min_shelf_life_days_positive = models.Constraint(
        "CHECK(udi_min_shelf_life_days >= 0)",
        "The minimum remaining shelf life cannot be negative.",
    )
