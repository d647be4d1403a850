from odoo import fields, models

from .udi_di_publication import DATABASES


class RecallJurisdiction(models.Model):
    _inherit = "recall.jurisdiction"

    udi_database = fields.Selection(
        DATABASES,
        string="UDI database",
        help="The UDI database of this jurisdiction: a regulated device shipped to one of its "
        "countries must have its DI published there.",
    )
    country_ids = fields.Many2many(
        "res.country",
        string="Countries",
        help="Destinations in these countries fall under this jurisdiction.",
    )


class RecallDeadlineRule(models.Model):
    _inherit = "recall.deadline.rule"

    milestone = fields.Selection(
        selection_add=[("udi_record_update", "UDI database record update")],
        ondelete={"udi_record_update": "cascade"},
    )
