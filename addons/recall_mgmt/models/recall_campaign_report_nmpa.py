"""NMPA: 医疗器械召回事件报告表, the recall event report of CFDA Order No. 29 (2017).

Chinese form labels with English glosses (left out when the reader reads Chinese); the tables
come from recall_campaign_report_tables.py.
"""

from odoo import api, fields, models
from odoo.tools import html2plaintext

#: NMPA form wording (fixed text of the Chinese form, not translations)
NMPA_CLASS = {"1": "一级召回", "2": "二级召回", "3": "三级召回"}
NMPA_DEVICE_CLASS = {"1": "第一类", "2": "第二类", "3": "第三类"}
NMPA_KIND = {"recall": "收回", "correction": "纠正", "fsn": "现场安全通知", "advisory": "警示"}


class RecallCampaign(models.Model):
    _inherit = "recall.campaign"

    def _recall_report_sections_nmpa(self, common):
        """The six parts of the form: company, device, recall, quantities, distribution,
        report."""
        return [
            self._recall_nmpa_company_section(),
            self._recall_nmpa_device_section(common),
            self._recall_nmpa_recall_section(),
            self._recall_nmpa_quantity_section(common["totals"]),
            self._recall_nmpa_distribution_section(common),
            self._recall_nmpa_report_section(),
        ]

    @api.model
    def _recall_nmpa_product_classes(self, products):
        """Prefix the NMPA class of each product row with the form's wording (第三类 ...)."""
        for product in products:
            code = product["nmpa_class_code"]
            if code:
                product["nmpa_class"] = f"{NMPA_DEVICE_CLASS[code]} {product['nmpa_class']}"

    # ------------------------------------------------------------------ labels

    def _recall_nmpa_zh(self):
        """Whether the reader reads Chinese (then the English glosses are left out)."""
        return (self.env.lang or "").startswith("zh")

    def _recall_nmpa_row(self, key, label, gloss, value, required=True):
        """A field of the form: Chinese ``label``, English ``gloss`` for other readers."""
        gloss = "" if self._recall_nmpa_zh() else gloss
        return self._recall_row(key, label, value, gloss, required=required)

    def _recall_nmpa_title(self, title, gloss):
        return title + ("" if self._recall_nmpa_zh() else " " + gloss)

    # ------------------------------------------------------------------ parts of the form

    def _recall_nmpa_company_section(self):
        _ = self.env._
        row = self._recall_nmpa_row
        company = self.company_id
        contact = self._recall_report_contact()
        return {
            "title": self._recall_nmpa_title("一、企业信息", _("Company")),
            "rows": [
                row("company", "企业名称", _("Company name"), company.name),
                row("address", "企业地址", _("Address"), self._recall_address(company.partner_id)),
                row("zip", "邮政编码", _("Postcode"), company.zip),
                row("contact", "联系人", _("Contact person"), contact["name"]),
                row("phone", "联系电话", _("Telephone"), contact["phone"] or company.phone),
                row("email", "电子邮箱", _("E-mail"), contact["email"] or company.email),
            ],
        }

    def _recall_nmpa_device_section(self, common):
        _ = self.env._
        row = self._recall_nmpa_row
        products = common["products"]
        device_classes = sorted(
            {NMPA_DEVICE_CLASS.get(p["nmpa_class_code"], "") for p in products} - {""}
        )
        registrations = "; ".join(p["registration"] for p in products if p["registration"])
        categories = "; ".join(p["nmpa_category"] for p in products if p["nmpa_category"])
        udi_count = _(
            "%(count)s lot(s)/serial(s), listed with their UDI below",
            count=common["totals"]["lot_count"],
        )
        return {
            "title": self._recall_nmpa_title("二、产品信息", _("Device")),
            "rows": [
                row(
                    "product",
                    "产品名称",
                    _("Product name"),
                    "; ".join(p["product"] for p in products),
                ),
                row(
                    "registration",
                    "注册证号/备案号",
                    _("Registration certificate / filing number"),
                    registrations,
                ),
                row("device_class", "管理类别", _("Device class"), "、".join(device_classes)),
                row("category", "分类编码", _("Classification code"), categories, required=False),
                row(
                    "model",
                    "型号规格",
                    _("Model / specification"),
                    "; ".join(p["model"] for p in products if p["model"]),
                ),
                row(
                    "udi_di",
                    "产品标识(UDI-DI)",
                    _("Device identifier"),
                    "; ".join(p["primary_di"] for p in products if p["primary_di"]),
                ),
                row("lots", "批号", _("Lot numbers"), common["lot_names"], required=False),
                row(
                    "serials", "序列号", _("Serial numbers"), common["serial_names"], required=False
                ),
                row("udi", "UDI", _("UDI of every unit"), udi_count),
                row(
                    "manufactured",
                    "生产日期",
                    _("Manufacture dates"),
                    common["manufacture_range"],
                    required=False,
                ),
                row(
                    "expiry", "失效日期", _("Expiry dates"), common["expiry_range"], required=False
                ),
            ],
        }

    def _recall_nmpa_recall_section(self):
        _ = self.env._
        row = self._recall_nmpa_row
        zh = self._recall_nmpa_zh()
        foreign = self.jurisdiction_ids.filtered(lambda j: j.code != "NMPA")
        measures = [NMPA_KIND.get(self.kind, "")] + self._recall_report_actions()
        if self.instructions:
            measures.append(self.instructions)
        closure = self.deadline_ids.filtered(lambda d: d.milestone == "closure")[:1]
        if self.source == "regulator":
            recall_type = "责令召回" + ("" if zh else " " + _("Ordered by the authority"))
        else:
            recall_type = "主动召回" + ("" if zh else " " + _("Voluntary"))
        recall_class = NMPA_CLASS.get(self.recall_class, "") + (
            "" if zh else " " + self._recall_report_selection("recall_class")
        )
        # CN-REC-7: class I recalls are published by the NMPA and the central media
        publication = (
            "国家药品监督管理局网站和中央主要媒体"
            if self.recall_class == "1"
            else "省级药品监督管理部门网站"
        )
        start = self.first_notified_at or self.decision_date
        return {
            "title": self._recall_nmpa_title("三、召回信息", _("Recall")),
            "rows": [
                row("reference", "召回编号", _("Recall reference"), self.name),
                row("recall_type", "召回类型", _("Recall type"), recall_type),
                row("recall_class", "召回级别", _("Recall class"), recall_class),
                row("reason", "召回原因", _("Reason for the recall"), self.reason),
                row(
                    "risk",
                    "健康危害评估",
                    _("Health hazard evaluation"),
                    html2plaintext(self.risk_assessment or "").strip(),
                ),
                row(
                    "measures",
                    "召回措施",
                    _("Recall measures"),
                    "；".join(m for m in measures if m),
                ),
                row(
                    "decision",
                    "召回决定时间",
                    _("Recall decision"),
                    self._recall_fmt_datetime(self.decision_date),
                ),
                row(
                    "start",
                    "召回开始时间",
                    _("Recall start (first notice)"),
                    self._recall_fmt_datetime(start),
                ),
                row(
                    "completion",
                    "预计完成时间",
                    _("Expected completion"),
                    self._recall_fmt_datetime(closure.due_at),
                    required=False,
                ),
                row(
                    "overseas",
                    "是否境外召回",
                    _("Recall also outside China"),
                    ("是 " + ", ".join(foreign.mapped("code"))) if foreign else "否",
                ),
                row("publication", "召回信息发布", _("Publication of the recall"), publication),
            ],
        }

    def _recall_nmpa_quantity_section(self, totals):
        _ = self.env._
        row = self._recall_nmpa_row
        qty = self._recall_report_qty
        return {
            "title": self._recall_nmpa_title("四、涉及数量", _("Quantities")),
            "rows": [
                row(
                    "entered", "生产/进口数量", _("Manufactured / imported"), qty(totals["entered"])
                ),
                row("shipped", "销售数量", _("Shipped to consignees"), qty(totals["shipped"])),
                row("own_stock", "库存数量", _("In own stock"), qty(totals["own_stock"])),
                row(
                    "held",
                    "客户持有数量",
                    _("Held by consignees (trace)"),
                    qty(totals["held_by_consignees"]),
                ),
                row(
                    "located",
                    "已核实数量",
                    _("Located (reported by consignees)"),
                    qty(totals["located"]),
                ),
                row("recovered", "已召回数量", _("Recovered"), qty(totals["recovered"])),
                row("consignees", "涉及单位数", _("Consignees"), str(totals["consignee_count"])),
            ],
        }

    def _recall_nmpa_distribution_section(self, common):
        _ = self.env._
        row = self._recall_nmpa_row
        shipped = bool(common["totals"]["consignee_count"])
        return {
            "title": self._recall_nmpa_title("五、销售区域/流向", _("Distribution")),
            "rows": [
                row(
                    "areas",
                    "销售区域",
                    _("Distribution area"),
                    common["totals"]["areas"],
                    required=shipped,
                ),
                row(
                    "distribution_dates",
                    "销售时间",
                    _("Distribution dates"),
                    common["distribution_range"],
                    required=shipped,
                ),
            ],
        }

    def _recall_nmpa_report_section(self):
        _ = self.env._
        row = self._recall_nmpa_row
        return {
            "title": self._recall_nmpa_title("六、报告", _("Report")),
            "rows": [
                row("reporter", "报告人", _("Reported by"), self.env.user.name),
                row(
                    "report_date",
                    "报告日期",
                    _("Report date"),
                    self._recall_local(fields.Datetime.now()).date().isoformat(),
                ),
                row(
                    "approved_by",
                    "批准人",
                    _("Approved by"),
                    self._recall_signature_text(self.approval_signature_id),
                    required=False,
                ),
            ],
        }
