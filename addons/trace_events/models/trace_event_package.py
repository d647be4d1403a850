"""Packing and unpacking as EPCIS AggregationEvents, and traces through packages.

Putting lots/serials into an Odoo package (the move line's destination package) records, when
the move is done, one sealed AggregationEvent ADD (bizStep ``packing``) per package: the
package as the parent, the units as children. Taking them out (a done move line leaving its
source package) records a DELETE (bizStep ``unpacking``). A package put into a container (a
pallet) is a child of the container's event. Shipping a package records, as before, the
ObjectEvents of its units (their lines say who received them).

The package is a line of the event like the units are, so that it is sealed with the event
without a new sealed column: role ``parent`` (or ``child`` when it goes into a container),
the product :ref:`trace_events.product_logistic_unit`, no lot, and its reference in
``lot_name``: the SSCC's 18 digits, or ``urn:udi-trace:<database uuid>:package:<id>`` (see
:mod:`.stock_package`). These lines have no location or partner: packing moves nothing in the
holder balance. Captured AggregationEvents whose parent is an SSCC are stored the same way.

The trace walk follows lots; the packages a lot travelled in are read beside it
(:meth:`_trace_packages`), and a trace can start from a package (:meth:`trace_package`).
"""

from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..lib import epcis
from .stock_package import sscc_digits, sscc_problem
from .trace_event_query import MAX_DEPTH


def _aggregation(company_ids):
    """SQL: event ``e`` is an aggregation in effect of one of ``company_ids``."""
    return SQL(
        "e.event_type = 'aggregation' AND e.company_id = ANY(%s) AND NOT EXISTS "
        "(SELECT 1 FROM trace_event x WHERE x.corrected_event_id = e.id)",
        list(company_ids),
    )


class TraceEventLine(models.Model):
    _inherit = "trace.event.line"

    #: the logistic units (packages) of packing events, found by their reference
    _logistic_unit_index = models.Index("(product_id, lot_name) WHERE lot_id IS NULL")


class TraceEvent(models.Model):
    _inherit = "trace.event"

    @api.model
    def _trace_logistic_unit(self):
        """The product that stands for a package in event lines (None if removed)."""
        return self.env.ref("trace_events.product_logistic_unit", raise_if_not_found=False)

    # ------------------------------------------------------------------ recording

    @api.model
    def _trace_record_packing(self, move_lines, parents_before):
        """AggregationEvents of done ``move_lines``: ADD to their destination package when it
        is not their source package, DELETE from their source package when they leave it; and
        for the packages whose container changed (``parents_before``: {package: container
        before the moves}), ADD to the new container and DELETE from the old one."""
        unit = self._trace_logistic_unit()
        if not unit:
            return self.browse()
        groups = defaultdict(list)  # (package, action, picking) -> [child line values]
        lines = move_lines.filtered(lambda ml: ml.state == "done" and ml.quantity and ml.lot_id)
        dis = self._trace_product_dis(lines.product_id)
        for ml in lines:
            child = {
                "role": "child",
                "product_id": ml.product_id.id,
                "udi_di": dis.get(ml.product_id.id) or False,
                "lot_id": ml.lot_id.id,
                "lot_name": ml.lot_id.name,
                "quantity": ml.quantity_product_uom,
                "uom_id": ml.product_id.uom_id.id,
            }
            if ml.result_package_id and ml.result_package_id != ml.package_id:
                groups[(ml.result_package_id, "add", ml)].append(child)
            if ml.package_id and ml.package_id != ml.result_package_id:
                groups[(ml.package_id, "delete", ml)].append(child)
        for package, before in parents_before.items():
            after = package.parent_package_id
            if after == before:
                continue
            child = self._trace_unit_line(unit, package, "child")
            if after:
                groups[(after, "add", None)].append(child)
            if before:
                groups[(before, "delete", None)].append(child)
        vals_list = self._trace_packing_vals(groups, unit, lines[:1])
        return self._trace_create(vals_list)

    @api.model
    def _trace_packing_vals(self, groups, unit, fallback):
        """One event's values per (package, action, transfer) of ``groups``."""
        merged = defaultdict(list)
        where = {}
        for (package, action, ml), children in groups.items():
            ml = ml or fallback
            key = (package, action, ml.picking_id)
            merged[key].extend(children)
            where.setdefault(key, ml)
        return [
            self._trace_packing_header(package, action, where[key], children, unit)
            for key, children in merged.items()
            for package, action, _picking in [key]
        ]

    @api.model
    def _trace_packing_header(self, package, action, ml, children, unit):
        """The values of one packing (``add``) or unpacking (``delete``) event of ``package``
        (``ml``: a move line of the operation, or none when only containers changed)."""
        location = (ml.location_dest_id if action == "add" else ml.location_id) if ml else None
        if not location or location.usage != "internal":
            location = (
                (ml.location_id if action == "add" else ml.location_dest_id)
                if ml
                else package.location_id
            )
        internal = location.usage == "internal"
        gln = self._trace_location_glns(location).get(location.id) or False
        when = (ml.date if ml else False) or fields.Datetime.now()
        company = (ml.company_id if ml else package.company_id) or self.env.company
        picking = ml.picking_id if ml else self.env["stock.picking"]
        return {
            "event_type": "aggregation",
            "action": action,
            "biz_step": "packing" if action == "add" else "unpacking",
            "disposition": "in_progress",
            "event_time": when,
            "event_tz": self._trace_tz_offset(when, company=company, location=location),
            "read_point_id": location.id,
            "read_point_gln": gln,
            "biz_location_id": location.id if internal else False,
            "biz_location_gln": gln if internal else False,
            "origin": "stock_move",
            "picking_id": picking.id,
            "biz_transaction": picking.name or (ml.reference if ml else False) or package.name,
            "company_id": company.id,
            "line_ids": [
                (0, 0, self._trace_unit_line(unit, package, "parent")),
                *((0, 0, child) for child in children),
            ],
        }

    @api.model
    def _trace_unit_line(self, unit, package, role):
        """Line values naming ``package`` (a logistic unit) in a packing event."""
        return {
            "role": role,
            "product_id": unit.id,
            "lot_id": False,
            "lot_name": package._trace_package_ref(),
            "quantity": 1.0,
            "uom_id": unit.uom_id.id,
        }

    # ------------------------------------------------------------------ EPCIS

    @api.model
    def _trace_logistic_unit_spec(self, values, item, sscc):
        """The capture's line spec of an SSCC (a parent, child or object of a captured event):
        a logistic unit line, without lot or holder."""
        nowhere = {
            "location": self.env["stock.location"],
            "partner": self.env["res.partner"],
            "gln": False,
        }
        return {
            "role": item["role"],
            "product": self._trace_logistic_unit(),
            "di": False,
            "lot_name": None,
            "unit_ref": sscc,
            "serial": False,
            "quantity": 1.0,
            "expiry": None,
            "manufactured": None,
            "from": nowhere,
            "to": nowhere,
            "action": values["action"],
            "ilmd": None,
            "uri": item["uri"],
        }

    @api.model
    def _trace_logistic_unit_item(self, line):
        """The export's item of a logistic unit line: its SSCC as a GS1 Digital Link
        (``/00/``), or the package's local URN."""
        ref = line.lot_name or ""
        uri = f"{epcis.DL_BASE}/00/{ref}" if sscc_digits(ref) == ref else ref
        return {"role": line.role, "uri": uri, "instance": True, "quantity": 1, "uom": None}

    # ------------------------------------------------------------------ reading

    @api.model
    def _trace_packages(self, lot_ids, company_ids):
        """The packages ``lot_ids`` travelled in, and the containers those were in:
        ``[{"ref", "sscc", "package_id", "package_name", "lot_ids" (of ``lot_ids`` packed in it
        directly), "container_refs" (packages it was put in), "first_date", "last_date",
        "unpacked" (the last event of it that names these units took them out)}]``.

        Nothing is read when no event names a package (the walk costs nothing more then)."""
        unit = self._trace_logistic_unit()
        if not unit or not lot_ids:
            return []
        self.env["trace.event.line"].flush_model()
        cr = self.env.cr
        cr.execute(
            SQL(
                "SELECT 1 FROM trace_event_line WHERE lot_id IS NULL AND product_id = %s LIMIT 1",
                unit.id,
            )
        )
        if not cr.fetchone():
            return []
        cr.execute(
            SQL(
                """
                WITH RECURSIVE direct AS (
                    SELECT p.lot_name AS ref, c.lot_id, NULL::varchar AS inner_ref,
                           e.action, e.event_time, e.id
                      FROM unnest(%(lots)s::int[]) r(lot_id)
                      JOIN trace_event_line c ON c.lot_id = r.lot_id AND c.role = 'child'
                      JOIN trace_event e ON e.id = c.event_id
                      JOIN trace_event_line p ON p.event_id = e.id AND p.role = 'parent'
                                             AND p.product_id = %(unit)s
                     WHERE %(aggregation)s
                ), up(ref, lot_id, inner_ref, action, event_time, id, depth) AS (
                    SELECT *, 1 FROM direct
                    UNION
                    SELECT p.lot_name, NULL::int, u.ref, e.action, e.event_time, e.id,
                           u.depth + 1
                      FROM up u
                      JOIN trace_event_line c ON c.lot_name = u.ref AND c.lot_id IS NULL
                                             AND c.role = 'child' AND c.product_id = %(unit)s
                      JOIN trace_event e ON e.id = c.event_id
                      JOIN trace_event_line p ON p.event_id = e.id AND p.role = 'parent'
                                             AND p.product_id = %(unit)s
                     WHERE %(aggregation)s AND u.depth < %(max_depth)s
                )
                SELECT DISTINCT ref, lot_id, inner_ref, action, event_time, id FROM up
                 ORDER BY event_time, id
                """,
                aggregation=_aggregation(company_ids),
                max_depth=MAX_DEPTH,
                unit=unit.id,
                lots=list(lot_ids),
            )
        )
        return self._trace_package_rows(cr.fetchall())

    @api.model
    def _trace_package_rows(self, rows):
        """The package dicts of :meth:`_trace_packages` from its rows (in time order)."""
        result = {}
        for ref, lot_id, inner_ref, action, when, _event_id in rows:
            entry = result.setdefault(
                ref,
                {"ref": ref, "lot_ids": set(), "inner": set(), "dates": [], "last": None},
            )
            if lot_id:
                entry["lot_ids"].add(lot_id)
            if inner_ref:
                entry["inner"].add(inner_ref)
            entry["dates"].append(when)
            entry["last"] = action
        packages = self._trace_packages_by_ref(list(result))
        containers = defaultdict(set)
        for ref, entry in result.items():
            for inner in entry["inner"]:
                containers[inner].add(ref)
        return [
            {
                "ref": ref,
                "sscc": ref if sscc_digits(ref) == ref else False,
                "package_id": packages[ref].id if ref in packages else False,
                "package_name": packages[ref].name if ref in packages else False,
                "lot_ids": sorted(entry["lot_ids"]),
                "container_refs": sorted(containers.get(ref, ())),
                "first_date": min(entry["dates"]).isoformat(sep="T"),
                "last_date": max(entry["dates"]).isoformat(sep="T"),
                "unpacked": entry["last"] == "delete",
            }
            for ref, entry in result.items()
        ]

    @api.model
    def _trace_packages_by_ref(self, refs):
        """{reference: stock.package} of the packages of ours that ``refs`` name."""
        Package = self.env["stock.package"].sudo()
        found = {pkg.udi_sscc: pkg for pkg in Package.search([("udi_sscc", "in", refs)])}
        scope = self._epcis_scope()
        local = {}
        for ref in refs:
            if ref not in found:
                prefix = f"urn:udi-trace:{scope}:package:"
                if ref.startswith(prefix) and ref[len(prefix) :].isdigit():
                    local[int(ref[len(prefix) :])] = ref
        for pkg in Package.browse(list(local)).exists():
            found[local[pkg.id]] = pkg
        return found

    # ------------------------------------------------------------------ trace from a package

    @api.model
    @api.readonly
    def trace_package(self, code, direction="forward"):
        """Trace from a package (a pallet, a case): every lot/serial packed in it, directly or
        in the packages it holds, traced ``forward`` or ``backward``.

        :param str code: the package's SSCC as scanned (18 digits, ``(00)...``, a GS1 Digital
            Link with ``/00/`` or ``urn:epc:id:sscc:``), or the name of one of our packages
        :return: :meth:`_trace_result` of those lots, plus ``package``: ``{"ref", "sscc",
            "package_id", "lot_ids" (every unit ever packed in it), "package_refs" (the
            packages inside it)}``
        """
        if direction not in ("forward", "backward"):
            raise UserError(self.env._("Trace a package forward or backward."))
        self.check_access("read")
        ref, package = self._trace_package_of_code(code)
        company_ids = self._trace_company_ids()
        lot_ids, inner = self._trace_package_contents(ref, company_ids)
        if not lot_ids:
            raise UserError(
                self.env._(
                    "No packing event of your companies names %(code)s: nothing was packed in "
                    "it here, or its events were recorded by another company.",
                    code=code,
                )
            )
        lots = self.env["stock.lot"].browse(lot_ids)._filtered_access("read")
        result = self._trace_result(lots.ids, direction)
        result["package"] = {
            "ref": ref,
            "sscc": ref if sscc_digits(ref) == ref else False,
            "package_id": package.id or False,
            "lot_ids": sorted(lots.ids),
            "package_refs": sorted(inner),
        }
        return result

    @api.model
    def _trace_package_of_code(self, code):
        """``(reference, package or empty)`` of a scanned SSCC or one of our package names."""
        Package = self.env["stock.package"]
        digits = sscc_digits(code) if isinstance(code, str) else None
        if digits:
            expected = sscc_problem(digits)
            if expected:
                raise UserError(
                    self.env._(
                        "SSCC %(code)s has a wrong check digit: %(given)s, where GS1's check "
                        "digit of the first 17 digits is %(expected)s. Scan the label again.",
                        code=digits,
                        given=digits[-1],
                        expected=expected,
                    )
                )
            package = Package.search([("udi_sscc", "=", digits)], limit=1)
            return digits, package
        if isinstance(code, str) and code.strip():
            package = Package.search([("name", "=", code.strip())], limit=1)
            if package:
                return package._trace_package_ref(), package
        raise UserError(
            self.env._(
                "%(code)s is neither an SSCC (18 digits, (00)..., a GS1 Digital Link with /00/ "
                "or urn:epc:id:sscc:) nor the name of one of your packages.",
                code=code,
            )
        )

    @api.model
    def _trace_package_contents(self, ref, company_ids):
        """``(lot ids, references of nested packages)`` ever packed in package ``ref``."""
        unit = self._trace_logistic_unit()
        if not unit:
            return [], []
        self.env["trace.event.line"].flush_model()
        self.env["trace.event"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                WITH RECURSIVE down(ref, lot_id, depth) AS (
                    SELECT %(ref)s::varchar, NULL::int, 0
                    UNION
                    SELECT c.lot_name, c.lot_id, d.depth + 1
                      FROM down d
                      JOIN trace_event_line p ON p.lot_name = d.ref AND p.lot_id IS NULL
                                             AND p.role = 'parent' AND p.product_id = %(unit)s
                      JOIN trace_event e ON e.id = p.event_id
                      JOIN trace_event_line c ON c.event_id = e.id AND c.role = 'child'
                     WHERE d.lot_id IS NULL AND d.depth < %(max_depth)s
                       AND (c.lot_id IS NOT NULL OR c.product_id = %(unit)s)
                       AND e.action IN ('add', 'observe') AND %(aggregation)s
                )
                SELECT DISTINCT lot_id, CASE WHEN lot_id IS NULL THEN ref END
                  FROM down WHERE depth > 0
                """,
                ref=ref,
                unit=unit.id,
                max_depth=MAX_DEPTH,
                aggregation=_aggregation(company_ids),
            )
        )
        lot_ids, inner = set(), set()
        for lot_id, nested in self.env.cr.fetchall():
            if lot_id:
                lot_ids.add(lot_id)
            elif nested:
                inner.add(nested)
        return sorted(lot_ids), sorted(inner)
