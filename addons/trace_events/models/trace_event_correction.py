from odoo import fields, models

from .trace_event import EVENT_FACT_FIELDS, LINE_FACT_FIELDS


class TraceEvent(models.Model):
    """Restating events: a correction event (EPCIS error declaration) that copies what the
    event says happened and carries its lines as their move lines say now."""

    _inherit = "trace.event"

    def _trace_restate(self, reason):
        """Correction events restating ``self`` from the current move lines (one batch)."""
        if not self:
            return self.browse()
        builder = self._trace_line_builder(self.line_ids.product_id)
        vals_list = []
        for event in self.sudo():
            vals = {
                name: event._fields[name].convert_to_write(event[name], event)
                for name in EVENT_FACT_FIELDS
            }
            lines = event._trace_current_lines(builder)
            if event.event_type == "object" and event.move_id:
                seen = set(event.line_ids.move_line_id.ids)
                lines += [
                    builder(move_line, "object")
                    for move_line in event.move_id.move_line_ids
                    if move_line.id not in seen and move_line.quantity
                ]
            vals.update(
                origin="correction",
                corrected_event_id=event.id,
                error_reason=reason,
                record_time=fields.Datetime.now(),
                line_ids=[(0, 0, line) for line in lines],
            )
            vals_list.append(vals)
        return self._trace_create(vals_list)

    def _trace_current_lines(self, builder):
        """Line values of this event as its move lines say now (for a restatement): a line
        without move line as it is, a line whose move line is still done with a quantity
        rebuilt from it, the others left out."""
        self.ensure_one()
        result = []
        for line in self.sudo().line_ids:
            move_line = line.move_line_id
            if not move_line:
                result.append(
                    {
                        name: line._fields[name].convert_to_write(line[name], line)
                        for name in LINE_FACT_FIELDS
                    }
                )
            elif move_line.exists() and move_line.state == "done" and move_line.quantity:
                result.append(builder(move_line, line.role))
        return result
