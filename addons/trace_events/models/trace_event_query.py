from odoo import api, models
from odoo.exceptions import UserError
from odoo.tools import SQL

#: longest chain of transformations followed (a guard against cycles such as unbuild/rebuild)
MAX_DEPTH = 32

#: (roles a walk leaves a lot by, roles it reaches the next lot by), per direction
EDGE_ROLES = {
    "forward": (["input", "child"], ["output", "parent"]),
    "backward": (["output", "parent"], ["input", "child"]),
}

#: an event line counts unless a later event declared its event erroneous
EFFECTIVE = SQL(
    "NOT EXISTS (SELECT 1 FROM trace_event c WHERE c.corrected_event_id = %s)",
    SQL.identifier("l", "event_id"),
)


class TraceEvent(models.Model):
    _inherit = "trace.event"

    # ------------------------------------------------------------------ trace

    @api.model
    def _trace_check_lot_ids(self, lot_ids):
        if isinstance(lot_ids, int) and not isinstance(lot_ids, bool):
            lot_ids = [lot_ids]
        if not isinstance(lot_ids, (list, tuple)) or not all(
            isinstance(lot_id, int) and not isinstance(lot_id, bool) for lot_id in lot_ids
        ):
            raise UserError(self.env._("Give the lots/serials to trace as a list of ids."))
        lots = self.env["stock.lot"].browse(lot_ids)
        missing = set(lot_ids) - set(lots.exists().ids)
        if missing:
            raise UserError(
                self.env._(
                    "Unknown lot/serial id(s): %(ids)s.",
                    ids=", ".join(str(i) for i in sorted(missing)),
                )
            )
        lots.check_access("read")
        return list(dict.fromkeys(lot_ids))

    @api.model
    def _trace_result(self, lot_ids, direction):
        """``{"lots": [...], "holders": [...]}`` of a forward or backward trace.

        * ``lots``: every lot/serial reached, the start lots included (``depth`` 0), with
          ``lot_id``, ``lot_name``, ``product_id`` and ``depth`` (transformations, repairs or
          aggregations away from the start).
        * ``holders``: one row per holder and lot reached: ``holder_type`` ("location" for our
          own locations, "partner" for everyone we or others shipped to), ``partner_id`` or
          ``location_id``, ``lot_id``, ``product_id``, ``quantity`` (held now, from the event
          balance), ``received_quantity`` (all that reached that holder), ``first_date`` and
          ``last_date`` (ISO, of the events bringing units there), ``documents`` (shipping and
          other business documents) and ``last_event_id``. Partners appear even when they sent
          everything back (quantity 0): they received it.
        """
        lot_ids = self._trace_check_lot_ids(lot_ids)
        self.check_access("read")
        if not lot_ids:
            return {"lots": [], "holders": []}
        reached = self._trace_reach(lot_ids, direction)
        lots = self.env["stock.lot"].sudo().browse([row[0] for row in reached])
        lots.fetch(["name", "product_id"])
        lot_rows = [
            {
                "lot_id": lot_id,
                "lot_name": lots.browse(lot_id).name,
                "product_id": lots.browse(lot_id).product_id.id,
                "depth": depth,
            }
            for lot_id, depth in reached
        ]
        return {"lots": lot_rows, "holders": self._trace_holders([row[0] for row in reached])}

    @api.model
    def _trace_reach(self, lot_ids, direction):
        """[(lot id, depth)] reached from ``lot_ids`` through transformations and associations.

        One recursive query over ``trace_event_line`` (indexed on lot and on event): forward
        goes from input/child lines to the output/parent lines of the same event, backward the
        other way. Superseded (corrected) events are not followed.
        """
        self.env.cr.execute(
            SQL(
                "WITH RECURSIVE %s "
                "SELECT lot_id, min(depth) FROM reach GROUP BY lot_id ORDER BY 2, 1",
                self._trace_reach_cte(lot_ids, direction),
            )
        )
        return self.env.cr.fetchall()

    @api.model
    def _trace_reach_cte(self, lot_ids, direction):
        """The recursive CTE ``reach(lot_id, depth)`` of a walk from ``lot_ids`` (flushes first).

        A lot may appear at several depths; callers take the minimum. The depth guard stops
        cycles (an unbuild then a rebuild).
        """
        src, dst = EDGE_ROLES[direction]
        self.env["trace.event.line"].flush_model()
        self.env["trace.event"].flush_model(["corrected_event_id"])
        return SQL(
            """
            reach(lot_id, depth) AS (
                SELECT unnest(%(start)s::int[]), 0
                UNION
                SELECT o.lot_id, r.depth + 1
                  FROM reach r
                  JOIN trace_event_line l ON l.lot_id = r.lot_id AND l.role = ANY(%(src)s)
                  JOIN trace_event_line o ON o.event_id = l.event_id AND o.role = ANY(%(dst)s)
                 WHERE o.lot_id IS NOT NULL AND o.lot_id <> r.lot_id
                   AND r.depth < %(max_depth)s
                   AND %(effective)s
            )
            """,
            start=lot_ids,
            src=src,
            dst=dst,
            max_depth=MAX_DEPTH,
            effective=EFFECTIVE,
        )

    @api.model
    def _trace_holders(self, lot_ids):
        """Holder rows (see :meth:`_trace_result`) of ``lot_ids``, from one aggregate query.

        Each effective line moves its quantity from its source holder to its destination
        holder. A side is held by the partner when the location is not internal and a partner
        is known, by the location when it is internal (or a transit/customer location without
        partner); production, inventory-adjustment and view locations hold nothing.
        """
        if not lot_ids:
            return []
        self.env["trace.event.line"].flush_model()
        self.env["trace.event"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                WITH flows AS (
                    SELECT l.lot_id, l.product_id, l.event_id, e.event_time, e.biz_transaction,
                           CASE WHEN dl.usage = 'internal' OR l.partner_dest_id IS NULL
                                THEN l.location_dest_id END AS to_location,
                           CASE WHEN dl.usage IS DISTINCT FROM 'internal'
                                THEN l.partner_dest_id END AS to_partner,
                           CASE WHEN sl.usage = 'internal' OR l.partner_id IS NULL
                                THEN l.location_id END AS from_location,
                           CASE WHEN sl.usage IS DISTINCT FROM 'internal'
                                THEN l.partner_id END AS from_partner,
                           dl.usage AS to_usage, sl.usage AS from_usage,
                           l.quantity
                      FROM trace_event_line l
                      JOIN trace_event e ON e.id = l.event_id
                      LEFT JOIN stock_location sl ON sl.id = l.location_id
                      LEFT JOIN stock_location dl ON dl.id = l.location_dest_id
                     WHERE l.lot_id = ANY(%(lots)s) AND %(effective)s
                ), moves AS (
                    SELECT lot_id, product_id, event_id, event_time, biz_transaction,
                           to_location AS location_id, to_partner AS partner_id,
                           quantity AS qty_in, 0 AS qty_out
                      FROM flows
                     WHERE (to_partner IS NOT NULL
                            OR to_usage IN ('internal', 'transit', 'customer', 'supplier'))
                    UNION ALL
                    SELECT lot_id, product_id, event_id, NULL, NULL,
                           from_location, from_partner, 0, quantity
                      FROM flows
                     WHERE (from_partner IS NOT NULL
                            OR from_usage IN ('internal', 'transit', 'customer', 'supplier'))
                )
                SELECT CASE WHEN partner_id IS NOT NULL THEN 'partner' ELSE 'location' END,
                       partner_id, CASE WHEN partner_id IS NULL THEN location_id END,
                       lot_id, product_id,
                       sum(qty_in) - sum(qty_out), sum(qty_in),
                       min(event_time), max(event_time), max(event_id),
                       array_remove(array_agg(DISTINCT biz_transaction), NULL)
                  FROM moves
                 GROUP BY 1, 2, 3, 4, 5
                HAVING sum(qty_in) > 0
                   AND (partner_id IS NOT NULL OR sum(qty_in) - sum(qty_out) > 0)
                 ORDER BY 1, 2, 3, 4
                """,
                lots=lot_ids,
                effective=EFFECTIVE,
            )
        )
        return [
            {
                "holder_type": holder_type,
                "partner_id": partner_id or False,
                "location_id": location_id or False,
                "lot_id": lot_id,
                "product_id": product_id,
                "quantity": quantity,
                "received_quantity": received,
                "first_date": first.isoformat() if first else False,
                "last_date": last.isoformat() if last else False,
                "last_event_id": last_event_id,
                "documents": sorted(documents),
            }
            for (
                holder_type,
                partner_id,
                location_id,
                lot_id,
                product_id,
                quantity,
                received,
                first,
                last,
                last_event_id,
                documents,
            ) in self.env.cr.fetchall()
        ]
