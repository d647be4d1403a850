from odoo import fields, models


class UdiPartnerRole(models.Model):
    _name = "udi.partner.role"
    _description = "Supply-Chain Role"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True, help="Stable key used by code and integrations.")
    sequence = fields.Integer(default=10)
    requires_licence = fields.Boolean(
        help="Partners with this role need a valid business licence before regulated devices are "
        "shipped to them."
    )

    _code_unique = models.UniqueIndex("(code)")
