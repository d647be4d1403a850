from odoo import api, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

from .trace_event_query import EFFECTIVE

#: done move lines of traced products (regulated, or tracked by lot/serial), with a quantity
TRACED_DONE_LINES = SQL(
    """
    SELECT ml.id, ml.lot_id, ml.product_id, ml.location_id, ml.location_dest_id,
           ml.quantity_product_uom
      FROM stock_move_line ml
      JOIN product_product pp ON pp.id = ml.product_id
      JOIN product_template pt ON pt.id = pp.product_tmpl_id
     WHERE ml.state = 'done' AND ml.quantity <> 0
       AND (pt.tracking IN ('lot', 'serial') OR pt.udi_regulated)
    """
)


class TraceEvent(models.Model):
    _inherit = "trace.event"

    @api.model
    @api.readonly
    def check_consistency(self, limit=100):
        """Compare done move lines of traced products with effective event lines.

        Every done move line of a traced product must have exactly one effective event line
        (one whose event was not corrected later) saying the same product, lot, quantity and
        locations, and every effective event line that names a move line must name a done
        one. The holdings read model (``trace.holding``) must equal a fresh aggregation of the
        event lines, lots queued for a refresh after their commit left out (counted in
        ``holdings_queued``, the oldest queued at ``holdings_queued_since``: their holdings
        are read from their lines meanwhile). Returns ``{"ok", "move_lines", "event_lines",
        "missing", "duplicated", "mismatched", "orphans", "holdings_mismatched",
        "holdings_queued", "holdings_queued_since"}``: counts, and up to ``limit`` move line
        ids (event line ids for orphans) per kind of difference.
        """
        if not (self.env.su or self.env.user.has_group("udi_master.group_trace_manager")):
            raise AccessError(
                self.env._("Only Traceability managers may run the trace consistency check.")
            )
        self.env.flush_all()
        cr = self.env.cr
        cr.execute(
            SQL(
                """
                WITH done AS (%(done)s),
                     ev AS (SELECT l.* FROM trace_event_line l
                             WHERE l.move_line_id IS NOT NULL AND %(effective)s),
                     counted AS (
                        SELECT d.id, count(ev.id) AS n,
                               bool_or(ev.lot_id IS NOT DISTINCT FROM d.lot_id
                                   AND ev.product_id = d.product_id
                                   AND ev.location_id = d.location_id
                                   AND ev.location_dest_id = d.location_dest_id
                                   AND abs(ev.quantity - d.quantity_product_uom) < 1e-6)
                                   AS same
                          FROM done d LEFT JOIN ev ON ev.move_line_id = d.id
                         GROUP BY d.id)
                SELECT
                    (SELECT count(*) FROM done),
                    (SELECT count(*) FROM ev),
                    (SELECT array_agg(id ORDER BY id) FROM counted WHERE n = 0),
                    (SELECT array_agg(id ORDER BY id) FROM counted WHERE n > 1),
                    (SELECT array_agg(id ORDER BY id) FROM counted WHERE n = 1 AND NOT same),
                    (SELECT array_agg(ev.id ORDER BY ev.id) FROM ev
                      WHERE NOT EXISTS (SELECT 1 FROM done d WHERE d.id = ev.move_line_id))
                """,
                done=TRACED_DONE_LINES,
                effective=EFFECTIVE,
            )
        )
        move_lines, event_lines, missing, duplicated, mismatched, orphans = cr.fetchone()
        result = {"move_lines": move_lines, "event_lines": event_lines}
        ok = True
        for key, ids in (
            ("missing", missing),
            ("duplicated", duplicated),
            ("mismatched", mismatched),
            ("orphans", orphans),
        ):
            ids = ids or []
            ok = ok and not ids
            result[key] = len(ids)
            result[f"{key}_ids"] = ids[:limit]
        holdings = self.env["trace.holding"].sudo()
        result["holdings_mismatched"] = holdings._trace_differences()
        result["holdings_queued"], queued_since = holdings._trace_queued()
        result["holdings_queued_since"] = queued_since and queued_since.isoformat()
        result["ok"] = ok and not result["holdings_mismatched"]
        return result
