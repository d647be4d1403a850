"""FDA: report of correction or removal, 21 CFR 806.10(c), paragraph by paragraph, and its
report number (806.10(c)(1)); the tables come from recall_campaign_report_tables.py."""

from odoo import api, fields, models
from odoo.tools import html2plaintext


class RecallCampaign(models.Model):
    _inherit = "recall.campaign"

    # ------------------------------------------------------------------ FDA report number

    def _recall_is_removal(self):
        """21 CFR 806.2: removal = units leave their point of use (recall, or a return)."""
        self.ensure_one()
        return self.kind == "recall" or self.action_return

    def _recall_fda_report_date(self):
        """806.10(c)(1): the day the report is made: the day the FDA report deadline was
        marked done, else today (company time zone)."""
        self.ensure_one()
        fda = self.deadline_ids.filtered(
            lambda d: (
                d.milestone == "regulator_report"
                and d.rule_id.jurisdiction_id.code == "FDA"
                and d.done_at
            )
        )[:1]
        moment = fda.done_at or fields.Datetime.now()
        return self._recall_local(moment).date()

    def _recall_fda_sequence(self):
        """Three-digit sequence per company and year of the decision: the rank of this campaign
        among the approved campaigns with FDA jurisdiction decided that year (drills are
        numbered apart from real recalls). Not approved yet: the next free number."""
        self.ensure_one()
        Campaign = self.sudo().with_context(active_test=False)
        moment = self.decision_date or fields.Datetime.now()
        year = moment.year
        domain = [
            ("company_id", "=", self.company_id.id),
            ("jurisdiction_ids.code", "=", "FDA"),
            ("is_drill", "=", self.is_drill),
            ("decision_date", ">=", fields.Datetime.to_datetime(f"{year}-01-01")),
            ("decision_date", "<", fields.Datetime.to_datetime(f"{year + 1}-01-01")),
        ]
        if not self.decision_date:
            return Campaign.search_count(domain) + 1
        earlier = Campaign.search_count(
            domain
            + [
                "|",
                ("decision_date", "<", self.decision_date),
                "&",
                ("decision_date", "=", self.decision_date),
                ("id", "<", self.id),
            ]
        )
        return earlier + 1

    def _recall_fda_report_number(self):
        """``regno-M/D/YY-seq-C|R`` (21 CFR 806.10(c)(1)), e.g. 1234567-6/1/97-001-C."""
        self.ensure_one()
        registration = self.company_id.recall_fda_registration or "0000000"
        day = self._recall_fda_report_date()
        letter = "R" if self._recall_is_removal() else "C"
        return (
            f"{registration}-{day.month}/{day.day}/{day:%y}-"
            f"{self._recall_fda_sequence():03d}-{letter}"
        )

    # ------------------------------------------------------------------ 806.10(c)

    def _recall_report_sections_fda806(self, common):
        """(c)(1) to (c)(12); (c)(13), the information not available yet, is the report's list
        of missing fields."""
        return [
            *self._recall_fda_reporter_sections(),
            *self._recall_fda_device_sections(common),
            *self._recall_fda_event_sections(),
            *self._recall_fda_quantity_sections(common),
            *self._recall_fda_consignee_sections(common["totals"]),
        ]

    @api.model
    def _recall_fda_section(self, ref, title, rows):
        """Paragraph ``ref`` of 806.10(c): every row refers to it."""
        return {"title": title, "rows": [dict(row, ref=ref) for row in rows]}

    def _recall_fda_reporter_sections(self):
        """(c)(1) report number, (c)(2) reporting manufacturer or importer."""
        _ = self.env._
        section = self._recall_fda_section
        row = self._recall_row
        company = self.company_id
        contact = self._recall_report_contact()
        removal = self._recall_is_removal()
        return [
            section(
                "(c)(1)",
                _("(c)(1) Report number"),
                [
                    row("report_number", _("Report number"), self._recall_fda_report_number()),
                    row(
                        "registration",
                        _("FDA establishment registration number"),
                        company.recall_fda_registration,
                    ),
                    row(
                        "report_type",
                        _("Report type"),
                        _("Removal (R)") if removal else _("Correction (C)"),
                    ),
                ],
            ),
            section(
                "(c)(2)",
                _("(c)(2) Reporting manufacturer or importer"),
                [
                    row("company", _("Name"), company.name),
                    row("address", _("Address"), self._recall_address(company.partner_id)),
                    row("phone", _("Telephone"), company.phone),
                    row(
                        "representative",
                        _("Representative responsible for the action"),
                        contact["name"],
                    ),
                    row("title", _("Title"), contact["function"]),
                    row("rep_address", _("Representative address"), contact["address"]),
                    row(
                        "rep_phone",
                        _("Representative telephone"),
                        contact["phone"] or company.phone,
                    ),
                    row("rep_email", _("Representative e-mail"), contact["email"], required=False),
                ],
            ),
        ]

    def _recall_fda_device_sections(self, common):
        """(c)(3) device, (c)(4) marketing status, (c)(5) identification, (c)(6) manufacturer."""
        _ = self.env._
        section = self._recall_fda_section
        row = self._recall_row
        products = common["products"]

        def joined(key):
            return "; ".join(p[key] for p in products if p[key])

        udi_count = _(
            "%(count)s lot(s)/serial(s), listed with their UDI below",
            count=common["totals"]["lot_count"],
        )
        return [
            section(
                "(c)(3)",
                _("(c)(3) Device"),
                [
                    row("brand", _("Brand name"), joined("brand")),
                    row(
                        "common_name",
                        _("Common or usual name"),
                        "; ".join(p["product"] for p in products),
                    ),
                    row("intended_use", _("Intended use"), joined("description")),
                ],
            ),
            section(
                "(c)(4)",
                _("(c)(4) Marketing status"),
                [
                    row("premarket", _("510(k) / PMA / De Novo number"), joined("premarket")),
                    row(
                        "fda_class",
                        _("Device class"),
                        "; ".join(sorted({p["fda_class"] for p in products} - {""})),
                    ),
                    row("product_code", _("Product code"), joined("product_code")),
                ],
            ),
            section(
                "(c)(5)",
                _("(c)(5) Identification"),
                [
                    row("udi_di", _("Device identifiers (UDI-DI)"), joined("primary_di")),
                    row("model", _("Model"), joined("model")),
                    row("catalog", _("Catalog number"), joined("default_code"), required=False),
                    row("lots", _("Lot numbers"), common["lot_names"], required=False),
                    row("serials", _("Serial numbers"), common["serial_names"], required=False),
                    row("udi", _("UDI of every unit"), udi_count),
                ],
            ),
            section(
                "(c)(6)",
                _("(c)(6) Manufacturer"),
                [
                    row(
                        "manufacturer",
                        _("Manufacturer, if different from (c)(2)"),
                        _("Same as (c)(2)"),
                    )
                ],
            ),
        ]

    def _recall_fda_event_sections(self):
        """(c)(7) event and action, (c)(8) illness or injuries."""
        _ = self.env._
        section = self._recall_fda_section
        row = self._recall_row
        return [
            section(
                "(c)(7)",
                _("(c)(7) Event and action"),
                [
                    row(
                        "description",
                        _("Event giving rise to the report, action taken and expected"),
                        self._recall_fda_description(),
                    ),
                    row(
                        "hazard",
                        _("Health hazard evaluation"),
                        html2plaintext(self.risk_assessment or "").strip(),
                    ),
                    row(
                        "decision",
                        _("Action initiated"),
                        self._recall_fmt_datetime(self.decision_date),
                    ),
                ],
            ),
            section(
                "(c)(8)",
                _("(c)(8) Illness or injuries"),
                [row("injuries", _("Complaint / MDR references"), self.ticket_id.display_name)],
            ),
        ]

    def _recall_fda_description(self):
        """(c)(7): the reason, the kind of action and what consignees are asked to do."""
        _ = self.env._
        removal = self._recall_is_removal()
        actions = self._recall_report_actions()
        action = _(
            "Action: %(kind)s (%(type)s), %(recall_class)s.",
            kind=self._recall_report_selection("kind"),
            type=_("removal") if removal else _("correction"),
            recall_class=self._recall_report_selection("recall_class"),
        )
        asked = (
            _("Consignees are asked to: %(actions)s.", actions="; ".join(actions))
            if actions
            else ""
        )
        parts = (self.reason, action, asked, self.instructions or "")
        return "\n".join(part for part in parts if part)

    def _recall_fda_quantity_sections(self, common):
        """(c)(9) number of devices, (c)(10) dates."""
        _ = self.env._
        section = self._recall_fda_section
        row = self._recall_row
        qty = self._recall_report_qty
        totals = common["totals"]
        shipped = bool(totals["consignee_count"])
        life = sorted({p["life_years"] for p in common["products"] if p["life_years"]})
        return [
            section(
                "(c)(9)",
                _("(c)(9) Number of devices"),
                [
                    row("entered", _("Manufactured or imported"), qty(totals["entered"])),
                    row("shipped", _("Distributed"), qty(totals["shipped"])),
                    row("own_stock", _("Still in own stock"), qty(totals["own_stock"])),
                    row(
                        "per_lot",
                        _("Per lot or serial"),
                        _("See the list of lots and serials below"),
                    ),
                ],
            ),
            section(
                "(c)(10)",
                _("(c)(10) Dates"),
                [
                    row("manufactured", _("Dates of manufacture"), common["manufacture_range"]),
                    row(
                        "distributed",
                        _("Dates of distribution"),
                        common["distribution_range"],
                        required=shipped,
                    ),
                    row("expiry", _("Expiration dates"), common["expiry_range"], required=not life),
                    row(
                        "life",
                        _("Expected life (years)"),
                        ", ".join(str(years) for years in life),
                        required=not common["expiry_range"],
                    ),
                ],
            ),
        ]

    def _recall_fda_consignee_sections(self, totals):
        """(c)(11) consignees, (c)(12) communications."""
        _ = self.env._
        section = self._recall_fda_section
        row = self._recall_row
        shipped = bool(totals["consignee_count"])
        domestic = _(
            "%(domestic)s domestic, %(foreign)s foreign",
            domestic=totals["domestic_count"],
            foreign=totals["foreign_count"],
        )
        return [
            section(
                "(c)(11)",
                _("(c)(11) Consignees"),
                [
                    row(
                        "consignee_count", _("Number of consignees"), str(totals["consignee_count"])
                    ),
                    row("domestic", _("Domestic / foreign"), domestic),
                    row(
                        "consignee_types",
                        _("Type of consignees"),
                        totals["consignee_types"],
                        required=shipped,
                    ),
                    row(
                        "areas",
                        _("Distribution (states / countries)"),
                        totals["areas"],
                        required=shipped,
                    ),
                ],
            ),
            section(
                "(c)(12)",
                _("(c)(12) Communications"),
                [row("communications", _("Notices sent"), self._recall_fda_communications())],
            ),
        ]

    def _recall_fda_communications(self):
        """(c)(12): how many notices went out, the first and the last time."""
        notices = self.notice_ids.filtered(lambda n: n.sent_at).sorted("sent_at")
        if not notices:
            return ""
        return self.env._(
            "%(count)s notice(s), first %(first)s, last %(last)s; a copy of the notice is attached",
            count=len(notices),
            first=self._recall_fmt_datetime(notices[:1].sent_at),
            last=self._recall_fmt_datetime(notices[-1:].sent_at),
        )
