"""FDA: the content of MedWatch Form 3500A as a device manufacturer files it (21 CFR 803.52),
sections A (patient), B (event), D (device), E (initial reporter), G (all manufacturers) and
H (device manufacturers). Section C (drugs) and F (user facilities and importers) do not apply
to a manufacturer's device report. In English whatever the preparer's language.
"""

from odoo import models
from odoo.exceptions import UserError

FDA_SEQUENCE = "vigilance_mgmt.seq_vigilance_fda_report"


class VigilanceReport(models.Model):
    _inherit = "vigilance.report"

    # ------------------------------------------------------------------ report number

    def _vigilance_fda_report_number(self):
        """The manufacturer report number of the chain (the initial report's), if given."""
        self.ensure_one()
        return self._vigilance_initial().form_fda_report_number or ""

    def _vigilance_fda_new_report_number(self):
        """``RRRRRRR-YYYY-NNNNN`` (3500A G9): the company's FDA registration number, the year
        and a sequence restarting every year. Refused without a registration number."""
        self.ensure_one()
        registration = self.company_id.recall_fda_registration
        if not registration:
            raise UserError(
                self.env._(
                    "%(report)s cannot be issued to the FDA: the manufacturer report number "
                    "(3500A G9) starts with the FDA establishment registration number. Set it "
                    "in the settings of %(company)s and issue again.",
                    report=self.display_name,
                    company=self.company_id.display_name,
                )
            )
        today = self._vigilance_today()
        sequence = self.env["ir.sequence"].sudo().with_company(self.company_id)
        number = sequence.next_by_code("vigilance.report.fda", sequence_date=today)
        return f"{registration}-{today.year}-{number}"

    # ------------------------------------------------------------------ sections

    def _vigilance_sections_fda3500a(self, common):
        return [
            self._vigilance_fda_patient_section(common),
            self._vigilance_fda_event_section(common),
            self._vigilance_fda_device_section(common),
            self._vigilance_fda_reporter_section(),
            self._vigilance_fda_manufacturer_section(common),
            self._vigilance_fda_device_manufacturer_section(common),
        ]

    def _vigilance_fda_patient_section(self, common):
        _ = self.env._
        row = self._vigilance_row
        patients = common["patients"]
        join = self._vigilance_join
        return {
            "title": _("A. Patient information"),
            "rows": [
                row(
                    "patient_id",
                    _("Patient identifier (pseudonym)"),
                    join(p["pseudonym"] for p in patients),
                    ref="A1",
                    required=bool(patients),
                ),
                row("age", _("Age"), join(p["age"] for p in patients), ref="A2", required=False),
                row("sex", _("Sex"), join(p["sex"] for p in patients), ref="A3", required=False),
            ],
        }

    def _vigilance_fda_event_section(self, common):
        _ = self.env._
        row = self._vigilance_row
        patients = common["patients"]
        kinds = [_("Adverse event")] if patients else []
        if self.form_device_problem_code:
            kinds.append(_("Product problem"))
        return {
            "title": _("B. Adverse event or product problem"),
            "rows": [
                row(
                    "event_kind",
                    _("Adverse event / product problem"),
                    ", ".join(kinds),
                    ref="B1",
                    hint=_("name the patients affected or the device problem code"),
                ),
                row(
                    "outcomes",
                    _("Outcomes attributed to the adverse event"),
                    self._vigilance_join(p["outcome"] for p in patients),
                    ref="B2",
                    required=bool(patients),
                    hint=_("set each patient's outcome"),
                ),
                row(
                    "event_date",
                    _("Date of event"),
                    self._vigilance_fmt_date(self.event_date),
                    ref="B3",
                    hint=_("set the event date on the report"),
                ),
                row(
                    "report_date",
                    _("Date of this report"),
                    self._vigilance_fmt_date(self.issued_at or self._vigilance_today()),
                    ref="B4",
                ),
                row(
                    "narrative",
                    _("Describe event or problem"),
                    common["narrative"],
                    ref="B5",
                    hint=_("write the narrative on the report"),
                ),
            ],
        }

    def _vigilance_fda_device_section(self, common):
        _ = self.env._
        row = self._vigilance_row
        template = self.product_id.product_tmpl_id
        company = self.company_id
        product_hint = _("complete the device's FDA data on the product")
        return {
            "title": _("D. Suspect medical device"),
            "rows": [
                row("brand", _("Brand name"), template.udi_brand, ref="D1", hint=product_hint),
                row("common_name", _("Common device name"), self.product_id.name or "", ref="D2a"),
                row(
                    "procode",
                    _("Product code"),
                    template.udi_fda_product_code,
                    ref="D2b",
                    hint=product_hint,
                ),
                row(
                    "manufacturer",
                    _("Manufacturer name, city and state"),
                    ", ".join(p for p in (company.name, company.city, company.state_id.name) if p),
                    ref="D3",
                ),
                row("model", _("Model number"), template.udi_model, ref="D4", required=False),
                row(
                    "catalog",
                    _("Catalog number"),
                    self.product_id.default_code,
                    ref="D4",
                    required=False,
                ),
                row(
                    "serials", _("Serial numbers"), common["serial_names"], ref="D4", required=False
                ),
                row("lots", _("Lot numbers"), common["lot_names"], ref="D4", required=False),
                row(
                    "expiry",
                    _("Expiration dates"),
                    common["expiry_dates"],
                    ref="D4",
                    required=False,
                ),
                row(
                    "udi",
                    _("Unique Identifier (UDI) #"),
                    common["udi_di"],
                    ref="D4",
                    hint=product_hint,
                ),
                *self._vigilance_fda_device_use_rows(),
            ],
        }

    def _vigilance_fda_device_use_rows(self):
        """D5 to D10: who used the device, how, and whether it can be evaluated."""
        _ = self.env._
        row = self._vigilance_row
        return [
            row(
                "operator",
                _("Operator of device"),
                self._vigilance_selection("form_device_operator"),
                ref="D5",
                hint=_("fill it in the report's Regulatory forms tab"),
            ),
            row(
                "reprocessed",
                _("Single-use device reprocessed and reused on a patient"),
                self._vigilance_yes_no(self.form_device_usage == "reprocessed")
                if self.form_device_usage
                else "",
                ref="D8",
                hint=_("set the usage of the device in the Regulatory forms tab"),
            ),
            row(
                "available",
                _("Device available for evaluation"),
                self._vigilance_selection("form_device_evaluated"),
                ref="D10",
                hint=_("fill it in the report's Regulatory forms tab"),
            ),
        ]

    def _vigilance_fda_reporter_section(self):
        _ = self.env._
        row = self._vigilance_row
        reporter = self.reporter_partner_id
        return {
            "title": _("E. Initial reporter"),
            "rows": [
                row(
                    "reporter",
                    _("Name and address"),
                    ", ".join(p for p in (reporter.name, self._vigilance_address(reporter)) if p),
                    ref="E1",
                    hint=_("set the reporter on the report"),
                ),
                row(
                    "reporter_contact",
                    _("Phone and e-mail"),
                    ", ".join(p for p in (reporter.phone, reporter.email) if p),
                    ref="E1",
                    required=False,
                ),
            ],
        }

    def _vigilance_fda_type_of_report(self, common):
        """G7: 5-day (a serious public health threat needing remedial action) or 30-day, and
        initial or follow-up with its number."""
        _ = self.env._
        delay = _("5-day") if common["severity_class"] == "threat" else _("30-day")
        if common["follow_up_number"]:
            return _(
                "%(delay)s, follow-up #%(number)s", delay=delay, number=common["follow_up_number"]
            )
        return _("%(delay)s, initial", delay=delay)

    def _vigilance_fda_manufacturer_section(self, common):
        _ = self.env._
        row = self._vigilance_row
        company = self.company_id
        template = self.product_id.product_tmpl_id
        contact = self._vigilance_contact()
        return {
            "title": _("G. All manufacturers"),
            "rows": [
                row(
                    "contact_office",
                    _("Contact office, name and address"),
                    f"{contact['name']}, {company.name}, "
                    f"{self._vigilance_address(company.partner_id)}",
                    ref="G1",
                ),
                row(
                    "phone",
                    _("Phone number"),
                    contact["phone"],
                    ref="G2",
                    hint=_("set a phone number on the signer or the company"),
                ),
                row(
                    "source",
                    _("Report source"),
                    self._vigilance_selection("form_report_source"),
                    ref="G3",
                    hint=_("fill it in the report's Regulatory forms tab"),
                ),
                row(
                    "received",
                    _("Date received by manufacturer"),
                    self._vigilance_fmt_date(self.awareness_date),
                    ref="G4",
                ),
                row(
                    "premarket",
                    _("PMA / 510(k) number"),
                    template.udi_fda_premarket_number,
                    ref="G5",
                    hint=_("set the FDA premarket number on the product"),
                ),
                row(
                    "report_type",
                    _("Type of report"),
                    self._vigilance_fda_type_of_report(common),
                    ref="G7",
                ),
                row(
                    "report_number",
                    _("Manufacturer report number"),
                    self._vigilance_fda_report_number(),
                    ref="G9",
                    required=False,
                ),
            ],
        }

    def _vigilance_fda_device_manufacturer_section(self, common):
        _ = self.env._
        row = self._vigilance_row
        template = self.product_id.product_tmpl_id
        event_types = {
            "death": _("Death"),
            "threat": _("Serious injury"),
            "serious": _("Serious injury"),
            "other": _("Malfunction"),
        }
        form_hint = _("fill it in the report's Regulatory forms tab")
        later = self.report_type != "initial"
        return {
            "title": _("H. Device manufacturers only"),
            "rows": [
                row(
                    "event_type",
                    _("Type of reportable event"),
                    event_types.get(common["severity_class"], ""),
                    ref="H1",
                    hint=_("set the report's severity"),
                ),
                row(
                    "follow_up_type",
                    _("If follow-up, what type"),
                    _("Additional information") if later else "",
                    ref="H2",
                    required=False,
                ),
                row(
                    "evaluated",
                    _("Device evaluated by manufacturer"),
                    self._vigilance_selection("form_device_evaluated"),
                    ref="H3",
                    hint=form_hint,
                ),
                row(
                    "manufactured",
                    _("Device manufacture date"),
                    common["manufacture_dates"],
                    ref="H4",
                    required=False,
                ),
                row(
                    "single_use",
                    _("Labeled for single use"),
                    self._vigilance_yes_no(template.udi_single_use),
                    ref="H5",
                ),
                *self._vigilance_fda_code_rows(common),
            ],
        }

    def _vigilance_fda_code_rows(self, common):
        """H6 to H10: the event problem and evaluation codes, remedial action, usage, narrative."""
        _ = self.env._
        row = self._vigilance_row
        form_hint = _("fill it in the report's Regulatory forms tab")
        return [
            row(
                "device_code",
                _("Device problem code"),
                self.form_device_problem_code,
                ref="H6",
                hint=form_hint,
            ),
            row(
                "patient_code",
                _("Patient problem code"),
                self.form_clinical_code,
                ref="H6",
                required=bool(common["patients"]),
                hint=form_hint,
            ),
            row(
                "evaluation_codes",
                _("Method, results and conclusion codes"),
                self.form_investigation_codes,
                ref="H6",
                hint=form_hint,
            ),
            row(
                "remedial_action",
                _("Remedial action initiated"),
                common["corrective_action"],
                ref="H7",
                required=False,
            ),
            row(
                "usage",
                _("Usage of device"),
                self._vigilance_selection("form_device_usage"),
                ref="H8",
                hint=form_hint,
            ),
            row(
                "narrative",
                _("Additional manufacturer narrative"),
                common["root_cause"],
                ref="H10",
                required=False,
            ),
            row("signature", _("Signed"), common["signature"], required=False),
        ]
