from odoo import api, models


class TraceEvent(models.Model):
    """Every event created (or purged) refreshes the holdings of its lots (``trace.holding``)."""

    _inherit = "trace.event"

    @api.model_create_multi
    def create(self, vals_list):
        events = super().create(vals_list)
        lot_ids = set(events.line_ids.lot_id.ids)
        lot_ids.update(events.corrected_event_id.line_ids.lot_id.ids)
        self.env["trace.holding"].sudo()._trace_refresh(lot_ids)
        return events

    def unlink(self):
        # only the retention purge gets this far: what the purged events moved is no longer held
        lot_ids = set(self.line_ids.lot_id.ids)
        result = super().unlink()
        self.env["trace.holding"].sudo()._trace_refresh(lot_ids)
        return result
