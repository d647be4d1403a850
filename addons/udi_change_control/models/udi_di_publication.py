from odoo import api, fields, models

#: the UDI databases a DI record is published in
DATABASES = [
    ("nmpa", "NMPA UDI database"),
    ("gudid", "FDA GUDID"),
    ("eudamed", "EUDAMED"),
]

#: life cycle of a UDI-DI and its device record
STATES = [
    ("draft", "Draft"),
    ("review", "In review"),
    ("approved", "Approved"),
    ("published", "Published"),
    ("superseded", "Superseded"),
    ("discontinued", "Discontinued"),
]


class UdiDiPublication(models.Model):
    """A DI record published in one UDI database, from a date: a regulated fact, sealed.

    Created only by the DI's Publish button (``udi.di._udi_publish``); never changed or deleted.
    """

    _name = "udi.di.publication"
    _description = "UDI-DI Publication"
    _inherit = ["audit.seal.mixin", "audit.seal.workflow.mixin"]
    _order = "publish_date, id"
    _workflow_fields = "__all__"
    _seal_fields = ("di_id", "database", "publish_date", "user_id")

    di_id = fields.Many2one(
        "udi.di", string="UDI-DI", required=True, ondelete="restrict", index=True, readonly=True
    )
    product_tmpl_id = fields.Many2one(related="di_id.product_tmpl_id", store=True)
    company_id = fields.Many2one(related="di_id.company_id", store=True)
    database = fields.Selection(DATABASES, required=True, readonly=True)
    publish_date = fields.Date(
        string="Publication date",
        required=True,
        readonly=True,
        help="The date the database published the DI record (GUDID 'DI Record Publish Date', "
        "NMPA 产品标识发布日期).",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Recorded by",
        required=True,
        readonly=True,
        default=lambda self: self.env.user,
    )

    _di_database_unique = models.UniqueIndex(
        "(di_id, database)", "A DI is published once in each database."
    )

    @api.depends("di_id", "database", "publish_date")
    def _compute_display_name(self):
        databases = dict(self._fields["database"]._description_selection(self.env))
        for publication in self:
            publication.display_name = (
                f"{publication.di_id.di or ''} / {databases.get(publication.database, '')} / "
                f"{publication.publish_date or ''}"
            )
