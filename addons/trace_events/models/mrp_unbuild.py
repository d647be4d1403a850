from odoo import models


class MrpUnbuild(models.Model):
    _inherit = "mrp.unbuild"

    def action_unbuild(self):
        result = super().action_unbuild()
        self._trace_record_unbuild()
        return result

    def _trace_record_unbuild(self):
        """One transformation event (bizStep ``disassembling``) per done unbuild order.

        Inputs are the lines of the moves that take the unbuilt product (and its by-products)
        into production, outputs the lines of the recovered components coming out of it; in
        Odoo 19 every unbuild move carries ``unbuild_id``, so the direction tells them apart.
        Lines already recorded are skipped: running this again records nothing twice.
        """
        events = self.env["trace.event"]
        plans, headers = [], {}
        for unbuild in self.filtered(lambda order: order.state == "done"):
            moves = unbuild.produce_line_ids | unbuild.consume_line_ids  # moves, despite the names
            consumed = moves.filtered(lambda move: move.location_dest_id.usage == "production")
            lines = [
                (line, "input") for line in events._trace_order_done_lines(consumed)
            ] + [
                (line, "output") for line in events._trace_order_done_lines(moves - consumed)
            ]
            if not lines:
                continue
            plans.append((unbuild, lines))
            headers[unbuild.id] = unbuild._trace_unbuild_header()
        if not plans:
            return events
        return events._trace_record_orders("unbuild_id", plans, headers)

    def _trace_unbuild_header(self):
        self.ensure_one()
        events = self.env["trace.event"]
        location = self.location_dest_id
        gln = events._trace_location_glns(location).get(location.id)
        return {
            "event_type": "transformation",
            "biz_step": "disassembling",
            "disposition": "active",
            "read_point_id": location.id,
            "read_point_gln": gln,
            "biz_location_id": location.id,
            "biz_location_gln": gln,
            "origin": "unbuild",
            "unbuild_id": self.id,
            "biz_transaction": self.name,
            "company_id": self.company_id.id,
        }
