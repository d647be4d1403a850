"""The spreadsheet of a vigilance form, from ``vigilance.report._vigilance_document_data``.

Plain Python (xlsxwriter), shared by the download route and the issue step, so the file issued
and the file downloaded are laid out by the same code.
"""

import io

import xlsxwriter

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: sheet names are fixed (not translated) so integrations can rely on them
SHEETS = [("patients", "Patients"), ("lots", "Devices")]


def vigilance_workbook(data):
    """The xlsx bytes of a vigilance form: a "Report" sheet with the form's fields (reference,
    label, gloss, value), then one sheet per table (patients by pseudonym, devices)."""
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {"in_memory": True})
    formats = {
        "bold": workbook.add_format({"bold": True}),
        "title": workbook.add_format({"bold": True, "font_size": 14}),
        "header": workbook.add_format(
            {"bold": True, "bg_color": "#D9D9D9", "text_wrap": True, "valign": "top", "border": 1}
        ),
        "wrap": workbook.add_format({"text_wrap": True, "valign": "top"}),
        "warning": workbook.add_format({"bold": True, "font_color": "#9C0006"}),
    }
    _write_report_sheet(workbook.add_worksheet("Report"), data, formats)
    for key, name in SHEETS:
        _write_table(workbook.add_worksheet(name), data["columns"][key], data[key], formats)
    workbook.close()
    return output.getvalue()


def _write_report_sheet(sheet, data, formats):
    sheet.set_column(0, 0, 8)
    sheet.set_column(1, 2, 34)
    sheet.set_column(3, 3, 80)
    # write_string everywhere: a value starting with "=" stays text, never a formula
    sheet.write_string(0, 0, data["title"], formats["title"])
    sheet.write_string(1, 0, data["subtitle"])
    sheet.write_string(2, 0, data["reference"], formats["bold"])
    sheet.write_string(3, 0, data["generated_at"])
    row = 4
    if data["is_draft"]:
        sheet.write_string(row, 0, "DRAFT", formats["warning"])
        row += 1
    row += 1
    for section in data["sections"]:
        sheet.write_string(row, 0, section["title"], formats["bold"])
        row += 1
        for field in section["rows"]:
            sheet.write_string(row, 0, field["ref"])
            sheet.write_string(row, 1, field["label"])
            sheet.write_string(row, 2, field["gloss"])
            sheet.write_string(row, 3, str(field["value"]), formats["wrap"])
            row += 1
        row += 1
    for label in data["missing"]:
        sheet.write_string(row, 0, "!", formats["warning"])
        sheet.write_string(row, 1, label, formats["warning"])
        row += 1


def _write_table(sheet, columns, records, formats):
    for col, (_field, label) in enumerate(columns):
        sheet.write_string(0, col, label, formats["header"])
        sheet.set_column(col, col, 20)
    for row, record in enumerate(records, start=1):
        for col, (field, _label) in enumerate(columns):
            sheet.write_string(row, col, str(record.get(field) or ""))
    sheet.freeze_panes(1, 0)
