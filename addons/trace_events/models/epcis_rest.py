"""The query side of GS1's EPCIS 2.0 REST bindings: which events a caller sees, and which of
them a query names (``GET /events`` and the per-dimension resources)."""

import datetime
import re

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.fields import Domain
from odoo.tools import SQL

from ..lib import epcis, epcis_canonical, epcis_rest
from ..lib.epcis import EpcisError
from ..lib.epcis_rest import QueryError

#: the place parameters and the event fields they match (GLN, local location)
PLACE_FIELDS = {
    "EQ_readPoint": ("read_point_gln", "read_point_id"),
    "EQ_bizLocation": ("biz_location_gln", "biz_location_id"),
}
ORDER_FIELDS = {"eventTime": "event_time", "recordTime": "record_time"}
#: a local URN's record id: ASCII digits that fit PostgreSQL's integer (else it names nothing)
_RECORD_ID_RE = re.compile(r"[0-9]{1,10}")


def _record_id(text):
    """The record id a local URN's last part names, else None (matches nothing)."""
    if _RECORD_ID_RE.fullmatch(text or "") and 0 < int(text) < 2**31:
        return int(text)
    return None


class TraceEpcisRest(models.AbstractModel):
    _name = "trace.epcis.rest"
    _description = "EPCIS REST Query"

    # ------------------------------------------------------------------ who sees what

    @api.model
    def _rest_events_model(self):
        """``trace.event`` as the caller may read it, and the domain that scopes a portal
        partner's key to the events about units shipped to it (or returned by it).

        Internal users read with their own access rights and companies. A portal user (a
        distributor's or hospital's integration) reads as the system, limited to the events
        with a line that moved units to or from its commercial entity: the same rule as the
        partner portal, which shows a consignee only the units shipped to it."""
        user = self.env.user
        if user._is_internal():
            events = self.env["trace.event"]
            if not events.has_access("read"):
                raise AccessError(
                    self.env._(
                        "User %(user)s may not read traceability events: ask for the "
                        "Traceability User role.",
                        user=user.name,
                    )
                )
            return events, Domain.TRUE
        if user._is_public() or not user.partner_id:
            raise AccessError(self.env._("Sign in with an API key to read events."))
        entity = user.partner_id.commercial_partner_id
        partners = self.env["res.partner"].sudo().search([("id", "child_of", entity.ids)])
        scope = Domain(
            "line_ids",
            "any",
            Domain("partner_dest_id", "in", partners.ids)
            | Domain("partner_id", "in", partners.ids),
        )
        return self.env["trace.event"].sudo(), scope

    # ------------------------------------------------------------------ queries

    @api.model
    def _rest_search(self, query, extra=None):
        """``(events, next page token or None)`` for a parsed query (``lib.epcis_rest``'s
        :func:`parse_query`) and ``extra`` parameters fixed by the resource's path."""
        query = dict(query, **(extra or {}))
        events_model, scope = self._rest_events_model()
        domain = scope & self._rest_domain(query)
        order_field = ORDER_FIELDS[query.get("orderBy", "eventTime")]
        descending = query.get("orderDirection", "ASC") == "DESC"
        if "maxEventCount" in query:
            count = events_model.search_count(domain, limit=query["maxEventCount"] + 1)
            if count > query["maxEventCount"]:
                raise QueryError(
                    "QueryTooLargeException",
                    413,
                    "The query matches more than maxEventCount=%(max)s events; narrow it.",
                    max=query["maxEventCount"],
                )
        per_page = query.get("perPage", epcis_rest.DEFAULT_PER_PAGE)
        final = False
        if "eventCountLimit" in query:
            per_page, final = min(per_page, query["eventCountLimit"]), True
        if query.get("nextPageToken"):
            key, last_id = epcis_rest.read_token(query, query["nextPageToken"])
            domain &= self._rest_after(order_field, key, last_id, descending)
        direction = "desc" if descending else "asc"
        events = events_model.search(
            domain, order=f"{order_field} {direction}, id {direction}", limit=per_page + 1
        )
        token = None
        if len(events) > per_page:
            events = events[:per_page]
            if not final:
                last = events[-1]
                token = epcis_rest.make_token(
                    query, fields.Datetime.to_string(last[order_field]), last.id
                )
        # a correction that only declares an error is exported as the event it corrects
        events = events.filtered(lambda event: not event.corrected_event_id or event.line_ids)
        return events, token

    @api.model
    def _rest_after(self, order_field, key, last_id, descending):
        moment = fields.Datetime.to_datetime(key)
        after = "<" if descending else ">"
        return Domain(order_field, after, moment) | (
            Domain(order_field, "=", moment) & Domain("id", after, last_id)
        )

    @api.model
    def _rest_domain(self, query):
        """The ``trace.event`` domain of the query's parameters (values of one parameter are
        alternatives; parameters all apply)."""
        domain = Domain.TRUE
        if "eventType" in query:
            types = [epcis_rest.EVENT_TYPES.get(name) for name in query["eventType"]]
            domain &= Domain("event_type", "in", [kind for kind in types if kind])
        for name, field in (
            ("GE_eventTime", "event_time"),
            ("GE_recordTime", "record_time"),
        ):
            if name in query:
                domain &= Domain(field, ">=", query[name])
        for name, field in (("LT_eventTime", "event_time"), ("LT_recordTime", "record_time")):
            if name in query:
                domain &= Domain(field, "<", query[name])
        if "EQ_action" in query:
            domain &= Domain("action", "in", [value.lower() for value in query["EQ_action"]])
        domain &= self._rest_vocabulary_domain(query)
        if "EQ_eventID" in query:
            domain &= Domain("event_uid", "in", query["EQ_eventID"])
        for name in PLACE_FIELDS:
            if name in query:
                dimension = PLACE_FIELDS[name][1].removesuffix("_id")
                domain &= self._rest_place_domain(name, query[name]) | self._rest_terms(
                    (dimension,), [epcis_canonical.identifier(uri) for uri in query[name]]
                )
        for name in epcis_rest.MATCH_TERMS:
            if name in query:
                domain &= self._rest_match_domain(name, query[name])
        if "EXISTS_errorDeclaration" in query:
            domain &= Domain("correction_ids", "!=", False)
        if "EQ_errorReason" in query:
            reasons = [epcis.error_reason_term(value) for value in query["EQ_errorReason"]]
            domain &= Domain("correction_ids.error_reason", "in", [r for r in reasons if r])
        return domain

    @api.model
    def _rest_vocabulary_domain(self, query):
        """Business steps, dispositions, persistent dispositions, sensor types, typed lists:
        the event's own field where it has one, else its query terms (captured events)."""
        domain = Domain.TRUE
        for name, field, key in (
            ("EQ_bizStep", "biz_step", "bizStep"),
            ("EQ_disposition", "disposition", "disposition"),
        ):
            if name in query:
                prefix = epcis_canonical.VOCABULARY_FIELDS[key]
                uris = [epcis_canonical.vocabulary_uri(value, prefix) for value in query[name]]
                domain &= Domain(field, "in", query[name]) | self._rest_terms((field,), uris)
        for kind in ("set", "unset"):
            name = f"EQ_persistentDisposition_{kind}"
            if name in query:
                prefix = epcis_canonical.VOCABULARY_FIELDS[kind]
                uris = [epcis_canonical.vocabulary_uri(value, prefix) for value in query[name]]
                domain &= self._rest_terms(("persistent_disposition",), uris, kind)
        if "EQ_type" in query:
            domain &= self._rest_terms(("sensor_type",), query["EQ_type"])
        domain &= self._rest_typed_domain(query)
        return domain

    @api.model
    def _rest_terms(self, dimensions, values, type_uri=None):
        """Captured events with a query term (``trace.event.term``, indexed by dimension and
        value) of one of ``dimensions`` equal to one of ``values``."""
        values = [value for value in values if value]
        if not values:
            return Domain.FALSE
        terms = Domain("dimension", "in", list(dimensions)) & Domain("value", "in", values)
        if type_uri:
            terms &= Domain("type_uri", "=", type_uri)
        return Domain("term_ids", "any", terms)

    @api.model
    def _rest_typed_domain(self, query):
        """EQ_bizTransaction_<type>, EQ_source_<type>, EQ_destination_<type>."""
        domain = Domain.TRUE
        for name, values in query.items():
            match = epcis_rest.TYPED_PARAMS.match(name)
            if not match:
                continue
            member, kind = match.groups()
            list_name = "bizTransactionList" if member == "bizTransaction" else f"{member}List"
            type_uri = epcis_canonical.vocabulary_uri(kind, epcis_canonical.TYPED_LISTS[list_name])
            dimension = "biz_transaction" if member == "bizTransaction" else member
            ids = [epcis_canonical.identifier(value) for value in values]
            if member == "bizTransaction":
                native = self._rest_native_transaction_domain(type_uri, values)
            else:
                native = self._rest_native_side_domain(member, type_uri, values)
            domain &= self._rest_terms((dimension,), ids, type_uri) | native
        return domain

    @api.model
    def _rest_native_side_domain(self, member, type_uri, uris):
        """Events recorded by Odoo itself (no captured content, so no query terms) whose
        exported ``sourceList`` / ``destinationList`` (``trace_event_epcis`` ``sides``) names one
        of ``uris`` with the type ``type_uri``: the partner on that side (its GLN as owning and
        possessing party, else its local URN as possessing party), or, when the partner is on
        the other side, our warehouse's GLN (else the local URN of the internal location)."""
        kind = next(
            (
                side
                for side in epcis.SOURCE_DEST_TYPES
                if epcis_canonical.vocabulary_uri(side, epcis_canonical.TYPED_LISTS["sourceList"])
                == type_uri
            ),
            None,
        )
        if not kind:
            return Domain.FALSE
        scope = self.env["trace.event"]._epcis_scope()
        glns, partner_ids, location_ids = set(), [], []
        for uri in uris:
            try:
                place = epcis.parse_place_uri(uri)
            except EpcisError:
                continue
            local = place["local"]
            if place["gln"] and not place["extension"] and kind != "location":
                glns.add(place["gln"])
            elif local and local[0] == scope and _record_id(local[2]):
                if local[1] == "party" and kind == "possessing_party":
                    partner_ids.append(_record_id(local[2]))
                elif local[1] == "location" and kind == "location":
                    location_ids.append(_record_id(local[2]))
        partner_field, other_field, line_field = (
            ("source_partner_id", "dest_partner_id", "location_id")
            if member == "source"
            else ("dest_partner_id", "source_partner_id", "location_dest_id")
        )
        Partner = self.env["res.partner"].sudo().with_context(active_test=False)
        partners = Partner.search([("udi_gln", "in", list(glns))]) if glns else Partner
        partners |= Partner.browse(partner_ids).exists().filtered(lambda p: not p.udi_gln)
        # our side: the internal locations whose warehouse (else company) GLN is asked for, or
        # the asked locations themselves when they have no GLN
        locations = self.env["stock.location"].sudo().with_context(active_test=False)
        candidates = locations.search([("usage", "=", "internal")]) if glns else locations
        candidates |= locations.browse(location_ids).exists()
        location_glns = self.env["trace.event"]._trace_location_glns(candidates)
        ours = candidates.filtered(
            lambda loc: (
                location_glns[loc.id] in glns if location_glns[loc.id] else loc.id in location_ids
            )
        )
        domain = Domain(partner_field, "in", partners.ids) if partners else Domain.FALSE
        if ours:
            domain |= (
                Domain(partner_field, "=", False)
                & Domain(other_field, "!=", False)
                & Domain("line_ids", "any", Domain(line_field, "in", ours.ids))
            )
        return Domain("epcis_content", "=", False) & domain

    @api.model
    def _rest_native_transaction_domain(self, type_uri, uris):
        """Events recorded by Odoo itself whose exported business transaction (the document's
        name, typed desadv / recadv / prodorder by ``trace_event_epcis`` ``biz_transactions``)
        is one of ``uris``."""
        prefix = epcis_canonical.TYPED_LISTS["bizTransactionList"]
        kinds = {
            epcis_canonical.vocabulary_uri(kind, prefix): kind
            for kind in ("desadv", "recadv", "prodorder")
        }
        kind = kinds.get(type_uri)
        if not kind:
            return Domain.FALSE
        scope = self.env["trace.event"]._epcis_scope()
        names = []
        for uri in uris:
            parsed = epcis.parse_biz_transaction(uri)
            if parsed:
                names.append(parsed[1])
            else:
                local = epcis.unwrap_local(uri, scope, "bt")
                if local:
                    names.append(local)
        if not names:
            return Domain.FALSE
        if kind == "prodorder":
            by_kind = Domain("origin", "in", ["production", "unbuild", "unit_genealogy"])
        else:
            code = "outgoing" if kind == "desadv" else "incoming"
            by_kind = Domain("origin", "=", "stock_move") & Domain(
                "picking_id.picking_type_code", "=", code
            )
        return (
            Domain("epcis_content", "=", False) & Domain("biz_transaction", "in", names) & by_kind
        )

    @api.model
    def _rest_place_domain(self, name, uris):
        gln_field, local_field = PLACE_FIELDS[name]
        scope = self.env["trace.event"]._epcis_scope()
        glns, local_ids = [], []
        for uri in uris:
            try:
                place = epcis.parse_place_uri(uri)
            except EpcisError:
                continue  # not a place this repository could have recorded: matches nothing
            if place["gln"] and not place["extension"]:
                glns.append(place["gln"])
            elif place["local"] and place["local"][0] == scope and _record_id(place["local"][2]):
                local_ids.append(_record_id(place["local"][2]))
        return Domain(gln_field, "in", glns) | Domain(local_field, "in", local_ids)

    @api.model
    def _rest_match_domain(self, name, uris):
        """Events with a line of the right role naming one of ``uris`` (an EPC, an EPC pattern
        or an EPC class), or a query term of the right dimension equal to one of them.

        Lots are looked up by device and number and the events of their lines read first
        (the lines' ``(lot_id, role)`` index, the terms' ``(dimension, value)`` index), so that
        the events are then read by id: the planner never scans events in time order to test
        each against the lines, which is what made the query slow at a million lines."""
        roles, instances = epcis_rest.MATCH_ROLES[name]
        lot_ids, product_ids = [], []
        for uri in uris:
            try:
                ref = epcis.parse_object_uri(uri)
            except EpcisError:
                continue
            # {product id: serial-tracked?}
            products = self._rest_products(ref)
            wanted = [pid for pid, serial in products.items() if serial == instances]
            number = ref["serial"] if ref["kind"] == "instance" else ref["lot"]
            if ref["kind"] == "class":
                product_ids += wanted
            elif (ref["kind"] == "instance") == instances:
                lot_ids += self._rest_lots(wanted, number)
        values = [epcis_canonical.identifier(uri) for uri in uris]
        event_ids = set(self._rest_line_events(lot_ids, roles))
        event_ids.update(self._rest_term_events(epcis_rest.MATCH_TERMS[name], values))
        domain = Domain("id", "in", sorted(event_ids)) if event_ids else Domain.FALSE
        if product_ids:
            lines = Domain("role", "in", list(roles)) & Domain("product_id", "in", product_ids)
            domain |= Domain("line_ids", "any", lines)
        return domain

    @api.model
    def _rest_line_events(self, lot_ids, roles):
        if not lot_ids:
            return []
        self.env["trace.event.line"].flush_model(["lot_id", "role", "event_id"])
        self.env.cr.execute(
            SQL(
                "SELECT DISTINCT event_id FROM trace_event_line "
                "WHERE lot_id = ANY(%s) AND role = ANY(%s)",
                sorted(set(lot_ids)),
                list(roles),
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]

    @api.model
    def _rest_term_events(self, dimensions, values):
        values = [value for value in values if value]
        if not values:
            return []
        self.env["trace.event.term"].flush_model(["dimension", "value", "event_id"])
        self.env.cr.execute(
            SQL(
                "SELECT DISTINCT event_id FROM trace_event_term "
                "WHERE dimension = ANY(%s) AND value = ANY(%s)",
                list(dimensions),
                values,
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]

    @api.model
    def _rest_products(self, ref):
        """``{product id: serial-tracked?}`` of the devices an EPC reference names (by UDI-DI,
        any packaging level, or a local product URN), in one query."""
        if ref.get("product_ref"):
            scope, product_id = ref["product_ref"]
            if scope != self.env["trace.event"]._epcis_scope() or not _record_id(product_id):
                return {}
            condition = SQL("pp.id = %s", _record_id(product_id))
        elif ref.get("di"):
            condition = SQL(
                "pp.product_tmpl_id IN (SELECT product_tmpl_id FROM udi_di WHERE di = %s "
                "AND (product_id IS NULL OR product_id = pp.id))",
                ref["di"],
            )
        else:
            return {}
        self.env.cr.execute(
            SQL(
                "SELECT pp.id, pt.tracking = 'serial' FROM product_product pp "
                "JOIN product_template pt ON pt.id = pp.product_tmpl_id WHERE %s",
                condition,
            )
        )
        return dict(self.env.cr.fetchall())

    @api.model
    def _rest_lots(self, product_ids, name):
        if not product_ids or not name:
            return []
        self.env["stock.lot"].flush_model(["product_id", "name"])
        self.env.cr.execute(
            SQL(
                "SELECT id FROM stock_lot WHERE product_id = ANY(%s) AND name = %s",
                product_ids,
                name,
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]

    # ------------------------------------------------------------------ documents

    @api.model
    def _rest_document(
        self, events, query_name="SimpleEventQuery", subscription_id=None, descending=False
    ):
        """The EPCISQueryDocument of ``events`` (read as the caller was allowed to find them)."""
        document = self.env["trace.event"].sudo().export_epcis(events.ids) if events else None
        event_list = document["epcisBody"]["eventList"] if document else []
        if descending:
            event_list.reverse()
        results = {"queryName": query_name, "resultsBody": {"eventList": event_list}}
        if subscription_id:
            results["subscriptionID"] = subscription_id
        return {
            "@context": document["@context"] if document else [epcis.GS1_CONTEXT],
            "type": "EPCISQueryDocument",
            "schemaVersion": "2.0",
            "creationDate": epcis.format_time(
                datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
            ),
            "epcisBody": {"queryResults": results},
        }

    @api.model
    def _rest_collection(self, members):
        return {"@context": [epcis.GS1_CONTEXT], "type": "Collection", "member": members}

    @api.model
    def _rest_places(self, name):
        """The GLN URIs of the read points or business locations of the events the caller
        sees (``GET /readPoints``, ``GET /bizLocations``)."""
        events_model, scope = self._rest_events_model()
        gln_field = PLACE_FIELDS[name][0]
        groups = events_model._read_group(scope & Domain(gln_field, "!=", False), [gln_field])
        return sorted(epcis.location_uri(gln) for (gln,) in groups)

    @api.model
    def _rest_known(self, name, values):
        """Whether an event the caller sees matches the query parameter ``name`` (one of the
        place or EPC matching parameters) for ``values``: the test of ``GET /epcs/{epc}``,
        ``/readPoints/{readPoint}`` and ``/bizLocations/{bizLocation}`` (404 when not)."""
        events_model, scope = self._rest_events_model()
        domain = scope & self._rest_domain(epcis_rest.parse_query({name: values}))
        return bool(events_model.search_count(domain, limit=1))

    @api.model
    def _rest_epcs(self):
        """The EPCs and EPC classes (lots) of the events the caller sees, sorted (``GET
        /epcs``): the URIs the events are exported with, and those captured events named."""
        events_model, scope = self._rest_events_model()
        events = events_model._search(scope).subselect()
        self.env["trace.event.line"].flush_model(
            ["event_id", "lot_id", "lot_name", "product_id", "udi_di"]
        )
        self.env.cr.execute(
            SQL(
                "SELECT MIN(id) FROM trace_event_line WHERE event_id IN %s "
                "AND (lot_id IS NOT NULL OR lot_name IS NOT NULL) "
                "GROUP BY product_id, lot_id, lot_name, udi_di",
                events,
            )
        )
        lines = self.env["trace.event.line"].sudo().browse(row[0] for row in self.env.cr.fetchall())
        uris = set(self._rest_line_uris(lines))
        dimensions = set(epcis_rest.MATCH_TERMS["MATCH_anyEPC"])
        dimensions.update(epcis_rest.MATCH_TERMS["MATCH_anyEPCClass"])
        self.env["trace.event.term"].flush_model(["dimension", "value", "event_id"])
        self.env.cr.execute(
            SQL(
                "SELECT DISTINCT value FROM trace_event_term "
                "WHERE dimension = ANY(%s) AND event_id IN %s",
                sorted(dimensions),
                events,
            )
        )
        uris.update(row[0] for row in self.env.cr.fetchall())
        return sorted(uris)

    @api.model
    def _rest_line_uris(self, lines):
        """The EPC (serial) or EPC class (lot) URI of each line, as the export writes it."""
        levels = (
            self.env["udi.di"]
            .sudo()
            .with_context(active_test=False)
            .search([("di", "in", [di for di in set(lines.mapped("udi_di")) if di])])
        )
        agencies = {level.di: level.issuing_agency for level in levels}
        scope = self.env["trace.event"]._epcis_scope()
        for line in lines:
            number = line.lot_id.name or line.lot_name
            serial = number if line.product_id.tracking == "serial" else None
            lot = None if serial else number
            if line.udi_di:
                agency = agencies.get(line.udi_di, "gs1")
                yield epcis.object_uri(agency, line.udi_di, lot=lot, serial=serial)
            else:
                yield epcis.local_uri(scope, "product", line.product_id.id, lot=lot, serial=serial)
