"""EU: the Manufacturer Incident Report (MIR) form, version 7.3.1, for serious incidents under
MDR Art. 87 / IVDR Art. 82, as PDF, spreadsheet and XML.

The sections follow the form: 1 administrative information, 2 medical device, 3 incident,
4 manufacturer's investigation. The XML carries the same fields in the form's order, each with
its section reference (see readme/VIGILANCE_FORMS.md for what is and is not verified against the
Commission's published XSD).
"""

from lxml import etree

from odoo import models

from .vigilance_report_document_common import EU_EEA

MIR_NAMESPACE = "urn:udi-traceability-suite:vigilance:eu-mir:7.3.1"
MIR_FORM_VERSION = "7.3.1"


class VigilanceReport(models.Model):
    _inherit = "vigilance.report"

    def _vigilance_sections_mir(self, common):
        return [
            self._vigilance_mir_admin_section(common),
            self._vigilance_mir_manufacturer_section(),
            self._vigilance_mir_device_section(common),
            self._vigilance_mir_incident_section(common),
            self._vigilance_mir_investigation_section(common),
        ]

    def _vigilance_mir_type(self, common):
        _ = self.env._
        return {
            "initial": _("Initial report"),
            "follow_up": _("Follow-up report"),
            "final": _("Final report"),
        }.get(self.report_type, common["report_type"])

    def _vigilance_mir_admin_section(self, common):
        _ = self.env._
        row = self._vigilance_row
        country = self.form_event_country_id
        threat = common["severity_class"] == "threat"
        later = self.report_type != "initial"
        return {
            "title": _("1. Administrative information"),
            "rows": [
                row(
                    "nca",
                    _("Competent authority of the country of the incident"),
                    country.name or "",
                    ref="1.1",
                    hint=_("set the country of the event in the report's Regulatory forms tab"),
                ),
                row(
                    "report_date",
                    _("Date of this report"),
                    self._vigilance_fmt_date(self.issued_at or self._vigilance_today()),
                    ref="1.2",
                ),
                row("mfr_reference", _("Manufacturer's reference number"), self.name, ref="1.2"),
                row(
                    "report_type", _("Type of report"), self._vigilance_mir_type(common), ref="1.2"
                ),
                row(
                    "initial_reference",
                    _("Manufacturer's reference of the initial report"),
                    common["initial_reference"],
                    ref="1.2",
                    required=later,
                    hint=_("link the report to its initial report"),
                ),
                row(
                    "nca_reference",
                    _("Competent authority's reference of the incident"),
                    common["initial_regulator_reference"],
                    ref="1.2",
                    required=False,
                ),
                row(
                    "earlier_reports",
                    _("Earlier reports"),
                    common["chain"],
                    ref="1.2",
                    required=False,
                ),
                row(
                    "classification",
                    _("Classification of the incident"),
                    common["severity"],
                    ref="1.2",
                    hint=_("set the report's severity"),
                ),
                row(
                    "public_health_threat",
                    _("Serious public health threat"),
                    self._vigilance_yes_no(threat),
                    ref="1.2",
                ),
                row("submitter", _("Status of the submitter"), _("Manufacturer"), ref="1.3"),
            ],
        }

    def _vigilance_mir_manufacturer_section(self):
        _ = self.env._
        row = self._vigilance_row
        company = self.company_id
        template = self.product_id.product_tmpl_id
        contact = self._vigilance_contact()
        outside = (company.country_id.code or "") not in EU_EEA
        return {
            "title": _("1.4 Manufacturer and authorised representative"),
            "rows": [
                row("mfr_name", _("Manufacturer name"), company.name, ref="1.4"),
                row(
                    "mfr_srn",
                    _("Manufacturer SRN"),
                    template.udi_eu_manufacturer_srn or company.recall_eu_srn,
                    ref="1.4",
                    hint=_("set the EU SRN in the company settings or on the product"),
                ),
                row(
                    "mfr_address",
                    _("Address"),
                    self._vigilance_address(company.partner_id),
                    ref="1.4",
                    hint=_("complete the company address"),
                ),
                row("mfr_contact", _("Contact person"), contact["name"], ref="1.4"),
                row(
                    "mfr_phone",
                    _("Telephone"),
                    contact["phone"],
                    ref="1.4",
                    hint=_("set a phone number on the signer or the company"),
                ),
                row(
                    "mfr_email",
                    _("E-mail"),
                    contact["email"],
                    ref="1.4",
                    hint=_("set an e-mail address on the signer or the company"),
                ),
                row(
                    "ar_srn",
                    _("Authorised representative SRN"),
                    template.udi_eu_ar_srn,
                    ref="1.5",
                    required=outside,
                    hint=_(
                        "a manufacturer outside the EU names its authorised representative: "
                        "set the AR SRN on the product"
                    ),
                ),
            ],
        }

    def _vigilance_mir_device_section(self, common):
        _ = self.env._
        row = self._vigilance_row
        template = self.product_id.product_tmpl_id
        product_hint = _("complete the device's UDI data on the product")
        return {
            "title": _("2. Medical device information"),
            "rows": [
                row(
                    "basic_udi_di",
                    _("Basic UDI-DI"),
                    template.udi_basic_di,
                    ref="2.1",
                    hint=product_hint,
                ),
                row("udi_di", _("UDI-DI"), common["udi_di"], ref="2.1", hint=product_hint),
                row(
                    "nomenclature",
                    _("Nomenclature code (EMDN)"),
                    template.udi_emdn_code or "",
                    ref="2.1",
                    hint=product_hint,
                ),
                row("gmdn", _("GMDN code"), template.udi_gmdn_code, ref="2.1", required=False),
                row(
                    "trade_name",
                    _("Device name / trade name"),
                    template.udi_brand or self.product_id.display_name,
                    ref="2.1",
                ),
                row(
                    "model",
                    _("Model / catalogue number"),
                    template.udi_model or self.product_id.default_code,
                    ref="2.1",
                    hint=product_hint,
                ),
                row(
                    "lots", _("Lot / batch numbers"), common["lot_names"], ref="2.1", required=False
                ),
                row(
                    "serials",
                    _("Serial numbers"),
                    common["serial_names"],
                    ref="2.1",
                    required=False,
                ),
                row(
                    "manufactured",
                    _("Manufacturing date"),
                    common["manufacture_dates"],
                    ref="2.1",
                    required=False,
                ),
                row("expiry", _("Expiry date"), common["expiry_dates"], ref="2.1", required=False),
                row(
                    "risk_class",
                    _("Risk class"),
                    self._vigilance_selection("udi_eu_class", template) if template else "",
                    ref="2.2",
                    hint=product_hint,
                ),
            ],
        }

    def _vigilance_mir_incident_section(self, common):
        _ = self.env._
        row = self._vigilance_row
        return {
            "title": _("3. Incident information"),
            "rows": [
                row(
                    "awareness_date",
                    _("Manufacturer awareness date"),
                    self._vigilance_fmt_date(self.awareness_date),
                    ref="3.1",
                ),
                row(
                    "incident_date",
                    _("Date of the incident"),
                    self._vigilance_fmt_date(self.event_date),
                    ref="3.2",
                    hint=_("set the event date on the report"),
                ),
                row(
                    "narrative",
                    _("Description of the incident"),
                    common["narrative"],
                    ref="3.3",
                    hint=_("write the narrative on the report"),
                ),
                row(
                    "patients_involved",
                    _("Number of patients involved"),
                    str(len(common["patients"])),
                    ref="3.4",
                ),
                row(
                    "devices_involved",
                    _("Number of devices involved"),
                    str(len(common["lots"]) or 1),
                    ref="3.4",
                ),
                *self._vigilance_mir_incident_code_rows(common),
            ],
        }

    def _vigilance_mir_incident_code_rows(self, common):
        """3.5 to 3.7: the IMDRF codes of the incident, the device's use, the reporter."""
        _ = self.env._
        row = self._vigilance_row
        form_hint = _("fill it in the report's Regulatory forms tab")
        patients = bool(common["patients"])
        return [
            row(
                "device_problem",
                _("Medical device problem (IMDRF Annex A)"),
                self.form_device_problem_code,
                ref="3.5",
                hint=form_hint,
            ),
            row(
                "clinical_signs",
                _("Clinical signs, symptoms, conditions (IMDRF Annex E)"),
                self.form_clinical_code,
                ref="3.5",
                required=patients,
                hint=form_hint,
            ),
            row(
                "health_impact",
                _("Health impact (IMDRF Annex F)"),
                self.form_health_impact_code,
                ref="3.5",
                required=patients,
                hint=form_hint,
            ),
            row(
                "operator",
                _("Operator of the device"),
                self._vigilance_selection("form_device_operator"),
                ref="3.6",
                required=False,
            ),
            row(
                "usage",
                _("Usage of the device"),
                self._vigilance_selection("form_device_usage"),
                ref="3.6",
                required=False,
            ),
            row(
                "reporter",
                _("Reporter / health care facility"),
                self.reporter_partner_id.display_name or "",
                ref="3.7",
                required=False,
            ),
        ]

    def _vigilance_mir_investigation_section(self, common):
        _ = self.env._
        row = self._vigilance_row
        final = self.report_type == "final"
        return {
            "title": _("4. Manufacturer's investigation"),
            "rows": [
                row(
                    "analysis",
                    _("Results of the investigation") if final else _("Preliminary analysis"),
                    common["root_cause"],
                    ref="4.1",
                    hint=_("write the root cause analysis on the report"),
                ),
                row(
                    "investigation_codes",
                    _("Investigation type, findings, conclusion (IMDRF Annexes B, C, D)"),
                    self.form_investigation_codes,
                    ref="4.2",
                    required=final,
                    hint=_("fill it in the report's Regulatory forms tab"),
                ),
                row(
                    "corrective_action",
                    _("Remedial, corrective and preventive action"),
                    common["corrective_action"],
                    ref="4.3",
                    required=final,
                    hint=_("describe the corrective action on the report"),
                ),
                row("signature", _("Signed"), common["signature"], ref="4.4", required=False),
            ],
        }

    # ------------------------------------------------------------------ XML

    def _vigilance_mir_xml(self, data):
        """The MIR as XML bytes (UTF-8): the form's sections and fields in its order, then the
        patients (pseudonyms only) and the devices."""
        nsmap = {None: MIR_NAMESPACE}
        root = etree.Element(
            f"{{{MIR_NAMESPACE}}}manufacturerIncidentReport",
            nsmap=nsmap,
            formVersion=MIR_FORM_VERSION,
            reference=data["reference"],
            reportType=self.report_type or "",
        )
        for index, section in enumerate(data["sections"], start=1):
            node = etree.SubElement(root, f"{{{MIR_NAMESPACE}}}section", number=str(index))
            etree.SubElement(node, f"{{{MIR_NAMESPACE}}}title").text = section["title"]
            for field in section["rows"]:
                item = etree.SubElement(
                    node, f"{{{MIR_NAMESPACE}}}field", name=field["key"], ref=field["ref"]
                )
                item.text = str(field["value"])
        for table, tag in (("patients", "patient"), ("lots", "device")):
            container = etree.SubElement(root, f"{{{MIR_NAMESPACE}}}{table}")
            for record in data[table]:
                node = etree.SubElement(container, f"{{{MIR_NAMESPACE}}}{tag}")
                for key, _label in data["columns"][table]:
                    etree.SubElement(node, f"{{{MIR_NAMESPACE}}}{key}").text = str(
                        record.get(key) or ""
                    )
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
