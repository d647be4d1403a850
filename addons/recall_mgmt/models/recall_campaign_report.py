"""Regulator reports of a recall campaign: one data source for the PDFs and the spreadsheets.

``_recall_report_data(kind)`` gathers everything a report shows as plain dicts, lists, strings
and numbers; the QWeb templates (report/recall_regulator_templates.xml) and the xlsx controller
(controllers/main.py) only lay it out, so a PDF and a spreadsheet of the same campaign can never
disagree. readme/REPORTS.md lists every field and where it comes from.

This file holds the entry points, the assembly of the data, the columns and the formatting; the
tables every report shares are built in recall_campaign_report_tables.py, the header sections of
each regulator's form in recall_campaign_report_nmpa.py, _fda.py and _eu.py.
"""

from urllib.parse import quote

from psycopg2.errors import ReadOnlySqlTransaction

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..tools import zoned_time

#: report kind -> (report action xml id, jurisdiction code)
REPORT_KINDS = {
    "nmpa": ("recall_mgmt.action_report_recall_nmpa", "NMPA"),
    "fda806": ("recall_mgmt.action_report_recall_fda806", "FDA"),
    "eu_fsn": ("recall_mgmt.action_report_recall_eu_fsn", "EU"),
}
#: report kind -> its name in file names and in the record of the ledger heads given out
REPORT_NAMES = {
    "nmpa": "NMPA recall event report",
    "fda806": "FDA 806 report",
    "eu_fsn": "EU field safety notice",
}
#: the FDA wants its reports in English whatever the preparer's language
REPORT_LANG = {"fda806": "en_US"}


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
        return f"{(self.name or '').replace('/', '-')} {REPORT_NAMES[kind]}"

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
        "totals": {...}, "ledger_head": {"seq", "head_hash", "signature", "key_id"} or None,
        "ledger_section": {"title", "rows"} or None}``

        Each call records the latest signed ledger head as given to the regulator with the
        report (see ``_recall_report_ledger_head``).
        """
        self.ensure_one()
        self._recall_check_report_kind(kind)
        self.check_access("read")
        self._recall_check_reportable()
        if kind in REPORT_LANG:
            self = self.with_context(lang=REPORT_LANG[kind])
        reference = self._recall_fda_report_number() if kind == "fda806" else self.name
        head = self._recall_report_ledger_head(kind, reference)
        common = self._recall_report_common()
        if kind == "nmpa":
            self._recall_nmpa_product_classes(common["products"])
        sections = getattr(self, f"_recall_report_sections_{kind}")(common)
        title, subtitle = self._recall_report_titles(kind)
        return {
            "kind": kind,
            "title": title,
            "subtitle": subtitle,
            "reference": reference,
            "campaign": self.name,
            "filename": self._recall_report_filename(kind),
            "is_draft": not self.decision_date,
            "is_drill": self.is_drill,
            "generated_at": self._recall_fmt_datetime(fields.Datetime.now()),
            "timezone": self._recall_report_tz(),
            "sections": sections,
            "missing": self._recall_report_missing(sections),
            "columns": self._recall_report_columns(kind),
            "ledger_head": head,
            "ledger_section": self._recall_report_ledger_section(head),
            **common,
        }

    def _recall_report_titles(self, kind):
        """(title, subtitle) of the ``kind`` report; the NMPA form keeps its Chinese title."""
        _ = self.env._
        titles = {
            "nmpa": ("医疗器械召回事件报告表", _("Medical device recall event report")),
            "fda806": (_("Report of Correction or Removal"), _("21 CFR 806.10")),
            "eu_fsn": (
                _("Urgent Field Safety Notice"),
                _("Field safety corrective action (MDR Art. 89)"),
            ),
        }
        return titles[kind]

    @api.model
    def _recall_report_missing(self, sections):
        """The labels (with their gloss) of the required header fields that have no value."""
        return [
            row["label"] + (f" ({row['gloss']})" if row["gloss"] else "")
            for section in sections
            for row in section["rows"]
            if row["required"] and not row["value"]
        ]

    # ------------------------------------------------------------------ ledger head

    def _recall_report_ledger_head(self, kind, reference):
        """The latest signed checkpoint of the sealed ledger (sequence, head hash, signature,
        key), recorded as a head given to the regulator of ``kind`` with this report: the
        regulator holds evidence that a later ledger must still contain, and the chain
        verification reports the head if the ledger no longer holds it. None before the
        first checkpoint."""
        self.ensure_one()
        if self.env.cr.readonly:
            # a read-only request (GET /report/pdf/... served from a read replica): Odoo serves
            # it again with a read/write cursor when a write is refused; refuse before the
            # INSERT rather than have PostgreSQL reject it
            raise ReadOnlySqlTransaction("a regulator report records the ledger head it gives")
        head = self.env["audit.seal.published.head"]._seal_publish(
            self._recall_report_head_document(kind, reference)
        )
        if not head:
            return None
        return {
            "seq": head.seq,
            "head_hash": head.head_hash,
            "signature": head.signature,
            "key_id": head.key_id,
        }

    def _recall_report_head_document(self, kind, reference):
        """Where the head is given: ``RC/2026/0001 FDA 806 report 1234567-12/4/26-001-R to
        FDA District Recall Coordinator (FDA)`` (the authority of the report's jurisdiction)."""
        code = REPORT_KINDS[kind][1]
        jurisdiction = (
            self.env["recall.jurisdiction"]
            .sudo()
            .with_context(active_test=False, lang="en_US")
            .search([("code", "=", code)], limit=1)
        )
        recipient = jurisdiction.authority or jurisdiction.name or code
        number = f" {reference}" if reference != self.name else ""
        return f"{self.name} {REPORT_NAMES[kind]}{number} to {recipient} ({code})"

    def _recall_report_ledger_section(self, head):
        """The ledger head as header fields, for the spreadsheet (the PDF prints it in its
        footer note)."""
        if not head:
            return None
        _ = self.env._
        row = self._recall_row
        return {
            "title": _("Signed head of our sealed ledger"),
            "rows": [
                row("ledger_seq", _("Ledger entry"), str(head["seq"]), required=False),
                row("ledger_hash", _("Head hash (SHA-256)"), head["head_hash"], required=False),
                row(
                    "ledger_signature",
                    _("Signature (Ed25519, base64)"),
                    head["signature"],
                    required=False,
                ),
                row("ledger_key", _("Signing key"), head["key_id"], required=False),
                row(
                    "ledger_note",
                    _("Evidence for an audit"),
                    _(
                        "Keep this spreadsheet: an auditor can check that our ledger still "
                        "holds this entry with this hash."
                    ),
                    required=False,
                ),
            ],
        }

    # ------------------------------------------------------------------ columns

    def _recall_report_columns(self, kind):
        """The columns of each table, shared by the PDF tables and the spreadsheet sheets:
        ``{table: [(key, label)]}``."""
        label = self._recall_report_column_label(kind)
        # what identifies a unit, first in the lot table and in the unit table
        identity = self._recall_report_identity_columns(label)
        return {
            "products": self._recall_report_product_columns(label),
            "lots": identity + self._recall_report_lot_columns(label),
            "units": identity + self._recall_report_unit_columns(label),
            "consignees": self._recall_report_consignee_columns(label),
            "distribution": self._recall_report_distribution_columns(label),
        }

    def _recall_report_column_label(self, kind):
        """``label(zh, en)``: the column header of the ``kind`` report. The NMPA report is
        bilingual (Chinese only for a Chinese reader), the others are in the reader's language."""
        if kind != "nmpa":
            return lambda zh, en: en
        if (self.env.lang or "").startswith("zh"):
            return lambda zh, en: zh
        return lambda zh, en: f"{zh} {en}"

    def _recall_report_identity_columns(self, label):
        _ = self.env._
        return [
            ("product", label("产品名称", _("Product"))),
            ("lot", label("批号", _("Lot"))),
            ("serial", label("序列号", _("Serial"))),
            ("udi_hri", label("UDI", _("UDI (human readable)"))),
            ("udi_di", label("产品标识", _("UDI-DI"))),
            ("manufacture_date", label("生产日期", _("Manufactured"))),
            ("expiry_date", label("失效日期", _("Expiry"))),
        ]

    def _recall_report_product_columns(self, label):
        _ = self.env._
        return [
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
        ]

    def _recall_report_lot_columns(self, label):
        """The lot table's columns after the unit identity."""
        _ = self.env._
        return [
            ("entered", label("生产/进口数量", _("Manufactured / imported"))),
            ("shipped", label("销售数量", _("Shipped"))),
            ("held_by_consignees", label("客户持有", _("Held by consignees"))),
            ("own_stock", label("库存数量", _("In own stock"))),
            ("located", label("已核实", _("Located"))),
            ("recovered", label("已召回", _("Recovered"))),
            ("consignee_count", label("涉及单位", _("Consignees"))),
        ]

    def _recall_report_unit_columns(self, label):
        """The unit table's columns after the unit identity."""
        _ = self.env._
        return [
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
        ]

    def _recall_report_consignee_columns(self, label):
        _ = self.env._
        return [
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
        ]

    def _recall_report_distribution_columns(self, label):
        _ = self.env._
        return [
            ("country", label("国家", _("Country"))),
            ("state", label("省份/州", _("State / province"))),
            ("consignee_count", label("单位数", _("Consignees"))),
            ("address_count", label("收货地址数", _("Delivery addresses"))),
            ("shipped", label("发货数量", _("Units shipped"))),
        ]

    # ------------------------------------------------------------------ header values

    def _recall_report_contact(self):
        """The responsible: name, function, phone, e-mail (the campaign's, else the user's)."""
        user = self.user_id or self.env.user
        partner = user.partner_id
        return {
            "name": user.name or "",
            "function": partner.function or "",
            "phone": partner.phone or "",
            "email": user.email or "",
            "address": self._recall_address(partner)
            or self._recall_address(self.company_id.partner_id),
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
        """One header field; ``required`` fields without a value are listed as missing."""
        return {
            "key": key,
            "ref": ref,
            "label": label,
            "gloss": gloss,
            "value": value if value or value == 0 else "",
            "required": required,
        }
