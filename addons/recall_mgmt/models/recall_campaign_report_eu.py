"""EU: field safety notice (MDR Art. 89(8)), following the sections of the MEDDEV 2.12/1 rev. 8 /
MDCG FSN template; the tables come from recall_campaign_report_tables.py."""

from odoo import fields, models
from odoo.tools import html2plaintext


class RecallCampaign(models.Model):
    _inherit = "recall.campaign"

    def _recall_report_sections_eu_fsn(self, common):
        """FSCA identification, then sections 1 (devices) to 4 (general information)."""
        return [
            self._recall_eu_identification_section(common["totals"]),
            self._recall_eu_device_section(common),
            self._recall_eu_reason_section(),
            self._recall_eu_action_section(),
            self._recall_eu_general_section(),
        ]

    def _recall_eu_action_type(self):
        """The FSCA type: removal, modification or inspection, or advice on use."""
        _ = self.env._
        action_types = {
            "recall": _("Product removal"),
            "correction": _("On-site device modification / inspection"),
            "fsn": _("Advice on use of the device"),
            "advisory": _("Advice on use of the device"),
        }
        return action_types.get(self.kind, "")

    def _recall_eu_identification_section(self, totals):
        _ = self.env._
        row = self._recall_row
        day = self._recall_local(
            self.first_notified_at or self.decision_date or fields.Datetime.now()
        ).date()
        return {
            "title": _("FSCA identification"),
            "rows": [
                row("fsca", _("FSCA identifier"), self.name),
                row("fsca_type", _("Type of action"), self._recall_eu_action_type()),
                row("date", _("Date"), self._recall_fmt_date(day)),
                row(
                    "attention",
                    _("Attention"),
                    totals["consignee_roles"],
                    required=bool(totals["consignee_count"]),
                ),
            ],
        }

    def _recall_eu_device_section(self, common):
        _ = self.env._
        row = self._recall_row
        products = common["products"]

        def joined(key):
            return "; ".join(p[key] for p in products if p[key])

        model_numbers = "; ".join(
            " ".join(v for v in (p["model"], p["default_code"]) if v)
            for p in products
            if p["model"] or p["default_code"]
        )
        lots = "; ".join(v for v in (common["lot_names"], common["serial_names"]) if v)
        udi_count = _(
            "%(count)s lot(s)/serial(s), listed with their UDI below",
            count=common["totals"]["lot_count"],
        )
        return {
            "title": _("1. Information on affected devices"),
            "rows": [
                row(
                    "device_type",
                    _("Device type"),
                    "; ".join(p["description"] or p["product"] for p in products),
                    ref="1.1",
                ),
                row(
                    "commercial_name",
                    _("Commercial name"),
                    "; ".join(p["brand"] or p["product"] for p in products),
                    ref="1.2",
                ),
                row("basic_udi_di", _("Basic UDI-DI"), joined("basic_di"), ref="1.3"),
                row("udi_di", _("UDI-DI"), joined("primary_di"), ref="1.3"),
                row(
                    "eu_class",
                    _("Risk class (MDR)"),
                    "; ".join(sorted({p["eu_class"] for p in products} - {""})),
                    ref="1.3",
                    required=False,
                ),
                row("purpose", _("Primary clinical purpose"), joined("description"), ref="1.4"),
                row("model", _("Model / catalogue / part number"), model_numbers, ref="1.5"),
                row("lots", _("Affected lot / serial numbers"), lots, ref="1.7"),
                row("udi", _("UDI of every unit"), udi_count, ref="1.7"),
            ],
        }

    def _recall_eu_reason_section(self):
        _ = self.env._
        row = self._recall_row
        return {
            "title": _("2. Reason for the field safety corrective action"),
            "rows": [
                row("problem", _("Description of the product problem"), self.reason, ref="2.1"),
                row(
                    "hazard",
                    _("Hazard giving rise to the FSCA"),
                    html2plaintext(self.risk_assessment or "").strip(),
                    ref="2.2",
                ),
                row(
                    "risk",
                    _("Predicted risk to patients or users"),
                    self._recall_report_selection("recall_class"),
                    ref="2.4",
                ),
            ],
        }

    def _recall_eu_action_section(self):
        _ = self.env._
        row = self._recall_row
        deadline = _("Within %(days)s day(s) of receipt of this notice", days=self.response_days)
        if self.action_forward:
            transmission = _(
                "Pass this notice to everyone who needs to be aware of it in your organisation "
                "and to every organisation the affected devices were transferred to."
            )
        else:
            transmission = _(
                "Pass this notice to everyone who needs to be aware of it in your organisation."
            )
        reply = _("Yes: return the attached reply form. %(deadline)s.", deadline=deadline)
        return {
            "title": _("3. Type of action to mitigate the risk"),
            "rows": [
                row(
                    "user_actions",
                    _("Action to be taken by the user"),
                    "; ".join(self._recall_report_actions()),
                    ref="3.1",
                ),
                row(
                    "instructions", _("Instructions"), self.instructions, ref="3.1", required=False
                ),
                row("by_when", _("By when"), deadline, ref="3.2"),
                row("reply", _("Customer reply required"), reply, ref="3.4"),
                row(
                    "manufacturer_action",
                    _("Action being taken by the manufacturer"),
                    self._recall_eu_action_type(),
                    ref="3.5",
                ),
                row("transmission", _("Transmission of this notice"), transmission, ref="3.6"),
            ],
        }

    def _recall_eu_general_section(self):
        _ = self.env._
        row = self._recall_row
        company = self.company_id
        contact = self._recall_report_contact()
        eu = self.jurisdiction_ids.filtered(lambda j: j.code == "EU")
        return {
            "title": _("4. General information"),
            "rows": [
                row("fsn_type", _("FSN type"), _("New"), ref="4.1"),
                row("manufacturer", _("Manufacturer"), company.name, ref="4.4"),
                row(
                    "manufacturer_address",
                    _("Address"),
                    self._recall_address(company.partner_id),
                    ref="4.4",
                ),
                row("website", _("Website"), company.website, ref="4.4", required=False),
                row("srn", _("Single Registration Number (SRN)"), company.recall_eu_srn, ref="4.4"),
                row(
                    "authority",
                    _("Competent authority informed"),
                    _("Yes") if eu else _("No"),
                    ref="4.5",
                ),
                row(
                    "contact",
                    _("Contact person"),
                    ", ".join(v for v in (contact["name"], contact["function"]) if v),
                    ref="4.7",
                ),
                row(
                    "contact_details",
                    _("Contact details"),
                    ", ".join(v for v in (contact["email"], contact["phone"]) if v),
                    ref="4.7",
                ),
                row(
                    "attachments",
                    _("Attachments"),
                    _("Customer reply form; list of affected devices"),
                    ref="4.6",
                ),
                row(
                    "signed",
                    _("Approved by"),
                    self._recall_signature_text(self.approval_signature_id),
                    ref="4.8",
                    required=False,
                ),
            ],
        }
