from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.base.models import ir_actions_report

from ..lib import render
from ..lib.compose import gs1_digital_link, gs1_elements
from ..lib.errors import UdiError
from ..lib.hibc import hibc_concatenated, hibc_secondary, parse_hibc

# Printable width of the label body for linear symbols (label width minus padding).
LINEAR_MAX_WIDTH_MM = 93.0
A4_COLUMNS, A4_ROWS = 2, 4
# wkhtmltopdf built without Odoo's patched Qt ignores --disable-smart-shrinking and prints CSS
# millimetres at 0.768 of their size (measured with wkhtmltopdf 0.12.6 from Debian 12, for any
# page size). Barcodes must print at their nominal X-dimension, so the labels are zoomed back.
# The system parameter ``udi_master.label_zoom`` overrides the factor for other builds.
UNPATCHED_QT_SCALE = 0.768


class ReportUdiLabelThermal(models.AbstractModel):
    """UDI labels of lots and serials, one 100 x 70 mm label per page.

    GS1 devices: GS1 DataMatrix of the UDI (always), GS1-128 (option, split over two symbols when
    too long for the label) and a QR code of the GS1 Digital Link (option). HIBCC devices: a
    plain DataMatrix of the HIBC LIC concatenated data (primary and secondary in one symbol)
    and, as the linear option, the primary and the secondary data in two Code 128 symbols;
    HIBC has no Digital Link, so no QR. ICCBBA and other agencies are refused: their labels need
    the agency's own data structures (ISBT 128 is licensed).
    """

    _name = "report.udi_master.report_udi_label_thermal"
    _description = "UDI Label (thermal)"
    _udi_layout = "thermal"

    @api.model
    def _get_report_values(self, docids, data=None):
        data = data or {}
        lots = self.env["stock.lot"].browse(docids or data.get("lot_ids") or [])
        if not lots:
            raise UserError(
                self.env._(
                    "No lot or serial number to label: print UDI labels from the Print UDI "
                    "Labels wizard, or select lots and use Actions > Print UDI Labels."
                )
            )
        self._udi_check_printable(lots)
        copies = max(int(data.get("copies") or 1), 1)
        options = {
            "with_gs1_128": bool(data.get("with_gs1_128")),
            "with_qr": bool(data.get("with_qr")),
        }
        labels = []
        for lot in lots:
            labels.extend([self._udi_label_values(lot, **options)] * copies)
        if self._udi_layout == "a4":
            per_sheet = A4_COLUMNS * A4_ROWS
            pages = [labels[i : i + per_sheet] for i in range(0, len(labels), per_sheet)]
        else:
            pages = [[label] for label in labels]
        return {
            "doc_ids": lots.ids,
            "doc_model": "stock.lot",
            "docs": lots,
            "pages": pages,
            "layout": self._udi_layout,
            "a4_columns": A4_COLUMNS,
            "zoom": self._udi_zoom() if data.get("report_type") == "pdf" else 1.0,
        }

    @api.model
    def _udi_zoom(self):
        """CSS zoom that makes a CSS millimetre print as a millimetre with this wkhtmltopdf."""
        configured = self.env["ir.config_parameter"].sudo().get_param("udi_master.label_zoom")
        if configured:
            return float(configured)
        patched = ir_actions_report._wkhtml().is_patched_qt
        return 1.0 if patched else round(1 / UNPATCHED_QT_SCALE, 4)

    # -- checks --------------------------------------------------------------------------------

    @api.model
    def _udi_label_problems(self, lots):
        """{lot id: message} for the lots whose UDI label cannot be printed."""
        problems = {}
        for lot in lots:
            device = lot.product_id.display_name
            level = lot._udi_base_level() if lot.udi_regulated else self.env["udi.di"]
            if not lot.udi_regulated:
                problems[lot.id] = self.env._(
                    "%(lot)s: %(device)s is not a regulated device, it has no UDI. Mark it as "
                    "a regulated medical device first.",
                    lot=lot.name,
                    device=device,
                )
            elif not level:
                problems[lot.id] = self.env._(
                    "%(lot)s: %(device)s has no base-unit UDI-DI. Add one on the device's UDI tab.",
                    lot=lot.name,
                    device=device,
                )
            elif level.issuing_agency not in ("gs1", "hibcc"):
                problems[lot.id] = self.env._(
                    "%(lot)s: the UDI-DI %(di)s of %(device)s is issued by %(agency)s; only GS1 "
                    "and HIBCC labels can be printed here. Print it with the issuing agency's "
                    "labelling tool.",
                    lot=lot.name,
                    di=level.di,
                    device=device,
                    agency=dict(level._fields["issuing_agency"]._description_selection(self.env))[
                        level.issuing_agency
                    ],
                )
            else:
                problem = level.issuing_agency == "hibcc" and self._udi_hibc_problem(lot, level)
                if problem:
                    problems[lot.id] = problem
        return problems

    @api.model
    def _udi_hibc_problem(self, lot, level):
        """Why the lot's PI cannot be printed as HIBC data (read back as a scanner would)."""
        try:
            parse_hibc(hibc_concatenated(level.di, **lot._udi_pi()), fields.Date.today())
        except UdiError as exc:
            return self.env._("%(lot)s: cannot be encoded as HIBC data: ", lot=lot.name) + (
                self.env["udi.parser"]._udi_message(exc)
            )
        return False

    @api.model
    def _udi_check_printable(self, lots):
        problems = self._udi_label_problems(lots)
        if problems:
            raise UserError(
                self.env._("These UDI labels cannot be printed:")
                + "\n"
                + "\n".join(problems.values())
            )

    # -- label content -------------------------------------------------------------------------

    @api.model
    def _udi_symbol(self, symbol):
        return {
            "src": symbol.data_uri,
            "kind": symbol.symbology,
            "content": symbol.content,
            "width_mm": symbol.width_mm,
            "height_mm": symbol.print_height_mm,
            "hri": symbol.hri,
        }

    @api.model
    def _udi_label_values(self, lot, with_gs1_128=False, with_qr=False):
        """Everything one label shows, as plain values for the template."""
        level = lot._udi_base_level()
        template = lot.product_id.product_tmpl_id
        pi = lot._udi_pi()
        gs1 = level.issuing_agency == "gs1"
        try:
            if gs1:
                elements = gs1_elements(level.di, **pi)
                matrix = render.gs1_datamatrix(elements)
                linear = render.gs1_128_split(elements, LINEAR_MAX_WIDTH_MM) if with_gs1_128 else []
                qr = render.qr_code(gs1_digital_link(level.di, **pi)) if with_qr else None
                hri = matrix.hri
            else:
                hri = hibc_concatenated(level.di, **pi)
                matrix = render.datamatrix(hri)
                linear = []
                if with_gs1_128:
                    linear = [
                        render.code128(level.di),
                        render.code128(hibc_secondary(level.di, **pi)),
                    ]
                qr = None
        except UdiError as exc:
            raise UserError(
                self.env._("The UDI label of %(lot)s cannot be printed: ", lot=lot.name)
                + self.env["udi.parser"]._udi_message(exc)
            ) from None
        too_wide = [symbol for symbol in linear if symbol.width_mm > LINEAR_MAX_WIDTH_MM]
        if too_wide:
            raise UserError(
                self.env._(
                    "The Code 128 symbol of %(lot)s would be %(width)s mm wide, more than the "
                    "label's %(max)s mm. Print the label without the linear barcode.",
                    lot=lot.name,
                    width=too_wide[0].width_mm,
                    max=LINEAR_MAX_WIDTH_MM,
                )
            )
        return {
            "lot": lot,
            "gs1": gs1,
            "device": template.name,
            "model": template.udi_model or lot.product_id.default_code or "",
            "brand": template.udi_brand or "",
            "manufacturer": (lot.company_id or self.env.company).name,
            "di": level.di,
            "lot_name": pi["lot"],
            "serial": pi["serial"],
            "manufactured": pi["manufactured"] and pi["manufactured"].isoformat(),
            "expiry": pi["expiry"] and pi["expiry"].isoformat(),
            "sterile": template.udi_sterile,
            "single_use": template.udi_single_use,
            "hri": hri,
            "datamatrix": self._udi_symbol(matrix),
            "linear": [self._udi_symbol(symbol) for symbol in linear],
            "qr": qr and self._udi_symbol(qr),
        }


class ReportUdiLabelA4(models.AbstractModel):
    """The same labels on A4 sheets of 2 x 4 labels of 99.1 x 67.7 mm."""

    _name = "report.udi_master.report_udi_label_a4"
    _inherit = "report.udi_master.report_udi_label_thermal"
    _description = "UDI Label (A4 sheet)"
    _udi_layout = "a4"
