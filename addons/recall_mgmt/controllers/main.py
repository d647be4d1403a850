import io

import xlsxwriter
from werkzeug.exceptions import Forbidden, NotFound

from odoo import http
from odoo.exceptions import AccessError, MissingError
from odoo.http import content_disposition, request

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: sheet names are fixed (not translated) so integrations can rely on them
SHEETS = [
    ("products", "Products"),
    ("lots", "Lots"),
    ("units", "Units"),
    ("consignees", "Consignees"),
    ("distribution", "Distribution"),
]


def regulator_workbook(data):
    """The xlsx bytes of a regulator report from ``recall.campaign._recall_report_data``:
    a "Report" sheet with the header fields, then one sheet per table (Units: one row per
    lot/serial/UDI and holder; Consignees: one row per delivery address)."""
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {"in_memory": True})
    bold = workbook.add_format({"bold": True})
    title = workbook.add_format({"bold": True, "font_size": 14})
    header = workbook.add_format(
        {"bold": True, "bg_color": "#D9D9D9", "text_wrap": True, "valign": "top", "border": 1}
    )
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    warning = workbook.add_format({"bold": True, "font_color": "#9C0006"})
    number = workbook.add_format({"num_format": "0.###"})

    sheet = workbook.add_worksheet("Report")
    sheet.set_column(0, 0, 8)
    sheet.set_column(1, 2, 34)
    sheet.set_column(3, 3, 80)
    sheet.write_string(0, 0, data["title"], title)
    sheet.write_string(1, 0, data["subtitle"])
    sheet.write_string(2, 0, data["reference"], bold)
    sheet.write_string(3, 0, data["generated_at"])
    row = 4
    if data["is_drill"]:
        sheet.write(row, 0, "DRILL", warning)
        row += 1
    if data["is_draft"]:
        sheet.write(row, 0, "DRAFT", warning)
        row += 1
    row += 1
    for section in data["sections"]:
        row = _write_section(sheet, row, section, bold, wrap) + 1
    for label in data["missing"]:
        sheet.write(row, 0, "!", warning)
        sheet.write_string(row, 1, label, warning)
        row += 1
    if data.get("ledger_section"):
        # the signed ledger head given with this report (as in the PDF's footer note)
        _write_section(sheet, row + 1, data["ledger_section"], bold, wrap)

    for key, name in SHEETS:
        columns = data["columns"][key]
        sheet = workbook.add_worksheet(name)
        for col, (_field, label) in enumerate(columns):
            sheet.write_string(0, col, label, header)
            sheet.set_column(col, col, 18)
        for row, record in enumerate(data[key], start=1):
            for col, (field, _label) in enumerate(columns):
                value = record[field]
                if isinstance(value, float | int) and not isinstance(value, bool):
                    sheet.write_number(row, col, value, number)
                else:
                    sheet.write_string(row, col, str(value or ""))
        sheet.freeze_panes(1, 0)
        sheet.autofilter(0, 0, max(len(data[key]), 1), max(len(columns) - 1, 0))
    workbook.close()
    return output.getvalue()


def _write_section(sheet, row, section, bold, wrap):
    """Write a section of header fields (title, then ref, label, gloss, value) from ``row``;
    return the row after it."""
    sheet.write_string(row, 0, section["title"], bold)
    row += 1
    for field in section["rows"]:
        # write_string: a value starting with "=" must stay text, never a formula
        sheet.write_string(row, 0, field["ref"])
        sheet.write_string(row, 1, field["label"])
        sheet.write_string(row, 2, field["gloss"])
        sheet.write_string(row, 3, str(field["value"]), wrap)
        row += 1
    return row


class RecallReportController(http.Controller):
    @http.route(
        "/recall_mgmt/campaign/<int:campaign_id>/report/<string:kind>.xlsx",
        type="http",
        auth="user",
        methods=["GET"],
    )
    def recall_regulator_xlsx(self, campaign_id, kind, **kwargs):
        """The spreadsheet of the regulator report ``kind`` (nmpa, fda806, eu_fsn)."""
        env = request.env
        Campaign = env["recall.campaign"]
        if kind not in Campaign._recall_report_kinds():
            raise NotFound(
                env._(
                    "Unknown regulator report %(kind)s: use one of %(kinds)s.",
                    kind=kind,
                    kinds=", ".join(Campaign._recall_report_kinds()),
                )
            )
        campaign = Campaign.browse(campaign_id).exists()
        if not campaign:
            raise NotFound(env._("Recall %(id)s does not exist.", id=campaign_id))
        try:
            campaign.check_access("read")
            data = campaign._recall_report_data(kind)
        except (AccessError, MissingError) as error:
            raise Forbidden(env._("You may not read recall %(id)s.", id=campaign_id)) from error
        content = regulator_workbook(data)
        return request.make_response(
            content,
            headers=[
                ("Content-Type", XLSX_MIMETYPE),
                ("Content-Disposition", content_disposition(f"{data['filename']}.xlsx")),
                ("Content-Length", str(len(content))),
                ("Cache-Control", "no-store"),
            ],
        )
