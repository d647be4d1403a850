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
#: event ``e`` is a manufacturing order's transformation event (or its correction), not a
#: per-unit genealogy event
ORDER_EVENT = SQL(
    "(e.production_id IS NOT NULL AND e.event_type = 'transformation'"
    " AND e.origin <> 'unit_genealogy')"
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
        # no right to read lots at all: an access error, whatever the ids; a lot the caller
        # may not read (another company's) is reported as unknown, exactly as an id that
        # does not exist: the answer must not tell that it exists
        Lot = self.env["stock.lot"]
        Lot.check_access("read")
        lots = Lot.browse(lot_ids).exists()._filtered_access("read")
        missing = set(lot_ids) - set(lots.ids)
        if missing:
            raise UserError(
                self.env._(
                    "Unknown lot/serial id(s): %(ids)s.",
                    ids=", ".join(str(i) for i in sorted(missing)),
                )
            )
        return list(dict.fromkeys(lot_ids))

    @api.model
    def _trace_company_ids(self, company_ids=None):
        """The companies whose events a trace reads: ``company_ids`` when the caller names
        them (the recall analysis names its campaign's company), else the caller's allowed
        companies (``self.env.companies``: those of the request's ``allowed_company_ids`` the
        user may access, all of the user's companies without it)."""
        if company_ids is None:
            company_ids = self.env.companies.ids
        return sorted(set(company_ids))

    @api.model
    def _trace_result(self, lot_ids, direction, company_ids=None):
        """``{"lots": [...], "holders": [...], "genealogy": {...}}`` of a forward or backward
        trace.

        Only the events of ``company_ids`` (default: the caller's allowed companies, see
        :meth:`_trace_company_ids`) are followed and summed up, and only lots of those
        companies (or shared by all) are listed.

        * ``lots``: every lot/serial reached, the start lots included (``depth`` 0), with
          ``lot_id``, ``lot_name``, ``product_id`` and ``depth`` (transformations, repairs or
          aggregations away from the start).
        * ``holders``: one row per holder and lot reached: ``holder_type`` ("location" for our
          own locations, "partner" for everyone we or others shipped to), ``partner_id`` or
          ``location_id``, ``lot_id``, ``product_id``, ``company_id`` (whose events moved the
          units there), ``quantity`` (held now, from the event balance),
          ``received_quantity`` (all that reached that holder), ``first_date`` and
          ``last_date`` (ISO, of the events bringing units there), ``documents`` (shipping and
          other business documents) and ``last_event_id``. Partners appear even when they sent
          everything back (quantity 0): they received it.
        * ``genealogy``: how exact the scope is (see :meth:`_trace_genealogy_summary`): where
          a manufacturing order has per-unit genealogy for a unit, the trace follows it; where
          it has none and the order consumed several lots of the same component, the unit is
          reached through the order's genealogy (every lot consumed to every unit made), and
          ``widened_unit_count`` says for how many lots/serials reached the scope is wider
          than the truth may be.
        * ``packages``: the packages (logistic units) the lots reached were packed in, and
          their containers (see :meth:`~.trace_event_package.TraceEvent._trace_packages`).
        """
        lot_ids = self._trace_check_lot_ids(lot_ids)
        self.check_access("read")
        if not lot_ids:
            return {
                "lots": [],
                "holders": [],
                "genealogy": self._trace_genealogy_summary([]),
                "packages": [],
            }
        company_ids = self._trace_company_ids(company_ids)
        self.env.cr.execute(
            SQL(
                """
                WITH RECURSIVE %s
                SELECT r.lot_id, lot.name, lot.product_id, r.depth, r.widened
                  FROM (SELECT lot_id, min(depth) AS depth, bool_and(widened) AS widened
                          FROM reach GROUP BY lot_id) r
                  JOIN stock_lot lot ON lot.id = r.lot_id AND %s
                 ORDER BY r.depth, r.lot_id
                """,
                self._trace_reach_cte(lot_ids, direction, company_ids),
                self._trace_lot_visible(company_ids),
            )
        )
        keys = ("lot_id", "lot_name", "product_id", "depth")
        lot_rows, widened = [], []
        for row in self.env.cr.fetchall():
            lot_rows.append(dict(zip(keys, row[:4], strict=True)))
            if row[4]:
                widened.append(row[0])
        reached = [row["lot_id"] for row in lot_rows]
        return {
            "lots": lot_rows,
            "holders": self._trace_holders(reached, company_ids),
            "genealogy": self._trace_genealogy_summary(widened),
            "packages": self._trace_packages(reached, company_ids),
        }

    @api.model
    def _trace_genealogy_summary(self, widened_lot_ids):
        """The ``genealogy`` of a trace result: ``exact`` (no lot reached only through an
        order's genealogy), ``widened_unit_count`` and ``widened_lot_ids`` (the lots/serials
        reached only through the genealogy of orders without per-unit data for them) and
        ``message`` (the warning to show, or False)."""
        count = len(widened_lot_ids)
        message = False
        if count:
            message = self.env._(
                "Scope widened to the order: per-unit data missing for %(count)s units. Each "
                "manufacturing order concerned consumed several lots of the same component and "
                "did not record which went into which unit, so every unit it made is counted.",
                count=count,
            )
        return {
            "exact": not count,
            "widened_unit_count": count,
            "widened_lot_ids": sorted(widened_lot_ids),
            "message": message,
        }

    @api.model
    def _trace_lot_visible(self, company_ids):
        """SQL condition on ``lot`` (a ``stock_lot`` row): a lot of ``company_ids`` or shared
        by all companies (``stock.lot``'s multi-company rule)."""
        return SQL("(lot.company_id IS NULL OR lot.company_id = ANY(%s))", list(company_ids))

    @api.model
    def _trace_reach(self, lot_ids, direction, company_ids=None):
        """[(lot id, depth)] reached from ``lot_ids`` through transformations and associations.

        One recursive query over ``trace_event_line`` (indexed on lot and on event): forward
        goes from input/child lines to the output/parent lines of the same event, backward the
        other way. Superseded (corrected) events and events of other companies than
        ``company_ids`` (default: the caller's allowed companies) are not followed.
        """
        self.env.cr.execute(
            SQL(
                "WITH RECURSIVE %s "
                "SELECT lot_id, min(depth) FROM reach GROUP BY lot_id ORDER BY 2, 1",
                self._trace_reach_cte(lot_ids, direction, self._trace_company_ids(company_ids)),
            )
        )
        return self.env.cr.fetchall()

    @api.model
    def _trace_reach_cte(self, lot_ids, direction, company_ids):
        """The recursive CTE ``reach(lot_id, depth, widened)`` of a walk from ``lot_ids``
        through the events of ``company_ids`` (flushes first).

        A lot may appear at several depths; callers take the minimum. The depth guard stops
        cycles (an unbuild then a rebuild). The company of an edge's event is read once per
        line the walk leaves a lot by (a primary-key lookup beside the corrections check),
        not per line it reaches: the indexes on ``(lot_id, role)`` and ``(event_id, role)``
        still drive the walk.

        Per-unit genealogy (:meth:`_trace_genealogy_edge`): the order's transformation event
        is not followed between a unit and the order's inputs when the unit has a per-unit
        event of that order (that event is followed instead); ``widened`` marks rows reached
        through an order's event from a lot that may not be in that unit (the order consumed
        another lot of the same component), and the rows reached from them. A lot reached
        both ways has a row of each: callers take ``bool_and(widened)``.
        """
        src, dst = EDGE_ROLES[direction]
        self.env["trace.event.line"].flush_model()
        self.env["trace.event"].flush_model()
        keep, widened = self._trace_genealogy_edge(direction)
        return SQL(
            """
            reach(lot_id, depth, widened) AS (
                SELECT unnest(%(start)s::int[]), 0, false
                UNION
                SELECT o.lot_id, r.depth + 1, r.widened OR %(widened)s
                  FROM reach r
                  JOIN trace_event_line l ON l.lot_id = r.lot_id AND l.role = ANY(%(src)s)
                  JOIN trace_event e ON e.id = l.event_id AND e.company_id = ANY(%(companies)s)
                  JOIN trace_event_line o ON o.event_id = l.event_id AND o.role = ANY(%(dst)s)
                 WHERE o.lot_id IS NOT NULL AND o.lot_id <> r.lot_id
                   AND r.depth < %(max_depth)s
                   AND %(effective)s
                   AND %(keep)s
            )
            """,
            start=lot_ids,
            src=src,
            companies=list(company_ids),
            dst=dst,
            max_depth=MAX_DEPTH,
            effective=EFFECTIVE,
            keep=keep,
            widened=widened,
        )

    @api.model
    def _trace_genealogy_edge(self, direction):
        """``(keep, widened)``: SQL of the per-unit genealogy rules of a walk step from line
        ``l`` of event ``e`` to line ``o`` (see :meth:`_trace_reach_cte`): ``keep`` the
        condition that the step is followed, ``widened`` whether it widens the scope.

        Both read facts stored when the events are recorded (see
        :meth:`~.trace_event_genealogy.TraceEvent._trace_genealogy_flags`), not subqueries:
        ``e.unit_genealogy`` (an order-level event, i.e. a manufacturing order's
        transformation event or its correction, whose order has per-unit events) and the
        component line's ``genealogy_shared`` (an input of an order-level event whose order
        consumed another lot of the same component). An order-level event's step between a
        unit and a component lot is not followed when the unit has per-unit data of that
        order for that component (an effective per-unit event of the order outputs the unit
        and lists a lot of the component's product): that event says which lot it was. A
        component the per-unit data does not list keeps the order's link. The per-unit
        lookup runs only for the events of orders with per-unit data.
        """
        forward = direction == "forward"
        unit, component = ("o", "l") if forward else ("l", "o")
        keep = SQL(
            "NOT (e.unit_genealogy IS TRUE AND %s)",
            self._trace_unit_data_sql(
                SQL.identifier(unit, "lot_id"), SQL.identifier(component, "product_id")
            ),
        )
        widened = SQL("(%s.genealogy_shared IS TRUE)", SQL.identifier(component))
        return keep, widened

    @api.model
    def _trace_unit_data_sql(self, lot, product):
        """SQL: ``lot`` has per-unit genealogy for ``product`` in the production of event
        ``e`` (an effective per-unit event of that order outputs it and lists an input of
        ``product``)."""
        return SQL(
            """EXISTS (
                SELECT 1 FROM trace_event_line ul
                  JOIN trace_event ue ON ue.id = ul.event_id
                  JOIN trace_event_line ui ON ui.event_id = ue.id AND ui.role = 'input'
                                          AND ui.product_id = %(product)s
                 WHERE ul.lot_id = %(lot)s AND ul.role = 'output'
                   AND ue.origin = 'unit_genealogy' AND ue.production_id = e.production_id
                   AND ue.company_id = e.company_id
                   AND NOT EXISTS (SELECT 1 FROM trace_event uc
                                    WHERE uc.corrected_event_id = ue.id))""",
            lot=lot,
            product=product,
        )

    @api.model
    def _trace_holders(self, lot_ids, company_ids=None):
        """Holder rows (see :meth:`_trace_result`) of ``lot_ids``, read from ``trace.holding``:
        the holdings of ``company_ids`` (default: the caller's allowed companies), i.e. what
        their own events moved.

        The holdings are kept up to date by every event created (see
        :class:`~.trace_holding.TraceHolding` for how holders are derived from the lines);
        those of lots queued for a refresh after a concurrent commit are aggregated from
        their lines here.
        Values are converted in SQL (floats, ISO dates, documents as one string), which is
        several times cheaper than converting 20,000 rows in Python.

        The holdings are read lot by lot through the index on ``lot_id``: the lateral subquery
        with ``OFFSET 0`` is not flattened into a join, so the planner cannot trade the lookups
        for a hash of the whole table. It did so for 10,000 lots once the table held 800,000
        rows (about five per lot in its statistics): 390 ms instead of 50.
        """
        if not lot_ids:
            return []
        company_ids = self._trace_company_ids(company_ids)
        holdings = self.env["trace.holding"]
        holdings.flush_model()
        current = holdings._trace_current_sql(lot_ids)
        if current is None:
            rows = SQL(
                "unnest(%s::int[]) AS r(lot_id) CROSS JOIN LATERAL ("
                "SELECT * FROM trace_holding WHERE lot_id = r.lot_id AND company_id = ANY(%s)"
                " OFFSET 0) h",
                list(lot_ids),
                company_ids,
            )
        else:  # some lots are queued for a refresh: see trace.holding._trace_current_sql
            rows = SQL("(%s) h WHERE h.company_id = ANY(%s)", current, company_ids)
        self.env.cr.execute(
            SQL(
                """
                SELECT h.holder_type, h.partner_id, h.location_id, h.lot_id, h.product_id,
                       h.company_id, h.quantity::float8, h.received_quantity::float8,
                       replace(h.first_date::text, ' ', 'T'),
                       replace(h.last_date::text, ' ', 'T'),
                       h.last_event_id, h.documents
                  FROM %s
                 ORDER BY h.holder_type, h.partner_id, h.location_id, h.lot_id, h.company_id
                """,
                rows,
            )
        )
        return [
            {
                "holder_type": holder_type,
                "partner_id": partner_id or False,
                "location_id": location_id or False,
                "lot_id": lot_id,
                "product_id": product_id,
                "company_id": company_id,
                "quantity": quantity,
                "received_quantity": received,
                "first_date": first or False,
                "last_date": last or False,
                "last_event_id": last_event_id,
                "documents": documents.split("\n") if documents else [],
            }
            for (
                holder_type,
                partner_id,
                location_id,
                lot_id,
                product_id,
                company_id,
                quantity,
                received,
                first,
                last,
                last_event_id,
                documents,
            ) in self.env.cr.fetchall()
        ]
