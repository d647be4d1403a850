from odoo import api, models


class UdiInspectionDemo(models.AbstractModel):
    """Demo data built through the flows users run (called from demo/udi_inspection_demo.xml):
    nothing here runs in production."""

    _name = "udi.inspection.demo"
    _description = "Demo: incoming inspections"

    @api.model
    def _demo_scenario(self):
        return False
