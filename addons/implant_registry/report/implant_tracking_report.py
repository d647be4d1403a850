from odoo import api, models


class ReportImplantTracking(models.AbstractModel):
    _name = "report.implant_registry.report_implant_tracking"
    _description = "Tracking Report (21 CFR 821.25)"

    @api.model
    def _get_report_values(self, docids, data=None):
        templates = self.env["product.template"].browse(docids)
        return dict(templates._implant_tracking_data(), docs=templates)
