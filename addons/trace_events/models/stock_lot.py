from odoo import fields, models


class StockLot(models.Model):
    """A lot/serial's history: its sealed events (timeline and trace tree) and the service
    tickets that name it."""

    _inherit = "stock.lot"

    trace_event_count = fields.Integer(
        string="Trace Events",
        compute="_compute_trace_event_count",
        help="Sealed events that moved or changed this lot/serial, corrections included.",
    )
    trace_ticket_ids = fields.One2many(
        "helpdesk.ticket", "trace_lot_id", string="Service Tickets", readonly=True
    )
    trace_ticket_count = fields.Integer(string="Tickets", compute="_compute_trace_ticket_count")

    def _compute_trace_event_count(self):
        lines = self.env["trace.event.line"]
        counts = {}
        if self.ids and lines.has_access("read"):
            counts = dict(
                lines._read_group(
                    [("lot_id", "in", self.ids)], ["lot_id"], ["event_id:count_distinct"]
                )
            )
        for lot in self:
            lot.trace_event_count = counts.get(lot, 0)

    def _compute_trace_ticket_count(self):
        tickets = self.env["helpdesk.ticket"]
        counts = {}
        if tickets.has_access("read"):
            counts = dict(
                tickets._read_group(
                    [("trace_lot_id", "in", self.ids)], ["trace_lot_id"], ["__count"]
                )
            )
        for lot in self:
            lot.trace_ticket_count = counts.get(lot, 0)

    def action_view_trace_events(self):
        """The timeline of the lot/serial: its event lines, oldest first."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "trace_events.trace_event_line_action_timeline"
        )
        action["name"] = action["display_name"] = self.env._(
            "History of %(lot)s", lot=self.display_name
        )
        action["domain"] = [("lot_id", "=", self.id)]
        action["context"] = {"create": False}
        return action

    def action_open_trace_tree(self, direction="forward"):
        """The trace tree of these lots/serials."""
        return self.env["trace.event"]._trace_tree_action(self, direction)

    def action_open_trace_tree_backward(self):
        return self.action_open_trace_tree("backward")

    def action_view_trace_tickets(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Service Tickets"),
            "res_model": "helpdesk.ticket",
            "view_mode": "list,form",
            "domain": [("trace_lot_id", "=", self.id)],
            "context": {
                "default_trace_lot_id": self.id,
                "default_trace_product_id": self.product_id.id,
            },
        }
