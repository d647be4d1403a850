"""The canonical form of an EPCIS 2.0 event, in which ``export(capture(x)) == x`` (no Odoo).

Two serialisations of the same EPCIS 2.0 event (JSON-LD) are the same event when their
canonical forms (:func:`canonical_event`) are equal. The form is the event's full content
(every field, extensions included: nothing is left out but ``recordTime``), with only what
JSON-LD and the standard say carries no meaning written one way:

- ``eventID``: an event sent without one has its CBV 2.0 event hash ID (the ID the capture
  gives it, :mod:`.event_hash`);
- ``recordTime`` is left out: it is when the *receiving* repository recorded the event (EPCIS
  2.0 section 7.4.1: set by the repository, ignored on capture);
- keys: compact IRIs (``example:myField``) expanded with the document's and the event's
  ``@context`` (``https://ns.example.com/epcis/myField``); standard keys as they are; an
  event's own ``@context`` is consumed by this expansion and left out;
- times (``eventTime``, ``declarationTime``, the sensor times and any other value that is an
  xsd:dateTimeStamp): UTC at millisecond precision with ``Z``. ``eventTimeZoneOffset`` is kept
  as given (``Z`` written ``+00:00``): the local time where the event happened survives;
- CBV values (business step, disposition, persistent disposition, business transaction type,
  source/destination type, error reason) as their ``https://ref.gs1.org/cbv/`` Web URI,
  whether sent as a bare word, a CBV 1.x URN or the Web URI; other vocabularies unchanged;
- EPC URNs (sgtin, lgtin, sscc, sgln, grai, giai, ...) as GS1 Digital Link URIs on
  ``https://id.gs1.org`` (the Tag Data Standard's own equivalence); Digital Links as given;
- numbers: ``1.0`` and ``1`` are the same number;
- lists the standard defines as sets (EPC and quantity lists, business transactions,
  sources, destinations, persistent dispositions, corrective event IDs) sorted; every other
  list (sensor elements and their reports, extension arrays) in the order sent;
- empty lists, empty objects and ``null`` values are absent values.

A document's canonical form is its events' canonical forms, sorted by eventID: the order of
an event list carries no meaning (events are ordered by their times).
"""

import difflib
import json

from . import cbv, event_hash

#: fields whose values are CBV words: field -> CBV Web URI prefix of its bare words
VOCABULARY_FIELDS = {
    "bizStep": cbv.CBV_BASE + "BizStep-",
    "disposition": cbv.CBV_BASE + "Disp-",
    "set": cbv.CBV_BASE + "Disp-",
    "unset": cbv.CBV_BASE + "Disp-",
    "reason": cbv.CBV_BASE + "ER-",
}
#: list -> (member key, CBV prefix of its ``type``) of the typed party lists
TYPED_LISTS = {
    "bizTransactionList": cbv.CBV_BASE + "BTT-",
    "sourceList": cbv.CBV_BASE + "SDT-",
    "destinationList": cbv.CBV_BASE + "SDT-",
}
#: lists the standard defines as unordered sets
UNORDERED = frozenset(
    {
        "epcList",
        "childEPCs",
        "inputEPCList",
        "outputEPCList",
        "quantityList",
        "childQuantityList",
        "inputQuantityList",
        "outputQuantityList",
        "bizTransactionList",
        "sourceList",
        "destinationList",
        "set",
        "unset",
        "correctiveEventIDs",
    }
)
#: keys whose string values are identifiers (URIs)
IDENTIFIER_KEYS = frozenset(
    {
        "epcList",
        "childEPCs",
        "inputEPCList",
        "outputEPCList",
        "parentID",
        "epcClass",
        "id",
        "source",
        "destination",
        "bizTransaction",
        "deviceID",
        "transformationID",
    }
)
LEFT_OUT = frozenset({"recordTime", "@context"})
_BARE_WORD = event_hash._BARE_WORD_RE


def canonical_event(event, context=None):
    """The canonical form (a plain JSON value) of one EPCIS event dict; ``context`` is the
    ``@context`` of the document it comes in."""
    prefixes = dict(event_hash.DEFAULT_PREFIXES)
    prefixes.update(event_hash.context_prefixes(context))
    prefixes.update(event_hash.context_prefixes(event.get("@context")))
    result = _Canonical(prefixes).value(event, None)
    if not result.get("eventID"):
        result["eventID"] = event_hash.event_hash_id(event, context)
    return result


def canonical_document(document):
    """The canonical forms of a document's events, sorted by eventID."""
    context = document.get("@context")
    events = (document.get("epcisBody") or {}).get("eventList") or []
    return sorted(
        (canonical_event(event, context) for event in events),
        key=lambda event: event["eventID"],
    )


def canonical_text(value):
    """Canonical JSON text of a canonical form (sorted keys, one value per line)."""
    return json.dumps(value, sort_keys=True, indent=1, ensure_ascii=False)


def diff_documents(expected, actual, labels=("sent", "exported")):
    """'' when the documents are the same in canonical form, else a unified diff of their
    canonical forms (what a failing round trip prints)."""
    first = canonical_text(canonical_document(expected))
    second = canonical_text(canonical_document(actual))
    if first == second:
        return ""
    return "\n".join(
        difflib.unified_diff(first.splitlines(), second.splitlines(), *labels, lineterm="", n=4)
    )


def used_prefixes(event, context):
    """{prefix: namespace} of the ``context``'s prefixes the event uses (in a key or in a
    compact IRI value): what storing the event alone needs to keep its meaning."""
    declared = event_hash.context_prefixes(context)
    if not declared:
        return {}
    used = set()
    _collect_prefixes(event, declared, used)
    return {prefix: declared[prefix] for prefix in sorted(used)}


def _collect_prefixes(value, declared, used):
    if isinstance(value, dict):
        for key, item in value.items():
            _note_prefix(key, declared, used)
            _collect_prefixes(item, declared, used)
    elif isinstance(value, list):
        for item in value:
            _collect_prefixes(item, declared, used)
    elif isinstance(value, str):
        _note_prefix(value, declared, used)


def _note_prefix(text, declared, used):
    prefix, sep, rest = text.partition(":")
    if sep and prefix in declared and not rest.startswith("//"):
        used.add(prefix)


class _Canonical:
    def __init__(self, prefixes):
        self.prefixes = prefixes

    def key(self, key):
        prefix, sep, local = key.partition(":")
        if sep and prefix in self.prefixes and not local.startswith("//"):
            return self.prefixes[prefix] + local
        return key

    def value(self, value, key):
        if isinstance(value, dict):
            result = {}
            for name, item in value.items():
                if name in LEFT_OUT:
                    continue
                item = self.member(item, name, value)
                if item not in (None, [], {}):
                    result[self.key(name)] = item
            return result
        if isinstance(value, list):
            items = [self.value(item, key) for item in value]
            items = [item for item in items if item not in (None, [], {})]
            if key in UNORDERED:
                items.sort(key=lambda item: json.dumps(item, sort_keys=True))
            return items
        if isinstance(value, bool) or value is None:
            return value
        if isinstance(value, (int, float)):
            return float(event_hash.normalise_number(value))
        if isinstance(value, str):
            return self.text(value, key)
        return value

    def member(self, item, name, parent):
        if name == "type" and isinstance(item, str):
            prefix = self._typed_prefix(parent)
            if prefix and _BARE_WORD.match(item):
                return prefix + item
        if name == "eventTimeZoneOffset" and item in ("Z", "z"):
            return "+00:00"
        if name in VOCABULARY_FIELDS:
            return self.vocabulary(item, VOCABULARY_FIELDS[name])
        return self.value(item, name)

    @staticmethod
    def _typed_prefix(parent):
        for member, list_name in (
            ("bizTransaction", "bizTransactionList"),
            ("source", "sourceList"),
            ("destination", "destinationList"),
        ):
            if member in parent:
                return TYPED_LISTS[list_name]
        return None

    def vocabulary(self, value, prefix):
        if isinstance(value, list):
            return sorted(self.vocabulary(item, prefix) for item in value)
        if isinstance(value, str):
            value = value.strip()
            if _BARE_WORD.match(value):
                return prefix + value
            return event_hash.canonical_uri(value) if value.startswith("urn:") else value
        return self.value(value, None)

    def text(self, value, key):
        if event_hash._TIME_RE.match(value):
            return event_hash.normalise_time(value)
        if key in IDENTIFIER_KEYS or value.startswith("urn:epcglobal:cbv:"):
            if value.startswith("urn:epc:"):
                return event_hash.epc_urn_to_digital_link(value) or value
            if value.startswith("urn:epcglobal:cbv:"):
                return event_hash.canonical_uri(value)
        return value


# ---------------------------------------------------------------------------------- storage

#: EPC list -> (dimension of its EPCs, dimension of its classes)
TERM_LISTS = (
    ("epcList", "epc"),
    ("childEPCs", "child_epc"),
    ("inputEPCList", "input_epc"),
    ("outputEPCList", "output_epc"),
    ("quantityList", "epc_class"),
    ("childQuantityList", "child_class"),
    ("inputQuantityList", "input_class"),
    ("outputQuantityList", "output_class"),
)


def identifier(value):
    """The canonical form of an identifier (EPC URNs as GS1 Digital Links)."""
    if isinstance(value, str) and value.startswith("urn:epc:"):
        return event_hash.epc_urn_to_digital_link(value) or value
    return value


def vocabulary_uri(value, prefix):
    """A CBV word (bare, URN or Web URI) as its Web URI; another vocabulary's URI as it is."""
    if not isinstance(value, str):
        return None
    if _BARE_WORD.match(value):
        return prefix + value
    return event_hash.canonical_uri(value) if value.startswith("urn:epcglobal:") else value


def query_terms(event):
    """The queryable values of an event, canonical: ``[{"dimension", "value", "type_uri",
    "quantity", "uom"}]`` (the rows of ``trace.event.term``)."""
    terms = []

    def add(dimension, value, type_uri=None, quantity=None, uom=None):
        if isinstance(value, str) and value:
            terms.append(
                {
                    "dimension": dimension,
                    "value": value,
                    "type_uri": type_uri or False,
                    "quantity": quantity if isinstance(quantity, (int, float)) else 0.0,
                    "uom": uom or False,
                }
            )

    for list_name, dimension in TERM_LISTS:
        for entry in event.get(list_name) or ():
            if isinstance(entry, dict):
                add(
                    dimension,
                    identifier(entry.get("epcClass")),
                    None,
                    entry.get("quantity"),
                    entry.get("uom"),
                )
            else:
                add(dimension, identifier(entry))
    add("parent", identifier(event.get("parentID")))
    add("biz_step", vocabulary_uri(event.get("bizStep"), VOCABULARY_FIELDS["bizStep"]))
    add("disposition", vocabulary_uri(event.get("disposition"), VOCABULARY_FIELDS["disposition"]))
    persistent = event.get("persistentDisposition") or {}
    for kind in ("set", "unset"):
        for value in persistent.get(kind) or ():
            add("persistent_disposition", vocabulary_uri(value, VOCABULARY_FIELDS[kind]), kind)
    for key, dimension in (("readPoint", "read_point"), ("bizLocation", "biz_location")):
        add(dimension, identifier((event.get(key) or {}).get("id")))
    for list_name, member, dimension in (
        ("bizTransactionList", "bizTransaction", "biz_transaction"),
        ("sourceList", "source", "source"),
        ("destinationList", "destination", "destination"),
    ):
        for entry in event.get(list_name) or ():
            add(
                dimension,
                identifier(entry.get(member)),
                vocabulary_uri(entry.get("type"), TYPED_LISTS[list_name]),
            )
    types = set()
    for element in event.get("sensorElementList") or ():
        for report in element.get("sensorReport") or ():
            if isinstance(report.get("type"), str):
                types.add(report["type"])
    for sensor_type in sorted(types):
        add("sensor_type", sensor_type)
    return terms


def content_json(event, namespaces):
    """The stored content of a captured event: the event as sent (its eventID set) and the
    namespaces of the prefixes it uses, as canonical JSON text."""
    return json.dumps(
        {"event": event, "namespaces": namespaces},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )


def expand_prefixes(value, namespaces):
    """``value`` with the keys ``prefix:name`` of ``namespaces`` written as full IRIs (when
    two stored events give one prefix two namespaces, the export writes one of them so)."""
    if isinstance(value, dict):
        result = {}
        for key, item in value.items():
            prefix, sep, local = key.partition(":")
            if sep and prefix in namespaces and not local.startswith("//"):
                key = namespaces[prefix] + local
            result[key] = expand_prefixes(item, namespaces)
        return result
    if isinstance(value, list):
        return [expand_prefixes(item, namespaces) for item in value]
    return value
