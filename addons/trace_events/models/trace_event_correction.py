from odoo import api, fields, models

from .trace_event import EVENT_FACT_FIELDS, LINE_FACT_FIELDS

# the names recall_mgmt imports from here (its restatements copy the same fields)
SEALED_HEADER = EVENT_FACT_FIELDS
LINE_COPY = LINE_FACT_FIELDS


class TraceEvent(models.Model):
    _inherit = "trace.event"

    @api.model
    def _trace_sync_move_lines(self, move_lines):
        """Bring the events of done ``move_lines`` in line with what the lines say now.

        Called after a done move line was created or edited outside ``_action_done``. Events
        are never edited: each affected event is restated by a correction event (EPCIS error
        declaration, reason ``incorrect_data``) carrying the lines as they are now; a line whose
        move has no event yet gets the move's ordinary event.
        """
        move_lines = move_lines.filtered(
            lambda line: line.product_id.tracking in ("lot", "serial")
            or line.product_id.udi_regulated
        )
        if not move_lines:
            return self.browse()
        effective = self._trace_effective_lines(move_lines.move_id.move_line_ids)
        events = effective.event_id
        by_move = {line.move_line_id.move_id for line in effective}
        unrecorded_moves = move_lines.move_id.filtered(lambda move: move not in by_move)
        corrections = events._trace_restate("incorrect_data")
        return corrections | unrecorded_moves._trace_record_moves()

    @api.model
    def _trace_effective_lines(self, move_lines):
        if not move_lines:
            return self.env["trace.event.line"]
        return self.env["trace.event.line"].sudo().search(
            [
                ("move_line_id", "in", move_lines.ids),
                ("event_id.is_superseded", "=", False),
            ]
        )

    def _trace_restate(self, reason):
        """Correction events restating ``self`` from the current move lines (one batch)."""
        if not self:
            return self.browse()
        builder = self._trace_line_builder(self.line_ids.product_id)
        vals_list = []
        for event in self.sudo():
            vals = {name: event._fields[name].convert_to_write(event[name], event)
                    for name in EVENT_FACT_FIELDS}
            lines = []
            seen = set()
            for line in event.line_ids:
                move_line = line.move_line_id
                if not move_line:
                    lines.append({name: line._fields[name].convert_to_write(line[name], line)
                                  for name in LINE_FACT_FIELDS})
                    continue
                seen.add(move_line.id)
                if move_line.exists() and move_line.state == "done" and move_line.quantity:
                    lines.append(builder(move_line, line.role))
            if event.event_type == "object" and event.move_id:
                for move_line in event.move_id.move_line_ids:
                    if move_line.id not in seen and move_line.quantity:
                        lines.append(builder(move_line, "object"))
            vals.update(
                origin="correction",
                corrected_event_id=event.id,
                error_reason=reason,
                record_time=fields.Datetime.now(),
                line_ids=[(0, 0, line) for line in lines],
            )
            vals_list.append(vals)
        return self._trace_create(vals_list)
