"""NMPA: 可疑医疗器械不良事件报告表, the marketing authorisation holder's individual report of a
suspected adverse event (医疗器械不良事件监测和再评价管理办法, SAMR/NHC Order No. 1, 2018;
submitted in the national medical device adverse event monitoring system).

Chinese form labels with English glosses (left out when the reader reads Chinese), as the
recall event report of recall_mgmt does.
"""

from odoo import models

#: NMPA form wording (fixed text of the Chinese form, not translations)
NMPA_REPORT_TYPE = {"initial": "首次报告", "follow_up": "跟踪报告", "final": "最终报告"}
NMPA_HARM = {"death": "死亡", "threat": "严重伤害", "serious": "严重伤害", "other": "其他"}
NMPA_DEVICE_CLASS = {"1": "Ⅰ类", "2": "Ⅱ类", "3": "Ⅲ类"}
NMPA_USE_PLACE = {"facility": "医疗机构", "home": "家庭", "other": "其它"}
NMPA_CAUSALITY = {"related": "与产品有关", "unrelated": "与产品无关", "undetermined": "无法确定"}


class VigilanceReport(models.Model):
    _inherit = "vigilance.report"

    def _vigilance_sections_nmpa(self, common):
        return [
            self._vigilance_nmpa_holder_section(common),
            self._vigilance_nmpa_device_section(common),
            self._vigilance_nmpa_event_section(common),
            self._vigilance_nmpa_use_section(),
            self._vigilance_nmpa_evaluation_section(common),
            self._vigilance_nmpa_follow_up_section(common),
        ]

    # ------------------------------------------------------------------ labels

    def _vigilance_nmpa_row(self, key, label, gloss, value, required=True, hint=""):
        gloss = "" if self._vigilance_reads_chinese() else gloss
        return self._vigilance_row(key, label, value, gloss=gloss, required=required, hint=hint)

    def _vigilance_nmpa_title(self, title, gloss):
        return title + ("" if self._vigilance_reads_chinese() else " " + gloss)

    def _vigilance_nmpa_word(self, word, gloss):
        """A fixed word of the form, with its English for other readers."""
        if not word or self._vigilance_reads_chinese():
            return word
        return f"{word} {gloss}" if gloss else word

    # ------------------------------------------------------------------ parts of the form

    def _vigilance_nmpa_holder_section(self, common):
        _ = self.env._
        row = self._vigilance_nmpa_row
        company = self.company_id
        contact = self._vigilance_contact()
        country = self.form_event_country_id
        place = ""
        if country:
            place = "境内" if country.code == "CN" else f"境外 {country.name}"
        return {
            "title": self._vigilance_nmpa_title("报告信息", _("Report")),
            "rows": [
                row(
                    "report_date",
                    "报告日期",
                    _("Report date"),
                    self._vigilance_fmt_date(self.issued_at or self._vigilance_today()),
                ),
                row(
                    "report_type",
                    "报告类型",
                    _("Report type"),
                    self._vigilance_nmpa_word(
                        NMPA_REPORT_TYPE.get(self.report_type, ""), common["report_type"]
                    ),
                ),
                row("reference", "企业报告编号", _("Manufacturer's reference"), self.name),
                row(
                    "initial_reference",
                    "首次报告编号",
                    _("Initial report"),
                    common["initial_reference"] or common["initial_regulator_reference"],
                    required=self.report_type != "initial",
                    hint=_("link the report to its initial report"),
                ),
                row("holder", "单位名称", _("Marketing authorisation holder"), company.name),
                row(
                    "address",
                    "联系地址",
                    _("Address"),
                    self._vigilance_address(company.partner_id),
                    hint=_("complete the company address"),
                ),
                row("contact", "联系人", _("Contact person"), contact["name"]),
                row(
                    "phone",
                    "联系电话",
                    _("Telephone"),
                    contact["phone"],
                    hint=_("set a phone number on the signer or the company"),
                ),
                row(
                    "place",
                    "发生地点",
                    _("Place of the event"),
                    place,
                    hint=_("set the country of the event in the report's Regulatory forms tab"),
                ),
            ],
        }

    def _vigilance_nmpa_device_section(self, common):
        _ = self.env._
        row = self._vigilance_nmpa_row
        template = self.product_id.product_tmpl_id
        company = self.company_id
        product_hint = _("complete the device's NMPA data on the product")
        if template.udi_is_ivd:
            device_type = "体外诊断试剂"
        elif template.udi_eu_active:
            device_type = "有源"
        else:
            device_type = "无源"
        origin = "国产" if company.country_id.code == "CN" else "进口"
        return {
            "title": self._vigilance_nmpa_title("一、医疗器械情况", _("Device")),
            "rows": [
                row("product", "产品名称", _("Product name"), self.product_id.name or ""),
                row(
                    "registration",
                    "注册证编号",
                    _("Registration certificate number"),
                    template.udi_registration_number,
                    hint=product_hint,
                ),
                row(
                    "model",
                    "型号规格",
                    _("Model / specification"),
                    template.udi_model,
                    hint=product_hint,
                ),
                row(
                    "device_type",
                    "产品类型",
                    _("Device type"),
                    f"{device_type}；{origin}" if template else "",
                ),
                row(
                    "device_class",
                    "管理类别",
                    _("Device class"),
                    NMPA_DEVICE_CLASS.get(template.udi_nmpa_class or "", ""),
                    hint=product_hint,
                ),
                row("lots", "产品批号", _("Lot numbers"), common["lot_names"], required=False),
                row(
                    "serials",
                    "产品编号",
                    _("Serial numbers"),
                    common["serial_names"],
                    required=False,
                ),
                row("udi", "UDI", _("Device identifier"), common["udi_di"], hint=product_hint),
                row(
                    "manufactured",
                    "生产日期",
                    _("Manufacture dates"),
                    common["manufacture_dates"],
                    required=False,
                ),
                row(
                    "expiry", "有效期至", _("Expiry dates"), common["expiry_dates"], required=False
                ),
            ],
        }

    def _vigilance_nmpa_event_section(self, common):
        _ = self.env._
        row = self._vigilance_nmpa_row
        patients = common["patients"]
        harm = NMPA_HARM.get(common["severity_class"], "")
        injuries = "；".join(
            " ".join(part for part in (p["pseudonym"], p["outcome"], p["note"]) if part)
            for p in patients
        )
        return {
            "title": self._vigilance_nmpa_title("二、不良事件情况", _("Adverse event")),
            "rows": [
                row(
                    "event_date",
                    "事件发生日期",
                    _("Date of the event"),
                    self._vigilance_fmt_date(self.event_date),
                    hint=_("set the event date on the report"),
                ),
                row(
                    "awareness_date",
                    "事件发现或获知日期",
                    _("Date known to the holder"),
                    self._vigilance_fmt_date(self.awareness_date),
                ),
                row(
                    "harm",
                    "伤害",
                    _("Harm"),
                    self._vigilance_nmpa_word(harm, common["severity"]),
                    hint=_("set the report's severity"),
                ),
                row(
                    "injury",
                    "伤害表现",
                    _("Injury (patients by pseudonym)"),
                    injuries,
                    required=bool(patients),
                    hint=_("set each patient's outcome"),
                ),
                row(
                    "clinical_code",
                    "伤害表现编码",
                    _("Clinical signs code (IMDRF Annex E)"),
                    self.form_clinical_code,
                    required=False,
                ),
                row(
                    "malfunction",
                    "器械故障表现",
                    _("Device malfunction"),
                    common["narrative"],
                    hint=_("write the narrative on the report"),
                ),
                row(
                    "device_code",
                    "器械故障表现编码",
                    _("Device problem code (IMDRF Annex A)"),
                    self.form_device_problem_code,
                    required=False,
                ),
            ],
        }

    def _vigilance_nmpa_use_section(self):
        _ = self.env._
        row = self._vigilance_nmpa_row
        form_hint = _("fill it in the report's Regulatory forms tab")
        place = NMPA_USE_PLACE.get(self.form_use_place or "", "")
        return {
            "title": self._vigilance_nmpa_title("三、使用情况", _("Use")),
            "rows": [
                row(
                    "treatment",
                    "预期治疗疾病或作用",
                    _("Intended treatment or purpose"),
                    self.form_treatment,
                    hint=form_hint,
                ),
                row(
                    "use_place",
                    "使用场所",
                    _("Place of use"),
                    self._vigilance_nmpa_word(place, self._vigilance_selection("form_use_place")),
                    hint=form_hint,
                ),
                row(
                    "use_process",
                    "使用过程",
                    _("Course of use"),
                    self.form_use_process,
                    hint=form_hint,
                ),
                row(
                    "concomitant",
                    "合并用药/械情况",
                    _("Concomitant medicines and devices"),
                    self.form_concomitant,
                    required=False,
                ),
            ],
        }

    def _vigilance_nmpa_evaluation_section(self, common):
        _ = self.env._
        row = self._vigilance_nmpa_row
        form_hint = _("fill it in the report's Regulatory forms tab")
        zh = self._vigilance_reads_chinese()
        investigated = ""
        if self.form_investigated:
            investigated = self._vigilance_nmpa_word(
                "是" if self.form_investigated == "yes" else "否",
                self._vigilance_selection("form_investigated"),
            )
        causality = self._vigilance_nmpa_word(
            NMPA_CAUSALITY.get(self.form_causality or "", ""),
            self._vigilance_selection("form_causality"),
        )
        action = common["corrective_action"]
        return {
            "title": self._vigilance_nmpa_title("四、事件评价与处置", _("Evaluation and action")),
            "rows": [
                row(
                    "investigated",
                    "是否开展了现场调查",
                    _("Investigated on site"),
                    investigated,
                    hint=form_hint,
                ),
                row(
                    "analysis",
                    "事件原因分析与评价结论",
                    _("Cause analysis and conclusion"),
                    common["root_cause"],
                    hint=_("write the root cause analysis on the report"),
                ),
                row("causality", "关联性评价", _("Causality"), causality, hint=form_hint),
                row(
                    "control",
                    "是否采取了控制措施",
                    _("Control measures taken"),
                    self._vigilance_yes_no(bool(action), zh=zh)
                    + ("" if zh else " " + self._vigilance_yes_no(bool(action))),
                ),
                row(
                    "measures",
                    "控制措施",
                    _("Control measures"),
                    action,
                    required=self.report_type == "final",
                    hint=_("describe the corrective action on the report"),
                ),
            ],
        }

    def _vigilance_nmpa_follow_up_section(self, common):
        _ = self.env._
        row = self._vigilance_nmpa_row
        return {
            "title": self._vigilance_nmpa_title("五、事件跟踪情况", _("Follow-up")),
            "rows": [
                row("chain", "既往报告", _("Earlier reports"), common["chain"], required=False),
                row("approved_by", "批准人", _("Approved by"), common["signature"], required=False),
            ],
        }
