"""GS1 EPCIS 2.0 REST bindings: query parameters, page tokens, problem bodies, schedules.

No Odoo import: the controller (``controllers/epcis_rest.py``) and the models
(``models/epcis_rest.py``) use these to read a request the way GS1's ``openapi.json`` defines it.
"""

import base64
import datetime
import hashlib
import json
import re

from .cbv import bare_term
from .epcis import EpcisError, parse_time

EPCIS_VERSION = "2.0.0"
CBV_VERSION = "2.0.0"
#: the event types the repository stores (GS1's five)
EVENT_TYPES = {
    "TransactionEvent": "transaction",
    "ObjectEvent": "object",
    "AggregationEvent": "aggregation",
    "TransformationEvent": "transformation",
    "AssociationEvent": "association",
}
DEFAULT_PER_PAGE = 30
MAX_PER_PAGE = 1000
#: the query parameters answered from the stored data, and how each is read
LIST_PARAMS = (
    "eventType",
    "EQ_action",
    "EQ_bizStep",
    "EQ_disposition",
    "EQ_readPoint",
    "EQ_bizLocation",
    "EQ_eventID",
    "MATCH_epc",
    "MATCH_parentID",
    "MATCH_inputEPC",
    "MATCH_outputEPC",
    "MATCH_anyEPC",
    "MATCH_epcClass",
    "MATCH_inputEPCClass",
    "MATCH_outputEPCClass",
    "MATCH_anyEPCClass",
    "EQ_errorReason",
    "EQ_persistentDisposition_set",
    "EQ_persistentDisposition_unset",
    "EQ_type",
)
#: typed list parameters (EQ_bizTransaction_<type>, EQ_source_<type>, EQ_destination_<type>)
TYPED_PARAMS = re.compile(r"^EQ_(bizTransaction|source|destination)_(.+)$")
TIME_PARAMS = ("GE_eventTime", "LT_eventTime", "GE_recordTime", "LT_recordTime")
INT_PARAMS = ("perPage", "eventCountLimit", "maxEventCount")
OTHER_PARAMS = ("nextPageToken", "orderBy", "orderDirection", "EXISTS_errorDeclaration")
SUPPORTED_PARAMS = frozenset(LIST_PARAMS + TIME_PARAMS + INT_PARAMS + OTHER_PARAMS)
#: standard parameters whose data this repository does not keep: refused, never ignored
UNSUPPORTED_PARAMS = frozenset(
    (
        "WD_readPoint",
        "WD_bizLocation",
        "EQ_transformationID",
        "EQ_quantity",
        "GT_quantity",
        "GE_quantity",
        "LT_quantity",
        "LE_quantity",
        "GE_errorDeclarationTime",
        "LT_errorDeclarationTime",
        "EQ_correctiveEventID",
        "GE_startTime",
        "LT_startTime",
        "GE_endTime",
        "LT_endTime",
        "EQ_deviceID",
        "EQ_dataProcessingMethod",
        "EQ_microorganism",
        "EQ_chemicalSubstance",
        "EQ_bizRules",
        "EQ_stringValue",
        "EQ_hexBinaryValue",
        "EQ_uriValue",
        "EQ_booleanValue",
    )
)
#: the standard's families of parameters on extension, ILMD, sensor and master data fields
UNSUPPORTED_FAMILY = re.compile(
    r"^(EQ|GT|GE|LT|LE|EXISTS|HASATTR|EQATTR|WD)_(ILMD_|INNER_|SENSORELEMENT_|SENSORMETADATA_|"
    r"SENSORREPORT_|value|minValue|maxValue|meanValue|sDev|percRank|percValue)?.+"
)
#: the line roles each EPC matching parameter looks at, and whether it names instances
MATCH_ROLES = {
    "MATCH_epc": (("object", "child"), True),  # (line roles, instances?)
    "MATCH_parentID": (("parent",), True),
    "MATCH_inputEPC": (("input",), True),
    "MATCH_outputEPC": (("output",), True),
    "MATCH_anyEPC": (("object", "child", "parent", "input", "output", "removed"), True),
    "MATCH_epcClass": (("object", "child"), False),
    "MATCH_inputEPCClass": (("input",), False),
    "MATCH_outputEPCClass": (("output",), False),
    "MATCH_anyEPCClass": (("object", "child", "input", "output", "removed"), False),
}
#: the query term dimensions (``trace.event.term``, captured events) each parameter matches
MATCH_TERMS = {
    "MATCH_epc": ("epc", "child_epc"),
    "MATCH_parentID": ("parent",),
    "MATCH_inputEPC": ("input_epc",),
    "MATCH_outputEPC": ("output_epc",),
    "MATCH_anyEPC": ("epc", "child_epc", "parent", "input_epc", "output_epc"),
    "MATCH_epcClass": ("epc_class", "child_class"),
    "MATCH_inputEPCClass": ("input_class",),
    "MATCH_outputEPCClass": ("output_class",),
    "MATCH_anyEPCClass": ("epc_class", "child_class", "input_class", "output_class"),
}
#: the fields of query-schedule.json, with their ranges, in cron order
SCHEDULE_FIELDS = {
    "second": (0, 59),
    "minute": (0, 59),
    "hour": (0, 23),
    "dayOfMonth": (1, 31),
    "month": (1, 12),
    "dayOfWeek": (1, 7),
}
_SCHEDULE_ELEMENT = re.compile(r"^(\d{1,2})$|^\[(\d{1,2})-(\d{1,2})\]$")


class QueryError(Exception):
    """A request the REST bindings refuse: ``kind`` is the EPCIS exception, ``status`` the
    HTTP status, ``message`` a text with ``%(name)s`` placeholders filled from ``params``."""

    def __init__(self, kind, status, message, **params):
        super().__init__(message % params if params else message)
        self.kind = kind
        self.status = status
        self.message = message
        self.params = params


def _param_error(message, **params):
    return QueryError("QueryParameterException", 400, message, **params)


def problem(kind, status, title, detail=None, instance=None):
    """An RFC 7807 problem body as GS1's bindings write it (``epcisException:<kind>``)."""
    body = {"type": f"epcisException:{kind}", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if instance:
        body["instance"] = instance
    return body


def split_list(value):
    """The values of a list parameter: pipe-delimited (``a|b``, GS1's ``pipeDelimited``
    style), a parameter given several times being joined by the caller with ``|``."""
    return [part.strip() for part in (value or "").split("|") if part.strip()]


def check_names(params):
    """Refuse parameters the repository cannot answer, and names the standard does not know."""
    for name in params:
        if name in SUPPORTED_PARAMS or TYPED_PARAMS.match(name):
            continue
        if name in UNSUPPORTED_PARAMS or UNSUPPORTED_FAMILY.match(name):
            raise _param_error(
                "The query parameter %(name)s is not supported by this repository (it keeps "
                "no data that could answer it). Remove it from the query.",
                name=name,
            )
        raise _param_error(
            "%(name)s is not an EPCIS 2.0 query parameter. See the parameters of GET /events "
            "in the openapi.json served at the interface's root.",
            name=name,
        )


def parse_query(params):
    """``{name: value}`` of the query parameters, checked and read: lists as lists, times as
    naive UTC datetimes, numbers as ints. Raises :class:`QueryError` on the first problem."""
    check_names(params)
    query = {}
    for name, value in params.items():
        if name in LIST_PARAMS or TYPED_PARAMS.match(name):
            values = value if isinstance(value, list) else split_list(value)
            if not values or not all(isinstance(item, str) and item for item in values):
                raise _param_error("%(name)s needs at least one value.", name=name)
            query[name] = values
        elif name in TIME_PARAMS:
            query[name] = _time(name, value)
        elif name in INT_PARAMS:
            query[name] = _positive(name, value)
        else:
            query[name] = value
    _check_values(query)
    return query


def _time(name, value):
    try:
        return parse_time(value)[0]
    except EpcisError:
        raise _param_error(
            "%(name)s=%(value)s is not a date-time with a time zone, such as "
            "2025-04-01T08:30:00+08:00.",
            name=name,
            value=value,
        ) from None


def _positive(name, value):
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.isdigit():
        number = int(value)
    else:
        number = 0
    if number < 1:
        raise _param_error("%(name)s must be a positive whole number.", name=name)
    return number


def _check_values(query):
    if "orderBy" in query and query["orderBy"] not in ("eventTime", "recordTime"):
        raise _param_error(
            "orderBy=%(value)s: this repository orders by eventTime or recordTime.",
            value=query["orderBy"],
        )
    direction = query.get("orderDirection")
    if direction is not None and direction not in ("ASC", "DESC"):
        raise _param_error("orderDirection must be ASC or DESC.")
    if "eventCountLimit" in query and "maxEventCount" in query:
        raise _param_error("Give eventCountLimit or maxEventCount, not both.")
    if "eventCountLimit" in query and "orderBy" not in query:
        raise _param_error("eventCountLimit needs orderBy (the standard's rule).")
    for action in query.get("EQ_action", ()):
        if action not in ("ADD", "OBSERVE", "DELETE"):
            raise _param_error("EQ_action=%(value)s: use ADD, OBSERVE or DELETE.", value=action)
    for name, kind in (("EQ_bizStep", "BizStep"), ("EQ_disposition", "Disp")):
        if name in query:
            query[name] = [bare_term(value, kind) or value for value in query[name]]
    if query.get("EXISTS_errorDeclaration") not in (None, "", "true"):
        raise _param_error("EXISTS_errorDeclaration takes no value.")
    if "perPage" in query:
        query["perPage"] = min(query["perPage"], MAX_PER_PAGE)


def query_fingerprint(query):
    """A short hash of what a query asks (paging left out): a page token is only valid for
    the query that made it."""
    stable = {
        key: (value.isoformat() if isinstance(value, datetime.datetime) else value)
        for key, value in query.items()
        if key not in ("nextPageToken", "perPage")
    }
    text = json.dumps(stable, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def make_token(query, last_key, last_id):
    """The opaque ``nextPageToken`` after the event ``(sort key, id)`` of a page's end."""
    payload = {"f": query_fingerprint(query), "k": last_key, "i": last_id}
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


def read_token(query, token):
    """``(sort key text, id)`` of a ``nextPageToken`` made by :func:`make_token` for the
    same query; :class:`QueryError` when it is not one."""
    try:
        padded = token + "=" * (-len(token) % 4)
        payload = json.loads(base64.urlsafe_b64decode(padded.encode()))
        key, last_id, fingerprint = payload["k"], payload["i"], payload["f"]
        if not isinstance(last_id, int) or not isinstance(key, str):
            raise ValueError
    except (ValueError, KeyError, TypeError):
        raise _param_error(
            "nextPageToken is not a token this repository gave; start again without it."
        ) from None
    if fingerprint != query_fingerprint(query):
        raise _param_error(
            "nextPageToken belongs to another query: send it with the same parameters as the "
            "request that returned it."
        )
    return key, last_id


# ---------------------------------------------------------------------------------- schedules


def parse_schedule(schedule):
    """``{field: set of allowed values}`` of a query-schedule.json object (a field left out
    allows every value but ``second``, which defaults to 0)."""
    if not isinstance(schedule, dict) or not schedule:
        raise QueryError(
            "SubscriptionControlsException",
            400,
            "schedule must be an object with at least one field.",
        )
    unknown = set(schedule) - set(SCHEDULE_FIELDS)
    if unknown:
        raise QueryError(
            "SubscriptionControlsException",
            400,
            "schedule has unknown field(s) %(fields)s; the fields are %(known)s.",
            fields=", ".join(sorted(unknown)),
            known=", ".join(SCHEDULE_FIELDS),
        )
    result = {}
    for name, (low, high) in SCHEDULE_FIELDS.items():
        text = schedule.get(name)
        if text is None:
            result[name] = {0} if name == "second" else set(range(low, high + 1))
            continue
        result[name] = _schedule_values(name, text, low, high)
    return result


def _schedule_values(name, text, low, high):
    values = set()
    for element in str(text).split(","):
        match = _SCHEDULE_ELEMENT.match(element.strip())
        first, last = (
            (int(match.group(1)),) * 2
            if match and match.group(1)
            else (int(match.group(2)), int(match.group(3)))
            if match
            else (None, None)
        )
        if first is None or not low <= first <= last <= high:
            raise QueryError(
                "SubscriptionControlsException",
                400,
                "schedule %(name)s=%(value)s: give numbers from %(low)s to %(high)s, or ranges "
                "such as [1-5], separated by commas.",
                name=name,
                value=text,
                low=low,
                high=high,
            )
        values.update(range(first, last + 1))
    return values


def schedule_due(parsed, last_run, now):
    """Whether a minute matching the schedule passed in ``(last_run, now]`` (minute precision:
    the scheduled action runs every minute; ``second`` is honoured as the minute's start)."""
    moment = (last_run or now - datetime.timedelta(minutes=1)).replace(second=0, microsecond=0)
    moment += datetime.timedelta(minutes=1)
    checked = 0
    while moment <= now and checked < 60 * 24 * 2:
        if (
            moment.minute in parsed["minute"]
            and moment.hour in parsed["hour"]
            and moment.day in parsed["dayOfMonth"]
            and moment.month in parsed["month"]
            and moment.isoweekday() in parsed["dayOfWeek"]
        ):
            return True
        moment += datetime.timedelta(minutes=1)
        checked += 1
    return False
