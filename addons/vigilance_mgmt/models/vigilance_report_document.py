"""Vigilance reports as the documents regulators recognise: EU MIR, FDA 3500A, NMPA form.

``_vigilance_document_data(kind)`` gathers everything a form shows as plain dicts, lists and
strings; the QWeb templates (report/vigilance_report_document_templates.xml), the spreadsheet
(vigilance_report_document_xlsx.py) and the MIR XML (vigilance_report_document_mir.py) only lay
it out, so the PDF, the spreadsheet and the XML of one report never disagree.

Issuing a report (``_vigilance_issue_documents``, called by the core's issue step) renders the
forms of its jurisdiction, attaches them, and records their SHA-256 on the report; a form whose
mandatory fields the data cannot fill refuses the issue and names the fields and where to fill
them (nothing is guessed).
"""

from datetime import datetime
from urllib.parse import quote

from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.audit_seal.tools.workflow import workflow
from odoo.addons.recall_mgmt.tools import zoned_time

from .vigilance_report_document_xlsx import XLSX_MIMETYPE, vigilance_workbook

#: form kind -> (PDF report action xml id, jurisdiction code)
DOCUMENT_KINDS = {
    "mir": ("vigilance_mgmt.action_report_vigilance_mir", "EU"),
    "fda3500a": ("vigilance_mgmt.action_report_vigilance_fda3500a", "FDA"),
    "nmpa": ("vigilance_mgmt.action_report_vigilance_nmpa", "NMPA"),
}
#: form kind -> its name in file names
DOCUMENT_NAMES = {
    "mir": "EU MIR",
    "fda3500a": "FDA 3500A",
    "nmpa": "NMPA adverse event report",
}
#: the FDA wants its forms in English whatever the preparer's language
DOCUMENT_LANG = {"fda3500a": "en_US"}
#: the fields of this file that only the issue step writes
FORM_WORKFLOW_FIELDS = {"form_fda_report_number"}
#: states in which a report is what the regulator received
ISSUED_STATES = ("issued", "filed")

IMDRF_HELP = (
    "IMDRF adverse event terminology code(s), several separated by commas "
    "(imdrf.org, IMDRF/AE WG/N43). "
)


class VigilanceReport(models.Model):
    _inherit = "vigilance.report"

    # ------------------------------------------------------------------ form data the rest of
    # the report cannot give (asked, never guessed)

    form_device_problem_code = fields.Char(
        string="Device problem code (IMDRF Annex A)",
        help=IMDRF_HELP + "EU MIR 7.3.1 section 3 and FDA 3500A H6 device code, e.g. A0401.",
    )
    form_clinical_code = fields.Char(
        string="Clinical signs code (IMDRF Annex E)",
        help=IMDRF_HELP + "What happened to the patient: MIR section 3, FDA H6 patient code.",
    )
    form_health_impact_code = fields.Char(
        string="Health impact code (IMDRF Annex F)",
        help=IMDRF_HELP + "The consequence for the patient (MIR section 3).",
    )
    form_investigation_codes = fields.Char(
        string="Investigation codes (IMDRF Annexes B, C, D)",
        help=IMDRF_HELP + "Type of investigation, findings and conclusion (MIR section 4, FDA "
        "H6 method, results and conclusion codes).",
    )
    form_event_country_id = fields.Many2one(
        "res.country",
        string="Country of the event",
        help="Where the incident happened: the competent authority of the MIR, and whether the "
        "NMPA report is of an event in China (境内) or abroad (境外).",
    )
    form_device_operator = fields.Selection(
        [
            ("professional", "Health care professional"),
            ("patient", "Patient"),
            ("lay", "Other lay user"),
            ("other", "Other"),
        ],
        string="Operator of the device",
        help="Who used the device at the time of the event (FDA 3500A D5, MIR section 3).",
    )
    form_device_usage = fields.Selection(
        [
            ("initial", "Initial use"),
            ("reuse", "Reuse"),
            ("reprocessed", "Reprocessed single-use device"),
            ("unknown", "Unknown"),
        ],
        string="Usage of the device",
        help="FDA 3500A H8, MIR section 3.",
    )
    form_device_evaluated = fields.Selection(
        [
            ("yes", "Yes, evaluated by the manufacturer"),
            ("not_returned", "Not returned to the manufacturer"),
            ("no", "No"),
        ],
        string="Device evaluated by the manufacturer",
        help="FDA 3500A H3.",
    )
    form_report_source = fields.Selection(
        [
            ("professional", "Health professional"),
            ("user_facility", "User facility"),
            ("consumer", "Consumer / patient"),
            ("company", "Company representative"),
            ("distributor", "Distributor"),
            ("foreign", "Foreign"),
            ("literature", "Literature"),
            ("study", "Study"),
            ("other", "Other"),
        ],
        string="Source of the report",
        help="Who told the manufacturer (FDA 3500A G3).",
    )
    form_treatment = fields.Char(
        string="Intended treatment or purpose",
        help="NMPA 预期治疗疾病或作用: the disease treated or the purpose of the use.",
    )
    form_use_process = fields.Text(
        string="Course of use",
        help="NMPA 使用过程: how the device was used up to the event.",
    )
    form_concomitant = fields.Text(
        string="Concomitant medicines and devices",
        help="NMPA 合并用药/械情况.",
    )
    form_investigated = fields.Selection(
        [("yes", "Yes"), ("no", "No")],
        string="Investigated on site",
        help="NMPA 是否开展了现场调查.",
    )
    form_causality = fields.Selection(
        [
            ("related", "Related to the device"),
            ("unrelated", "Not related to the device"),
            ("undetermined", "Cannot be determined"),
        ],
        string="Causality",
        help="NMPA 关联性评价: the manufacturer's assessment of the link between the device "
        "and the event.",
    )
    form_jurisdiction_code = fields.Char(related="jurisdiction_id.code", string="Jurisdiction code")
    form_fda_report_number = fields.Char(
        string="FDA manufacturer report number",
        readonly=True,
        copy=False,
        help="21 CFR 803.52 / 3500A G9: registration number, year and sequence, given when the "
        "initial report is issued; its follow-ups carry the same number.",
    )
    # ------------------------------------------------------------------ guards

    @api.model
    def _workflow_guarded_fields(self):
        guarded = super()._workflow_guarded_fields()
        return guarded | FORM_WORKFLOW_FIELDS

    def write(self, vals):
        if {name for name in vals if name.startswith("form_")} - FORM_WORKFLOW_FIELDS:
            # the form data is content: frozen from the approval on, as the core's content
            self._vigilance_check_editable()
        return super().write(vals)

    def _recall_signed_content(self):
        """The approval signature also binds what the forms say beyond the core content."""
        content = super()._recall_signed_content()
        content["forms"] = {
            name: self._vigilance_signed_value(name)
            for name in sorted(self._vigilance_form_field_names())
        }
        return content

    def _vigilance_signed_value(self, name):
        value = self[name]
        if self._fields[name].type == "many2one":
            return value.code if name == "form_event_country_id" else value.id
        return value or ""

    def _vigilance_next_vals(self, report_type, initial):
        """A follow-up or final report starts from this report's form data too."""
        vals = super()._vigilance_next_vals(report_type, initial)
        for name in self._vigilance_form_field_names():
            field = self._fields[name]
            vals[name] = self[name].id if field.type == "many2one" else self[name]
        return vals

    @api.model
    def _vigilance_form_field_names(self):
        """The form data users enter (stored ``form_*`` fields the issue step does not set)."""
        return [
            name
            for name, field in self._fields.items()
            if name.startswith("form_") and name not in FORM_WORKFLOW_FIELDS and field.store
        ]

    def _vigilance_missing_fields(self):
        """The core's missing fields, plus the empty mandatory fields of the forms due to the
        report's jurisdiction (approval and issue are refused while any is empty)."""
        missing = super()._vigilance_missing_fields()
        if self.report_type == "trend":
            return missing
        for kind in self._vigilance_kinds_of_jurisdiction():
            data = self._vigilance_document_data(kind)
            missing += [
                f"{DOCUMENT_NAMES[kind]} {hint}"
                for hint in self._vigilance_missing_hints(data["sections"])
            ]
        return missing

    # ------------------------------------------------------------------ public API

    @api.model
    def _vigilance_document_kinds(self):
        return list(DOCUMENT_KINDS)

    def _vigilance_kinds_of_jurisdiction(self):
        """The forms due to the report's jurisdiction (EU: MIR, FDA: 3500A, NMPA: its form)."""
        self.ensure_one()
        code = self.jurisdiction_id.code
        return [kind for kind, (_action, kind_code) in DOCUMENT_KINDS.items() if kind_code == code]

    def action_print_vigilance_document(self, kind):
        """The PDF report action of form ``kind`` (mir, fda3500a, nmpa) for these reports."""
        self._vigilance_check_document_kind(kind)
        self.check_access("read")
        for report in self:
            report._vigilance_check_printable(kind)
        return self.env.ref(DOCUMENT_KINDS[kind][0]).report_action(self)

    def action_download_vigilance_xlsx(self, kind):
        """A URL action downloading the spreadsheet of form ``kind`` for this report."""
        self.ensure_one()
        self._vigilance_check_document_kind(kind)
        self.check_access("read")
        self._vigilance_check_printable(kind)
        return {
            "type": "ir.actions.act_url",
            "url": self._vigilance_document_url(kind, "xlsx"),
            "target": "download",
        }

    def action_download_vigilance_mir_xml(self):
        """A URL action downloading the EU MIR as XML."""
        self.ensure_one()
        self.check_access("read")
        self._vigilance_check_printable("mir")
        return {
            "type": "ir.actions.act_url",
            "url": self._vigilance_document_url("mir", "xml"),
            "target": "download",
        }

    # buttons call methods without arguments
    def action_print_vigilance_mir(self):
        return self.action_print_vigilance_document("mir")

    def action_print_vigilance_fda3500a(self):
        return self.action_print_vigilance_document("fda3500a")

    def action_print_vigilance_nmpa(self):
        return self.action_print_vigilance_document("nmpa")

    def action_download_vigilance_xlsx_mir(self):
        return self.action_download_vigilance_xlsx("mir")

    def action_download_vigilance_xlsx_fda3500a(self):
        return self.action_download_vigilance_xlsx("fda3500a")

    def action_download_vigilance_xlsx_nmpa(self):
        return self.action_download_vigilance_xlsx("nmpa")

    # ------------------------------------------------------------------ checks and names

    def _vigilance_check_document_kind(self, kind):
        if kind not in DOCUMENT_KINDS:
            raise UserError(
                self.env._(
                    "Unknown vigilance form %(kind)s: choose one of %(kinds)s.",
                    kind=kind,
                    kinds=", ".join(DOCUMENT_KINDS),
                )
            )

    def _vigilance_check_printable(self, kind):
        """The individual forms report one event; a trend report has its own format."""
        self.ensure_one()
        if self.report_type == "trend":
            raise UserError(
                self.env._(
                    "%(report)s is a trend report: the %(form)s reports one incident. File the "
                    "trend report with its own format.",
                    report=self.display_name,
                    form=DOCUMENT_NAMES[kind],
                )
            )

    def _vigilance_document_url(self, kind, extension):
        self.ensure_one()
        return f"/vigilance_mgmt/report/{self.id}/{quote(kind)}.{extension}"

    def _vigilance_document_filename(self, kind):
        """File name (without extension) shared by the PDF, the spreadsheet and the XML."""
        self.ensure_one()
        return f"{(self.name or '').replace('/', '-')} {DOCUMENT_NAMES[kind]}"

    # ------------------------------------------------------------------ data

    def _vigilance_document_data(self, kind):
        """Everything form ``kind`` shows, as plain values.

        ``{"kind", "title", "subtitle", "reference", "report_type", "initial_reference",
        "filename", "is_draft", "generated_at", "timezone", "sections": [{"title", "rows":
        [{"key", "ref", "label", "gloss", "value", "required", "hint"}]}], "missing": [labels],
        "columns": {table: [(key, label)]}, "patients": [rows], "lots": [rows]}``
        """
        self.ensure_one()
        self._vigilance_check_document_kind(kind)
        self.check_access("read")
        self._vigilance_check_printable(kind)
        if kind in DOCUMENT_LANG:
            self = self.with_context(lang=DOCUMENT_LANG[kind])
        common = self._vigilance_document_common(kind)
        sections = getattr(self, f"_vigilance_sections_{kind}")(common)
        title, subtitle = self._vigilance_document_titles(kind)
        return {
            "kind": kind,
            "title": title,
            "subtitle": subtitle,
            "reference": self._vigilance_document_reference(kind),
            "report": self.name or "",
            "report_type": common["report_type"],
            "initial_reference": common["initial_reference"],
            "filename": self._vigilance_document_filename(kind),
            "is_draft": self.state not in ISSUED_STATES + ("approved",),
            "generated_at": self._vigilance_fmt_datetime(fields.Datetime.now()),
            "timezone": self._vigilance_tz(),
            "sections": sections,
            "missing": self._vigilance_missing_labels(sections),
            "columns": self._vigilance_document_columns(kind),
            "patients": common["patients"],
            "lots": common["lots"],
        }

    def _vigilance_document_titles(self, kind):
        """(title, subtitle) of form ``kind``; the NMPA form keeps its Chinese title."""
        _ = self.env._
        titles = {
            "mir": (
                _("Manufacturer Incident Report (MIR)"),
                _("Serious incidents (MDR/IVDR), form version 7.3.1"),
            ),
            "fda3500a": (
                _("MedWatch FDA Form 3500A"),
                _("Mandatory reporting, manufacturer report (21 CFR 803)"),
            ),
            "nmpa": (
                "可疑医疗器械不良事件报告表",
                _("Suspected medical device adverse event report"),
            ),
        }
        return titles[kind]

    def _vigilance_document_reference(self, kind):
        """The number the regulator knows the case by: FDA's manufacturer report number, else
        the initial report's number (the chain keeps it)."""
        self.ensure_one()
        if kind == "fda3500a":
            return self._vigilance_fda_report_number() or self._vigilance_initial().name or ""
        return self._vigilance_initial().name or ""

    def _vigilance_initial(self):
        """The initial report of the chain (itself for an initial report)."""
        self.ensure_one()
        return self.initial_id or self

    @api.model
    def _vigilance_missing_labels(self, sections):
        """``ref label (gloss)`` of the required fields without a value."""
        return [
            " ".join(part for part in (row["ref"], row["label"]) if part)
            + (f" ({row['gloss']})" if row["gloss"] else "")
            for section in sections
            for row in section["rows"]
            if row["required"] and not row["value"]
        ]

    @api.model
    def _vigilance_missing_hints(self, sections):
        """``label: what to do`` of the required fields without a value."""
        return [
            " ".join(part for part in (row["ref"], row["label"]) if part)
            + (f": {row['hint']}" if row["hint"] else "")
            for section in sections
            for row in section["rows"]
            if row["required"] and not row["value"]
        ]

    @api.model
    def _vigilance_row(self, key, label, value, ref="", gloss="", required=True, hint=""):
        """One field of a form; ``required`` fields without a value are listed as missing, with
        ``hint`` saying where to fill them."""
        return {
            "key": key,
            "ref": ref,
            "label": label,
            "gloss": gloss,
            "value": value if value or value == 0 else "",
            "required": required,
            "hint": hint,
        }

    # ------------------------------------------------------------------ issue

    def _vigilance_issue_documents(self):
        """Render the forms of the report's jurisdiction and attach them; the core seals their
        SHA-256 in the issue's log entry. Refused when a mandatory field of a form is empty."""
        attachments = super()._vigilance_issue_documents()
        if self.report_type == "trend" or self.state != "issued":
            # only the issue step (which sets the state first) produces the documents
            return attachments
        kinds = self._vigilance_kinds_of_jurisdiction()
        self._vigilance_check_forms_complete(kinds)
        self._vigilance_assign_numbers(kinds)
        return attachments | self._vigilance_attach_documents(kinds)

    def _vigilance_check_forms_complete(self, kinds):
        """UserError naming every empty mandatory field of the forms ``kinds``, and where to
        fill it."""
        self.ensure_one()
        problems = []
        for kind in kinds:
            data = self._vigilance_document_data(kind)
            hints = self._vigilance_missing_hints(data["sections"])
            if hints:
                problems.append(f"{DOCUMENT_NAMES[kind]}:\n- " + "\n- ".join(hints))
        if problems:
            raise UserError(
                self.env._(
                    "%(report)s cannot be issued: these mandatory fields of the regulator's form "
                    "are empty. Fill them and issue again.\n%(problems)s",
                    report=self.display_name,
                    problems="\n".join(problems),
                )
            )

    def _vigilance_assign_numbers(self, kinds):
        """Give an initial FDA report its manufacturer report number (follow-ups reuse it)."""
        self.ensure_one()
        if "fda3500a" in kinds and not self._vigilance_fda_report_number():
            self._vigilance_write_fda_number(self._vigilance_fda_new_report_number())

    @workflow
    def _vigilance_write_fda_number(self, number):
        self.sudo().write({"form_fda_report_number": number})

    def _vigilance_attach_documents(self, kinds):
        """PDF and spreadsheet of each form (and the MIR's XML), attached to the report."""
        self.ensure_one()
        files = []
        for kind in kinds:
            files.extend(self._vigilance_render_files(kind))
        return (
            self.env["ir.attachment"]
            .sudo()
            .create(
                [
                    {
                        "name": name,
                        "raw": content,
                        "mimetype": mimetype,
                        "res_model": self._name,
                        "res_id": self.id,
                        "company_id": self.company_id.id,
                    }
                    for name, content, mimetype in files
                ]
            )
        )

    def _vigilance_render_files(self, kind):
        """[(file name, bytes, mimetype)] of form ``kind``."""
        self.ensure_one()
        data = self._vigilance_document_data(kind)
        report = self.env.ref(DOCUMENT_KINDS[kind][0]).sudo()
        if kind in DOCUMENT_LANG:
            report = report.with_context(lang=DOCUMENT_LANG[kind])
        pdf, _format = report._render_qweb_pdf(report.report_name, self.ids)
        files = [
            (f"{data['filename']}.pdf", pdf, "application/pdf"),
            (f"{data['filename']}.xlsx", vigilance_workbook(data), XLSX_MIMETYPE),
        ]
        if kind == "mir":
            files.append((f"{data['filename']}.xml", self._vigilance_mir_xml(data), "text/xml"))
        return files

    # ------------------------------------------------------------------ formatting

    def _vigilance_tz(self):
        """The time zone of the documents: the company's (never the printing user's)."""
        return self.company_id.partner_id.tz or "UTC"

    def _vigilance_fmt_datetime(self, moment):
        """``2026-12-08 01:22 (Asia/Shanghai, UTC+08:00)`` in the document zone."""
        return zoned_time.format_zoned(moment, self._vigilance_tz())

    def _vigilance_today(self):
        """Today in the document zone."""
        return zoned_time.to_local(fields.Datetime.now(), self._vigilance_tz()).date()

    def _vigilance_fmt_date(self, value):
        """``YYYY-MM-DD`` of a date or a datetime (in the document zone)."""
        if not value:
            return ""
        if isinstance(value, datetime):
            return zoned_time.format_local_date(value, self._vigilance_tz())
        return value.isoformat()

    def _vigilance_selection(self, field, record=None):
        record = self if record is None else record
        return dict(record._fields[field]._description_selection(self.env)).get(record[field], "")

    @api.model
    def _vigilance_address(self, partner):
        return self.env["recall.campaign"]._recall_address(partner)
