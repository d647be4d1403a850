from odoo import api, fields, models
from odoo.exceptions import UserError

MAX_LABELS = 2000

LABEL_LAYOUTS = [
    ("thermal", "Thermal label 100 x 70 mm"),
    ("a4", "A4 sheet, 8 labels of 99.1 x 67.7 mm"),
]
LAYOUT_REPORTS = {
    "thermal": "udi_master.udi_label_report_thermal",
    "a4": "udi_master.udi_label_report_a4",
}


class UdiLabelWizard(models.TransientModel):
    """Print UDI labels of lots and serials: a GS1 DataMatrix always, GS1-128 and a GS1 Digital
    Link QR code on request, with the human-readable UDI."""

    _name = "udi.label.wizard"
    _description = "Print UDI Labels"

    lot_ids = fields.Many2many(
        "stock.lot",
        string="Lots / serials",
        required=True,
        default=lambda self: self._default_lot_ids(),
    )
    copies = fields.Integer(default=1, required=True, help="Labels printed for each lot or serial.")
    layout = fields.Selection(
        LABEL_LAYOUTS,
        string="Label stock",
        default="thermal",
        required=True,
        help="Thermal: one 100 x 70 mm label per page, for label printers. A4: sheets of 8 "
        "labels of 99.1 x 67.7 mm (2 x 4, as Avery L7165), for office printers.",
    )
    with_gs1_128 = fields.Boolean(
        string="GS1-128",
        help="Also print the UDI as a GS1-128 linear barcode (split over two symbols when it is "
        "too long for the label). HIBC devices get a Code 128 of their HIBC data.",
    )
    with_qr = fields.Boolean(
        string="QR code (GS1 Digital Link)",
        help="Also print a QR code carrying the GS1 Digital Link URI of the unit, which a phone "
        "camera opens. GS1 devices only.",
    )
    label_count = fields.Integer(compute="_compute_label_count")
    warning = fields.Text(compute="_compute_label_count")

    def _default_lot_ids(self):
        context = self.env.context
        if context.get("active_model") == "stock.lot" and context.get("active_ids"):
            return self.env["stock.lot"].browse(context["active_ids"]).exists()
        return self.env["stock.lot"]

    @api.depends("lot_ids", "copies")
    def _compute_label_count(self):
        report = self.env["report.udi_master.report_udi_label_thermal"]
        for wizard in self:
            wizard.label_count = len(wizard.lot_ids) * max(wizard.copies, 0)
            problems = report._udi_label_problems(wizard.lot_ids)
            wizard.warning = "\n".join(problems.values()) or False

    def _udi_report_data(self):
        """The report data: the chosen options and the lots.

        The lots must be in the data: when a report action carries ``data``, the web client
        requests ``/report/pdf/<report>?options=<data>`` without the record ids, and the report
        takes its lots from ``data["lot_ids"]``.
        """
        self.ensure_one()
        if not self.lot_ids:
            raise UserError(self.env._("Choose at least one lot or serial number to label."))
        if self.copies < 1:
            raise UserError(self.env._("The number of copies must be at least 1."))
        if self.label_count > MAX_LABELS:
            raise UserError(
                self.env._(
                    "%(count)s labels in one print job is too many; print at most %(max)s at a "
                    "time.",
                    count=self.label_count,
                    max=MAX_LABELS,
                )
            )
        self.env["report.udi_master.report_udi_label_thermal"]._udi_check_printable(self.lot_ids)
        return {
            "lot_ids": self.lot_ids.ids,
            "copies": self.copies,
            "with_gs1_128": self.with_gs1_128,
            "with_qr": self.with_qr,
        }

    def action_print(self):
        self.ensure_one()
        data = self._udi_report_data()
        action = self.env.ref(LAYOUT_REPORTS[self.layout]).report_action(
            self.lot_ids, data=data, config=False
        )
        action["close_on_report_download"] = True
        return action
