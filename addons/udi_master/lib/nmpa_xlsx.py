"""The NMPA UDI database bulk template (批量导入模板) as an xlsx workbook.

Plain Python (no Odoo import; ``xlsxwriter`` is a dependency of Odoo itself). One sheet of
products (one row per base-unit DI, the columns of :data:`.di_export.NMPA_COLUMNS` under their
Chinese names) and one sheet of packaging levels keyed by 最小销售单元产品标识, as the CSV
layout. All cells are text, so that DIs keep their leading zeros and dates stay ``YYYY-MM-DD``.
Where the column names come from, and what could not be checked: ``readme/DI_EXPORT.md``.
"""

import datetime
import io

import xlsxwriter

from . import di_export as dx

PRODUCT_SHEET = "产品标识信息"
PACKAGE_SHEET = "包装标识信息"


def _sheet(workbook, name, headers, rows, header_format, text_format):
    sheet = workbook.add_worksheet(name)
    for col, header in enumerate(headers):
        sheet.write_string(0, col, header, header_format)
        sheet.set_column(col, col, max(12, len(header) * 2), text_format)
    for row_index, row in enumerate(rows, 1):
        for col, header in enumerate(headers):
            sheet.write_string(row_index, col, row.get(header, ""), text_format)
    sheet.freeze_panes(1, 0)
    return sheet


def workbook(devices, today=None):
    """Bytes of the xlsx workbook for ``devices``."""
    today = today or datetime.date.today()
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    header_format = book.add_format({"bold": True, "num_format": "@"})
    text_format = book.add_format({"num_format": "@"})
    headers = [c.header for c in dx.NMPA_COLUMNS]
    products = [dx.device_row(dx.NMPA, d, today) for d in devices]
    packages = [row for d in devices for row in dx.package_rows(dx.NMPA, d, today)]
    _sheet(book, PRODUCT_SHEET, headers, products, header_format, text_format)
    _sheet(book, PACKAGE_SHEET, dx.NMPA_PACKAGE_HEADERS, packages, header_format, text_format)
    book.set_properties(
        {"title": "NMPA UDI bulk template", "created": datetime.datetime(2000, 1, 1)}
    )
    book.close()
    return buffer.getvalue()
