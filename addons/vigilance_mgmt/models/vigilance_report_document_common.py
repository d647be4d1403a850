"""What every vigilance form shows: the chain (initial, follow-ups, final), the manufacturer,
the device with its UDI and lots, the patients by pseudonym only, dates and texts."""

from odoo import api, fields, models
from odoo.tools import html2plaintext

#: EU/EEA member states: a manufacturer outside them names an authorised representative
EU_EEA = {
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT",
    "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS", "LI", "NO",
}  # fmt: skip
#: the core's severities -> the classes the forms distinguish
SEVERITY_CLASSES = {
    "public_health_threat": "threat",
    "death": "death",
    "serious_deterioration": "serious",
    "serious_injury": "serious",
    "malfunction": "other",
    "other": "other",
}


class VigilanceReport(models.Model):
    _inherit = "vigilance.report"

    form_use_place = fields.Selection(
        [("facility", "Health care facility"), ("home", "Home"), ("other", "Other")],
        string="Place of use",
        help="NMPA 使用场所: where the device was used when the event happened.",
    )

    # ------------------------------------------------------------------ chain

    def _vigilance_follow_up_number(self):
        """1 for the first follow-up (or final) report of the chain, 0 for the initial."""
        self.ensure_one()
        initial = self._vigilance_initial()
        if initial == self:
            return 0
        chain = initial.follow_up_ids.sorted(lambda report: (report.create_date, report.id))
        return list(chain).index(self) + 1 if self in chain else len(chain) + 1

    def _vigilance_chain_rows(self):
        """The reports of the chain before this one: number, type, issue date, regulator's
        reference (the follow-ups of a case name what came before)."""
        self.ensure_one()
        initial = self._vigilance_initial()
        chain = initial | initial.follow_up_ids
        earlier = chain.filtered(lambda report: report.id < self.id and report != self)
        return [
            f"{report.name} ({self._vigilance_selection('report_type', report)}"
            + (f", {self._vigilance_fmt_date(report.issued_at)}" if report.issued_at else "")
            + (f", {report.regulator_reference}" if report.regulator_reference else "")
            + ")"
            for report in earlier.sorted("id")
        ]

    # ------------------------------------------------------------------ common data

    def _vigilance_document_common(self, kind):
        """Values every form uses, in plain form."""
        self.ensure_one()
        initial = self._vigilance_initial()
        lots = [self._vigilance_lot_values(lot) for lot in self.lot_ids.sorted("name")]
        return {
            "report_type": self._vigilance_selection("report_type"),
            "follow_up_number": self._vigilance_follow_up_number(),
            "initial_reference": initial.name if initial != self else "",
            "initial_regulator_reference": initial.regulator_reference or "",
            "chain": "; ".join(self._vigilance_chain_rows()),
            "patients": [self._vigilance_patient_values(p) for p in self.patient_ids],
            "lots": lots,
            "lot_names": ", ".join(row["lot"] for row in lots if row["lot"]),
            "serial_names": ", ".join(row["serial"] for row in lots if row["serial"]),
            "manufacture_dates": self._vigilance_join(row["manufacture_date"] for row in lots),
            "expiry_dates": self._vigilance_join(row["expiry_date"] for row in lots),
            "udi_di": self.udi_di_id.di or self.product_id.product_tmpl_id.udi_primary_di or "",
            "narrative": self._vigilance_text("narrative"),
            "root_cause": self._vigilance_text("root_cause"),
            "corrective_action": self._vigilance_text("corrective_action"),
            "severity": self._vigilance_selection("severity"),
            "severity_class": self._vigilance_severity_class(),
            "signature": self._vigilance_signature_text(),
        }

    def _vigilance_patient_values(self, patient):
        """A patient as the forms show one: the pseudonym, never a name."""
        return {
            "pseudonym": patient.pseudonym or "",
            "age": str(patient.age) if patient.age else "",
            "sex": self._vigilance_selection("sex", patient),
            "outcome": self._vigilance_selection("outcome", patient)
            if patient._fields["outcome"].type == "selection"
            else patient.outcome or "",
            "note": patient.note or "",
        }

    def _vigilance_lot_values(self, lot):
        serial = lot.product_id.tracking == "serial"
        return {
            "product": lot.product_id.display_name,
            "lot": "" if serial else lot.name,
            "serial": lot.name if serial else "",
            "udi_hri": lot.udi_hri or "",
            "udi_di": lot.udi_di or "",
            "manufacture_date": self._vigilance_fmt_date(lot.udi_manufacture_date),
            "expiry_date": self._vigilance_fmt_date(lot.udi_expiry_date),
        }

    def _vigilance_document_columns(self, kind):
        """The columns of the patient and device tables: ``{table: [(key, label)]}``; the NMPA
        form labels them in Chinese (with English for other readers)."""
        _ = self.env._
        label = self._vigilance_column_label(kind)
        return {
            "patients": [
                ("pseudonym", label("患者代码", _("Patient (pseudonym)"))),
                ("age", label("年龄", _("Age"))),
                ("sex", label("性别", _("Sex"))),
                ("outcome", label("伤害/转归", _("Outcome"))),
                ("note", label("备注", _("Clinical note"))),
            ],
            "lots": [
                ("product", label("产品名称", _("Product"))),
                ("lot", label("产品批号", _("Lot"))),
                ("serial", label("产品编号", _("Serial"))),
                ("udi_hri", label("UDI", _("UDI (human readable)"))),
                ("udi_di", label("产品标识", _("UDI-DI"))),
                ("manufacture_date", label("生产日期", _("Manufactured"))),
                ("expiry_date", label("有效期至", _("Expiry"))),
            ],
        }

    def _vigilance_column_label(self, kind):
        if kind != "nmpa":
            return lambda zh, en: en
        if self._vigilance_reads_chinese():
            return lambda zh, en: zh
        return lambda zh, en: f"{zh} {en}"

    def _vigilance_reads_chinese(self):
        return (self.env.lang or "").startswith("zh")

    # ------------------------------------------------------------------ values

    def _vigilance_severity_class(self):
        """``death``, ``threat`` (serious public health threat), ``serious`` (serious
        deterioration or injury) or ``other`` (malfunction, other), from the severity."""
        return SEVERITY_CLASSES.get(self.severity or "", "")

    def _vigilance_text(self, field):
        """A text or HTML field as plain text."""
        value = self[field] or ""
        if self._fields[field].type == "html":
            value = html2plaintext(value)
        return value.strip()

    def _vigilance_signature_text(self):
        """Who signed the report, when and with which meaning (21 CFR 11.50)."""
        signature = self.signature_id
        if not signature:
            return ""
        return (
            f"{signature.signer_name}, {self._vigilance_fmt_datetime(signature.signed_at)}, "
            f"{signature.meaning_text}"
        )

    def _vigilance_contact(self):
        """The person the regulator contacts: the signer, else the report's responsible (never
        the printing user: a form reads the same whoever prints it)."""
        user = self.signature_id.user_id or self.user_id or self.env.user
        partner = user.partner_id
        return {
            "name": user.name or "",
            "phone": partner.phone or self.company_id.phone or "",
            "email": user.email or self.company_id.email or "",
        }

    @api.model
    def _vigilance_join(self, values):
        return ", ".join(sorted({value for value in values if value}))

    @api.model
    def _vigilance_yes_no(self, value, zh=False):
        if zh:
            return "是" if value else "否"
        return self.env._("Yes") if value else self.env._("No")
