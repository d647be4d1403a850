"""Per-unit genealogy: which component lots/serials went into which finished unit of an order.

A manufacturing order's own event links every component lot it consumed to every unit it made
(Odoo records consumption per posting, not per unit). A per-unit genealogy event is one sealed
TransformationEvent per finished unit (origin ``unit_genealogy``, the order in
``production_id``): the components that went into that unit as inputs, the unit as output. The
trace follows it instead of the order's event for that unit (see
:meth:`~.trace_event_query.TraceEvent._trace_genealogy_edge`).

Recorded from the order (the scan dialog, ``trace.unit.genealogy.wizard``), by a line's MES over
the API (:meth:`record_unit_genealogy`, or a captured EPCIS TransformationEvent naming the order
as its ``prodorder`` business transaction), always through :meth:`_trace_record_units`, which
checks everything against what the order consumed and made and records all units or none.
Repairs need nothing more: a repair order's association event names the repaired unit and the
parts fitted into it, which is per-unit by nature.
"""

from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from .trace_event_query import ORDER_EVENT

#: quantities closer than this are equal (the order's quantities are floats)
EPSILON = 1e-6


class TraceEventLine(models.Model):
    _inherit = "trace.event.line"

    genealogy_shared = fields.Boolean(
        string="Lot Shared Among Units",
        readonly=True,
        copy=False,
        help="An input of a manufacturing order's event whose order also consumed another "
        "lot of the same component: the order alone does not tell which units contain this "
        "lot. Set when the event is recorded; the trace reads it.",
    )


class TraceEvent(models.Model):
    _inherit = "trace.event"

    unit_genealogy = fields.Boolean(
        string="Per-Unit Data Recorded",
        readonly=True,
        copy=False,
        help="A manufacturing order's event whose order has per-unit genealogy events: the "
        "trace follows them for the units and components they name. Kept up to date when "
        "per-unit data is recorded, recorded again or the order's event is corrected.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        events = super().create(vals_list)
        events._trace_genealogy_flags()
        return events

    def _trace_genealogy_flags(self):
        """Set the stored genealogy facts the trace walk reads (instead of subqueries per
        line) for the orders of these new events: ``genealogy_shared`` on the input lines of
        their order events, ``unit_genealogy`` on every order event of an order that now has
        per-unit events."""
        productions = {
            event.production_id.id
            for event in self
            if event.production_id and event.event_type == "transformation"
        }
        if productions:
            self._trace_genealogy_flags_sql(
                SQL("e.id = ANY(%s)", self.ids),
                SQL("e.production_id = ANY(%s)", sorted(productions)),
            )

    @api.model
    def _trace_genealogy_flags_sql(self, new_events, orders):
        """Compute the stored genealogy facts in SQL: ``genealogy_shared`` of the input lines
        of the order events matching ``new_events`` (an event's lines never change), and
        ``unit_genealogy`` of the order events matching ``orders`` (conditions on ``e``).
        The migration runs it on every event."""
        self.env["trace.event.line"].flush_model()
        self.flush_model()
        cr = self.env.cr
        cr.execute(
            SQL(
                """
                UPDATE trace_event_line l SET genealogy_shared = true
                  FROM trace_event e
                 WHERE e.id = l.event_id AND %s AND %s
                   AND l.role = 'input' AND l.lot_id IS NOT NULL
                   AND l.genealogy_shared IS NOT TRUE
                   AND EXISTS (SELECT 1 FROM trace_event_line i
                                WHERE i.event_id = e.id AND i.role = 'input'
                                  AND i.product_id = l.product_id AND i.lot_id <> l.lot_id)
                """,
                new_events,
                ORDER_EVENT,
            )
        )
        cr.execute(
            SQL(
                """
                UPDATE trace_event t SET unit_genealogy = x.has_units
                  FROM (SELECT e.id, EXISTS (
                               SELECT 1 FROM trace_event ue
                                WHERE ue.production_id = e.production_id
                                  AND ue.origin = 'unit_genealogy'
                                  AND ue.company_id = e.company_id) AS has_units
                          FROM trace_event e WHERE %s AND %s) x
                 WHERE t.id = x.id AND t.unit_genealogy IS DISTINCT FROM x.has_units
                """,
                orders,
                ORDER_EVENT,
            )
        )
        self.env["trace.event.line"].invalidate_model(["genealogy_shared"])
        self.invalidate_model(["unit_genealogy"])

    # ------------------------------------------------------------------ public API

    @api.model
    def record_unit_genealogy(self, production, units):
        """Record which component lots/serials went into each finished unit of a done order.

        :param production: the manufacturing order: its id, or its name (``WH/MO/00012``)
        :param list units: one dict per finished unit, in the order the line worked:
            ``{"serial": <lot/serial of the finished product: id or name>, "components":
            [{"lot": <component lot/serial: id or name>, "product_id": <id, optional: when
            two components have lots of the same name>, "quantity": <optional: by default
            what one unit consumed of that component on average, 1 for a serial>}]}``
        :return: ``{"event_ids": [one per unit, in the order given], "corrected_event_ids":
            [earlier per-unit events of these units that the new ones replace]}``

        Every component must be a lot/serial the order consumed, every unit a lot/serial it
        made, and no lot may be assigned more units than the order consumed of it (counting
        the units recorded before). If anything is wrong nothing is recorded and one error
        lists every problem. Recording a unit again replaces its earlier record (a correction
        that supersedes it).
        """
        self._trace_genealogy_check_access()
        order = self._trace_genealogy_order(production)
        if not isinstance(units, (list, tuple)) or not units:
            raise UserError(
                self.env._(
                    "Give the units of %(order)s as a list of {serial, components}.",
                    order=order.name,
                )
            )
        facts = self._trace_genealogy_facts(order)
        problems = []
        resolved = []
        for position, unit in enumerate(units, start=1):
            entry = self._trace_genealogy_parse_unit(facts, position, unit, problems)
            if entry:
                resolved.append(entry)
        if problems:
            self._trace_genealogy_raise(order, problems)
        events, corrected = self._trace_record_units(order, resolved, facts=facts)
        return {"event_ids": events.ids, "corrected_event_ids": corrected.ids}

    @api.model
    def _trace_genealogy_check_access(self):
        """Traceability users (a line's MES) and manufacturing users (the order's dialog)."""
        user = self.env.user
        if (
            self.env.su
            or user.has_group("udi_master.group_trace_user")
            or user.has_group("mrp.group_mrp_user")
        ):
            return
        raise AccessError(
            self.env._(
                "Only Traceability or Manufacturing users may record per-unit genealogy (user "
                "%(user)s is neither).",
                user=user.name,
            )
        )

    # ------------------------------------------------------------------ order facts

    @api.model
    def _trace_genealogy_order(self, production):
        """The done order ``production`` (id or name) names, readable by the caller."""
        Production = self.env["mrp.production"]
        if isinstance(production, int) and not isinstance(production, bool):
            order = Production.browse(production).exists()
        elif isinstance(production, str) and production.strip():
            order = Production.search([("name", "=", production.strip())], limit=1)
        else:
            order = Production
        try:
            order = order._filtered_access("read")
        except AccessError:
            order = Production
        if not order:
            raise UserError(
                self.env._(
                    "Unknown manufacturing order %(order)s: give the id or the name of an "
                    "order of your company.",
                    order=production,
                )
            )
        if order.state != "done":
            raise UserError(
                self.env._(
                    "%(order)s is not done: record per-unit genealogy once the order is "
                    "done, when what it consumed is known.",
                    order=order.name,
                )
            )
        return order

    @api.model
    def _trace_genealogy_facts(self, order):
        """What ``order`` made and consumed, as the genealogy checks need it.

        ``{"units": {lot: quantity made}, "consumed": {lot: quantity consumed},
        "per_unit": {product: quantity one unit consumed on average}, "recorded":
        {unit lot: its effective per-unit event}, "assigned": {component lot: quantity the
        recorded units hold}}``; quantities in the product's unit.
        """
        order = order.sudo()
        events = self.sudo()
        made = events._trace_order_done_lines(
            order.move_finished_ids.filtered(lambda move: move.product_id == order.product_id)
        )
        used = events._trace_order_done_lines(order.move_raw_ids)
        units, consumed, by_product = defaultdict(float), defaultdict(float), defaultdict(float)
        for line in made.filtered("lot_id"):
            units[line.lot_id] += line.quantity_product_uom
        for line in used:
            by_product[line.product_id] += line.quantity_product_uom
            if line.lot_id:
                consumed[line.lot_id] += line.quantity_product_uom
        total_made = sum(made.mapped("quantity_product_uom")) or 1.0
        recorded = {}
        for event in events.search(
            [("origin", "=", "unit_genealogy"), ("production_id", "=", order.id)], order="id"
        ).filtered(lambda event: not event.is_superseded):
            for line in event.line_ids.filtered(lambda line: line.role == "output"):
                recorded[line.lot_id] = event
        assigned = defaultdict(float)
        for event in recorded.values():
            for line in event.line_ids.filtered(lambda line: line.role == "input"):
                assigned[line.lot_id] += line.quantity
        return {
            "order": order,
            "units": dict(units),
            "consumed": dict(consumed),
            "per_unit": {product: qty / total_made for product, qty in by_product.items()},
            "recorded": recorded,
            "assigned": dict(assigned),
        }

    # ------------------------------------------------------------------ parsing

    @api.model
    def _trace_genealogy_find(self, candidates, ref, product_id=None):
        """The lot of ``candidates`` (records) named by ``ref`` (id or name), or None."""
        if isinstance(ref, int) and not isinstance(ref, bool):
            found = candidates.filtered(lambda lot: lot.id == ref)
        elif isinstance(ref, str) and ref.strip():
            found = candidates.filtered(lambda lot: lot.name == ref.strip())
        else:
            return None
        if product_id:
            found = found.filtered(lambda lot: lot.product_id.id == product_id)
        return found if len(found) == 1 else None

    @api.model
    def _trace_genealogy_parse_unit(self, facts, position, unit, problems):
        """``(unit lot, [(component lot, quantity)])`` of one entry of
        :meth:`record_unit_genealogy`, or None with the problems appended to ``problems``."""
        _ = self.env._
        order = facts["order"]
        if not isinstance(unit, dict):
            problems.append(
                _("Unit %(position)s: not a {serial, components} object.", position=position)
            )
            return None
        lot_model = self.env["stock.lot"]
        serial = self._trace_genealogy_find(lot_model.union(*facts["units"]), unit.get("serial"))
        if not serial:
            problems.append(
                _(
                    "Unit %(position)s: %(serial)s is not a lot/serial of %(product)s made by "
                    "%(order)s.",
                    position=position,
                    serial=unit.get("serial"),
                    product=order.product_id.display_name,
                    order=order.name,
                )
            )
        components = unit.get("components")
        if not isinstance(components, (list, tuple)) or not components:
            problems.append(
                _(
                    "Unit %(position)s: list the component lots/serials that went into it.",
                    position=position,
                )
            )
            return None
        consumed = lot_model.union(*facts["consumed"])
        pairs = []
        for component in components:
            pair = self._trace_genealogy_parse_component(
                facts, consumed, position, component, problems
            )
            if pair:
                pairs.append(pair)
        return (serial, pairs) if serial and len(pairs) == len(components) else None

    @api.model
    def _trace_genealogy_parse_component(self, facts, consumed, position, component, problems):
        """``(component lot, quantity)`` of one component of a unit, or None (problem noted)."""
        _ = self.env._
        order = facts["order"]
        if not isinstance(component, dict):
            component = {"lot": component}
        product_id = component.get("product_id")
        lot = self._trace_genealogy_find(consumed, component.get("lot"), product_id)
        if not lot:
            problems.append(
                _(
                    "Unit %(position)s: component %(lot)s was not consumed by %(order)s (only "
                    "lots/serials the order consumed can go into its units).",
                    position=position,
                    lot=component.get("lot"),
                    order=order.name,
                )
            )
            return None
        quantity = component.get("quantity")
        if quantity is None:
            quantity = (
                1.0
                if lot.product_id.tracking == "serial"
                else facts["per_unit"].get(lot.product_id, 0.0)
            )
        if isinstance(quantity, bool) or not isinstance(quantity, (int, float)) or quantity <= 0:
            problems.append(
                _(
                    "Unit %(position)s: the quantity of %(lot)s must be a number above zero.",
                    position=position,
                    lot=lot.name,
                )
            )
            return None
        return lot, float(quantity)

    def _trace_genealogy_raise(self, order, problems):
        raise UserError(
            self.env._(
                "Nothing was recorded for %(order)s: %(count)s problem(s).\n%(problems)s",
                order=order.name,
                count=len(problems),
                problems="\n".join(f"- {problem}" for problem in problems),
            )
        )

    # ------------------------------------------------------------------ recording

    @api.model
    def _trace_genealogy_check(self, facts, units):
        """Problems of ``units`` ([(unit lot, [(component lot, quantity)])]) against the
        order: each unit once, each component once per unit, and no lot assigned more than
        the order consumed of it (the units recorded before included, those recorded again
        counted once)."""
        _ = self.env._
        order = facts["order"]
        problems = []
        seen = set()
        assigned = defaultdict(float, facts["assigned"])
        for unit, _pairs in units:
            previous = facts["recorded"].get(unit)
            if previous:
                for line in previous.line_ids.filtered(lambda line: line.role == "input"):
                    assigned[line.lot_id] -= line.quantity
        for unit, pairs in units:
            if unit in seen:
                problems.append(_("%(unit)s is listed twice.", unit=unit.name))
            seen.add(unit)
            lots = [lot for lot, _qty in pairs]
            for lot in {lot for lot in lots if lots.count(lot) > 1}:
                problems.append(
                    _("%(unit)s: %(lot)s is listed twice.", unit=unit.name, lot=lot.name)
                )
            for lot, quantity in pairs:
                assigned[lot] += quantity
        for lot, quantity in assigned.items():
            available = facts["consumed"].get(lot, 0.0)
            if quantity > available + EPSILON:
                problems.append(
                    _(
                        "%(lot)s: %(assigned)s assigned to units, but %(order)s consumed only "
                        "%(consumed)s %(uom)s of it.",
                        lot=lot.name,
                        assigned=round(quantity, 6),
                        order=order.name,
                        consumed=round(available, 6),
                        uom=lot.product_id.uom_id.name,
                    )
                )
        return problems

    @api.model
    def _trace_record_units(self, order, units, facts=None, headers=None):
        """Record one sealed per-unit genealogy event per unit of ``units`` ([(unit lot,
        [(component lot, quantity)])]) of the done ``order``, after
        :meth:`_trace_genealogy_check` (nothing recorded when it finds a problem). A unit
        recorded before gets a correction superseding its earlier event. ``headers``: one
        header per unit instead of the order's (a captured event's eventID and time).

        Returns ``(events, superseded events)``.
        """
        facts = facts or self._trace_genealogy_facts(order)
        problems = self._trace_genealogy_check(facts, units)
        if problems:
            self._trace_genealogy_raise(order, problems)
        headers = headers or [self._trace_genealogy_header(order)] * len(units)
        lots = (
            self.env["stock.lot"]
            .union(
                *(unit for unit, _pairs in units),
                *(lot for _u, pairs in units for lot, _q in pairs),
            )
            .sudo()
        )
        dis = self._trace_product_dis(lots.product_id)
        vals_list = []
        superseded = self.browse()
        for (unit, pairs), base in zip(units, headers, strict=True):
            lines = [
                self._trace_genealogy_line(lot, quantity, "input", dis) for lot, quantity in pairs
            ]
            lines.append(self._trace_genealogy_line(unit, facts["units"][unit], "output", dis))
            vals = dict(base, line_ids=[(0, 0, line) for line in lines])
            previous = facts["recorded"].get(unit)
            if previous:
                vals.update(corrected_event_id=previous.id, error_reason="incorrect_data")
                superseded |= previous
            vals_list.append(vals)
        return self._trace_create(vals_list), superseded

    @api.model
    def _trace_genealogy_header(self, order):
        """Header of a per-unit event of ``order``: where and when the order made its units."""
        order = order.sudo()
        location = order.location_dest_id
        gln = self._trace_location_glns(location).get(location.id)
        made = self._trace_order_done_lines(order.move_finished_ids)
        when = max(
            (line.date for line in made if line.date),
            default=order.date_finished or fields.Datetime.now(),
        )
        return {
            "event_type": "transformation",
            "biz_step": "assembling",
            "disposition": "active",
            "event_time": when,
            "event_tz": self._trace_tz_offset(when, company=order.company_id, location=location),
            "read_point_id": location.id,
            "read_point_gln": gln,
            "biz_location_id": location.id,
            "biz_location_gln": gln,
            "origin": "unit_genealogy",
            "production_id": order.id,
            "biz_transaction": order.name,
            "company_id": order.company_id.id,
        }

    @api.model
    def _trace_genealogy_line(self, lot, quantity, role, dis):
        """A line naming ``lot`` without a move line or a holder: the unit and its
        components stay where the order put them (nothing moves in the holder balance)."""
        product = lot.product_id
        return {
            "role": role,
            "product_id": product.id,
            "udi_di": dis.get(product.id) or False,
            "lot_id": lot.id,
            "lot_name": lot.name,
            "quantity": quantity,
            "uom_id": product.uom_id.id,
        }
