import hashlib

from odoo import api, fields, models
from odoo.exceptions import UserError

DATABASES = [
    ("nmpa", "NMPA UDI database (China)"),
    ("gudid", "FDA GUDID (United States)"),
    ("eudamed", "EUDAMED (European Union)"),
]


class UdiDiExport(models.Model):
    """One export of DI records to a UDI database, as produced (never a draft).

    The record is the evidence of what was sent where and by whom: the DIs, the database, the
    file (an attachment) and its SHA-256. It is written once by the export wizard and never
    changed: nobody gets write access, and unlink is refused.
    """

    _name = "udi.di.export"
    _description = "DI Database Export"
    _order = "create_date desc, id desc"
    _rec_name = "file_name"
    _check_company_auto = True

    database = fields.Selection(DATABASES, string="UDI database", required=True, readonly=True)
    formats = fields.Char(readonly=True, help="File formats in the export.")
    di_ids = fields.Many2many(
        "udi.di",
        string="Exported DIs",
        readonly=True,
        check_company=True,
        help="The base-unit DIs whose records were exported.",
    )
    di_count = fields.Integer(string="DIs", compute="_compute_di_count")
    product_tmpl_ids = fields.Many2many(
        "product.template", string="Devices", readonly=True, check_company=True
    )
    user_id = fields.Many2one(
        "res.users",
        string="Exported by",
        required=True,
        readonly=True,
        default=lambda self: self.env.user,
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        readonly=True,
        index=True,
        default=lambda self: self.env.company,
    )
    attachment_id = fields.Many2one("ir.attachment", readonly=True)
    file = fields.Binary(related="attachment_id.datas", string="File")
    file_name = fields.Char(string="File name", readonly=True)
    checksum = fields.Char(
        string="SHA-256", readonly=True, help="SHA-256 of the exported file, hexadecimal."
    )

    @api.depends("di_ids")
    def _compute_di_count(self):
        for export in self:
            export.di_count = len(export.di_ids)

    def write(self, vals):
        if not self.env.su:
            raise UserError(
                self.env._(
                    "Export %(names)s is the record of what was sent to a UDI database and cannot "
                    "be changed. Export again to send new data.",
                    names=", ".join(self.mapped("display_name")),
                )
            )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(
            self.env._(
                "Export %(names)s is the record of what was sent to a UDI database and cannot be "
                "deleted.",
                names=", ".join(self.mapped("display_name")),
            )
        )

    @api.model
    def _udi_record(self, database, dis, templates, formats, file_name, data):
        """Create the export record with its file and call the DIs' ``_udi_exported`` hook."""
        export = self.sudo().create(
            {
                "database": database,
                "formats": ", ".join(formats),
                "di_ids": [fields.Command.set(dis.ids)],
                "product_tmpl_ids": [fields.Command.set(templates.ids)],
                "user_id": self.env.user.id,
                "company_id": self.env.company.id,
                "file_name": file_name,
                "checksum": hashlib.sha256(data).hexdigest(),
            }
        )
        attachment = (
            self.env["ir.attachment"]
            .sudo()
            .create(
                {
                    "name": file_name,
                    "raw": data,
                    "res_model": self._name,
                    "res_id": export.id,
                    "company_id": export.company_id.id,
                }
            )
        )
        export.sudo().attachment_id = attachment
        dis._udi_exported(database, export)
        return export.sudo(False)
