from odoo import fields, models


class VigilanceReportFileWizard(models.TransientModel):
    """Record that an issued vigilance report was filed: when, and the regulator's reference."""

    _name = "vigilance.report.file.wizard"
    _description = "File a Vigilance Report"

    report_id = fields.Many2one("vigilance.report", required=True, readonly=True)
    filed_at = fields.Datetime(
        string="Filed",
        required=True,
        default=fields.Datetime.now,
        help="When the regulator received the report.",
    )
    regulator_reference = fields.Char(
        help="The reference the regulator gave the report (case or MDR number)."
    )

    def action_file(self):
        self.ensure_one()
        self.report_id._vigilance_file(self.filed_at, self.regulator_reference)
        return {"type": "ir.actions.act_window_close"}
