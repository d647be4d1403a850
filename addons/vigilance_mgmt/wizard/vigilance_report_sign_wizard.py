from odoo import api, fields, models


class VigilanceReportSignWizard(models.TransientModel):
    """Electronic signature of the approval of a vigilance report."""

    _name = "vigilance.report.sign.wizard"
    _inherit = ["recall.sign.mixin"]
    _description = "Sign the Approval of a Vigilance Report"

    report_id = fields.Many2one("vigilance.report", required=True, readonly=True)

    @api.depends("report_id")
    def _compute_meaning_text(self):
        for wizard in self:
            wizard.meaning_text = self._recall_meaning_label("vigilance_approve")
            report = wizard.report_id
            types = dict(report._fields["report_type"]._description_selection(self.env))
            wizard.summary = self.env._(
                "%(report)s, %(type)s to %(jurisdiction)s: %(device)s, UDI-DI %(di)s, "
                "lots/serials %(lots)s, %(patients)s patient(s).",
                report=report.name,
                type=types.get(report.report_type, ""),
                jurisdiction=report.jurisdiction_id.name or "",
                device=report.product_id.display_name or "-",
                di=report.udi_di_id.di or "-",
                lots=", ".join(report.lot_ids.mapped("name")) or "-",
                patients=len(report.patient_ids),
            )

    def action_sign(self):
        self.ensure_one()
        password, wizard = self._recall_take_password()
        wizard.report_id._vigilance_approve(password)
        return {"type": "ir.actions.act_window_close"}
