from odoo import api, models


class RecallCampaign(models.Model):
    _inherit = "recall.campaign"

    @api.model
    def _cron_recall_deadlines(self):
        """The recall deadline cron also alerts and escalates the vigilance reports' clocks:
        one cron, one mechanism for every regulatory clock of the suite."""
        result = super()._cron_recall_deadlines()
        self.env["vigilance.report"]._cron_vigilance_deadlines()
        return result
