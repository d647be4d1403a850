"""Regulator reports of a recall campaign: one data source for the PDFs and the spreadsheets.

``_recall_report_data(kind)`` gathers everything a report shows as plain dicts, lists, strings
and numbers; the QWeb templates (report/recall_regulator_templates.xml) and the xlsx controller
(controllers/main.py) only lay it out, so a PDF and a spreadsheet of the same campaign can never
disagree. readme/REPORTS.md lists every field and where it comes from.
"""

from collections import defaultdict
from urllib.parse import quote

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import html2plaintext

from odoo.addons.recall_mgmt.tools import zoned_time

#: report kind -> (report action xml id, jurisdiction code)
REPORT_KINDS = {
    "nmpa": ("recall_mgmt.action_report_recall_nmpa", "NMPA"),
    "fda806": ("recall_mgmt.action_report_recall_fda806", "FDA"),
    "eu_fsn": ("recall_mgmt.action_report_recall_eu_fsn", "EU"),
}
#: the FDA wants its reports in English whatever the preparer's language
REPORT_LANG = {"fda806": "en_US"}
#: NMPA form wording (fixed text of the Chinese form, not translations)
NMPA_CLASS = {"1": "一级召回", "2": "二级召回", "3": "三级召回"}
NMPA_DEVICE_CLASS = {"1": "第一类", "2": "第二类", "3": "第三类"}
NMPA_KIND = {"recall": "收回", "correction": "纠正", "fsn": "现场安全通知", "advisory": "警示"}
FDA_DOMESTIC = "US"


class RecallCampaign(models.Model):
    _inherit = "recall.campaign"

    # ------------------------------------------------------------------ public API

    def action_print_regulator_report(self, kind):
        """The PDF report action of ``kind`` (nmpa, fda806, eu_fsn) for these campaigns."""
        self._recall_check_report_kind(kind)
        self.check_access("read")
        for campaign in self:
            campaign._recall_check_reportable()
        return self.env.ref(REPORT_KINDS[kind][0]).report_action(self)

    # buttons call methods without arguments
    def action_print_report_nmpa(self):
        return self.action_print_regulator_report("nmpa")

    def action_print_report_fda806(self):
        return self.action_print_regulator_report("fda806")

    def action_print_report_eu_fsn(self):
        return self.action_print_regulator_report("eu_fsn")

    def action_download_xlsx_nmpa(self):
        return self.action_download_regulator_xlsx("nmpa")

    def action_download_xlsx_fda806(self):
        return self.action_download_regulator_xlsx("fda806")

    def action_download_xlsx_eu_fsn(self):
        return self.action_download_regulator_xlsx("eu_fsn")

    def action_download_regulator_xlsx(self, kind):
        """A URL action downloading the spreadsheet of ``kind`` for this campaign."""
        self.ensure_one()
        self._recall_check_report_kind(kind)
        self.check_access("read")
        self._recall_check_reportable()
        return {
            "type": "ir.actions.act_url",
            "url": self._recall_report_xlsx_url(kind),
            "target": "download",
        }

    # ------------------------------------------------------------------ checks and names

    @api.model
    def _recall_report_kinds(self):
        return list(REPORT_KINDS)

    def _recall_check_report_kind(self, kind):
        if kind not in REPORT_KINDS:
            raise UserError(
                self.env._(
                    "Unknown regulator report %(kind)s: choose one of %(kinds)s.",
                    kind=kind,
                    kinds=", ".join(REPORT_KINDS),
                )
            )

    def _recall_check_reportable(self):
        """A regulator report lists what the impact analysis found: it needs one."""
        self.ensure_one()
        if not self.analysed_at:
            raise UserError(
                self.env._(
                    "%(campaign)s: analyse the impact before printing a regulator report; the "
                    "report lists every lot, serial and holder the analysis finds.",
                    campaign=self.display_name,
                )
            )

    def _recall_report_xlsx_url(self, kind):
        self.ensure_one()
        return f"/recall_mgmt/campaign/{self.id}/report/{quote(kind)}.xlsx"

    def _recall_report_filename(self, kind):
        """File name (without extension) shared by the PDF and the spreadsheet."""
        self.ensure_one()
        names = {
            "nmpa": "NMPA recall event report",
            "fda806": "FDA 806 report",
            "eu_fsn": "EU field safety notice",
        }
        return f"{(self.name or '').replace('/', '-')} {names[kind]}"

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
            lambda d: d.milestone == "regulator_report"
            and d.rule_id.jurisdiction_id.code == "FDA"
            and d.done_at
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

    # ------------------------------------------------------------------ formatting

    def _recall_report_tz(self):
        """The time zone of the documents: the company's, else the responsible's, else UTC.
        Never the printing user's: a notice or report reads the same whoever prints it."""
        return self.company_id.partner_id.tz or self.user_id.tz or "UTC"

    def _recall_local(self, moment):
        return zoned_time.to_local(moment, self._recall_report_tz())

    def _recall_fmt_datetime(self, moment, tz_name=None):
        """``2026-12-08 01:22 (Asia/Shanghai, UTC+08:00)`` in the document zone (or ``tz_name``)."""
        return zoned_time.format_zoned(moment, tz_name or self._recall_report_tz())

    def _recall_fmt_day(self, moment=None):
        """``YYYY-MM-DD``: the day of ``moment`` (now without one) in the document zone."""
        return zoned_time.format_local_date(
            moment or fields.Datetime.now(), self._recall_report_tz()
        )

    def _recall_signature_text(self, signature):
        """An electronic signature as 21 CFR 11.50 wants it shown: printed name, date and time
        (with its time zone) and meaning."""
        if not signature:
            return ""
        return (
            f"{signature.signer_name}, {self._recall_fmt_datetime(signature.signed_at)}, "
            f"{signature.meaning_text}"
        )

    @api.model
    def _recall_fmt_date(self, day):
        return day.isoformat() if day else ""

    @api.model
    def _recall_report_qty(self, value):
        """A quantity as a short string (30, 2.5), for templates and header values."""
        if not value:
            return "0"
        return f"{value:.3f}".rstrip("0").rstrip(".")

    @api.model
    def _recall_address(self, partner):
        """One-line postal address."""
        if not partner:
            return ""
        parts = [
            partner.street,
            partner.street2,
            " ".join(part for part in (partner.zip, partner.city) if part),
            partner.state_id.name,
            partner.country_id.name,
        ]
        return ", ".join(part for part in parts if part)

    @api.model
    def _recall_range(self, values):
        values = sorted({value for value in values if value})
        if not values:
            return ""
        return values[0] if len(values) == 1 else f"{values[0]} – {values[-1]}"

    # ------------------------------------------------------------------ data

    def _recall_report_data(self, kind):
        """Everything the ``kind`` report shows, as plain values (see module docstring).

        ``{"kind", "title", "subtitle", "reference", "filename", "is_draft", "is_drill",
        "generated_at", "timezone", "sections": [{"title", "rows": [{"key", "ref", "label",
        "gloss", "value", "required"}]}], "missing": [labels], "columns": {table: [(key,
        label)]}, "products", "lots", "units", "consignees", "distribution": [rows],
        "totals": {...}}``
        """
        self.ensure_one()
        self._recall_check_report_kind(kind)
        self.check_access("read")
        self._recall_check_reportable()
        if kind in REPORT_LANG:
            self = self.with_context(lang=REPORT_LANG[kind])
        common = self._recall_report_common()
        if kind == "nmpa":
            for product in common["products"]:
                code = product["nmpa_class_code"]
                if code:
                    product["nmpa_class"] = f"{NMPA_DEVICE_CLASS[code]} {product['nmpa_class']}"
        sections = getattr(self, f"_recall_report_sections_{kind}")(common)
        missing = [
            row["label"] + (f" ({row['gloss']})" if row["gloss"] else "")
            for section in sections
            for row in section["rows"]
            if row["required"] and not row["value"]
        ]
        titles = {
            "nmpa": ("医疗器械召回事件报告表", self.env._("Medical device recall event report")),
            "fda806": (
                self.env._("Report of Correction or Removal"),
                self.env._("21 CFR 806.10"),
            ),
            "eu_fsn": (
                self.env._("Urgent Field Safety Notice"),
                self.env._("Field safety corrective action (MDR Art. 89)"),
            ),
        }
        title, subtitle = titles[kind]
        return {
            "kind": kind,
            "title": title,
            "subtitle": subtitle,
            "reference": (
                self._recall_fda_report_number() if kind == "fda806" else self.name
            ),
            "campaign": self.name,
            "filename": self._recall_report_filename(kind),
            "is_draft": not self.decision_date,
            "is_drill": self.is_drill,
            "generated_at": self._recall_fmt_datetime(fields.Datetime.now()),
            "timezone": self._recall_report_tz(),
            "sections": sections,
            "missing": missing,
            "columns": self._recall_report_columns(kind),
            **common,
        }

    def _recall_report_columns(self, kind):
        """The columns of each table, shared by the PDF tables and the spreadsheet sheets."""
        _ = self.env._
        if kind == "nmpa":
            def label(zh, en):
                return zh if (self.env.lang or "").startswith("zh") else f"{zh} {en}"
        else:
            def label(zh, en):
                return en
        # what identifies a unit, first in the lot table and in the unit table
        unit_identity = [
            ("product", label("产品名称", _("Product"))),
            ("lot", label("批号", _("Lot"))),
            ("serial", label("序列号", _("Serial"))),
            ("udi_hri", label("UDI", _("UDI (human readable)"))),
            ("udi_di", label("产品标识", _("UDI-DI"))),
            ("manufacture_date", label("生产日期", _("Manufactured"))),
            ("expiry_date", label("失效日期", _("Expiry"))),
        ]
        return {
            "products": [
                ("product", label("产品名称", _("Product"))),
                ("default_code", label("产品编码", _("Catalogue number"))),
                ("brand", label("商品名称", _("Brand name"))),
                ("model", label("型号规格", _("Model / specification"))),
                ("description", label("产品描述", _("Description / intended use"))),
                ("primary_di", label("产品标识", _("UDI-DI"))),
                ("basic_di", label("基本产品标识", _("Basic UDI-DI"))),
                ("registration", label("注册证号/备案号", _("Registration / 510(k)"))),
                ("premarket", label("上市前申报号", _("FDA premarket number"))),
                ("product_code", label("FDA产品代码", _("FDA product code"))),
                ("nmpa_class", label("管理类别", _("NMPA class"))),
                ("nmpa_category", label("分类编码", _("NMPA classification code"))),
                ("fda_class", label("FDA类别", _("FDA class"))),
                ("eu_class", label("欧盟类别", _("EU MDR class"))),
                ("gmdn", label("GMDN代码", _("GMDN code"))),
                ("life_years", label("使用期限(年)", _("Expected life (years)"))),
            ],
            "lots": [
                *unit_identity,
                ("entered", label("生产/进口数量", _("Manufactured / imported"))),
                ("shipped", label("销售数量", _("Shipped"))),
                ("held_by_consignees", label("客户持有", _("Held by consignees"))),
                ("own_stock", label("库存数量", _("In own stock"))),
                ("located", label("已核实", _("Located"))),
                ("recovered", label("已召回", _("Recovered"))),
                ("consignee_count", label("涉及单位", _("Consignees"))),
            ],
            "units": [
                *unit_identity,
                ("holder_type", label("持有方类型", _("Holder type"))),
                ("holder", label("持有方", _("Holder"))),
                ("address", label("地址/库位", _("Address / location"))),
                ("state", label("省份/州", _("State / province"))),
                ("country", label("国家", _("Country"))),
                ("shipped", label("发货数量", _("Shipped / received"))),
                ("held", label("现持有", _("Held now"))),
                ("on_hand", label("报告库存", _("Reported on hand"))),
                ("used", label("报告已使用", _("Reported used"))),
                ("returned", label("报告已退回", _("Reported returned"))),
                ("destroyed", label("报告已销毁", _("Reported destroyed"))),
                ("recovered", label("已召回", _("Recovered"))),
                ("first_date", label("首次日期", _("First date"))),
                ("last_date", label("最后日期", _("Last date"))),
                ("documents", label("单据", _("Documents"))),
                ("notice", label("召回通知", _("Notice"))),
                ("notice_state", label("通知状态", _("Notice status"))),
            ],
            "consignees": [
                ("consignee", label("单位名称", _("Consignee"))),
                ("delivery_address", label("收货地址", _("Delivery address"))),
                ("address", label("地址", _("Address"))),
                ("state", label("省份/州", _("State / province"))),
                ("country", label("国家", _("Country"))),
                ("phone", label("电话", _("Phone"))),
                ("email", label("电子邮箱", _("E-mail"))),
                ("gln", label("GLN", _("GLN"))),
                ("licence", label("经营许可证号", _("Licence number"))),
                ("roles", label("单位类型", _("Type"))),
                ("lots", label("批号/序列号", _("Lots / serials"))),
                ("shipped", label("发货数量", _("Units shipped"))),
                ("first_date", label("首次发货", _("First shipped"))),
                ("last_date", label("最后发货", _("Last shipped"))),
                ("notice", label("召回通知", _("Notice"))),
                ("notice_state", label("通知状态", _("Notice status"))),
                ("sent_at", label("通知时间", _("Notified"))),
                ("acknowledged_at", label("确认时间", _("Acknowledged"))),
                ("located", label("已核实", _("Located"))),
                ("recovered", label("已召回", _("Recovered"))),
            ],
            "distribution": [
                ("country", label("国家", _("Country"))),
                ("state", label("省份/州", _("State / province"))),
                ("consignee_count", label("单位数", _("Consignees"))),
                ("address_count", label("收货地址数", _("Delivery addresses"))),
                ("shipped", label("发货数量", _("Units shipped"))),
            ],
        }

    def _recall_report_common(self):
        """Products, lots, units, consignees, distribution and totals (any jurisdiction)."""
        self.ensure_one()
        lines = self.line_ids.sorted(
            lambda line: (
                line.product_id.display_name or "",
                line.lot_id.name or "",
                line.holder_type != "partner",
                line.commercial_partner_id.display_name or line.location_id.complete_name or "",
                line.partner_id.display_name or "",
            )
        )
        lots = (self.scope_lot_ids | lines.lot_id).sorted(
            lambda lot: (lot.product_id.display_name or "", lot.name or "")
        )
        partner_lines = lines.filtered(lambda line: line.holder_type == "partner")
        own_lines = lines - partner_lines
        entered = self._recall_report_entered(lots)
        notice_states = dict(
            self.env["recall.notice"]._fields["state"]._description_selection(self.env)
        )
        holder_types = dict(
            self.env["recall.campaign.line"]._fields["holder_type"]._description_selection(
                self.env
            )
        )
        qty = self._recall_report_qty

        def lot_values(lot):
            serial = lot.product_id.tracking == "serial"
            return {
                "product": lot.product_id.display_name,
                "lot": "" if serial else lot.name,
                "serial": lot.name if serial else "",
                "udi_hri": lot.udi_hri or "",
                "udi_di": lot.udi_di or "",
                "manufacture_date": self._recall_fmt_date(lot.udi_manufacture_date),
                "expiry_date": self._recall_fmt_date(lot.udi_expiry_date),
            }

        # -- units: one row per lot x holder; lots nobody holds get a row of their own
        units = []
        for line in lines:
            row = lot_values(line.lot_id)
            if line.holder_type == "partner":
                address = line.partner_id
                holder = line.commercial_partner_id.display_name
                where = self._recall_address(address)
                if address != line.commercial_partner_id:
                    where = ", ".join(part for part in (address.name, where) if part)
                state = (address.state_id or line.commercial_partner_id.state_id).name
                country = (address.country_id or line.commercial_partner_id.country_id).name
            else:
                holder = self.company_id.name
                where = line.location_id.complete_name
                state = country = ""
            row.update(
                {
                    "holder_type": holder_types.get(line.holder_type, ""),
                    "holder": holder or "",
                    "address": where or "",
                    "state": state or "",
                    "country": country or "",
                    "shipped": line.received_quantity,
                    "held": line.quantity,
                    "on_hand": line.reported_on_hand,
                    "used": line.reported_used,
                    "returned": line.reported_returned,
                    "destroyed": line.reported_destroyed,
                    "recovered": line.recovered_quantity,
                    "first_date": self._recall_fmt_datetime(line.first_date),
                    "last_date": self._recall_fmt_datetime(line.last_date),
                    "documents": line.documents or "",
                    "notice": line.notice_id.name or "",
                    "notice_state": notice_states.get(line.notice_id.state, ""),
                }
            )
            units.append(row)
        held_lots = lines.lot_id
        for lot in lots - held_lots:
            row = lot_values(lot)
            row.update(
                {
                    "holder_type": self.env._("No current holder"),
                    "holder": "", "address": "", "state": "", "country": "",
                    "shipped": 0.0, "held": 0.0, "on_hand": 0.0, "used": 0.0,
                    "returned": 0.0, "destroyed": 0.0, "recovered": 0.0,
                    "first_date": "", "last_date": "", "documents": "",
                    "notice": "", "notice_state": "",
                }
            )
            units.append(row)

        # -- lots in scope
        lot_rows = []
        for lot in lots:
            mine = lines.filtered(lambda line, lot=lot: line.lot_id == lot)
            theirs = mine.filtered(lambda line: line.holder_type == "partner")
            lot_rows.append(
                {
                    **lot_values(lot),
                    "entered": entered.get(lot.id, 0.0),
                    "shipped": sum(theirs.mapped("received_quantity")),
                    "held_by_consignees": sum(theirs.mapped("quantity")),
                    "own_stock": sum((mine - theirs).mapped("quantity")),
                    "located": sum(theirs.mapped("reported_located")),
                    "recovered": sum(theirs.mapped("recovered_quantity")),
                    "consignee_count": len(theirs.commercial_partner_id),
                }
            )

        # -- products
        classes = dict(
            self.env["product.template"]._fields["udi_nmpa_class"]._description_selection(
                self.env
            )
        )
        eu_classes = dict(
            self.env["product.template"]._fields["udi_eu_class"]._description_selection(
                self.env
            )
        )
        product_rows = []
        for product in lots.product_id.sorted("display_name"):
            template = product.product_tmpl_id
            product_rows.append(
                {
                    "product": product.display_name,
                    "default_code": product.default_code or "",
                    "brand": template.udi_brand or "",
                    "model": template.udi_model or "",
                    "description": template.udi_description or "",
                    "primary_di": template.udi_primary_di or "",
                    "basic_di": template.udi_basic_di or "",
                    "registration": template.udi_registration_number or "",
                    "premarket": template.udi_fda_premarket_number or "",
                    "product_code": template.udi_fda_product_code or "",
                    "nmpa_class": classes.get(template.udi_nmpa_class, ""),
                    "nmpa_class_code": template.udi_nmpa_class or "",
                    "nmpa_category": template.udi_nmpa_category_code or "",
                    "fda_class": classes.get(template.udi_fda_class, ""),
                    "eu_class": eu_classes.get(template.udi_eu_class, ""),
                    "gmdn": template.udi_gmdn_code or "",
                    "life_years": template.udi_life_years or "",
                }
            )

        # -- consignees: one row per delivery address
        consignees = []
        by_address = defaultdict(lambda: self.env["recall.campaign.line"])
        for line in partner_lines:
            by_address[line.partner_id] |= line
        ordered = sorted(
            by_address.items(),
            key=lambda item: (
                item[0].commercial_partner_id.display_name or "", item[0].display_name or ""
            ),
        )
        for address, group in ordered:
            entity = address.commercial_partner_id
            notice = group.notice_id[:1]
            firsts = [d for d in group.mapped("first_date") if d]
            lasts = [d for d in group.mapped("last_date") if d]
            consignees.append(
                {
                    "consignee": entity.display_name,
                    "delivery_address": address.name if address != entity else "",
                    "address": self._recall_address(address) or self._recall_address(entity),
                    "state": (address.state_id or entity.state_id).name or "",
                    "country": (address.country_id or entity.country_id).name or "",
                    "country_code": (address.country_id or entity.country_id).code or "",
                    "phone": address.phone or entity.phone or "",
                    "email": address.email or entity.email or "",
                    "gln": address.udi_gln or entity.udi_gln or "",
                    "licence": entity.udi_licence_number or "",
                    "roles": ", ".join(entity.udi_role_ids.mapped("name")),
                    "lots": ", ".join(sorted(set(group.lot_id.mapped("name")))),
                    "shipped": sum(group.mapped("received_quantity")),
                    "first_date": self._recall_fmt_datetime(min(firsts)) if firsts else "",
                    "last_date": self._recall_fmt_datetime(max(lasts)) if lasts else "",
                    "notice": notice.name or "",
                    "notice_state": notice_states.get(notice.state, ""),
                    "sent_at": self._recall_fmt_datetime(notice.sent_at),
                    "acknowledged_at": self._recall_fmt_datetime(notice.acknowledged_at),
                    "located": sum(group.mapped("reported_located")),
                    "recovered": sum(group.mapped("recovered_quantity")),
                }
            )

        # -- distribution by country and state/province
        areas = defaultdict(lambda: {"entities": set(), "addresses": set(), "shipped": 0.0})
        for line in partner_lines:
            entity = line.commercial_partner_id
            country = line.partner_id.country_id or entity.country_id
            state = line.partner_id.state_id or entity.state_id
            area = areas[(country.name or "", state.name or "")]
            area["entities"].add(entity.id)
            area["addresses"].add(line.partner_id.id)
            area["shipped"] += line.received_quantity
        distribution = [
            {
                "country": country or self.env._("Country not recorded"),
                "state": state,
                "consignee_count": len(area["entities"]),
                "address_count": len(area["addresses"]),
                "shipped": area["shipped"],
            }
            for (country, state), area in sorted(areas.items())
        ]

        entities = partner_lines.commercial_partner_id
        foreign = entities.filtered(
            lambda p: p.country_id and p.country_id.code != FDA_DOMESTIC
        )
        role_counts = defaultdict(int)
        for entity in entities:
            for role in entity.udi_role_ids or [False]:
                role_counts[role.name if role else self.env._("Other")] += 1
        totals = {
            "entered": sum(entered.values()),
            "shipped": sum(partner_lines.mapped("received_quantity")),
            "held_by_consignees": sum(partner_lines.mapped("quantity")),
            "own_stock": sum(own_lines.mapped("quantity")),
            "located": sum(partner_lines.mapped("reported_located")),
            "recovered": sum(partner_lines.mapped("recovered_quantity")),
            "lot_count": len(lots),
            "unit_rows": len(units),
            "consignee_count": len(entities),
            "address_count": len(partner_lines.partner_id),
            "domestic_count": len(entities - foreign),
            "foreign_count": len(foreign),
            "consignee_types": ", ".join(
                f"{name}: {count}" for name, count in sorted(role_counts.items())
            ),
            "consignee_roles": ", ".join(sorted(role_counts)),
            "areas": "; ".join(
                self.env._(
                    "%(area)s: %(count)s consignee(s), %(units)s unit(s)",
                    area=" ".join(part for part in (row["state"], row["country"]) if part),
                    count=row["consignee_count"],
                    units=qty(row["shipped"]),
                )
                for row in distribution
            ),
        }
        return {
            "products": product_rows,
            "lots": lot_rows,
            "units": units,
            "consignees": consignees,
            "distribution": distribution,
            "totals": totals,
            "lot_names": ", ".join(row["lot"] for row in lot_rows if row["lot"]),
            "serial_names": ", ".join(row["serial"] for row in lot_rows if row["serial"]),
            "manufacture_range": self._recall_range(row["manufacture_date"] for row in lot_rows),
            "expiry_range": self._recall_range(row["expiry_date"] for row in lot_rows),
            "distribution_range": self._recall_range(
                [row["first_date"][:10] for row in consignees]
                + [row["last_date"][:10] for row in consignees]
            ),
        }

    def _recall_report_entered(self, lots):
        """{lot id: units that entered our stock from a supplier or from production}: the
        quantity manufactured or imported (生产/进口数量, 806.10(c)(9))."""
        if not lots:
            return {}
        groups = self.env["stock.move.line"].sudo()._read_group(
            [
                ("lot_id", "in", lots.ids),
                ("state", "=", "done"),
                ("location_id.usage", "in", ("supplier", "production")),
                ("location_dest_id.usage", "=", "internal"),
            ],
            ["lot_id"],
            ["quantity_product_uom:sum"],
        )
        return {lot.id: quantity for lot, quantity in groups}

    # ------------------------------------------------------------------ common header values

    def _recall_report_contact(self):
        """The responsible: name, function, phone, e-mail (the campaign's, else the user's)."""
        user = self.user_id or self.env.user
        partner = user.partner_id
        return {
            "name": user.name or "",
            "function": partner.function or "",
            "phone": partner.phone or "",
            "email": user.email or "",
            "address": self._recall_address(partner) or self._recall_address(
                self.company_id.partner_id
            ),
        }

    def _recall_report_actions(self):
        """The required consignee actions, in the campaign's words."""
        labels = [
            (self.action_stop_use, self.env._("Stop using the affected devices")),
            (self.action_stop_distribution, self.env._("Stop distributing them")),
            (self.action_quarantine, self.env._("Quarantine the units held")),
            (self.action_return, self.env._("Return them to the manufacturer")),
            (self.action_destroy, self.env._("Destroy them and keep evidence")),
            (
                self.action_forward,
                self.env._("Forward the notice to every customer supplied, and name them"),
            ),
        ]
        return [label for enabled, label in labels if enabled]

    def _recall_report_selection(self, field):
        return dict(self._fields[field]._description_selection(self.env)).get(self[field], "")

    @api.model
    def _recall_row(self, key, label, value, gloss="", ref="", required=True):
        return {
            "key": key,
            "ref": ref,
            "label": label,
            "gloss": gloss,
            "value": value if value or value == 0 else "",
            "required": required,
        }

    # ------------------------------------------------------------------ NMPA

    def _recall_report_sections_nmpa(self, common):
        """医疗器械召回事件报告表 (CFDA Order No. 29, 2017): Chinese form labels, English
        glosses (left out when the reader reads Chinese)."""
        zh = (self.env.lang or "").startswith("zh")
        _ = self.env._

        def row(key, label, gloss, value, required=True):
            return self._recall_row(key, label, value, "" if zh else gloss, required=required)

        company = self.company_id
        contact = self._recall_report_contact()
        products = common["products"]
        totals = common["totals"]
        qty = self._recall_report_qty
        foreign = self.jurisdiction_ids.filtered(lambda j: j.code != "NMPA")
        device_classes = sorted(
            {NMPA_DEVICE_CLASS.get(p["nmpa_class_code"], "") for p in products} - {""}
        )
        measures = [NMPA_KIND.get(self.kind, "")] + self._recall_report_actions()
        if self.instructions:
            measures.append(self.instructions)
        closure = self.deadline_ids.filtered(lambda d: d.milestone == "closure")[:1]
        publication = (
            "国家药品监督管理局网站和中央主要媒体" if self.recall_class == "1"
            else "省级药品监督管理部门网站"
        )
        return [
            {
                "title": "一、企业信息" + ("" if zh else " " + _("Company")),
                "rows": [
                    row("company", "企业名称", _("Company name"), company.name),
                    row("address", "企业地址", _("Address"),
                        self._recall_address(company.partner_id)),
                    row("zip", "邮政编码", _("Postcode"), company.zip),
                    row("contact", "联系人", _("Contact person"), contact["name"]),
                    row("phone", "联系电话", _("Telephone"), contact["phone"] or company.phone),
                    row("email", "电子邮箱", _("E-mail"), contact["email"] or company.email),
                ],
            },
            {
                "title": "二、产品信息" + ("" if zh else " " + _("Device")),
                "rows": [
                    row("product", "产品名称", _("Product name"),
                        "; ".join(p["product"] for p in products)),
                    row("registration", "注册证号/备案号",
                        _("Registration certificate / filing number"),
                        "; ".join(p["registration"] for p in products if p["registration"])),
                    row("device_class", "管理类别", _("Device class"),
                        "、".join(device_classes)),
                    row("category", "分类编码", _("Classification code"),
                        "; ".join(p["nmpa_category"] for p in products if p["nmpa_category"]),
                        required=False),
                    row("model", "型号规格", _("Model / specification"),
                        "; ".join(p["model"] for p in products if p["model"])),
                    row("udi_di", "产品标识(UDI-DI)", _("Device identifier"),
                        "; ".join(p["primary_di"] for p in products if p["primary_di"])),
                    row("lots", "批号", _("Lot numbers"), common["lot_names"],
                        required=False),
                    row("serials", "序列号", _("Serial numbers"), common["serial_names"],
                        required=False),
                    row("udi", "UDI", _("UDI of every unit"),
                        _("%(count)s lot(s)/serial(s), listed with their UDI below",
                          count=totals["lot_count"])),
                    row("manufactured", "生产日期", _("Manufacture dates"),
                        common["manufacture_range"], required=False),
                    row("expiry", "失效日期", _("Expiry dates"), common["expiry_range"],
                        required=False),
                ],
            },
            {
                "title": "三、召回信息" + ("" if zh else " " + _("Recall")),
                "rows": [
                    row("reference", "召回编号", _("Recall reference"), self.name),
                    row("recall_type", "召回类型", _("Recall type"),
                        "责令召回" + ("" if zh else " " + _("Ordered by the authority"))
                        if self.source == "regulator"
                        else "主动召回" + ("" if zh else " " + _("Voluntary"))),
                    row("recall_class", "召回级别", _("Recall class"),
                        NMPA_CLASS.get(self.recall_class, "")
                        + ("" if zh else " " + self._recall_report_selection("recall_class"))),
                    row("reason", "召回原因", _("Reason for the recall"), self.reason),
                    row("risk", "健康危害评估", _("Health hazard evaluation"),
                        html2plaintext(self.risk_assessment or "").strip()),
                    row("measures", "召回措施", _("Recall measures"),
                        "；".join(m for m in measures if m)),
                    row("decision", "召回决定时间", _("Recall decision"),
                        self._recall_fmt_datetime(self.decision_date)),
                    row("start", "召回开始时间", _("Recall start (first notice)"),
                        self._recall_fmt_datetime(self.first_notified_at or self.decision_date)),
                    row("completion", "预计完成时间", _("Expected completion"),
                        self._recall_fmt_datetime(closure.due_at), required=False),
                    row("overseas", "是否境外召回", _("Recall also outside China"),
                        ("是 " + ", ".join(foreign.mapped("code"))) if foreign else "否"),
                    row("publication", "召回信息发布", _("Publication of the recall"),
                        publication),
                ],
            },
            {
                "title": "四、涉及数量" + ("" if zh else " " + _("Quantities")),
                "rows": [
                    row("entered", "生产/进口数量", _("Manufactured / imported"),
                        qty(totals["entered"])),
                    row("shipped", "销售数量", _("Shipped to consignees"),
                        qty(totals["shipped"])),
                    row("own_stock", "库存数量", _("In own stock"), qty(totals["own_stock"])),
                    row("held", "客户持有数量", _("Held by consignees (trace)"),
                        qty(totals["held_by_consignees"])),
                    row("located", "已核实数量", _("Located (reported by consignees)"),
                        qty(totals["located"])),
                    row("recovered", "已召回数量", _("Recovered"), qty(totals["recovered"])),
                    row("consignees", "涉及单位数", _("Consignees"),
                        str(totals["consignee_count"])),
                ],
            },
            {
                "title": "五、销售区域/流向" + ("" if zh else " " + _("Distribution")),
                "rows": [
                    row("areas", "销售区域", _("Distribution area"), totals["areas"],
                        required=bool(totals["consignee_count"])),
                    row("distribution_dates", "销售时间", _("Distribution dates"),
                        common["distribution_range"],
                        required=bool(totals["consignee_count"])),
                ],
            },
            {
                "title": "六、报告" + ("" if zh else " " + _("Report")),
                "rows": [
                    row("reporter", "报告人", _("Reported by"), self.env.user.name),
                    row("report_date", "报告日期", _("Report date"),
                        self._recall_local(fields.Datetime.now()).date().isoformat()),
                    row("approved_by", "批准人", _("Approved by"),
                        self._recall_signature_text(self.approval_signature_id),
                        required=False),
                ],
            },
        ]

    # ------------------------------------------------------------------ FDA 806

    def _recall_report_sections_fda806(self, common):
        """21 CFR 806.10(c), paragraph by paragraph."""
        _ = self.env._
        row = self._recall_row
        company = self.company_id
        contact = self._recall_report_contact()
        products = common["products"]
        totals = common["totals"]
        qty = self._recall_report_qty
        notices = self.notice_ids.filtered(lambda n: n.sent_at).sorted("sent_at")
        removal = self._recall_is_removal()
        actions = self._recall_report_actions()
        description = "\n".join(
            part
            for part in (
                self.reason,
                _("Action: %(kind)s (%(type)s), %(recall_class)s.",
                  kind=self._recall_report_selection("kind"),
                  type=_("removal") if removal else _("correction"),
                  recall_class=self._recall_report_selection("recall_class")),
                _("Consignees are asked to: %(actions)s.", actions="; ".join(actions))
                if actions else "",
                self.instructions or "",
            )
            if part
        )
        life = sorted({p["life_years"] for p in products if p["life_years"]})
        return [
            {
                "title": _("(c)(1) Report number"),
                "rows": [
                    row("report_number", _("Report number"), self._recall_fda_report_number(),
                        ref="(c)(1)"),
                    row("registration", _("FDA establishment registration number"),
                        company.recall_fda_registration, ref="(c)(1)"),
                    row("report_type", _("Report type"),
                        _("Removal (R)") if removal else _("Correction (C)"), ref="(c)(1)"),
                ],
            },
            {
                "title": _("(c)(2) Reporting manufacturer or importer"),
                "rows": [
                    row("company", _("Name"), company.name, ref="(c)(2)"),
                    row("address", _("Address"), self._recall_address(company.partner_id),
                        ref="(c)(2)"),
                    row("phone", _("Telephone"), company.phone, ref="(c)(2)"),
                    row("representative", _("Representative responsible for the action"),
                        contact["name"], ref="(c)(2)"),
                    row("title", _("Title"), contact["function"], ref="(c)(2)"),
                    row("rep_address", _("Representative address"), contact["address"],
                        ref="(c)(2)"),
                    row("rep_phone", _("Representative telephone"),
                        contact["phone"] or company.phone, ref="(c)(2)"),
                    row("rep_email", _("Representative e-mail"), contact["email"],
                        ref="(c)(2)", required=False),
                ],
            },
            {
                "title": _("(c)(3) Device"),
                "rows": [
                    row("brand", _("Brand name"),
                        "; ".join(p["brand"] for p in products if p["brand"]), ref="(c)(3)"),
                    row("common_name", _("Common or usual name"),
                        "; ".join(p["product"] for p in products), ref="(c)(3)"),
                    row("intended_use", _("Intended use"),
                        "; ".join(p["description"] for p in products if p["description"]),
                        ref="(c)(3)"),
                ],
            },
            {
                "title": _("(c)(4) Marketing status"),
                "rows": [
                    row("premarket", _("510(k) / PMA / De Novo number"),
                        "; ".join(p["premarket"] for p in products if p["premarket"]),
                        ref="(c)(4)"),
                    row("fda_class", _("Device class"),
                        "; ".join(sorted({p["fda_class"] for p in products} - {""})),
                        ref="(c)(4)"),
                    row("product_code", _("Product code"),
                        "; ".join(p["product_code"] for p in products if p["product_code"]),
                        ref="(c)(4)"),
                ],
            },
            {
                "title": _("(c)(5) Identification"),
                "rows": [
                    row("udi_di", _("Device identifiers (UDI-DI)"),
                        "; ".join(p["primary_di"] for p in products if p["primary_di"]),
                        ref="(c)(5)"),
                    row("model", _("Model"),
                        "; ".join(p["model"] for p in products if p["model"]), ref="(c)(5)"),
                    row("catalog", _("Catalog number"),
                        "; ".join(p["default_code"] for p in products if p["default_code"]),
                        ref="(c)(5)", required=False),
                    row("lots", _("Lot numbers"), common["lot_names"], ref="(c)(5)",
                        required=False),
                    row("serials", _("Serial numbers"), common["serial_names"], ref="(c)(5)",
                        required=False),
                    row("udi", _("UDI of every unit"),
                        _("%(count)s lot(s)/serial(s), listed with their UDI below",
                          count=totals["lot_count"]), ref="(c)(5)"),
                ],
            },
            {
                "title": _("(c)(6) Manufacturer"),
                "rows": [
                    row("manufacturer", _("Manufacturer, if different from (c)(2)"),
                        _("Same as (c)(2)"), ref="(c)(6)"),
                ],
            },
            {
                "title": _("(c)(7) Event and action"),
                "rows": [
                    row("description", _("Event giving rise to the report, action taken and "
                                         "expected"), description, ref="(c)(7)"),
                    row("hazard", _("Health hazard evaluation"),
                        html2plaintext(self.risk_assessment or "").strip(), ref="(c)(7)"),
                    row("decision", _("Action initiated"),
                        self._recall_fmt_datetime(self.decision_date), ref="(c)(7)"),
                ],
            },
            {
                "title": _("(c)(8) Illness or injuries"),
                "rows": [
                    row("injuries", _("Complaint / MDR references"),
                        self.ticket_id.display_name, ref="(c)(8)"),
                ],
            },
            {
                "title": _("(c)(9) Number of devices"),
                "rows": [
                    row("entered", _("Manufactured or imported"), qty(totals["entered"]),
                        ref="(c)(9)"),
                    row("shipped", _("Distributed"), qty(totals["shipped"]), ref="(c)(9)"),
                    row("own_stock", _("Still in own stock"), qty(totals["own_stock"]),
                        ref="(c)(9)"),
                    row("per_lot", _("Per lot or serial"),
                        _("See the list of lots and serials below"), ref="(c)(9)"),
                ],
            },
            {
                "title": _("(c)(10) Dates"),
                "rows": [
                    row("manufactured", _("Dates of manufacture"),
                        common["manufacture_range"], ref="(c)(10)"),
                    row("distributed", _("Dates of distribution"),
                        common["distribution_range"], ref="(c)(10)",
                        required=bool(totals["consignee_count"])),
                    row("expiry", _("Expiration dates"), common["expiry_range"],
                        ref="(c)(10)", required=not life),
                    row("life", _("Expected life (years)"),
                        ", ".join(str(years) for years in life), ref="(c)(10)",
                        required=not common["expiry_range"]),
                ],
            },
            {
                "title": _("(c)(11) Consignees"),
                "rows": [
                    row("consignee_count", _("Number of consignees"),
                        str(totals["consignee_count"]), ref="(c)(11)"),
                    row("domestic", _("Domestic / foreign"),
                        _("%(domestic)s domestic, %(foreign)s foreign",
                          domestic=totals["domestic_count"], foreign=totals["foreign_count"]),
                        ref="(c)(11)"),
                    row("consignee_types", _("Type of consignees"), totals["consignee_types"],
                        ref="(c)(11)", required=bool(totals["consignee_count"])),
                    row("areas", _("Distribution (states / countries)"), totals["areas"],
                        ref="(c)(11)", required=bool(totals["consignee_count"])),
                ],
            },
            {
                "title": _("(c)(12) Communications"),
                "rows": [
                    row("communications", _("Notices sent"),
                        _("%(count)s notice(s), first %(first)s, last %(last)s; a copy of the "
                          "notice is attached",
                          count=len(notices),
                          first=self._recall_fmt_datetime(notices[:1].sent_at),
                          last=self._recall_fmt_datetime(notices[-1:].sent_at))
                        if notices else "",
                        ref="(c)(12)"),
                ],
            },
        ]

    # ------------------------------------------------------------------ EU FSN

    def _recall_report_sections_eu_fsn(self, common):
        """Field safety notice, following the sections of the MEDDEV 2.12/1 rev. 8 / MDCG
        FSN template."""
        _ = self.env._
        row = self._recall_row
        company = self.company_id
        contact = self._recall_report_contact()
        products = common["products"]
        totals = common["totals"]
        action_types = {
            "recall": _("Product removal"),
            "correction": _("On-site device modification / inspection"),
            "fsn": _("Advice on use of the device"),
            "advisory": _("Advice on use of the device"),
        }
        eu = self.jurisdiction_ids.filtered(lambda j: j.code == "EU")
        deadline = _("Within %(days)s day(s) of receipt of this notice",
                     days=self.response_days)
        return [
            {
                "title": _("FSCA identification"),
                "rows": [
                    row("fsca", _("FSCA identifier"), self.name),
                    row("fsca_type", _("Type of action"), action_types.get(self.kind, "")),
                    row("date", _("Date"),
                        self._recall_fmt_date(
                            self._recall_local(
                                self.first_notified_at or self.decision_date
                                or fields.Datetime.now()
                            ).date()
                        )),
                    row("attention", _("Attention"), totals["consignee_roles"],
                        required=bool(totals["consignee_count"])),
                ],
            },
            {
                "title": _("1. Information on affected devices"),
                "rows": [
                    row("device_type", _("Device type"),
                        "; ".join(p["description"] or p["product"] for p in products),
                        ref="1.1"),
                    row("commercial_name", _("Commercial name"),
                        "; ".join(p["brand"] or p["product"] for p in products), ref="1.2"),
                    row("basic_udi_di", _("Basic UDI-DI"),
                        "; ".join(p["basic_di"] for p in products if p["basic_di"]),
                        ref="1.3"),
                    row("udi_di", _("UDI-DI"),
                        "; ".join(p["primary_di"] for p in products if p["primary_di"]),
                        ref="1.3"),
                    row("eu_class", _("Risk class (MDR)"),
                        "; ".join(sorted({p["eu_class"] for p in products} - {""})),
                        ref="1.3", required=False),
                    row("purpose", _("Primary clinical purpose"),
                        "; ".join(p["description"] for p in products if p["description"]),
                        ref="1.4"),
                    row("model", _("Model / catalogue / part number"),
                        "; ".join(
                            " ".join(v for v in (p["model"], p["default_code"]) if v)
                            for p in products if p["model"] or p["default_code"]
                        ),
                        ref="1.5"),
                    row("lots", _("Affected lot / serial numbers"),
                        "; ".join(v for v in (common["lot_names"], common["serial_names"]) if v),
                        ref="1.7"),
                    row("udi", _("UDI of every unit"),
                        _("%(count)s lot(s)/serial(s), listed with their UDI below",
                          count=totals["lot_count"]), ref="1.7"),
                ],
            },
            {
                "title": _("2. Reason for the field safety corrective action"),
                "rows": [
                    row("problem", _("Description of the product problem"), self.reason,
                        ref="2.1"),
                    row("hazard", _("Hazard giving rise to the FSCA"),
                        html2plaintext(self.risk_assessment or "").strip(), ref="2.2"),
                    row("risk", _("Predicted risk to patients or users"),
                        self._recall_report_selection("recall_class"), ref="2.4"),
                ],
            },
            {
                "title": _("3. Type of action to mitigate the risk"),
                "rows": [
                    row("user_actions", _("Action to be taken by the user"),
                        "; ".join(self._recall_report_actions()), ref="3.1"),
                    row("instructions", _("Instructions"), self.instructions, ref="3.1",
                        required=False),
                    row("by_when", _("By when"), deadline, ref="3.2"),
                    row("reply", _("Customer reply required"),
                        _("Yes: return the attached reply form. %(deadline)s.",
                          deadline=deadline), ref="3.4"),
                    row("manufacturer_action", _("Action being taken by the manufacturer"),
                        action_types.get(self.kind, ""), ref="3.5"),
                    row("transmission", _("Transmission of this notice"),
                        _("Pass this notice to everyone who needs to be aware of it in your "
                          "organisation and to every organisation the affected devices were "
                          "transferred to.")
                        if self.action_forward else
                        _("Pass this notice to everyone who needs to be aware of it in your "
                          "organisation."), ref="3.6"),
                ],
            },
            {
                "title": _("4. General information"),
                "rows": [
                    row("fsn_type", _("FSN type"), _("New"), ref="4.1"),
                    row("manufacturer", _("Manufacturer"), company.name, ref="4.4"),
                    row("manufacturer_address", _("Address"),
                        self._recall_address(company.partner_id), ref="4.4"),
                    row("website", _("Website"), company.website, ref="4.4", required=False),
                    row("srn", _("Single Registration Number (SRN)"), company.recall_eu_srn,
                        ref="4.4"),
                    row("authority", _("Competent authority informed"),
                        _("Yes") if eu else _("No"), ref="4.5"),
                    row("contact", _("Contact person"),
                        ", ".join(v for v in (contact["name"], contact["function"]) if v),
                        ref="4.7"),
                    row("contact_details", _("Contact details"),
                        ", ".join(v for v in (contact["email"], contact["phone"]) if v),
                        ref="4.7"),
                    row("attachments", _("Attachments"),
                        _("Customer reply form; list of affected devices"), ref="4.6"),
                    row("signed", _("Approved by"),
                        self._recall_signature_text(self.approval_signature_id),
                        ref="4.8", required=False),
                ],
            },
        ]
