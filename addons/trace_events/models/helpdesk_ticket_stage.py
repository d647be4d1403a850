from odoo import api, fields, models


class HelpdeskTicketStage(models.Model):
    _inherit = "helpdesk.ticket.stage"

    trace_service_done = fields.Boolean(
        string="Service Performed",
        compute="_compute_trace_service_done",
        store=True,
        readonly=False,
        help="Closing an installation, maintenance or inspection ticket in this stage records "
        "the service on the device (a sealed trace event). Leave it unchecked for closing "
        "stages that mean the service did not happen (cancelled, rejected).",
    )

    @api.depends("closed")
    def _compute_trace_service_done(self):
        for stage in self:
            stage.trace_service_done = stage.closed
