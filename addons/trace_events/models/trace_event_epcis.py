"""EPCIS 2.0: export of events as a JSON-LD document, capture of events from other systems.

The mapping is in ``lib/epcis.py`` (identifiers, times, event dicts); this file resolves
identifiers to records in bulk and turns events into records and back. Decisions are written
down in ``readme/EPCIS.md``.
"""

import datetime
import functools
import json
import uuid
from collections import defaultdict
from pathlib import Path

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from ..lib import epcis, epcis_canonical, event_hash
from ..lib.epcis import EpcisError
from .trace_event_term import event_term_rows

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "data" / "epcis" / "EPCIS-JSON-Schema.json"
#: an event time may be this far in the future (clocks of other systems drift)
CLOCK_SKEW = datetime.timedelta(minutes=10)
#: problems listed in one capture error
MAX_ERRORS = 20
#: steps that confirm an arrival: they move units only to a holder that does not have them yet
RECEIVING_STEPS = ("receiving", "accepting", "arriving")
EPCIS_TYPES = {
    "object": "ObjectEvent",
    "aggregation": "AggregationEvent",
    "transformation": "TransformationEvent",
    "association": "AssociationEvent",
    "transaction": "TransactionEvent",
}
OUR_TYPES = {value: key for key, value in EPCIS_TYPES.items()}
#: which source/destination entry names the holder, best first
SIDE_TYPES = ("possessing_party", "owning_party", "location")
#: the bizTransaction kept as the event's document, best first
DOCUMENT_TYPES = ("desadv", "recadv", "prodorder", "rma", "po", "inv", "bol")
DECLARATION_NAMESPACE = uuid.UUID("5c0c8e52-8f5e-4a57-9a36-0f7b3b8e6d11")
#: settings (ir.config_parameter) capping one capture, and their defaults
MAX_EVENTS_PARAM = "trace_events.capture_max_events"
MAX_EPCS_PARAM = "trace_events.capture_max_epcs"
DEFAULT_MAX_EVENTS = 10000
DEFAULT_MAX_EPCS = 10000


@functools.cache
def epcis_schema():
    """GS1's EPCIS 2.0 JSON Schema (the copy shipped in ``data/epcis``), compiled once."""
    return epcis.EpcisSchema(SCHEMA_PATH)


class TraceEvent(models.Model):
    _inherit = "trace.event"

    # ================================================================== export

    @api.model
    @api.readonly
    def export_epcis(self, event_ids):
        """The events ``event_ids`` as an EPCIS 2.0 JSON-LD document (a dict).

        The document validates against GS1's EPCIS 2.0 JSON Schema; identifiers are GS1
        Digital Link URIs. An event that a later event corrected carries an
        ``errorDeclaration``; a correction that only declares (no lines of its own) is
        exported as that declaration on the event it corrects.
        """
        events = self._epcis_check_event_ids(event_ids)
        return self._epcis_document(events)

    def action_export_epcis(self):
        """Download the selected events as an EPCIS 2.0 file (list and form action)."""
        self.check_access("read")
        if not self:
            raise UserError(self.env._("Select the events to export."))
        return {
            "type": "ir.actions.act_url",
            "url": "/trace_events/epcis?ids=" + ",".join(str(event_id) for event_id in self.ids),
            "target": "download",
        }

    @api.model
    def _epcis_check_event_ids(self, event_ids):
        if isinstance(event_ids, int) and not isinstance(event_ids, bool):
            event_ids = [event_ids]
        if not isinstance(event_ids, (list, tuple)) or not all(
            isinstance(event_id, int) and not isinstance(event_id, bool) for event_id in event_ids
        ):
            raise UserError(self.env._("Give the events to export as a list of ids."))
        events = self.browse(list(dict.fromkeys(event_ids)))
        missing = set(events.ids) - set(events.exists().ids)
        if missing:
            raise UserError(
                self.env._(
                    "Unknown trace event id(s): %(ids)s.",
                    ids=", ".join(str(i) for i in sorted(missing)),
                )
            )
        events.check_access("read")
        return events

    @api.model
    def _epcis_scope(self):
        """The database's UUID: the scope of ``urn:udi-trace:`` identifiers of local records."""
        return self.env["ir.config_parameter"].sudo().get_param("database.uuid") or "local"

    def _epcis_document(self, events):
        exporter = _Exporter(self)
        event_list = []
        for event in exporter.expand(events):
            event_list.extend(exporter.event_dicts(event))
        return {
            "@context": [
                epcis.GS1_CONTEXT,
                {epcis.EXT_PREFIX: epcis.EXT_NAMESPACE, **exporter.namespaces},
            ],
            "type": "EPCISDocument",
            "schemaVersion": "2.0",
            "creationDate": epcis.format_time(fields.Datetime.now()),
            "epcisBody": {"eventList": event_list},
        }

    # ================================================================== capture

    @api.model
    def capture(self, events):
        """Store events sent by another system (a distributor's WMS, a hospital).

        ``events`` is a list of EPCIS 2.0 event dicts, as in a document's ``eventList``. All
        are validated first (schema, known DIs, valid lots and serials, known GLNs, CBV words,
        times); if any is wrong nothing is stored and one error lists every problem with the
        event's position and eventID. Capture is idempotent by eventID: events already stored
        are not stored again and come back in ``duplicates``.

        Events naming a UDI-DI or GLN not recorded yet wait in the EPCIS inbox
        (``trace.event.inbox``) and are stored once it exists, or make the whole batch fail,
        by the company's setting (:attr:`res.company.trace_epcis_unknown_master_data`).

        Returns ``{"created": n, "event_ids": [ids of the stored events], "duplicates":
        [eventIDs already stored or already waiting], "corrections": [ids of error
        declarations recorded], "waiting": n, "inbox_ids": [ids of the new inbox entries]}``.
        """
        self._epcis_check_capture_access()
        return self._epcis_capture(events)

    @api.model
    def import_epcis(self, document):
        """Capture the events of an EPCIS 2.0 document (a dict or its JSON text).

        The document must validate against GS1's EPCIS 2.0 JSON Schema; its ``eventList`` then
        goes through :meth:`capture` (same result).
        """
        self._epcis_check_capture_access()
        document = self._epcis_load_document(document)
        # the document's schema covers each event of its eventList (EPCIS-Document-Event, the
        # schema capture checks an event against): valid already, not validated a second time
        return self._epcis_capture(
            document["epcisBody"]["eventList"],
            context=document.get("@context"),
            schema_valid=True,
        )

    @api.model
    def _epcis_check_capture_access(self):
        if self.env.su or self.env.user.has_group("udi_master.group_trace_user"):
            return
        raise AccessError(
            self.env._(
                "Only Traceability users may capture events (user %(user)s is not one).",
                user=self.env.user.name,
            )
        )

    @api.model
    def _epcis_capture_limits(self):
        """``(events per capture, EPCs and quantity elements per event)``: the settings
        ``trace_events.capture_max_events`` / ``capture_max_epcs``, else 10,000 each."""
        params = self.env["ir.config_parameter"].sudo()
        limits = []
        for key, default in (
            (MAX_EVENTS_PARAM, DEFAULT_MAX_EVENTS),
            (MAX_EPCS_PARAM, DEFAULT_MAX_EPCS),
        ):
            try:
                value = int(params.get_param(key) or default)
            except ValueError:
                value = default
            limits.append(value if value > 0 else default)
        return tuple(limits)

    @api.model
    def _epcis_check_batch_size(self, events):
        max_events = self._epcis_capture_limits()[0]
        if len(events) > max_events:
            raise UserError(
                self.env._(
                    "Nothing was stored: %(count)s events were sent, at most %(max)s are "
                    "captured at a time (setting %(param)s). Send them in smaller batches.",
                    count=len(events),
                    max=max_events,
                    param=MAX_EVENTS_PARAM,
                )
            )

    @api.model
    def _epcis_load_document(self, document):
        if isinstance(document, (str, bytes)):
            try:
                document = json.loads(document)
            except ValueError as exc:
                raise UserError(
                    self.env._("The file is not JSON: %(reason)s", reason=str(exc))
                ) from None
            except RecursionError:
                raise UserError(
                    self.env._(
                        "The file is not an EPCIS document: its JSON is nested too "
                        "deeply to be read."
                    )
                ) from None
        if not isinstance(document, dict) or document.get("type") != "EPCISDocument":
            raise UserError(self.env._("This is not an EPCIS document (type EPCISDocument)."))
        body = document.get("epcisBody")
        event_list = body.get("eventList") if isinstance(body, dict) else None
        if isinstance(event_list, list):
            self._epcis_check_batch_size(event_list)
        try:
            epcis.check_shape(document, max_depth=epcis.MAX_DEPTH + 3, depth_only=True)
        except EpcisError as exc:
            raise UserError(
                self.env._(
                    "Nothing was stored: the document cannot be read: %(reason)s",
                    reason=self._epcis_message(exc),
                )
            ) from None
        problems = epcis_schema().document_errors(document)
        if problems:
            raise UserError(
                self.env._(
                    "The document does not follow the EPCIS 2.0 schema:\n%(problems)s",
                    problems="\n".join(f"- {problem}" for problem in problems),
                )
            )
        return document

    @api.model
    def _epcis_capture(self, events, context=None, from_inbox=False, schema_valid=False):
        """:meth:`capture` without the access check (for callers that checked already, e.g.
        the partner portal, which calls it as superuser for a portal user's report).
        ``context``: the JSON-LD ``@context`` of the document the events come from.
        ``from_inbox``: the inbox's retry: events still missing master data are returned in
        ``still_missing`` ({eventID: [(kind, value)]}) instead of entering the inbox again.
        ``schema_valid``: the events were validated against the schema already (as part of
        their document), not validated again."""
        if not isinstance(events, (list, tuple)):
            raise UserError(self.env._("Give the events to capture as a list of EPCIS events."))
        self._epcis_check_batch_size(events)
        return _Capture(
            self, list(events), context, from_inbox=from_inbox, schema_valid=schema_valid
        ).run()

    @api.model
    def _epcis_message(self, error):
        """The translated text of an :class:`EpcisError` (or of udi_master's ``UdiError``)."""
        if not isinstance(error, EpcisError):
            return self.env["udi.parser"]._udi_message(error)
        params = {
            key: self._epcis_message(value) if isinstance(value, epcis.UdiError) else value
            for key, value in error.params.items()
        }
        return self.env._(error.message, **params)


# ====================================================================== export helper


class _Exporter:
    """Turns events into EPCIS dicts, with everything they need read in a few queries."""

    def __init__(self, model):
        self.model = model
        self.env = model.env
        self.scope = model._epcis_scope()
        self.company_gln = self.env.company.partner_id.udi_gln
        #: the namespaces of the captured events' extensions, for the document's @context
        self.namespaces = {}

    def expand(self, events):
        """The events to write: declarations without lines become their corrected event."""
        events = events.sudo()
        result = events.browse()
        for event in events:
            if event.corrected_event_id and not event.line_ids and not event.epcis_content:
                event = event.corrected_event_id
            result |= event
        self._prefetch(result)
        return result.sorted(lambda event: (event.event_time, event.id))

    def _prefetch(self, events):
        self.corrections = defaultdict(list)
        corrections = events.search([("corrected_event_id", "in", events.ids)], order="id")
        for correction in corrections:
            self.corrections[correction.corrected_event_id.id].append(correction)
        lines = events.line_ids
        dis = {di for di in lines.mapped("udi_di") if di}
        levels = (
            self.env["udi.di"]
            .sudo()
            .with_context(active_test=False)
            .search([("di", "in", list(dis))])
        )
        self.agencies = {level.di: level.issuing_agency for level in levels}
        locations = (
            lines.location_id
            | lines.location_dest_id
            | events.read_point_id
            | events.biz_location_id
        ).filtered(lambda location: location.usage == "internal")
        self.location_glns = self.model._trace_location_glns(locations)
        data = (
            self.env["ir.model.data"]
            .sudo()
            .search(
                [
                    ("model", "=", "uom.uom"),
                    ("module", "=", "uom"),
                    ("name", "in", list(epcis.REC20_BY_UOM)),
                ]
            )
        )
        self.rec20 = {row.res_id: epcis.REC20_BY_UOM[row.name] for row in data}
        self.unit = self.env.ref("uom.product_uom_unit", raise_if_not_found=False)

    # ------------------------------------------------------------------ identifiers

    def _uom_quantity(self, quantity, uom):
        """``(quantity, rec 20 code or None)``: counts in units, measures with their code."""
        if not uom:
            return quantity, None
        root = _uom_root(uom)
        if self.unit and root == _uom_root(self.unit):
            return uom._compute_quantity(quantity, self.unit, round=False), None
        if uom.id in self.rec20:
            return quantity, self.rec20[uom.id]
        return uom._compute_quantity(quantity, root, round=False), self.rec20.get(root.id)

    def item(self, line):
        """``{"role", "uri", "instance", "quantity", "uom"}`` of an event line."""
        product = line.product_id
        if not line.lot_id and product == self.model._trace_logistic_unit():
            return self.model._trace_logistic_unit_item(line)
        lot_name = line.lot_id.name or line.lot_name or None
        serial = lot_name if lot_name and product.tracking == "serial" else None
        lot = lot_name if lot_name and not serial else None
        if line.udi_di:
            agency = self.agencies.get(line.udi_di, "gs1")
            uri = epcis.object_uri(agency, line.udi_di, lot=lot, serial=serial)
        else:
            uri = epcis.local_uri(self.scope, "product", product.id, lot=lot, serial=serial)
        if serial:
            return {"role": line.role, "uri": uri, "instance": True, "quantity": 1, "uom": None}
        quantity, code = self._uom_quantity(line.quantity, line.uom_id or product.uom_id)
        return {"role": line.role, "uri": uri, "instance": False, "quantity": quantity, "uom": code}

    def place(self, location, gln):
        if gln:
            return epcis.location_uri(gln)
        if location:
            return epcis.local_uri(self.scope, "location", location.id)
        return None

    def party(self, partner):
        if partner.udi_gln:
            return [
                ("possessing_party", epcis.party_uri(partner.udi_gln)),
                ("owning_party", epcis.party_uri(partner.udi_gln)),
            ]
        return [("possessing_party", epcis.local_uri(self.scope, "party", partner.id))]

    def our_side(self, locations):
        """Our own side of a custody change: the GLN of the warehouse of ``locations``."""
        for location in locations.filtered(lambda loc: loc.usage == "internal"):
            gln = self.location_glns.get(location.id)
            if gln:
                return [
                    ("possessing_party", epcis.party_uri(gln)),
                    ("owning_party", epcis.party_uri(gln)),
                ]
            return [("location", epcis.local_uri(self.scope, "location", location.id))]
        return []

    def sides(self, event):
        """(sourceList, destinationList) pairs: filled only when custody changes hands."""
        if not (event.source_partner_id or event.dest_partner_id):
            return [], []
        lines = event.line_ids
        sources = (
            self.party(event.source_partner_id)
            if event.source_partner_id
            else self.our_side(lines.location_id)
        )
        destinations = (
            self.party(event.dest_partner_id)
            if event.dest_partner_id
            else self.our_side(lines.location_dest_id)
        )
        return sources, destinations

    def biz_transactions(self, event):
        if not event.biz_transaction:
            return []
        kind = None
        if event.origin == "stock_move" and event.picking_id:
            kind = {"outgoing": "desadv", "incoming": "recadv"}.get(
                event.picking_id.picking_type_code
            )
        elif event.origin in ("production", "unbuild", "unit_genealogy"):
            kind = "prodorder"
        gln = event.company_id.partner_id.udi_gln or self.company_gln
        return [(kind, epcis.biz_transaction_uri(event.biz_transaction, gln, self.scope))]

    # ------------------------------------------------------------------ events

    def declaration(self, event):
        corrections = self.corrections.get(event.id)
        if not corrections:
            return None
        declared = [c for c in corrections if c.origin == "capture" and not c.line_ids]
        when = declared[0].event_time if declared else min(c.record_time for c in corrections)
        return {
            "time": when,
            "reason": corrections[0].error_reason or "incorrect_data",
            "corrective_ids": [c.event_uid for c in corrections if c.line_ids],
        }

    def ilmd(self, event, items_lines):
        """Expiry and manufacture date of what the event brings into being (one lot only)."""
        if event.event_type == "transformation":
            lines = [line for line in items_lines if line.role == "output"]
        elif event.event_type == "object" and event.action == "add":
            lines = items_lines
        else:
            return None
        dates = {
            (line.lot_id.udi_expiry_date, line.lot_id.udi_manufacture_date)
            for line in lines
            if line.lot_id
        }
        if len(dates) != 1:
            return None
        expiry, manufactured = dates.pop()
        ilmd = {}
        if expiry:
            ilmd[epcis.ILMD_EXPIRY[0]] = expiry.isoformat()
        if manufactured:
            ilmd[epcis.ILMD_MANUFACTURED[0]] = manufactured.isoformat()
        return ilmd or None

    def values(self, event):
        """Plain values (lib ``build_event`` shape) of one event, lines excluded."""
        sources, destinations = self.sides(event)
        extensions = {f"{epcis.EXT_PREFIX}:origin": event.origin}
        if event.biz_transaction:
            extensions[f"{epcis.EXT_PREFIX}:document"] = event.biz_transaction
        return {
            "type": EPCIS_TYPES[event.event_type],
            "event_id": event.event_uid,
            "action": (event.action or "observe").upper(),
            "biz_step": event.biz_step,
            "disposition": event.disposition,
            "event_time": event.event_time,
            "tz": event.event_tz or "+00:00",
            "record_time": event.record_time,
            "read_point": self.place(event.read_point_id, event.read_point_gln),
            "biz_location": self.place(event.biz_location_id, event.biz_location_gln),
            "sources": sources,
            "destinations": destinations,
            "biz_transactions": self.biz_transactions(event),
            "error_declaration": self.declaration(event),
            "extensions": extensions,
        }

    def captured(self, event):
        """A captured event as it was sent (its sealed content), with our record time and
        the error declaration a later event made."""
        content = json.loads(event.epcis_content)
        result = content["event"]
        namespaces = content.get("namespaces") or {}
        known = {epcis.EXT_PREFIX: epcis.EXT_NAMESPACE, **self.namespaces}
        if any(known.get(prefix, iri) != iri for prefix, iri in namespaces.items()):
            result = epcis_canonical.expand_prefixes(result, namespaces)
        else:
            self.namespaces.update(namespaces)
        result["recordTime"] = epcis.format_time(event.record_time)
        declaration = self.declaration(event)
        if declaration and not result.get("errorDeclaration"):
            result["errorDeclaration"] = epcis._declaration(declaration)
        return result

    def event_dicts(self, event):
        """One EPCIS event, or two when an association both adds and removes children."""
        if event.epcis_content:
            return [self.captured(event)]
        values = self.values(event)
        lines = event.line_ids
        parents = lines.filtered(lambda line: line.role == "parent")
        if parents:
            values["parent"] = self.item(parents[0])["uri"]
        main = lines.filtered(lambda line: line.role not in ("parent", "removed"))
        removed = lines.filtered(lambda line: line.role == "removed")
        values["ilmd"] = self.ilmd(event, main)
        if removed and not main:
            main, removed = removed, lines.browse()
            values["action"] = "DELETE"
        values["items"] = [self._role_item(self.item(line), values["type"]) for line in main]
        if not values["items"] and values["type"] != "ObjectEvent":
            values["type"] = "ObjectEvent"  # nothing to say but the event itself
        result = [_with_empty_epc_list(epcis.build_event(values))]
        if removed:
            extra = dict(values, action="DELETE", error_declaration=None, ilmd=None)
            extra["event_id"] = f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, event.event_uid)}"
            extra["items"] = [self._role_item(self.item(line), values["type"]) for line in removed]
            result.append(epcis.build_event(extra))
        return result

    @staticmethod
    def _role_item(item, event_type):
        if item["role"] == "removed":
            item["role"] = "child"
        if event_type == "ObjectEvent":
            item["role"] = "object"
        return item


def _with_empty_epc_list(event):
    if event["type"] == "ObjectEvent" and "epcList" not in event and "quantityList" not in event:
        event["epcList"] = []
    return event


def _uom_root(uom):
    seen = set()
    while uom.relative_uom_id and uom.id not in seen:
        seen.add(uom.id)
        uom = uom.relative_uom_id
    return uom


# ====================================================================== capture helper


class _Capture:
    """One capture batch: validate every event, then store all of them or nothing."""

    def __init__(self, model, events, context=None, from_inbox=False, schema_valid=False):
        self.model = model
        self.env = model.env
        self.events = events
        self.context = context  # the document's JSON-LD @context (namespaces of extensions)
        self.from_inbox = from_inbox
        self.schema_valid = schema_valid  # True: every event was validated with its document
        self.errors = []
        self.missing = defaultdict(dict)  # index -> {(kind, value): uri} of unknown master data
        self.parsed = {}  # index -> plain values
        self.now = fields.Datetime.now()
        self.scope = model._epcis_scope()
        self.max_epcs = model._epcis_capture_limits()[1]

    # ------------------------------------------------------------------ errors

    def error(self, index, message):
        event = self.events[index] if 0 <= index < len(self.events) else None
        event_id = event.get("eventID") if isinstance(event, dict) else None
        if not (
            isinstance(event_id, str)
            and len(event_id) <= 200
            and epcis.is_uri(event_id)
            and not epcis._CONTROL_RE.search(event_id)
        ):
            event_id = None  # named by its position only
        self.errors.append((index, event_id, message))

    def lack(self, index, kind, value, uri):
        """Event ``index`` names master data not recorded here (a ``di`` or ``gln``)."""
        self.missing[index].setdefault((kind, value), uri)

    def fail(self, exc, index):
        if isinstance(exc, EpcisError) or hasattr(exc, "params"):
            self.error(index, self.model._epcis_message(exc))
        else:
            self.error(index, str(exc))

    def raise_errors(self):
        if not self.errors:
            return
        _ = self.env._
        lines = []
        for index, event_id, message in self.errors[:MAX_ERRORS]:
            where = _("Event %(position)s", position=index + 1)
            if event_id:
                where += f" ({event_id})"
            lines.append(f"- {where}: {message}")
        if len(self.errors) > MAX_ERRORS:
            lines.append(_("... and %(count)s more problems.", count=len(self.errors) - MAX_ERRORS))
        raise UserError(
            _(
                "Nothing was stored: %(count)s problem(s) in the %(events)s event(s) sent.\n"
                "%(problems)s",
                count=len(self.errors),
                events=len(self.events),
                problems="\n".join(lines),
            )
        )

    # ------------------------------------------------------------------ run

    def run(self):
        self.parse()
        new, duplicates, declared = self.classify()
        resolver = _Resolver(self, [self.parsed[index] for index in new])
        specs = {index: self.event_spec(index, resolver) for index in new}
        waiting = self.settle_missing()
        new = [index for index in new if index not in waiting]
        specs = {index: spec for index, spec in specs.items() if index not in waiting}
        lots = _Lots(self)
        lots.check(specs)
        genealogy = _UnitGenealogy(self)
        units = genealogy.check(new, specs)
        self.raise_errors()
        with self.env.cr.savepoint():
            lots.create()
            created, corrections = self.store(
                [index for index in new if index not in units], specs, lots, declared
            )
            if units:
                created = genealogy.store(units, created)
            self.insert_terms(created)
            inbox = self.to_inbox(waiting)
        result = {
            "created": len(created),
            "event_ids": created.ids,
            "duplicates": duplicates,
            "corrections": corrections.ids,
            "waiting": len(waiting),
            "inbox_ids": inbox.ids,
        }
        if self.from_inbox:
            result["still_missing"] = {
                self.parsed[index]["event_id"]: sorted(self.missing[index]) for index in waiting
            }
        return result

    def settle_missing(self):
        """Indexes of the events that wait for master data (the inbox), or, when the
        company refuses them (or the event has other problems too), errors recorded."""
        # a caller may ask for the refusal (the portal: a distributor's own report must say
        # what is wrong at once), never for the inbox against the company's setting
        refuse = self.env.company.trace_epcis_unknown_master_data == "refuse" or bool(
            self.env.context.get("trace_epcis_refuse_unknown")
        )
        wrong = {index for index, _event_id, _message in self.errors}
        waiting = set()
        for index, lacking in sorted(self.missing.items()):
            if not refuse and index not in wrong:
                waiting.add(index)
                continue
            for (kind, value), uri in lacking.items():
                self.error(index, self._missing_message(kind, value, uri))
        return waiting

    def _missing_message(self, kind, value, uri):
        if kind == "di":
            return self.env._(
                "UDI-DI %(di)s (%(uri)s) is not the DI of any device here: add it to the "
                "device's UDI-DIs first.",
                di=value,
                uri=uri,
            )
        return self.env._(
            "GLN %(gln)s (%(uri)s) is neither a partner's nor one of our warehouses': "
            "record it on the partner first.",
            gln=value,
            uri=uri,
        )

    def to_inbox(self, waiting):
        """The inbox entries of the events that wait for master data (none on a retry)."""
        Inbox = self.env["trace.event.inbox"].sudo()
        if self.from_inbox or not waiting:
            return Inbox
        vals_list = []
        for index in sorted(waiting):
            values = self.parsed[index]
            vals_list.append(
                {
                    "event_uid": values["event_id"],
                    "event_type": values["type"],
                    "event_time": values["event_time"].replace(microsecond=0),
                    "event_json": json.dumps(self.events[index], ensure_ascii=False),
                    "context_json": json.dumps(self.context, ensure_ascii=False)
                    if self.context
                    else False,
                    "sender_id": self.env.uid,
                    "company_id": self.env.company.id,
                    "missing_ids": [
                        (0, 0, {"kind": kind, "value": value})
                        for kind, value in sorted(self.missing[index])
                    ],
                }
            )
        return Inbox.create(vals_list)

    def parse(self):
        schema = epcis_schema()
        seen = {}
        _ = self.env._
        for index, event in enumerate(self.events):
            if not isinstance(event, dict):
                self.error(index, _("An event must be a JSON object."))
                continue
            if not self.check_size(index, event):
                continue
            problems = () if self.schema_valid else schema.event_errors(event)
            if problems:
                self.error(
                    index,
                    _("not a valid EPCIS 2.0 event: %(problems)s", problems="; ".join(problems)),
                )
                continue
            event_id = event.get("eventID")
            if not event_id:
                # CBV 2.0 event hash ID: the same event sent again gets the same eventID
                event_id = event_hash.event_hash_id(event, self.context)
                event = self.events[index] = dict(event, eventID=event_id)
            if event_id in seen:
                self.error(
                    index,
                    _(
                        "eventID %(event_id)s is also event %(position)s of this batch.",
                        event_id=event_id,
                        position=seen[event_id] + 1,
                    ),
                )
                continue
            seen[event_id] = index
            self.parse_one(index, event)

    def check_size(self, index, event):
        """False (error recorded) when the event is too big or holds what no event can."""
        try:
            epcis.check_shape(event)
        except EpcisError as exc:
            self.fail(exc, index)
            return False
        total, counts = epcis.object_count(event)
        if total > self.max_epcs:
            self.error(
                index,
                self.env._(
                    "the event lists %(total)s EPCs and quantity elements (%(lists)s); an event "
                    "may list at most %(max)s (setting %(param)s). Split it into several events.",
                    total=total,
                    max=self.max_epcs,
                    param=MAX_EPCS_PARAM,
                    lists=", ".join(f"{name}: {count}" for name, count in sorted(counts.items())),
                ),
            )
            return False
        return True

    def parse_one(self, index, event):
        try:
            values = epcis.read_event(event)
        except EpcisError as exc:
            self.fail(exc, index)
            return
        if values["event_time"] > self.now + CLOCK_SKEW:
            self.error(
                index,
                self.env._(
                    "the event time %(time)s is in the future.", time=event.get("eventTime")
                ),
            )
            return
        values["index"] = index
        values["document"] = event.get(f"{epcis.EXT_PREFIX}:document")
        self.parsed[index] = values

    def classify(self):
        """(new indexes, duplicate eventIDs, {index: stored event to declare erroneous}).

        EventIDs are looked up in the company the events are stored in only: another
        company's events are neither duplicates nor declarable here (no existence oracle);
        the same eventID is a new event of this company.
        """
        uids = [values["event_id"] for values in self.parsed.values()]
        stored = {
            event.event_uid: event
            for event in self.model.sudo().search(
                [("event_uid", "in", uids), ("company_id", "=", self.env.company.id)]
            )
        }
        corrected = set(
            self.model.sudo()
            .search([("corrected_event_id", "in", [event.id for event in stored.values()])])
            .corrected_event_id.ids
        )
        waiting = set()
        if not self.from_inbox:
            waiting = set(
                self.env["trace.event.inbox"]
                .sudo()
                .search(
                    [
                        ("event_uid", "in", uids),
                        ("company_id", "=", self.env.company.id),
                        ("state", "=", "waiting"),
                    ]
                )
                .mapped("event_uid")
            )
        new, duplicates, declared = [], [], {}
        for index, values in sorted(self.parsed.items()):
            event = stored.get(values["event_id"])
            if not event and values["event_id"] in waiting:
                duplicates.append(values["event_id"])
            elif not event:
                new.append(index)
            elif values["error_declaration"] and event.id not in corrected:
                declared[index] = event
            else:
                duplicates.append(values["event_id"])
        return new, duplicates, declared

    # ------------------------------------------------------------------ one event

    def event_spec(self, index, resolver):
        """Header values and line specs of a new event, errors recorded on the way."""
        values = self.parsed[index]
        header = resolver.header(index, values)
        lines = []
        seen = set()
        for item in self._items(values, resolver):
            spec = resolver.line(index, values, item)
            if not spec:
                continue
            key = (spec["role"], spec["product"].id, spec["lot_name"])
            if spec["serial"] and key in seen:
                self.error(
                    index, self.env._("serial %(serial)s is listed twice.", serial=spec["lot_name"])
                )
            seen.add(key)
            lines.append(spec)
        return {"header": header, "lines": lines}

    @staticmethod
    def _items(values, resolver):
        """The event's objects, its parent (a device or a logistic unit) first. A parent that
        is neither (a returnable asset, a location) is a query term, not a line."""
        parent = values["parent"]
        ref = resolver.refs.get(parent) if parent else None
        if not parent or (isinstance(ref, dict) and ref["kind"] == "other"):
            return values["items"]
        item = {"role": "parent", "uri": parent, "instance": True, "quantity": 1, "uom": None}
        return [item, *values["items"]]

    # ------------------------------------------------------------------ storing

    def store(self, new, specs, lots, declared):
        Event = self.model
        corrective_of = self._corrective_links(new)
        _HolderBalance(self, lots).apply(new, specs)
        first = [index for index in new if index not in corrective_of]
        created = Event._trace_create(
            [self.event_vals(index, specs[index], lots) for index in first]
        )
        by_uid = {event.event_uid: event for event in created}
        second = []
        for index in new:
            if index in corrective_of:
                target_uid, reason = corrective_of[index]
                vals = self.event_vals(index, specs[index], lots)
                vals.update(corrected_event_id=by_uid[target_uid].id, error_reason=reason)
                second.append(vals)
        if second:
            created |= Event._trace_create(second)
            by_uid.update({event.event_uid: event for event in created})
        order = {self.parsed[index]["event_id"]: position for position, index in enumerate(new)}
        created = created.sorted(lambda event: order.get(event.event_uid, 0))
        corrections = self._declarations(new, declared, by_uid)
        return created, corrections

    def _corrective_links(self, new):
        """{index of a corrective event of this batch: (eventID it corrects, reason)}."""
        positions = {self.parsed[index]["event_id"]: index for index in new}
        links = {}
        for index in new:
            declaration = self.parsed[index]["error_declaration"]
            if not declaration:
                continue
            for corrective_id in declaration["corrective_ids"]:
                target = positions.get(corrective_id)
                if target is not None and target != index:
                    links[target] = (self.parsed[index]["event_id"], declaration["reason"])
        # a chain of corrections inside one batch is stored unlinked
        return {index: link for index, link in links.items() if positions[link[0]] not in links}

    def _declarations(self, new, declared, by_uid):
        vals_list = []
        targets = [(index, by_uid.get(self.parsed[index]["event_id"])) for index in new]
        targets += list(declared.items())
        for index, event in targets:
            declaration = self.parsed[index]["error_declaration"]
            if not declaration or not event:
                continue
            vals_list.append(
                {
                    "event_uid": "urn:uuid:"
                    + str(uuid.uuid5(DECLARATION_NAMESPACE, event.event_uid)),
                    "event_type": event.event_type,
                    "action": event.action,
                    "event_time": declaration["time"].replace(microsecond=0),
                    "event_tz": "+00:00",
                    "origin": "capture",
                    "corrected_event_id": event.id,
                    "error_reason": declaration["reason"],
                    "company_id": event.company_id.id,
                }
            )
        return self.model._trace_create(vals_list)

    def content_vals(self, index):
        """The sealed content of captured event ``index``: the event as sent, with the
        namespaces it uses."""
        event = self.events[index]
        namespaces = epcis_canonical.used_prefixes(event, self.context)
        return {"epcis_content": epcis_canonical.content_json(event, namespaces)}

    def insert_terms(self, created):
        """The query terms of the stored events, in one INSERT (thousands of rows per batch:
        the ORM's create would cost more than the events themselves)."""
        by_uid = {self.parsed[index]["event_id"]: index for index in self.parsed}
        rows = []
        for event in created:
            index = by_uid.get(event.event_uid)
            if index is not None:
                rows += event_term_rows(event.id, self.events[index], event.company_id.id)
        if not rows:
            return
        self.env["trace.event.term"]._term_insert(rows)
        self.env["trace.event.term"].invalidate_model()
        created.invalidate_recordset(["term_ids"])

    def event_vals(self, index, spec, lots):
        values = self.parsed[index]
        header = spec["header"]
        line_vals = []
        for line in spec["lines"]:
            lot = lots.lot(line["product"], line["lot_name"])
            line_vals.append(
                (
                    0,
                    0,
                    {
                        "role": line["role"],
                        "product_id": line["product"].id,
                        "udi_di": line["di"] or False,
                        "lot_id": lot.id if lot else False,
                        "lot_name": line.get("unit_ref") or line["lot_name"] or False,
                        "quantity": line["quantity"],
                        "uom_id": line["product"].uom_id.id,
                        "location_id": line["from"]["location"].id,
                        "location_dest_id": line["to"]["location"].id,
                        "partner_id": line["from"]["partner"].id,
                        "partner_dest_id": line["to"]["partner"].id,
                    },
                )
            )
        return {
            "event_uid": values["event_id"],
            "event_type": OUR_TYPES[values["type"]],
            **self.content_vals(index),
            "action": (values["action"] or "").lower() or False,
            "biz_step": values["biz_step"] or False,
            "disposition": values["disposition"] or False,
            "event_time": values["event_time"].replace(microsecond=0),
            "event_tz": values["tz"],
            **header,
            "origin": "capture",
            "company_id": self.env.company.id,
            "line_ids": line_vals,
        }


# ====================================================================== references


class _Resolver:
    """Identifiers of a batch resolved to records in a few queries (DIs, GLNs, ids)."""

    def __init__(self, capture, values_list):
        self.capture = capture
        self.env = capture.env
        self.scope = capture.scope
        self.refs = {}
        self.places = {}
        self.unit = self.env.ref("uom.product_uom_unit")
        self.uoms = {}  # UN/ECE rec 20 code -> uom.uom
        uris, place_uris = set(), set()
        for values in values_list:
            uris.update(item["uri"] for item in values["items"])
            if values["parent"]:
                uris.add(values["parent"])
            place_uris.update(self._place_uris(values))
        self._parse(uris, place_uris)
        self._load_products()
        self._load_places()

    @staticmethod
    def _place_uris(values):
        uris = {values["read_point"], values["biz_location"]}
        uris.update(uri for _kind, uri in values["sources"] + values["destinations"])
        uris.discard(None)
        return uris

    def _parse(self, uris, place_uris):
        for uri in uris:
            try:
                self.refs[uri] = epcis.parse_object_uri(uri)
            except EpcisError as exc:
                self.refs[uri] = exc
        for uri in place_uris:
            try:
                self.places[uri] = epcis.parse_place_uri(uri)
            except EpcisError as exc:
                self.places[uri] = exc

    def _load_products(self):
        refs = [ref for ref in self.refs.values() if isinstance(ref, dict)]
        dis = {ref["di"] for ref in refs if ref["di"]}
        levels = (
            self.env["udi.di"].with_context(active_test=False).search([("di", "in", list(dis))])
        )
        self.levels = {level.di: level for level in levels}
        local_ids = {
            int(ref["product_ref"][1])
            for ref in refs
            if ref["product_ref"]
            and ref["product_ref"][0] == self.scope
            and ref["product_ref"][1].isdigit()
        }
        self.local_products = self.env["product.product"].browse(local_ids).exists()
        products = levels.product_id | levels.product_tmpl_id.product_variant_id
        self.base_dis = self.env["trace.event"]._trace_product_dis(products | self.local_products)

    def _load_places(self):
        """Warehouses, partners and locations named by the batch, within the events' company
        (``env.company``): its own warehouses, and the partners and locations the caller may
        read that belong to it or to no company. Another company's are left out, so that
        they are answered exactly as unknown ones (no existence oracle)."""
        places = [place for place in self.places.values() if isinstance(place, dict)]
        glns = {place["gln"] for place in places if place["gln"]}
        company = self.env.company
        in_company = [("company_id", "in", [False, company.id])]
        self.warehouses = {}
        warehouses = (
            self.env["stock.warehouse"]
            .sudo()
            .search([("company_id", "=", company.id)], order="sequence, id")
        )
        for warehouse in warehouses:
            for gln in (warehouse.partner_id.udi_gln, warehouse.company_id.partner_id.udi_gln):
                if gln and gln in glns:
                    self.warehouses.setdefault(gln, warehouse)
        partners = self.env["res.partner"].search([("udi_gln", "in", list(glns)), *in_company])
        self.partners = {partner.udi_gln: partner for partner in partners}
        local = [place["local"] for place in places if place["local"]]
        ids = defaultdict(set)
        for scope, kind, ident in local:
            if scope == self.scope and ident.isdigit():
                ids[kind].add(int(ident))
        self.local_locations = self.env["stock.location"].search(
            [("id", "in", list(ids["location"])), *in_company]
        )
        self.local_partners = self.env["res.partner"].search(
            [("id", "in", list(ids["party"])), *in_company]
        )

    # ------------------------------------------------------------------ places

    def holder(self, index, uri):
        """``{"location", "partner", "gln"}`` of a place/party URI; None (error recorded)
        when unknown."""
        empty = {
            "location": self.env["stock.location"],
            "partner": self.env["res.partner"],
            "gln": False,
        }
        place = self.places.get(uri)
        if isinstance(place, EpcisError):
            self.capture.fail(place, index)
            return None
        if place["gln"]:
            warehouse = self.warehouses.get(place["gln"])
            if warehouse:
                return {**empty, "location": warehouse.lot_stock_id, "gln": place["gln"]}
            partner = self.partners.get(place["gln"])
            if partner:
                return {**empty, "partner": partner, "gln": place["gln"]}
            self.capture.lack(index, "gln", place["gln"], uri)
            return None
        if not place["local"]:
            return empty  # another kind of place (geo:, a company's URI): kept in the content
        scope, kind, ident = place["local"]
        records = self.local_locations if kind == "location" else self.local_partners
        record = records.filtered(lambda rec: str(rec.id) == ident) if scope == self.scope else None
        if record:
            return {**empty, ("location" if kind == "location" else "partner"): record}
        self.capture.error(
            index, self.env._("%(uri)s is not a location or partner of this database.", uri=uri)
        )
        return None

    def side(self, index, entries):
        """The holder named by a sourceList/destinationList (best entry type first)."""
        ranked = sorted(
            (entry for entry in entries if entry[0] in SIDE_TYPES),
            key=lambda entry: SIDE_TYPES.index(entry[0]),
        )
        if not ranked:
            return None
        return self.holder(index, ranked[0][1])

    def header(self, index, values):
        """Header field values of a new event: places, parties, business document."""
        result = {}
        for key, field in (("read_point", "read_point"), ("biz_location", "biz_location")):
            holder = self.holder(index, values[key]) if values[key] else None
            result[f"{field}_id"] = holder["location"].id if holder else False
            result[f"{field}_gln"] = holder["gln"] if holder else False
        source = self.side(index, values["sources"])
        dest = self.side(index, values["destinations"])
        values["from"] = source or self._nowhere()
        values["to"] = dest or self._nowhere()
        if source and dest and _same_holder(source, dest):
            values["from"] = values["to"] = self._nowhere()
        result["source_partner_id"] = source["partner"].id if source else False
        result["dest_partner_id"] = dest["partner"].id if dest else False
        result["biz_transaction"] = self.document(values)
        return result

    def _nowhere(self):
        return {
            "location": self.env["stock.location"],
            "partner": self.env["res.partner"],
            "gln": False,
        }

    def document(self, values):
        """The business document kept on the event (our own names unwrapped)."""
        if values.get("document"):
            return values["document"]
        transactions = values["biz_transactions"]
        if not transactions:
            return False
        ranked = sorted(
            transactions,
            key=lambda entry: (
                DOCUMENT_TYPES.index(entry[0])
                if entry[0] in DOCUMENT_TYPES
                else len(DOCUMENT_TYPES)
            ),
        )
        uri = ranked[0][1]
        ours = epcis.parse_biz_transaction(uri)
        if ours and (ours[0] in self.warehouses or ours[0] == self.env.company.partner_id.udi_gln):
            return ours[1]
        return epcis.unwrap_local(uri, self.scope, "bt") or uri

    # ------------------------------------------------------------------ objects

    def product(self, index, ref, uri):
        """(product, packaging level or empty) of an object reference; None when unknown."""
        Level = self.env["udi.di"]
        if ref["product_ref"]:
            product = (
                self.local_products.filtered(lambda rec: str(rec.id) == ref["product_ref"][1])
                if ref["product_ref"][0] == self.scope
                else None
            )
            if product:
                return product, Level
            self.capture.error(
                index, self.env._("%(uri)s is not a product of this database.", uri=uri)
            )
            return None
        level = self.levels.get(ref["di"])
        product = level.product_id or level.product_tmpl_id.product_variant_id if level else None
        if not product:
            self.capture.lack(index, "di", ref["di"], uri)
            return None
        return product, level

    def line(self, index, values, item):
        """A line spec of ``item`` (product, lot, quantity in the product's unit, sides)."""
        ref = self.refs.get(item["uri"])
        if isinstance(ref, EpcisError):
            self.capture.fail(ref, index)
            return None
        if ref["kind"] == "sscc":  # a package: a line naming it (trace_event_package.py)
            return self.capture.model._trace_logistic_unit_spec(values, item, ref["sscc"])
        if ref["kind"] == "other":
            return None  # not a device: a query term and the event's content only
        found = self.product(index, ref, item["uri"])
        if not found:
            return None
        product, level = found
        quantity = _LineCheck(self, index, item, ref, product, level).quantity()
        if quantity is None:
            return None
        return {
            "role": item["role"],
            "product": product,
            "di": self.base_dis.get(product.id) or (level.di if level else False),
            "lot_name": ref["serial"] or ref["lot"],
            "serial": bool(ref["serial"]),
            "quantity": quantity,
            "expiry": ref["expiry"],
            "manufactured": ref["manufactured"],
            "from": values["from"],
            "to": values["to"],
            "action": values["action"],
            "ilmd": values["ilmd"],
            "uri": item["uri"],
        }


def _same_holder(first, second):
    return (first["location"], first["partner"]) == (second["location"], second["partner"])


class _LineCheck:
    """Tracking, quantity and unit rules of one object of a captured event."""

    def __init__(self, resolver, index, item, ref, product, level):
        self.resolver = resolver
        self.env = resolver.env
        self.index, self.item, self.ref = index, item, ref
        self.product, self.level = product, level

    def error(self, message):
        self.resolver.capture.error(self.index, message)
        return None

    def quantity(self):
        """The quantity in the product's unit, or None after recording an error."""
        _ = self.env._
        tracking = self.product.tracking
        kind = self.ref["kind"]
        device, uri = self.product.display_name, self.item["uri"]
        if kind == "instance":
            if tracking != "serial":
                return self.error(
                    _(
                        "%(uri)s names a serial number, but %(device)s is not "
                        "tracked by serial number.",
                        uri=uri,
                        device=device,
                    )
                )
            if self.level and self.level.packaging_level == "package":
                return self.error(
                    _(
                        "%(uri)s is a serial of a package (%(di)s); report the "
                        "serials of the devices inside.",
                        uri=uri,
                        di=self.level.di,
                    )
                )
            if self.item["quantity"] not in (None, 1):
                return self.error(
                    _(
                        "%(uri)s is one serialised unit; its quantity cannot be %(quantity)s.",
                        uri=uri,
                        quantity=self.item["quantity"],
                    )
                )
            return 1.0
        if tracking == "serial":
            return self.error(
                _(
                    "%(device)s is tracked by serial number: list each serial in "
                    "the EPC list instead of %(uri)s.",
                    device=device,
                    uri=uri,
                )
            )
        if kind == "lot" and tracking != "lot":
            return self.error(
                _(
                    "%(uri)s names a lot, but %(device)s is not tracked by lot.",
                    uri=uri,
                    device=device,
                )
            )
        if kind == "class" and tracking == "lot":
            return self.error(
                _(
                    "%(device)s is tracked by lot: %(uri)s must name the lot.",
                    device=device,
                    uri=uri,
                )
            )
        return self._measured()

    def _measured(self):
        _ = self.env._
        quantity = self.item["quantity"]
        uri = self.item["uri"]
        if quantity is None or quantity <= 0:
            return self.error(_("%(uri)s needs a positive quantity.", uri=uri))
        quantity = float(quantity) * _units_per_level(self.level)
        product_uom = self.product.uom_id
        code = self.item["uom"]
        unit = self.resolver.unit
        if not code:
            if _uom_root(product_uom) != _uom_root(unit):
                return self.error(
                    _(
                        "%(uri)s: %(device)s is measured in %(uom)s; give the unit "
                        "(UN/ECE rec. 20 code) of the quantity.",
                        uri=uri,
                        device=self.product.display_name,
                        uom=product_uom.name,
                    )
                )
            return unit._compute_quantity(quantity, product_uom, round=False)
        if code not in self.resolver.uoms:
            self.resolver.uoms[code] = _uom_by_code(self.env, code)
        uom = self.resolver.uoms[code]
        if not uom or _uom_root(uom) != _uom_root(product_uom):
            return self.error(
                _(
                    "%(uri)s: unit %(code)s cannot measure %(device)s (in %(uom)s).",
                    uri=uri,
                    code=code,
                    device=self.product.display_name,
                    uom=product_uom.name,
                )
            )
        return uom._compute_quantity(quantity, product_uom, round=False)


def _units_per_level(level):
    """How many base units a unit of packaging level ``level`` holds."""
    count = 1
    seen = set()
    while level and level.packaging_level == "package" and level.id not in seen:
        seen.add(level.id)
        count *= level.contained_qty or 1
        level = level.contained_di_id
    return count


def _uom_by_code(env, code):
    names = [name for name, rec20 in epcis.REC20_BY_UOM.items() if rec20 == code]
    for name in names:
        uom = env.ref(f"uom.{name}", raise_if_not_found=False)
        if uom:
            return uom
    return None


# ====================================================================== lots


class _Lots:
    """Lots and serials of a batch: found in one query, unknown ones created in one create."""

    def __init__(self, capture):
        self.capture = capture
        self.env = capture.env
        self.found = {}
        self.to_create = {}

    def check(self, specs):
        wanted = {}
        for index, spec in specs.items():
            for line in spec["lines"]:
                if line["lot_name"]:
                    wanted.setdefault((line["product"].id, line["lot_name"]), []).append(
                        (index, line)
                    )
        if not wanted:
            return
        # known lots first, by product (the product index makes this a few ms; a search by
        # name alone goes through stock.lot's trigram index, ~4 ms per name); then, for the
        # names still unknown, who else owns them (a GTIN typo shows as another device's lot)
        Lot = self.env["stock.lot"]
        lots = Lot.search(
            [
                ("product_id", "in", list({product for product, _name in wanted})),
                ("name", "in", list({name for _product, name in wanted})),
            ]
        )
        known = {(lot.product_id.id, lot.name) for lot in lots}
        unknown = list({key[1] for key in wanted if key not in known})
        if unknown:
            lots |= Lot.search([("name", "in", unknown)])
        owners = defaultdict(list)
        for lot in lots:
            owners[lot.name].append(lot)
            if (lot.product_id.id, lot.name) in wanted and (
                not lot.company_id or lot.company_id == self.env.company
            ):
                self.found.setdefault((lot.product_id.id, lot.name), lot)
        for key, uses in wanted.items():
            if key not in self.found:
                self._check_new(key, uses, owners.get(key[1], []))

    def _check_new(self, key, uses, others):
        _ = self.env._
        index, line = uses[0]
        product = line["product"]
        what = _("serial number") if line["serial"] else _("lot")
        if others:
            self.capture.error(
                index,
                _(
                    "%(what)s %(name)s is a %(what)s of %(other)s, not of %(device)s (%(uri)s): "
                    "check the GTIN.",
                    what=what,
                    name=key[1],
                    other=others[0].product_id.display_name,
                    device=product.display_name,
                    uri=line["uri"],
                ),
            )
            return
        if all(use_line["action"] == "DELETE" for _index, use_line in uses):
            self.capture.error(
                index,
                _(
                    "%(what)s %(name)s of %(device)s is unknown here.",
                    what=what,
                    name=key[1],
                    device=product.display_name,
                ),
            )
            return
        if product.udi_regulated:
            try:
                epcis.check_pi(key[1], "serial number" if line["serial"] else "lot")
            except epcis.UdiError as exc:
                self.capture.fail(exc, index)
                return
        expiry, manufactured = self._dates(uses)
        if product.udi_regulated and product.udi_pi_expiry and not expiry:
            self.capture.error(
                index,
                _(
                    "%(what)s %(name)s of %(device)s is new here and the device's label carries an "
                    "expiry date: give it (ILMD cbvmda:itemExpirationDate, or 17= in the Digital "
                    "Link), or record the lot first.",
                    what=what,
                    name=key[1],
                    device=product.display_name,
                ),
            )
            return
        self.to_create[key] = {
            "name": key[1],
            "product_id": key[0],
            "company_id": self.env.company.id,
            "expiration_date": self.env["stock.lot"]._udi_date_to_datetime(expiry),
            "udi_manufacture_date": manufactured or False,
        }

    def _dates(self, uses):
        expiry = manufactured = None
        for index, line in uses:
            expiry = expiry or line["expiry"]
            manufactured = manufactured or line["manufactured"]
            if line["ilmd"]:
                try:
                    ilmd_expiry, ilmd_made = epcis.ilmd_dates(line["ilmd"])
                except EpcisError as exc:
                    self.capture.fail(exc, index)
                    continue
                expiry = expiry or ilmd_expiry
                manufactured = manufactured or ilmd_made
        return expiry, manufactured

    # a helper, not a model: no super() on purpose
    def create(self):  # pylint: disable=method-required-super
        if not self.to_create:
            return
        keys = list(self.to_create)
        try:
            lots = self.env["stock.lot"].create([self.to_create[key] for key in keys])
        except ValidationError as exc:
            raise UserError(
                self.env._(
                    "Nothing was stored: a lot or serial could not be created: %(reason)s",
                    reason=exc.args[0],
                )
            ) from None
        self.found.update(zip(keys, lots, strict=True))

    def lot(self, product, name):
        return self.found.get((product.id, name)) if name else None


# ====================================================================== holders


class _HolderBalance:
    """Keep receiving-side events from moving units twice.

    A shipping event moves units from its source to its destination; the receiving event of
    the same delivery names the same parties. A receiving-side event (receiving, accepting,
    arriving) therefore moves a lot only if its destination does not hold that quantity yet
    (from the stored events and the earlier events of the batch); otherwise its line is a
    plain observation.
    """

    def __init__(self, capture, lots):
        self.capture = capture
        self.lots = lots

    def apply(self, new, specs):
        parsed = self.capture.parsed
        receiving = [
            index
            for index in new
            if parsed[index]["biz_step"] in RECEIVING_STEPS
            and (parsed[index]["to"]["location"] or parsed[index]["to"]["partner"])
        ]
        if not receiving:
            return
        lot_ids = {
            lot.id
            for index in receiving
            for line in specs[index]["lines"]
            if (lot := self.lots.lot(line["product"], line["lot_name"]))
        }
        if not lot_ids:
            return
        balance = defaultdict(float)
        for row in self.capture.model._trace_holders(list(lot_ids)):
            balance[
                (row["lot_id"], row["holder_type"], row["partner_id"] or row["location_id"])
            ] += row["quantity"]
        for index in new:
            for line in specs[index]["lines"]:
                lot = self.lots.lot(line["product"], line["lot_name"])
                if lot and lot.id in lot_ids:
                    self._apply_line(balance, index in receiving, lot, line)

    def _apply_line(self, balance, receiving, lot, line):
        target = _holder_key(lot, line["to"])
        if receiving and target and balance[target] >= line["quantity"] - 1e-9:
            nowhere = self.capture.model.env
            line["from"] = line["to"] = {
                "location": nowhere["stock.location"],
                "partner": nowhere["res.partner"],
                "gln": False,
            }
            return
        source = _holder_key(lot, line["from"])
        if source:
            balance[source] -= line["quantity"]
        if target:
            balance[target] += line["quantity"]


def _holder_key(lot, side):
    if side["partner"]:
        return (lot.id, "partner", side["partner"].id)
    if side["location"]:
        return (lot.id, "location", side["location"].id)
    return None


# ====================================================================== per-unit genealogy


class _UnitGenealogy:
    """Captured TransformationEvents that name one of our done manufacturing orders as their
    ``prodorder`` business transaction: a line's MES telling which components went into one
    unit. They are checked against the order (every input consumed by it, the one output
    made by it, quantities within what it consumed) and stored as per-unit genealogy events
    (``trace.event._trace_record_units``), not as free transformations."""

    def __init__(self, capture):
        self.capture = capture
        self.env = capture.env
        self.facts = {}  # order -> facts

    def order_of(self, index, spec):
        values = self.capture.parsed[index]
        if values["type"] != "TransformationEvent":
            return None
        if "prodorder" not in {kind for kind, _uri in values["biz_transactions"]}:
            return None
        name = spec["header"].get("biz_transaction")
        if not name:
            return None
        return (
            self.env["mrp.production"]
            .sudo()
            .search([("name", "=", name), ("company_id", "=", self.env.company.id)], limit=1)
        ) or None

    def check(self, new, specs):
        """{index: (order, unit lot, [(component lot, quantity)])} of the batch's per-unit
        events; problems recorded on the capture."""
        result = {}
        for index in new:
            order = self.order_of(index, specs[index])
            if order is None:
                continue
            entry = self.resolve(index, order, specs[index]["lines"])
            if entry:
                result[index] = entry
        by_order = {}
        for index, (order, unit, pairs) in result.items():
            by_order.setdefault(order, []).append((index, unit, pairs))
        Event = self.env["trace.event"]
        for order, entries in by_order.items():
            problems = Event._trace_genealogy_check(
                self.facts[order], [(unit, pairs) for _index, unit, pairs in entries]
            )
            for problem in problems:
                self.capture.error(entries[0][0], problem)
        return result

    def resolve(self, index, order, lines):
        """(order, unit, pairs) of one event, or None (problems recorded)."""
        _ = self.env._
        if order.state != "done":
            self.capture.error(
                index,
                _(
                    "%(order)s is not done: send its per-unit genealogy once it is.",
                    order=order.name,
                ),
            )
            return None
        if order not in self.facts:
            self.facts[order] = self.env["trace.event"]._trace_genealogy_facts(order)
        facts = self.facts[order]
        outputs = [line for line in lines if line["role"] == "output"]
        inputs = [line for line in lines if line["role"] == "input"]
        if len(outputs) != 1 or not inputs:
            self.capture.error(
                index,
                _(
                    "a TransformationEvent of %(order)s records one finished unit: exactly one "
                    "output and its components as inputs (this one has %(outputs)s output(s) "
                    "and %(inputs)s input(s)). Send one event per unit.",
                    order=order.name,
                    outputs=len(outputs),
                    inputs=len(inputs),
                ),
            )
            return None
        unit = self.find(facts["units"], outputs[0])
        if not unit:
            self.capture.error(
                index,
                _(
                    "%(lot)s is not a unit of %(product)s made by %(order)s.",
                    lot=outputs[0]["lot_name"],
                    product=order.product_id.display_name,
                    order=order.name,
                ),
            )
        pairs = []
        for line in inputs:
            lot = self.find(facts["consumed"], line)
            if not lot:
                self.capture.error(
                    index,
                    _(
                        "component %(lot)s of %(product)s was not consumed by %(order)s.",
                        lot=line["lot_name"],
                        product=line["product"].display_name,
                        order=order.name,
                    ),
                )
                continue
            pairs.append((lot, line["quantity"]))
        if not unit or len(pairs) != len(inputs):
            return None
        return order, unit, pairs

    @staticmethod
    def find(lots, line):
        for lot in lots:
            if lot.product_id == line["product"] and lot.name == line["lot_name"]:
                return lot
        return None

    def store(self, units, created):
        """Record the per-unit events (their eventIDs, times and steps as sent) and return
        ``created`` with them, in the order of the batch."""
        Event = self.env["trace.event"]
        by_order = {}
        for index, (order, unit, pairs) in sorted(units.items()):
            values = self.capture.parsed[index]
            header = dict(
                Event._trace_genealogy_header(order),
                event_uid=values["event_id"],
                event_time=values["event_time"].replace(microsecond=0),
                event_tz=values["tz"],
                biz_step=values["biz_step"] or "assembling",
                disposition=values["disposition"] or "active",
                **self.capture.content_vals(index),
            )
            by_order.setdefault(order, []).append(((unit, pairs), header))
        for order, entries in by_order.items():
            events, _superseded = Event._trace_record_units(
                order,
                [entry for entry, _header in entries],
                facts=self.facts[order],
                headers=[header for _entry, header in entries],
            )
            created |= events
        order = {self.capture.parsed[index]["event_id"]: index for index in self.capture.parsed}
        return created.sorted(lambda event: order.get(event.event_uid, 0))
