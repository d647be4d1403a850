from odoo import api, models


class TraceEvent(models.Model):
    _inherit = "trace.event"

    @api.model_create_multi
    def create(self, vals_list):
        """New events wake the EPCIS stream subscriptions (one queued run for all of them)."""
        events = super().create(vals_list)
        self.env["trace.epcis.subscription"]._epcis_notify_new_events()
        return events
