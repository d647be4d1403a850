import base64

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError

from ..lib import db_export as di_export
from ..models.udi_di_export import DATABASES


class UdiDiExportWizard(models.TransientModel):
    """Export DI records in the layout of a UDI database, after listing what is
    still missing.

    Export is refused while mandatory data is missing, unless the user ticks
    "Export as draft":
    both databases make the registrant/labeler answerable for complete data
    before the device is
    sold, and NMPA locks key fields once published (REGULATORY.md CN-UDI-5/6,
    US-UDI-5/6). A
    draft carries the list of gaps with it and its file names say DRAFT.
    """

    _name = "udi.di.export.wizard"
    _description = "Export DI Records to a UDI Database"

    database = fields.Selection(DATABASES, string="UDI database", required=True, default="nmpa")
    product_tmpl_ids = fields.Many2many(
        "product.template",
        string="Devices",
        default=lambda self: self._default_product_tmpl_ids(),
        domain=[("udi_regulated", "=", True)],
    )
    export_csv = fields.Boolean(
        string="CSV",
        default=True,
        help="NMPA and GUDID fields as CSV, for review (GUDID: the names of FDA's Data "
        "Elements Reference Table).",
    )
    export_xml = fields.Boolean(
        string="XML",
        default=True,
        help="NMPA: the layout of the NMPA UDI data download. EUDAMED is always XML.",
    )
    export_xlsx = fields.Boolean(
        string="Bulk template (xlsx)",
        default=True,
        help="NMPA: the bulk import template of the NMPA UDI database as an Excel workbook.",
    )
    export_spl = fields.Boolean(
        string="HL7 SPL",
        default=True,
        help="GUDID: one HL7 SPL file per DI record, the format GUDID takes through the FDA "
        "Electronic Submissions Gateway.",
    )
    allow_draft = fields.Boolean(
        string="Export as draft despite missing data",
        help="For review only: the file names say DRAFT and the archive contains the "
        "list of "
        "missing data. Do not upload a draft.",
    )
    issue_ids = fields.One2many(
        "udi.di.export.issue",
        "wizard_id",
        string="Missing or invalid data",
        compute="_compute_issue_ids",
        store=True,
        readonly=True,
    )
    issue_count = fields.Integer(compute="_compute_issue_count")
    state = fields.Selection([("check", "Check"), ("done", "Exported")], default="check")
    export_file = fields.Binary(string="File", readonly=True, attachment=False)
    export_filename = fields.Char(readonly=True)
    export_id = fields.Many2one(
        "udi.di.export",
        string="Export record",
        readonly=True,
        help="The record of this export (not made for a draft).",
    )

    @api.model
    def _default_product_tmpl_ids(self):
        context = self.env.context
        if context.get("active_model") == "product.template" and context.get("active_ids"):
            return [Command.set(context["active_ids"])]
        return False

    @api.depends("database", "product_tmpl_ids")
    def _compute_issue_ids(self):
        for wizard in self:
            commands = [Command.clear()]
            if wizard.database and wizard.product_tmpl_ids:
                commands += [Command.create(vals) for vals in wizard._issue_values()]
            wizard.issue_ids = commands

    @api.depends("issue_ids")
    def _compute_issue_count(self):
        for wizard in self:
            wizard.issue_count = len(wizard.issue_ids)

    def _issue_values(self):
        """Values of the issue lines: devices that are not regulated or have no
        base-unit DI, then every mandatory field the database still lacks."""
        self.ensure_one()
        values = []
        templates = self.product_tmpl_ids
        for template in templates.filtered(lambda t: not t.udi_regulated):
            values.append(
                self._issue_line(
                    template,
                    "udi_regulated",
                    self.env._("Regulated medical device"),
                    self.env._("not marked as a regulated device"),
                )
            )
        for template in templates.filtered("udi_regulated"):
            if not template.udi_di_ids.filtered(lambda d: d.packaging_level == "base"):
                values.append(
                    self._issue_line(
                        template,
                        "primary_di",
                        self.env._("Base-unit DI"),
                        self.env._("no base-unit UDI-DI"),
                    )
                )
        regulated = templates.filtered(
            lambda t: (
                t.udi_regulated and t.udi_di_ids.filtered(lambda d: d.packaging_level == "base")
            )
        )
        for issue in di_export.check(self.database, regulated._udi_db_export_records()):
            label, message = issue["label"], issue["message"]  # marked with _lt in lib
            values.append(
                self._issue_line(
                    self.env["product.template"].browse(issue["key"]),
                    issue["field"],
                    self.env._(label),
                    self.env._(message, **issue["params"]),
                    primary_di=issue["primary_di"],
                )
            )
        return values

    def _issue_line(self, template, field, label, message, primary_di=None):
        return {
            "product_tmpl_id": template.id,
            "database": self.database,
            "primary_di": primary_di or template.udi_primary_di or False,
            "field_key": field,
            "field_label": label,
            "message": message,
        }

    def _formats(self):
        available = di_export.FORMATS[self.database]
        wanted = {
            di_export.FORMAT_XLSX: self.export_xlsx,
            di_export.FORMAT_SPL: self.export_spl,
            di_export.FORMAT_XML: self.export_xml or self.database == di_export.EUDAMED,
            di_export.FORMAT_CSV: self.export_csv,
        }
        return [f for f in available if wanted[f]]

    def action_export(self):
        """Build the export file, or refuse with the reason. Returns the action
        that shows the
        wizard again with the file to download."""
        self.ensure_one()
        if not self.env.user.has_group("udi_master.group_trace_manager"):
            raise AccessError(
                self.env._(
                    "Only a Traceability manager can export DI records to a UDI database; "
                    "ask one to export %(devices)s.",
                    devices=", ".join(self.product_tmpl_ids.mapped("display_name")),
                )
            )
        if not self.product_tmpl_ids:
            raise UserError(self.env._("Choose at least one device to export."))
        formats = self._formats()
        if not formats:
            raise UserError(
                self.env._(
                    "Choose a file format: %(database)s is exported as %(formats)s.",
                    database=dict(self._fields["database"]._description_selection(self.env))[
                        self.database
                    ],
                    formats=" / ".join(f.upper() for f in di_export.FORMATS[self.database]),
                )
            )
        if self.issue_ids and not self.allow_draft:
            raise UserError(
                self.env._(
                    "%(count)s mandatory field(s) are missing or invalid, so these "
                    "DI records would "
                    "be rejected or published incomplete:\n%(issues)s\n\nComplete "
                    "the devices, or "
                    "tick 'Export as draft' to get a file for review only.",
                    count=len(self.issue_ids),
                    issues=self._issue_summary(),
                )
            )
        self._write_export(formats)
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "name": self.env._("Export DI Records"),
        }

    def _issue_summary(self, limit=10):
        lines = [
            f"- {i.product_tmpl_id.display_name or i.primary_di}: {i.field_label} ({i.message})"
            for i in self.issue_ids[:limit]
        ]
        if len(self.issue_ids) > limit:
            lines.append(self.env._("… and %(count)s more", count=len(self.issue_ids) - limit))
        return "\n".join(lines)

    def _write_export(self, formats):
        templates = self.product_tmpl_ids.filtered(
            lambda t: (
                t.udi_regulated and t.udi_di_ids.filtered(lambda d: d.packaging_level == "base")
            )
        )
        today = fields.Date.context_today(self)
        try:
            files = di_export.export_files(
                self.database, templates._udi_db_export_records(), formats, today
            )
        except ValueError as exc:
            raise UserError(
                self.env._(
                    "The %(database)s export could not be produced: %(error)s",
                    database=self.database,
                    error=exc,
                )
            ) from None
        draft = bool(self.issue_ids)
        if draft:
            files = [(f"DRAFT_{name}", data) for name, data in files]
            files.append((f"DRAFT_missing_data_{self.database}.csv", self._issues_csv()))
        if len(files) == 1:
            name, data = files[0]
        else:
            prefix = "DRAFT_" if draft else ""
            name = f"{prefix}udi_{self.database}_{today.strftime('%Y%m%d')}.zip"
            data = di_export.zip_files(files)
        export = self.env["udi.di.export"]
        if not draft:
            dis = templates.udi_di_ids.filtered(lambda d: d.packaging_level == "base")
            export = export._udi_record(self.database, dis, templates, formats, name, data)
        self.write(
            {
                "export_file": base64.b64encode(data),
                "export_filename": name,
                "export_id": export.id,
                "state": "done",
            }
        )

    def _issues_csv(self):
        headers = (
            self.env._("Device"),
            self.env._("Primary DI"),
            self.env._("Database"),
            self.env._("Field"),
            self.env._("Problem"),
        )
        database_names = dict(self._fields["database"]._description_selection(self.env))
        rows = [
            dict(
                zip(
                    headers,
                    (
                        i.product_tmpl_id.display_name or "",
                        i.primary_di or "",
                        database_names[i.database],
                        i.field_label,
                        i.message,
                    ),
                    strict=True,
                )
            )
            for i in self.issue_ids
        ]
        return di_export.to_csv(headers, rows, bom=True)


class UdiDiExportIssue(models.TransientModel):
    _name = "udi.di.export.issue"
    _description = "Missing or Invalid DI Database Data"
    _order = "id"

    wizard_id = fields.Many2one("udi.di.export.wizard", required=True, ondelete="cascade")
    product_tmpl_id = fields.Many2one("product.template", string="Device")
    primary_di = fields.Char(string="Primary DI")
    database = fields.Selection(DATABASES, string="UDI database")
    field_key = fields.Char(string="Field key", help="Stable key of the layout column.")
    field_label = fields.Char(string="Field")
    message = fields.Char(string="Problem")
