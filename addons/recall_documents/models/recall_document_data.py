"""The content of a recall document: one dict for the PDF and the spreadsheet, built from the
campaign's report tables (recall_mgmt's ``_recall_report_common`` and the NMPA form sections)
and the answers given on the document and the campaign; frozen (JSON) when it is signed."""

import json

from odoo import fields, models
from odoo.tools import html2plaintext

#: Chinese titles of the NMPA documents (the form keeps its Chinese title)
NMPA_TITLES = {
    "nmpa_investigation": "医疗器械召回调查评估报告",
    "nmpa_plan": "医疗器械召回计划",
    "nmpa_progress": "医疗器械召回计划实施情况报告",
    "nmpa_plan_change": "医疗器械召回计划变更报告",
    "nmpa_summary": "医疗器械召回总结评估报告",
}
#: publication channel of an NMPA recall by class (CN-REC-7)
NMPA_PUBLICATION = {
    "1": "国家药品监督管理局网站和中央主要媒体",
    "2": "省级药品监督管理部门网站",
    "3": "省级药品监督管理部门网站",
}


class RecallDocument(models.Model):
    _inherit = "recall.document"

    def _recall_doc_data(self):
        """The content: frozen once signed, live from the campaign before."""
        self.ensure_one()
        if self.data_json:
            return json.loads(self.data_json)
        return self._recall_doc_build_data()

    def _recall_doc_build_data(self):
        """Everything the document shows, as plain values (the keys of recall_mgmt's regulator
        report data, so its templates and its spreadsheet writer lay it out)."""
        self.ensure_one()
        if self.kind.startswith("fda"):
            self = self.with_context(lang="en_US")  # noqa: PLW0642 the FDA reads English
        campaign = self.campaign_id
        campaign._recall_check_reportable()
        nmpa = self.kind.startswith("nmpa")
        common = campaign._recall_report_common()
        if nmpa:
            campaign._recall_nmpa_product_classes(common["products"])
        sections = getattr(self, f"_recall_doc_sections_{self.kind}")(common)
        title, subtitle = self._recall_doc_titles()
        return {
            "kind": self.kind,
            "title": title,
            "subtitle": subtitle,
            "reference": self.name,
            "campaign": campaign.name,
            "filename": self._recall_doc_filename(),
            "is_draft": self.state in ("draft", "review"),
            "is_drill": campaign.is_drill,
            "generated_at": campaign._recall_fmt_datetime(fields.Datetime.now()),
            "timezone": campaign._recall_report_tz(),
            "sections": sections,
            "missing": campaign._recall_report_missing(sections),
            "columns": campaign._recall_report_columns("nmpa" if nmpa else self.kind),
            "ledger_head": None,
            "ledger_section": None,
            **common,
        }

    def _recall_doc_titles(self):
        _ = self.env._
        if self.kind in NMPA_TITLES:
            english = {
                "nmpa_investigation": _("Investigation and evaluation report"),
                "nmpa_plan": _("Recall plan"),
                "nmpa_progress": _("Recall plan progress report"),
                "nmpa_plan_change": _("Report of changes to the recall plan"),
                "nmpa_summary": _("Recall summary evaluation report"),
            }
            return NMPA_TITLES[self.kind], english[self.kind] + " (CFDA Order No. 29, 2017)"
        titles = {
            "fda_status": (_("Recall Status Report"), _("21 CFR 7.53")),
            "fda_termination": (_("Request for Recall Termination"), _("21 CFR 7.55(b)")),
            "eu_progress": (
                _("Field Safety Corrective Action: Follow-up Report"),
                _("MDR Art. 89; MDCG 2023-3 (FSCA reporting)"),
            ),
            "eu_final": (
                _("Field Safety Corrective Action: Final Report"),
                _("MDR Art. 89; MDCG 2023-3 (FSCA reporting)"),
            ),
        }
        return titles[self.kind]

    def _recall_doc_ledger_head(self):
        """The latest signed ledger checkpoint, recorded as given with this document."""
        head = self.env["audit.seal.published.head"]._seal_publish(
            f"{self.campaign_id.name} {self._recall_doc_filename()} {self.name} to "
            f"{self.jurisdiction_id.authority or self.jurisdiction_id.name} "
            f"({self.jurisdiction_id.code})"
        )
        if not head:
            return None
        return {
            "seq": head.seq,
            "head_hash": head.head_hash,
            "signature": head.signature,
            "key_id": head.key_id,
        }

    # ------------------------------------------------------------------ rows

    def _recall_doc_row(self, key, label, gloss, value, required=True):
        """A field: bilingual for NMPA documents (Chinese label, English gloss)."""
        campaign = self.campaign_id
        if self.kind.startswith("nmpa"):
            return campaign._recall_nmpa_row(key, label, gloss, value, required=required)
        return campaign._recall_row(key, gloss, value, required=required)

    def _recall_doc_title(self, zh, en):
        if self.kind.startswith("nmpa"):
            return self.campaign_id._recall_nmpa_title(zh, en)
        return en

    def _recall_doc_overseas(self):
        campaign = self.campaign_id
        if campaign.recall_overseas == "yes":
            return "是 " + (campaign.recall_overseas_detail or "")
        return "否" if campaign.recall_overseas == "no" else ""

    def _recall_doc_document_section(self):
        """Which document, for which recall, answering which clock."""
        _ = self.env._
        row = self._recall_doc_row
        campaign = self.campaign_id
        deadline = self.deadline_id
        return {
            "title": self._recall_doc_title("报告信息", _("Document")),
            "rows": [
                row("document", "报告编号", _("Document reference"), self.name),
                row("recall", "召回编号", _("Recall reference"), campaign.name),
                row(
                    "report_number",
                    "报告次数",
                    _("Report number"),
                    str(self.sequence_number) if self.sequence_number else "",
                    required=False,
                ),
                row(
                    "recall_class",
                    "召回级别",
                    _("Recall class"),
                    campaign._recall_report_selection("recall_class"),
                ),
                row(
                    "decision",
                    "召回决定时间",
                    _("Recall decision"),
                    campaign._recall_fmt_datetime(campaign.decision_date),
                ),
                row(
                    "due",
                    "报告时限",
                    _("Due"),
                    deadline._recall_fmt_due() if deadline else "",
                    required=False,
                ),
                row("legal", "依据", _("Legal basis"), deadline.reference or "", required=False),
            ],
        }

    def _recall_doc_answer(self, key, zh, name, required=True):
        """A row with the answer a person gave (on the document, else on the campaign)."""
        owner = self if name in self._fields else self.campaign_id
        field = owner._fields[name]
        value = owner[name]
        if field.type == "date":
            value = value.isoformat() if value else ""
        return self._recall_doc_row(
            key, zh, field._description_string(self.env), value or "", required=required
        )

    def _recall_doc_progress_rows(self, totals):
        """Where the recall stands: notices, answers, units, effectiveness checks."""
        _ = self.env._
        row = self._recall_doc_row
        campaign = self.campaign_id
        notices = campaign.notice_ids.filtered(lambda n: n.state != "cancel")
        selected = notices.filtered("effectiveness_selected")
        verified = selected.filtered("effectiveness_verified_at")
        qty = campaign._recall_report_qty
        return [
            row("consignees", "涉及单位数", _("Consignees"), str(len(notices))),
            row(
                "notified",
                "已通知单位数",
                _("Consignees notified (first, last)"),
                _(
                    "%(count)s (%(first)s, %(last)s)",
                    count=campaign.notified_count,
                    first=campaign._recall_fmt_datetime(campaign.first_notified_at),
                    last=campaign._recall_fmt_datetime(campaign.last_notified_at),
                ),
            ),
            row(
                "responded",
                "已回复单位数",
                _("Consignees that responded"),
                str(campaign.acknowledged_count),
            ),
            row(
                "not_responded",
                "未回复单位数",
                _("Consignees that did not respond"),
                str(len(notices) - campaign.acknowledged_count),
            ),
            row("located", "已核实数量", _("Units accounted for"), qty(totals["located"])),
            row(
                "recovered",
                "已召回数量",
                _("Units returned or corrected"),
                qty(totals["recovered"]),
            ),
            row(
                "effectiveness",
                "有效性检查",
                _("Effectiveness checks (verified / selected)"),
                f"{len(verified)} / {len(selected)}",
                required=False,
            ),
        ]

    # ------------------------------------------------------------------ NMPA

    def _recall_doc_recall_section(self, extra_rows):
        """The recall: reason, hazard, class, measures, overseas, plus ``extra_rows``."""
        _ = self.env._
        row = self._recall_doc_row
        campaign = self.campaign_id
        return {
            "title": self._recall_doc_title("召回信息", _("Recall")),
            "rows": [
                row("reason", "召回原因", _("Reason for the recall"), campaign.reason),
                row(
                    "risk",
                    "健康危害评估",
                    _("Health hazard evaluation"),
                    html2plaintext(campaign.risk_assessment or "").strip(),
                ),
                *extra_rows,
            ],
        }

    def _recall_doc_overseas_row(self):
        return self._recall_doc_row(
            "overseas",
            "是否境外召回",
            self.env._("Recall also outside China"),
            self._recall_doc_overseas(),
        )

    def _recall_doc_completion_row(self):
        return self._recall_doc_answer("completion", "预计完成时间", "recall_estimated_completion")

    def _recall_doc_sections_nmpa_investigation(self, common):
        """Art. 17: the devices (name, batches), the reason, the result, the class."""
        _ = self.env._
        campaign = self.campaign_id
        return [
            self._recall_doc_document_section(),
            campaign._recall_nmpa_company_section(),
            campaign._recall_nmpa_device_section(common),
            self._recall_doc_recall_section(
                [
                    self._recall_doc_answer("result", "调查评估结果", "investigation_result"),
                    self._recall_doc_overseas_row(),
                ]
            ),
        ]

    def _recall_doc_sections_nmpa_plan(self, common):
        """Art. 17: production and sales, quantity to recall, measures (organisation, scope,
        time limits), publication, expected effect, handling after the recall."""
        _ = self.env._
        row = self._recall_doc_row
        campaign = self.campaign_id
        measures = [campaign._recall_report_selection("kind")] + campaign._recall_report_actions()
        if campaign.instructions:
            measures.append(campaign.instructions)
        return [
            self._recall_doc_document_section(),
            campaign._recall_nmpa_company_section(),
            campaign._recall_nmpa_device_section(common),
            campaign._recall_nmpa_quantity_section(common["totals"]),
            {
                "title": self._recall_doc_title("召回计划", _("Recall plan")),
                "rows": [
                    row("measures", "召回措施", _("Recall measures"), "; ".join(measures)),
                    self._recall_doc_answer(
                        "organisation", "实施组织、范围和时限", "measures_detail"
                    ),
                    self._recall_doc_completion_row(),
                    row(
                        "publication",
                        "召回信息的公布途径与范围",
                        _("Publication of the recall"),
                        NMPA_PUBLICATION.get(campaign.recall_class, ""),
                    ),
                    self._recall_doc_answer("effect", "召回的预期效果", "expected_effect"),
                    self._recall_doc_answer(
                        "handling", "召回后的处理措施", "handling_after_recall"
                    ),
                    self._recall_doc_overseas_row(),
                ],
            },
            campaign._recall_nmpa_distribution_section(common),
        ]

    def _recall_doc_sections_nmpa_progress(self, common):
        """Art. 21 (recall plan implementation): where the recall stands, on the plan's
        schedule."""
        _ = self.env._
        return [
            self._recall_doc_document_section(),
            self.campaign_id._recall_nmpa_company_section(),
            {
                "title": self._recall_doc_title("实施情况", _("Progress")),
                "rows": [
                    *self._recall_doc_progress_rows(common["totals"]),
                    self._recall_doc_answer("progress", "本期实施情况", "progress_summary"),
                    self._recall_doc_completion_row(),
                ],
            },
        ]

    def _recall_doc_sections_nmpa_plan_change(self, common):
        _ = self.env._
        return [
            self._recall_doc_document_section(),
            self.campaign_id._recall_nmpa_company_section(),
            {
                "title": self._recall_doc_title("计划变更", _("Changes to the plan")),
                "rows": [
                    self._recall_doc_answer("changes", "变更内容", "change_description"),
                    self._recall_doc_answer("change_reason", "变更原因", "change_reason"),
                    self._recall_doc_completion_row(),
                ],
            },
        ]

    def _recall_doc_sections_nmpa_summary(self, common):
        """The summary evaluation report after completion: the effect and the handling."""
        _ = self.env._
        campaign = self.campaign_id
        return [
            self._recall_doc_document_section(),
            campaign._recall_nmpa_company_section(),
            campaign._recall_nmpa_device_section(common),
            campaign._recall_nmpa_quantity_section(common["totals"]),
            {
                "title": self._recall_doc_title("召回效果评估", _("Effectiveness")),
                "rows": [
                    *self._recall_doc_progress_rows(common["totals"]),
                    self._recall_doc_answer(
                        "evaluation", "召回效果评估", "effectiveness_evaluation"
                    ),
                    self._recall_doc_answer("handling", "召回产品的处理", "handling_after_recall"),
                ],
            },
        ]

    # ------------------------------------------------------------------ FDA

    def _recall_doc_fda_status_rows(self, common):
        """21 CFR 7.53(b)(1) to (6)."""
        _ = self.env._
        row = self._recall_doc_row
        campaign = self.campaign_id
        totals = common["totals"]
        qty = campaign._recall_report_qty
        on_hand = sum(unit["on_hand"] or 0 for unit in common["units"])
        progress = self._recall_doc_progress_rows(totals)
        return [
            progress[1],
            self._recall_doc_answer("method", "", "notification_method"),
            progress[2],
            row("on_hand", "", _("Quantity on hand reported by consignees"), qty(on_hand)),
            progress[3],
            progress[4],
            progress[5],
            progress[6],
            self._recall_doc_completion_row(),
        ]

    def _recall_doc_sections_fda_status(self, common):
        _ = self.env._
        campaign = self.campaign_id
        return [
            self._recall_doc_document_section(),
            {
                "title": _("Recalling firm"),
                "rows": campaign._recall_nmpa_company_section()["rows"][:4],
            },
            {
                "title": _("Recall status (21 CFR 7.53(b))"),
                "rows": [
                    self._recall_doc_answer("recall_number", "", "authority_reference", False),
                    *self._recall_doc_fda_status_rows(common),
                    self._recall_doc_answer("summary", "", "progress_summary", False),
                ],
            },
        ]

    def _recall_doc_sections_fda_termination(self, common):
        """7.55(b): the request, the most current status, the disposition, the evidence."""
        _ = self.env._
        row = self._recall_doc_row
        campaign = self.campaign_id
        return [
            self._recall_doc_document_section(),
            {
                "title": _("Request"),
                "rows": [
                    self._recall_doc_answer("recall_number", "", "authority_reference"),
                    row(
                        "request",
                        "",
                        _("Request"),
                        _(
                            "We request the termination of recall %(recall)s: the recall is "
                            "effective in accordance with 21 CFR 7.55(a).",
                            recall=campaign.name,
                        ),
                    ),
                ],
            },
            {
                "title": _("Most current recall status"),
                "rows": self._recall_doc_progress_rows(common["totals"]),
            },
            {
                "title": _("Disposition and effectiveness"),
                "rows": [
                    self._recall_doc_answer("disposition", "", "handling_after_recall"),
                    self._recall_doc_answer("evidence", "", "effectiveness_evaluation"),
                ],
            },
        ]

    # ------------------------------------------------------------------ EU

    def _recall_doc_eu_fsca_section(self, common):
        _ = self.env._
        row = self._recall_doc_row
        campaign = self.campaign_id
        return {
            "title": _("Field safety corrective action"),
            "rows": [
                self._recall_doc_answer("fsca_reference", "", "authority_reference"),
                row("manufacturer", "", _("Manufacturer"), campaign.company_id.name),
                row(
                    "devices",
                    "",
                    _("Devices"),
                    "; ".join(p["product"] for p in common["products"]),
                ),
                row(
                    "udi_di",
                    "",
                    _("UDI-DI"),
                    "; ".join(p["primary_di"] for p in common["products"] if p["primary_di"]),
                ),
                row(
                    "fsn_sent",
                    "",
                    _("Field safety notice sent"),
                    campaign._recall_fmt_datetime(campaign.first_notified_at),
                ),
                row("countries", "", _("Distribution"), common["totals"]["areas"], required=False),
            ],
        }

    def _recall_doc_sections_eu_progress(self, common):
        _ = self.env._
        return [
            self._recall_doc_document_section(),
            self._recall_doc_eu_fsca_section(common),
            {
                "title": _("Progress"),
                "rows": [
                    *self._recall_doc_progress_rows(common["totals"]),
                    self._recall_doc_answer("progress", "", "progress_summary"),
                    self._recall_doc_completion_row(),
                ],
            },
        ]

    def _recall_doc_sections_eu_final(self, common):
        _ = self.env._
        return [
            self._recall_doc_document_section(),
            self._recall_doc_eu_fsca_section(common),
            {
                "title": _("Outcome"),
                "rows": [
                    *self._recall_doc_progress_rows(common["totals"]),
                    self._recall_doc_answer("evaluation", "", "effectiveness_evaluation"),
                    self._recall_doc_answer("handling", "", "handling_after_recall"),
                ],
            },
        ]

    # ------------------------------------------------------------------ template helpers

    def _recall_report_qty(self, value):
        return self.campaign_id._recall_report_qty(value)
