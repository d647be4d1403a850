"""The backend view of traces on ``trace.event``: the trace tree of lots/serials, the event form.

* ``trace_tree(lot_ids, direction)``: the graph a trace walks (lots reached with their depth and
  the events linking them) and who holds each lot, for the trace tree client action
  (``trace_events.trace_tree``) and for integrators;
* lines split by role for the event form, and the document behind an event.

The smart buttons of ``stock.lot`` are in ``stock_lot.py``, the lot timeline's fields of
``trace.event.line`` in ``trace_event_line.py``.
"""

from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from .trace_event_query import EDGE_ROLES, EFFECTIVE

TRACE_DIRECTIONS = [
    ("forward", "Forward: where did it go"),
    ("backward", "Backward: where did it come from"),
]
#: the client action of the trace tree (static/src/trace_tree)
TRACE_TREE_TAG = "trace_events.trace_tree"


class TraceEvent(models.Model):
    _inherit = "trace.event"

    # lines by role, for the event form (transformations show consumed / produced apart)
    object_line_ids = fields.Many2many(
        "trace.event.line", string="Devices", compute="_compute_role_lines"
    )
    input_line_ids = fields.Many2many(
        "trace.event.line",
        string="Consumed / Children",
        compute="_compute_role_lines",
        help="Input lines of a transformation, child lines of an aggregation or association.",
    )
    output_line_ids = fields.Many2many(
        "trace.event.line",
        string="Produced / Parent",
        compute="_compute_role_lines",
        help="Output lines of a transformation, parent lines of an aggregation or association.",
    )

    @api.depends("line_ids.role")
    def _compute_role_lines(self):
        for event in self:
            lines = event.line_ids
            event.object_line_ids = lines.filtered(lambda line: line.role == "object")
            event.input_line_ids = lines.filtered(
                lambda line: line.role in ("input", "child", "removed")
            )
            event.output_line_ids = lines.filtered(lambda line: line.role in ("output", "parent"))

    # ------------------------------------------------------------------ trace tree

    @api.model
    @api.readonly
    def trace_tree(self, lot_ids, direction="forward"):
        """The trace of ``lot_ids`` as a graph, for the trace tree view.

        :param list lot_ids: ids of the lots/serials to start from (the roots)
        :param str direction: ``"forward"`` (where did they go, into what) or ``"backward"``
            (where did they come from, what is in them)
        :return: a dict of plain values (ids, strings, numbers; no integer keys):

            * ``direction``, ``root_ids``
            * ``lots``: every lot/serial reached, roots included: ``id``, ``name``,
              ``product_id``, ``depth`` (events away from the nearest root) and ``parent_ids``
              (the lots it was reached from)
            * ``edges``: ``from_lot_id`` (nearer the roots), ``to_lot_id``, ``event_id``,
              ``from_quantity`` and ``to_quantity`` (their quantities in that event)
            * ``events``: ``id``, ``name``, ``event_time`` (ISO, UTC), ``biz_step``,
              ``biz_transaction`` of the events of the edges
            * ``holders``: who holds each lot reached, as in :meth:`trace_forward`
            * ``sources``: the external parties each lot reached came from: ``lot_id``,
              ``partner_id``, ``quantity`` (received from them), ``first_date``,
              ``last_date``, ``documents``
            * ``products``, ``partners``, ``locations``: ``id`` and ``name`` of those referred
              to (products also ``uom`` and ``tracking``)
            * ``summary``: ``lot_count`` (reached, roots excluded), ``max_depth``,
              ``partner_count`` (partners holding some now), ``partner_received_count``,
              ``partner_quantity`` and ``own_quantity`` (held by partners / in our locations)
            * ``genealogy``: as in :meth:`trace_forward`: ``exact``, ``widened_unit_count``,
              ``widened_lot_ids`` (lots reached only through an order's genealogy, without
              per-unit data) and ``message`` (the warning the view shows, or False)
        """
        self._trace_check_direction(direction)
        lot_ids = self._trace_check_lot_ids(lot_ids)
        self.check_access("read")
        company_ids = self._trace_company_ids()
        nodes, edges, widened = (
            self._trace_tree_graph(lot_ids, direction, company_ids) if lot_ids else ([], [], [])
        )
        reached_ids = [lot_id for lot_id, _depth in nodes]
        holders = self._trace_holders(reached_ids, company_ids)
        sources = self._trace_tree_sources(reached_ids, company_ids)
        # names are read as the caller: the graph holds only the caller's companies' events
        # and lots, and whatever else the caller may not read is left out, never read as
        # superuser
        lots = self.env["stock.lot"].browse(reached_ids)
        lots.fetch(["name", "product_id"])
        return {
            "direction": direction,
            "root_ids": lot_ids,
            "lots": self._trace_tree_lot_rows(lots, nodes, edges),
            "edges": edges,
            "events": self._trace_tree_event_rows(edges),
            "holders": holders,
            "sources": sources,
            **self._trace_tree_names(lots, holders, sources),
            "summary": self._trace_tree_summary(lot_ids, nodes, holders),
            "genealogy": self._trace_genealogy_summary(widened),
        }

    @api.model
    def _trace_check_direction(self, direction):
        if direction not in ("forward", "backward"):
            raise UserError(
                self.env._(
                    "Unknown trace direction %(direction)r: use 'forward' or 'backward'.",
                    direction=direction,
                )
            )

    @api.model
    def _trace_tree_lot_rows(self, lots, nodes, edges):
        """The ``lots`` rows of :meth:`trace_tree` (``lots`` in the order of ``nodes``)."""
        parents = defaultdict(list)
        for edge in edges:
            parents[edge["to_lot_id"]].append(edge["from_lot_id"])
        return [
            {
                "id": lot.id,
                "name": lot.name,
                "product_id": lot.product_id.id,
                "depth": depth,
                "parent_ids": sorted(set(parents[lot.id])),
            }
            for lot, (_lot_id, depth) in zip(lots, nodes, strict=True)
        ]

    @api.model
    def _trace_tree_event_rows(self, edges):
        """The ``events`` rows of :meth:`trace_tree`: the events of ``edges`` the caller may
        read."""
        events = self.browse(sorted({edge["event_id"] for edge in edges}))._filtered_access("read")
        return [
            {
                "id": event.id,
                "name": event.display_name,
                "event_time": event.event_time.isoformat() if event.event_time else False,
                "biz_step": event.biz_step or False,
                "biz_transaction": event.biz_transaction or False,
            }
            for event in events
        ]

    @api.model
    def _trace_tree_names(self, lots, holders, sources):
        """The ``products``, ``partners`` and ``locations`` of :meth:`trace_tree`: those the
        lots, holders and sources refer to, that the caller may read."""
        products = (
            lots.product_id
            | self.env["product.product"].browse([holder["product_id"] for holder in holders])
        )._filtered_access("read")
        partners = (
            self.env["res.partner"]
            .browse(
                sorted(
                    {holder["partner_id"] for holder in holders if holder["partner_id"]}
                    | {source["partner_id"] for source in sources}
                )
            )
            ._filtered_access("read")
        )
        locations = (
            self.env["stock.location"]
            .browse(sorted({holder["location_id"] for holder in holders if holder["location_id"]}))
            ._filtered_access("read")
        )
        return {
            "products": [
                {
                    "id": product.id,
                    "name": product.display_name,
                    "uom": product.uom_id.name,
                    "tracking": product.tracking,
                }
                for product in products.sorted("id")
            ],
            "partners": [{"id": p.id, "name": p.display_name} for p in partners],
            "locations": [{"id": loc.id, "name": loc.display_name} for loc in locations],
        }

    @api.model
    def _trace_tree_summary(self, root_ids, nodes, holders):
        """The ``summary`` of :meth:`trace_tree`."""
        partner_holders = [holder for holder in holders if holder["holder_type"] == "partner"]
        return {
            "lot_count": len(nodes) - len(root_ids),
            "max_depth": max((depth for _lot_id, depth in nodes), default=0),
            "partner_count": len({h["partner_id"] for h in partner_holders if h["quantity"] > 0}),
            "partner_received_count": len({h["partner_id"] for h in partner_holders}),
            "partner_quantity": sum(h["quantity"] for h in partner_holders),
            "own_quantity": sum(h["quantity"] for h in holders if h["holder_type"] == "location"),
        }

    @api.model
    def _trace_tree_graph(self, lot_ids, direction, company_ids):
        """``([(lot id, depth)], [edge], [widened lot id])`` of a trace, from one recursive
        query.

        The walk is :meth:`_trace_reach`'s (same roles, same guard against cycles, corrected
        events and other companies' events not followed); the lots are those of
        ``company_ids`` or shared, and the edges are every effective event of
        ``company_ids`` joining two of them, from the side nearer the roots (input/child lines
        forward, output/parent lines backward) to the other, with the quantity of each side in
        the event (lines of the same lot and side summed). An order's event does not link a
        unit that has per-unit genealogy of that order (its per-unit event does). The third
        value lists the lots reached only through an order's genealogy (``widened``).
        """
        src, dst = EDGE_ROLES[direction]
        self.env.cr.execute(
            SQL(
                """
                WITH RECURSIVE %(reach)s, lots AS (
                    SELECT r.lot_id, min(r.depth) AS depth, bool_and(r.widened) AS widened
                      FROM reach r
                      JOIN stock_lot lot ON lot.id = r.lot_id AND %(visible)s
                     GROUP BY r.lot_id
                ), sides AS (
                    SELECT l.event_id, l.lot_id, l.role = ANY(%(src)s) AS is_from,
                           l.product_id, sum(l.quantity) AS quantity
                      FROM lots
                      JOIN trace_event_line l ON l.lot_id = lots.lot_id
                      JOIN trace_event e ON e.id = l.event_id
                     WHERE (l.role = ANY(%(src)s) OR l.role = ANY(%(dst)s))
                       AND e.company_id = ANY(%(companies)s)
                       AND %(effective)s
                     GROUP BY 1, 2, 3, 4
                ), unit_orders AS (
                    -- the order events of the edges whose order has per-unit data (few)
                    SELECT e.id, e.production_id, e.company_id
                      FROM trace_event e
                     WHERE e.id IN (SELECT event_id FROM sides) AND e.unit_genealogy IS TRUE
                )
                SELECT 'lot', lot_id, depth, NULL::int, widened::int, NULL::float, NULL::float
                  FROM lots
                UNION ALL
                SELECT 'edge', f.lot_id, NULL, t.lot_id, f.event_id, f.quantity, t.quantity
                  FROM sides f
                  JOIN sides t ON t.event_id = f.event_id AND NOT t.is_from
                  LEFT JOIN unit_orders e ON e.id = f.event_id
                 WHERE f.is_from AND t.lot_id <> f.lot_id
                   AND NOT (e.id IS NOT NULL AND %(unit_data)s)
                ORDER BY 1 DESC, 3, 2, 4, 5
                """,
                reach=self._trace_reach_cte(lot_ids, direction, company_ids),
                visible=self._trace_lot_visible(company_ids),
                src=src,
                dst=dst,
                companies=list(company_ids),
                effective=EFFECTIVE,
                unit_data=self._trace_unit_data_sql(
                    SQL.identifier("t" if direction == "forward" else "f", "lot_id"),
                    SQL.identifier("f" if direction == "forward" else "t", "product_id"),
                ),
            )
        )
        return self._trace_tree_unpack(self.env.cr.fetchall())

    @api.model
    def _trace_tree_unpack(self, rows):
        """The nodes, edges and widened lots of :meth:`_trace_tree_graph`'s rows (a lot row
        carries its ``widened`` flag in the event column)."""
        nodes, edges, widened = [], [], []
        for kind, lot_id, depth, to_lot_id, event_id, from_qty, to_qty in rows:
            if kind == "lot":
                nodes.append((lot_id, depth))
                if event_id:  # the lot row's ``widened`` flag
                    widened.append(lot_id)
            else:
                edges.append(
                    {
                        "from_lot_id": lot_id,
                        "to_lot_id": to_lot_id,
                        "event_id": event_id,
                        "from_quantity": from_qty or 0.0,
                        "to_quantity": to_qty or 0.0,
                    }
                )
        return nodes, edges, widened

    @api.model
    def _trace_tree_sources(self, lot_ids, company_ids):
        """Who each of ``lot_ids`` came from: the external party of the effective lines of
        ``company_ids``' events that brought units of it from outside (a supplier, a customer
        returning it), from one aggregate query."""
        if not lot_ids:
            return []
        self.env["trace.event.line"].flush_model()
        self.env["trace.event"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT l.lot_id, l.partner_id, sum(l.quantity),
                       min(e.event_time), max(e.event_time),
                       array_remove(array_agg(DISTINCT e.biz_transaction), NULL)
                  FROM trace_event_line l
                  JOIN trace_event e ON e.id = l.event_id
                  LEFT JOIN stock_location sl ON sl.id = l.location_id
                 WHERE l.lot_id = ANY(%(lots)s) AND l.partner_id IS NOT NULL
                   AND e.company_id = ANY(%(companies)s)
                   AND sl.usage IS DISTINCT FROM 'internal'
                   AND %(effective)s
                 GROUP BY 1, 2
                 ORDER BY 1, 2
                """,
                lots=lot_ids,
                companies=list(company_ids),
                effective=EFFECTIVE,
            )
        )
        return [
            {
                "lot_id": lot_id,
                "partner_id": partner_id,
                "quantity": quantity or 0.0,
                "first_date": first.isoformat() if first else False,
                "last_date": last.isoformat() if last else False,
                "documents": sorted(documents),
            }
            for lot_id, partner_id, quantity, first, last, documents in self.env.cr.fetchall()
        ]

    @api.model
    def _trace_tree_action(self, lots, direction="forward"):
        """The client action showing the trace tree of ``lots``."""
        if not lots:
            raise UserError(self.env._("Choose at least one lot or serial number to trace."))
        self._trace_check_direction(direction)
        if len(lots) == 1:
            name = self.env._("Trace of %(lot)s", lot=lots.display_name)
        else:
            name = self.env._("Trace of %(count)s lots/serials", count=len(lots))
        return {
            "type": "ir.actions.client",
            "tag": TRACE_TREE_TAG,
            "name": name,
            "params": {"lot_ids": lots.ids, "direction": direction},
        }

    # ------------------------------------------------------------------ documents

    def action_open_document(self):
        """Open the business document behind the event (transfer, order, scrap), else the
        event itself."""
        self.ensure_one()
        for field in ("picking_id", "production_id", "unbuild_id", "repair_id", "scrap_id"):
            record = self[field]
            if record and record.has_access("read"):
                return {
                    "type": "ir.actions.act_window",
                    "res_model": record._name,
                    "res_id": record.id,
                    "views": [(False, "form")],
                    "target": "current",
                }
        return self._trace_form_action()

    def _trace_form_action(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "trace.event",
            "res_id": self.id,
            "views": [(self.env.ref("trace_events.trace_event_view_form").id, "form")],
            "target": "current",
        }
