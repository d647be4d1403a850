"""GS1 EPCIS 2.0 JSON-LD: identifiers, times, vocabulary and event dicts (no Odoo import).

Identifiers are written as GS1 Digital Link URIs (``https://id.gs1.org/01/<gtin>/21/<serial>``,
``/10/<lot>``, ``/414/<gln>``, ``/417/<gln>``) and read in every form EPCIS 2.0 allows: Digital
Link on any domain, and the EPC URNs of the GS1 Tag Data Standard (``urn:epc:id:sgtin:``,
``urn:epc:class:lgtin:``, ``urn:epc:idpat:sgtin:``, ``urn:epc:id:sgln:``, ``urn:epc:id:pgln:``,
``urn:epc:id:sscc:``), whose GS1 company prefix length is given by the first dot; check digits
are recomputed for URNs and verified for Digital Links. Digital Links are read by udi_master's
:func:`parse_digital_link`, the parser of UDI scans (one Digital Link parser in the suite).

Device identifiers of other issuing agencies (HIBCC, ICCBBA, others) have no Digital Link; they
are written in the suite's own URN namespace (:data:`OWN_URN`)::

    urn:udi-trace:class:<agency>:<DI>                   a device model (class level)
    urn:udi-trace:class:<agency>:<DI>:lot:<lot>         a lot of it (quantityList)
    urn:udi-trace:id:<agency>:<DI>:sn:<serial>          one serialised unit (epcList)

and things that only exist in one database (a location or partner without GLN, a product
without UDI-DI, a document name) as ``urn:udi-trace:<database uuid>:<kind>:<id>``. Every
component is percent-encoded (RFC 3986, nothing but unreserved characters left as they are).

:func:`build_event` turns plain values into an EPCIS event dict; :func:`read_event` reads one
back into plain values; :class:`EpcisSchema` validates against GS1's JSON Schema (Draft 7).
"""

import datetime
import json
import math
import re
from urllib.parse import quote, unquote

from biip.checksums import gs1_standard_check_digit
from jsonschema import Draft7Validator, FormatChecker, validators
from jsonschema.exceptions import best_match

from . import epcis_validator
from .cbv import ACTIONS, ERROR_REASONS, EVENT_TYPES, bare_term

try:  # pure tests (conftest registers every addon's lib as <addon>_lib)
    from udi_master_lib.errors import UdiError, _lt
    from udi_master_lib.identifiers import check_pi_value
    from udi_master_lib.parse import gs1_date, is_digital_link, parse_digital_link
except ImportError:  # inside Odoo
    from odoo.addons.udi_master.lib.errors import UdiError, _lt
    from odoo.addons.udi_master.lib.identifiers import check_pi_value
    from odoo.addons.udi_master.lib.parse import (
        gs1_date,
        is_digital_link,
        parse_digital_link,
    )

GS1_CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
#: JSON-LD prefix and namespace of the suite's extension fields (document name, record ids)
EXT_PREFIX = "udit"
EXT_NAMESPACE = "https://example.invalid/udi-traceability/epcis/"
OWN_URN = "urn:udi-trace:"
DL_BASE = "https://id.gs1.org"
CBV_BASE = "https://ref.gs1.org/cbv/"

BIZ_TRANSACTION_TYPES = (
    "bol",
    "cert",
    "desadv",
    "inv",
    "pedigree",
    "po",
    "poc",
    "prodorder",
    "recadv",
    "rma",
    "testprd",
    "testres",
    "upevt",
)
SOURCE_DEST_TYPES = ("owning_party", "possessing_party", "location")
#: ILMD keys read as the lot's expiry and manufacture date (compact and expanded forms)
ILMD_EXPIRY = ("cbvmda:itemExpirationDate", "urn:epcglobal:cbv:mda:itemExpirationDate")
ILMD_MANUFACTURED = (
    f"{EXT_PREFIX}:manufactureDate",
    f"{EXT_NAMESPACE}manufactureDate",
    "gs1:productionDate",
)

#: UN/ECE Recommendation 20 codes of Odoo's standard units (by XML id in module ``uom``)
REC20_BY_UOM = {
    "product_uom_millimeter": "MMT",
    "product_uom_cm": "CMT",
    "product_uom_meter": "MTR",
    "product_uom_km": "KMT",
    "product_uom_square_meter": "MTK",
    "product_uom_milliliter": "MLT",
    "product_uom_litre": "LTR",
    "product_uom_cubic_meter": "MTQ",
    "product_uom_gram": "GRM",
    "product_uom_kgm": "KGM",
    "product_uom_ton": "TNE",
    "product_uom_oz": "ONZ",
    "product_uom_lb": "LBR",
    "product_uom_inch": "INH",
    "product_uom_foot": "FOT",
    "product_uom_hour": "HUR",
    "product_uom_day": "DAY",
    "product_uom_minute": "MIN",
}

#: EPCIS list names per event type and line role: (instance list, quantity list)
ROLE_LISTS = {
    ("ObjectEvent", "object"): ("epcList", "quantityList"),
    ("TransformationEvent", "input"): ("inputEPCList", "inputQuantityList"),
    ("TransformationEvent", "output"): ("outputEPCList", "outputQuantityList"),
    ("AggregationEvent", "child"): ("childEPCs", "childQuantityList"),
    ("AssociationEvent", "child"): ("childEPCs", "childQuantityList"),
    ("TransactionEvent", "object"): ("epcList", "quantityList"),
}

_TIME_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:\d{2})$"
)
_OFFSET_RE = re.compile(r"^([+-])(\d{2}):(\d{2})$")
_URI_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s]+$")
_EPC_URN_RE = re.compile(r"^urn:epc:(id|class|idpat):([a-z]+):(.+)$")
# escapes of the GS1 Tag Data Standard for the serial/lot part of an EPC URN
_URN_ESCAPES = {'"': "%22", "%": "%25", "&": "%26", "/": "%2F", "<": "%3C", ">": "%3E", "?": "%3F"}


#: how deep an event may nest (GS1's own examples stay under 10 levels)
MAX_DEPTH = 32
#: the largest quantity one quantity element may carry (any unit)
MAX_QUANTITY = 10**12
#: the lists of an event that name objects (EPCs and quantity elements)
OBJECT_LISTS = tuple(sorted({name for names in ROLE_LISTS.values() for name in names}))
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class EpcisError(UdiError):
    """An EPCIS value is invalid (``code`` stable, ``message`` translatable, ``params``).

    A ``params`` value may itself be a :class:`UdiError` (the reason a GTIN or GLN is
    invalid), which the Odoo layer translates too.
    """


# ---------------------------------------------------------------------------------- shape


def _where(path):
    """``quantityList[0].quantity`` of a path of keys and positions (long keys cut)."""
    return (
        "".join(
            f"[{part}]" if isinstance(part, int) else f".{str(part)[:40]}" for part in path
        ).lstrip(".")
        or "the event"
    )


def check_shape(value, max_depth=MAX_DEPTH, depth_only=False):
    """Raise :class:`EpcisError` at the first thing no JSON document of ours can hold.

    Walks ``value`` without recursion (a deeply nested input must not exhaust Python's stack):
    nesting deeper than ``max_depth``, and unless ``depth_only``, a number that is not finite
    (NaN, Infinity) or a text or key with a control character (NUL and the like; the database
    refuses NUL). The message names where it is (``quantityList[0].quantity``).
    """
    if _shape_ok(value, max_depth, depth_only):
        return
    # something is wrong: walk again, keeping the path, to say where
    stack = [(value, ())]
    while stack:
        node, path = stack.pop()
        if len(path) > max_depth:
            raise _error(
                "too_deep",
                _lt("%(path)s is nested more than %(depth)s levels deep."),
                path=_where(path[:max_depth]),
                depth=max_depth,
            )
        if depth_only:
            if isinstance(node, dict):
                stack.extend((item, (*path, key)) for key, item in node.items())
            elif isinstance(node, (list, tuple)):
                stack.extend((item, (*path, position)) for position, item in enumerate(node))
            continue
        if isinstance(node, dict):
            for key, item in node.items():
                if isinstance(key, str) and _CONTROL_RE.search(key):
                    raise _error(
                        "text_invalid",
                        _lt("%(path)s has a name with a control character (such as NUL)."),
                        path=_where(path),
                    )
                stack.append((item, (*path, key)))
        elif isinstance(node, (list, tuple)):
            stack.extend((item, (*path, position)) for position, item in enumerate(node))
        elif isinstance(node, float) and not math.isfinite(node):
            raise _error(
                "number_invalid",
                _lt("%(path)s: %(value)s is not a finite number."),
                path=_where(path),
                value=node,
            )
        elif isinstance(node, str) and _CONTROL_RE.search(node):
            raise _error(
                "text_invalid",
                _lt(
                    "%(path)s contains a control character (such as "
                    "NUL), which no identifier or text may contain."
                ),
                path=_where(path),
            )


def _shape_ok(value, max_depth, depth_only):
    """True when :func:`check_shape` would find nothing: the same checks, without building
    the path of every node (a third of a capture's parsing)."""
    search = _CONTROL_RE.search
    containers = (dict, list, tuple)
    if not isinstance(value, containers):
        return depth_only or _scalar_ok(value, search)
    stack = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if depth >= max_depth and node:  # its members are deeper than max_depth
            return False
        if isinstance(node, dict):
            items = node.values()
            if not depth_only:
                for key in node:
                    if isinstance(key, str) and search(key):
                        return False
        else:
            items = node
        for item in items:
            if isinstance(item, containers):
                stack.append((item, depth + 1))
            elif not depth_only and not _scalar_ok(item, search):
                return False
    return True


def _scalar_ok(value, search):
    if isinstance(value, float):
        return math.isfinite(value)
    return not (isinstance(value, str) and search(value))


def object_count(event):
    """``(total, {list name: entries})`` of the EPCs and quantity elements of an event."""
    counts = {
        name: len(event[name])
        for name in OBJECT_LISTS
        if isinstance(event.get(name), list) and event[name]
    }
    return sum(counts.values()), counts


# ---------------------------------------------------------------------------------- encoding


def _enc(value):
    return quote(str(value), safe="")


def urn_escape(value):
    """``value`` escaped for the last component of an EPC URN (GS1 TDS)."""
    return "".join(_URN_ESCAPES.get(char, char) for char in value)


def _check_digit(digits):
    return str(gs1_standard_check_digit(digits))


def check_pi(value, what="lot"):
    """A lot or serial number as a UDI allows it (udi_master's rule: GS1 AI 82, <= 20)."""
    return check_pi_value(value, what)


def is_uri(value):
    """True if ``value`` is an absolute URI (a scheme, a colon, no whitespace)."""
    return isinstance(value, str) and bool(_URI_RE.match(value))


# ---------------------------------------------------------------------------------- writing ids


def object_uri(agency, di, lot=None, serial=None):
    """The URI of a device model, lot or serialised unit (Digital Link for GS1)."""
    if agency == "gs1":
        path = f"{DL_BASE}/01/{di}"
        if serial:
            return f"{path}/21/{_enc(serial)}"
        if lot:
            return f"{path}/10/{_enc(lot)}"
        return path
    base = f"{OWN_URN}{'id' if serial else 'class'}:{_enc(agency)}:{_enc(di)}"
    if serial:
        return f"{base}:sn:{_enc(serial)}"
    if lot:
        return f"{base}:lot:{_enc(lot)}"
    return base


def local_uri(scope, kind, ident, lot=None, serial=None):
    """``urn:udi-trace:<scope>:<kind>:<id>`` for things known in one database only."""
    uri = f"{OWN_URN}{_enc(scope)}:{kind}:{_enc(ident)}"
    if serial:
        return f"{uri}:sn:{_enc(serial)}"
    if lot:
        return f"{uri}:lot:{_enc(lot)}"
    return uri


def location_uri(gln, extension=None):
    uri = f"{DL_BASE}/414/{gln}"
    return f"{uri}/254/{_enc(extension)}" if extension else uri


def party_uri(gln):
    return f"{DL_BASE}/417/{gln}"


def sgtin_urn(gtin, serial, prefix_length):
    """``urn:epc:id:sgtin:`` of a GTIN-14 and serial, the company prefix ``prefix_length`` long."""
    company, item = _gtin_parts(gtin, prefix_length)
    return f"urn:epc:id:sgtin:{company}.{item}.{urn_escape(serial)}"


def lgtin_urn(gtin, lot, prefix_length):
    company, item = _gtin_parts(gtin, prefix_length)
    return f"urn:epc:class:lgtin:{company}.{item}.{urn_escape(lot)}"


def sgln_urn(gln, extension, prefix_length):
    if not 6 <= prefix_length <= 12:
        raise ValueError(prefix_length)
    return f"urn:epc:id:sgln:{gln[:prefix_length]}.{gln[prefix_length:12]}.{extension or '0'}"


def _gtin_parts(gtin, prefix_length):
    if not 6 <= prefix_length <= 12 or len(gtin) != 14:
        raise ValueError((gtin, prefix_length))
    return gtin[1 : 1 + prefix_length], gtin[0] + gtin[1 + prefix_length : 13]


# ---------------------------------------------------------------------------------- reading ids


def _error(code, message, **params):
    return EpcisError(code, message, **params)


def _unsupported(uri):
    return _error(
        "uri_unsupported",
        _lt(
            "%(uri)s is not an identifier this system reads: use a GS1 Digital Link, an EPC "
            "URN (sgtin, lgtin, sgln, pgln, sscc) or a urn:udi-trace: identifier."
        ),
        uri=uri,
    )


def _split_epc(uri, body, digits):
    """(company prefix, reference, rest) of an EPC URN body whose first two parts have
    ``digits`` digits together."""
    parts = body.split(".", 2)
    if len(parts) < 2 or not (parts[0] + parts[1]).isdigit() or len(parts[0] + parts[1]) != digits:
        raise _error(
            "urn_invalid",
            _lt(
                "%(uri)s is not a valid EPC URN: its company prefix and reference must have "
                "%(digits)s digits together."
            ),
            uri=uri,
            digits=digits,
        )
    if not 6 <= len(parts[0]) <= 12:
        raise _error(
            "urn_invalid",
            _lt("%(uri)s is not a valid EPC URN: a GS1 company prefix has 6 to 12 digits."),
            uri=uri,
            digits=digits,
        )
    return parts[0], parts[1], (parts[2] if len(parts) == 3 else None)


def _gtin_of(company, item):
    payload = item[0] + company + item[1:]
    return payload + _check_digit(payload)


def _object(kind, agency="gs1", di=None, lot=None, serial=None, **extra):
    return {
        "kind": kind,
        "agency": agency,
        "di": di,
        "lot": lot,
        "serial": serial,
        "expiry": None,
        "manufactured": None,
        "product_ref": None,
        "sscc": None,
        **extra,
    }


def _parse_epc_object(uri):
    match = _EPC_URN_RE.match(uri)
    if not match:
        raise _unsupported(uri)
    level, scheme, body = match.groups()
    if (level, scheme) == ("id", "sgtin"):
        company, item, serial = _split_epc(uri, body, 13)
        if not serial:
            raise _unsupported(uri)
        return _object("instance", di=_gtin_of(company, item), serial=unquote(serial))
    if (level, scheme) == ("class", "lgtin"):
        company, item, lot = _split_epc(uri, body, 13)
        if not lot:
            raise _unsupported(uri)
        return _object("lot", di=_gtin_of(company, item), lot=unquote(lot))
    if (level, scheme) == ("idpat", "sgtin"):
        company, item, rest = _split_epc(uri, body, 13)
        if rest != "*":
            raise _unsupported(uri)
        return _object("class", di=_gtin_of(company, item))
    if (level, scheme) == ("id", "sscc"):
        company, ref, _rest = _split_epc(uri, body, 17)
        payload = ref[0] + company + ref[1:]
        return _object("sscc", agency=None, sscc=payload + _check_digit(payload))
    if scheme in ("sgtin", "lgtin"):
        raise _unsupported(uri)
    return _object("other", agency=None)


def _parse_digital_link(uri):
    """{AI: value} of a GS1 Digital Link, read by udi_master's parser (the one the UDI scan
    uses): GTIN, SSCC and GLN check digits verified, dates of 11 and 17 as calendar dates."""
    try:
        elements = dict(parse_digital_link(uri))
        for ai in ("11", "17"):
            if ai in elements:
                elements[ai] = gs1_date(ai, elements[ai])
    except UdiError as exc:
        raise _error(
            "digital_link_invalid",
            _lt("%(uri)s is not a valid GS1 Digital Link: %(reason)s"),
            uri=uri,
            reason=exc,
        ) from None
    return elements


def _dl_object(uri, elements):
    if "00" in elements:
        return _object("sscc", agency=None, sscc=elements["00"])
    if "01" not in elements:
        return _object("other", agency=None)
    serial, lot = elements.get("21"), elements.get("10")
    kind = "instance" if serial else ("lot" if lot else "class")
    result = _object(kind, di=elements["01"], lot=lot, serial=serial)
    result["expiry"] = elements.get("17")
    result["manufactured"] = elements.get("11")
    return result


def _parse_own_object(uri):
    parts = [unquote(part) for part in uri[len(OWN_URN) :].split(":")]
    head = parts[0]
    if head in ("class", "id") and len(parts) in (3, 5):
        qualifier = dict(zip(parts[3::2], parts[4::2], strict=True)) if len(parts) == 5 else {}
        if head == "id" and "sn" in qualifier:
            return _object("instance", agency=parts[1], di=parts[2], serial=qualifier["sn"])
        if head == "class" and set(qualifier) <= {"lot"}:
            lot = qualifier.get("lot")
            return _object("lot" if lot else "class", agency=parts[1], di=parts[2], lot=lot)
    if len(parts) in (3, 5) and parts[1] == "product":
        qualifier = dict(zip(parts[3::2], parts[4::2], strict=True)) if len(parts) == 5 else {}
        serial, lot = qualifier.get("sn"), qualifier.get("lot")
        kind = "instance" if serial else ("lot" if lot else "class")
        return _object(kind, agency=None, lot=lot, serial=serial, product_ref=(parts[0], parts[2]))
    raise _unsupported(uri)


def _read_web_uri(uri):
    """{AI: value} of a Web URI that is a GS1 Digital Link, None for another Web URI (a
    company's own URI, kept as given); a Digital Link with a wrong key is refused."""
    try:
        return _parse_digital_link(uri)
    except EpcisError as exc:
        reason = exc.params.get("reason")
        if getattr(reason, "code", None) == "dl_no_key":
            return None
        raise


def parse_object_uri(uri):
    """What an EPC or EPC class names, as a dict.

    ``kind`` is ``instance`` (one serialised unit), ``lot``, ``class`` (the device model),
    ``sscc`` (a logistic unit) or ``other`` (any other identifier: a returnable asset (GRAI),
    an individual asset (GIAI), a location named as an object, another scheme's URI: kept as
    given, not a device of the catalogue); ``agency`` and ``di`` (GTIN-14 for GS1), ``lot``,
    ``serial``,
    ``expiry`` / ``manufactured`` (dates carried by a Digital Link query), ``product_ref``
    (``(scope, product id)`` of a local product URN), ``sscc``.
    """
    if not is_uri(uri):
        raise _error("uri_invalid", _lt("%(uri)r is not a URI."), uri=uri)
    if uri.startswith("urn:epc:"):
        return _parse_epc_object(uri)
    if uri.startswith(OWN_URN):
        return _parse_own_object(uri)
    elements = _read_web_uri(uri) if is_digital_link(uri) else None
    if elements is not None:
        return _dl_object(uri, elements)
    return _object("other", agency=None)


def _place(gln=None, extension=None, local=None):
    return {"gln": gln, "extension": extension, "local": local}


def _other_place():
    """A place named by another kind of URI (``geo:``, a company's own URI): kept as given."""
    return _place()


def _parse_epc_place(uri):
    match = _EPC_URN_RE.match(uri)
    if match and match.group(1) == "id" and match.group(2) in ("sgln", "pgln"):
        company, ref, extension = _split_epc(uri, match.group(3), 12)
        payload = company + ref
        if match.group(2) == "pgln" and extension is not None:
            raise _unsupported(uri)
        extension = unquote(extension) if extension not in (None, "0") else None
        return _place(payload + _check_digit(payload), extension)
    return _other_place()


def parse_place_uri(uri):
    """``{"gln", "extension", "local"}`` of a location or party identifier.

    Reads ``urn:epc:id:sgln:`` / ``urn:epc:id:pgln:``, Digital Links ``/414/<gln>[/254/<ext>]``
    and ``/417/<gln>``, and local ``urn:udi-trace:<scope>:<location|party>:<id>`` URNs (then
    ``local`` is ``(scope, kind, id)``).
    """
    if not is_uri(uri):
        raise _error("uri_invalid", _lt("%(uri)r is not a URI."), uri=uri)
    if uri.startswith("urn:epc:"):
        return _parse_epc_place(uri)
    if uri.startswith(OWN_URN):
        parts = [unquote(part) for part in uri[len(OWN_URN) :].split(":")]
        if len(parts) == 3 and parts[1] in ("location", "party"):
            return _place(local=tuple(parts))
        raise _unsupported(uri)
    elements = _read_web_uri(uri) if is_digital_link(uri) else None
    if elements is not None:
        for ai in ("414", "417"):
            if ai in elements:
                return _place(elements[ai], elements.get("254"))
        return _other_place()
    return _other_place()


def unwrap_local(uri, scope, kind):
    """The id of a ``urn:udi-trace:<scope>:<kind>:<id>`` URI of this ``scope``, else None."""
    prefix = f"{OWN_URN}{_enc(scope)}:{kind}:"
    if isinstance(uri, str) and uri.startswith(prefix) and ":" not in uri[len(prefix) :]:
        return unquote(uri[len(prefix) :])
    return None


def parse_biz_transaction(uri):
    """``(GLN, document id)`` of a ``urn:epcglobal:cbv:bt:<gln>:<id>`` URI, else None."""
    prefix = "urn:epcglobal:cbv:bt:"
    if isinstance(uri, str) and uri.startswith(prefix):
        gln, _sep, ident = uri[len(prefix) :].partition(":")
        if re.fullmatch(r"\d{13}", gln) and ident:
            return gln, unquote(ident)
    return None


def biz_transaction_uri(name, gln=None, scope=None):
    """A document name as a CBV business transaction URI (kept if it already is a URI)."""
    if is_uri(name) and name.startswith(("urn:", "http://", "https://")):
        return name
    if gln:
        return f"urn:epcglobal:cbv:bt:{gln}:{_enc(name)}"
    return local_uri(scope or "local", "bt", name)


# ---------------------------------------------------------------------------------- time


def parse_offset(text):
    """Minutes east of UTC of ``+HH:MM`` / ``-HH:MM`` (``Z`` is UTC)."""
    if text in ("Z", "z"):
        return 0
    match = _OFFSET_RE.match(text or "")
    if not match or int(match.group(2)) > 14 or int(match.group(3)) > 59:
        raise _error(
            "offset_invalid", _lt("%(value)r is not a time zone offset such as +08:00."), value=text
        )
    minutes = int(match.group(2)) * 60 + int(match.group(3))
    return minutes if match.group(1) == "+" else -minutes


def format_offset(minutes):
    sign = "+" if minutes >= 0 else "-"
    minutes = abs(minutes)
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def parse_time(text):
    """``(naive UTC datetime, "+HH:MM")`` of an RFC 3339 date-time with offset or ``Z``."""
    match = _TIME_RE.match(text) if isinstance(text, str) else None
    if not match:
        raise _error(
            "time_invalid",
            _lt(
                "%(value)r is not a date-time with a time zone, such as 2025-04-01T08:30:00+08:00."
            ),
            value=text,
        )
    year, month, day, hour, minute, second = (int(part) for part in match.groups()[:6])
    fraction = (match.group(7) or "0")[:6].ljust(6, "0")
    try:
        local = datetime.datetime(year, month, day, hour, minute, second, int(fraction))
    except ValueError:
        raise _error(
            "time_invalid", _lt("%(value)r is not a real date and time."), value=text
        ) from None
    minutes = parse_offset(match.group(8))
    return local - datetime.timedelta(minutes=minutes), format_offset(minutes)


def format_time(utc, offset=None):
    """ISO 8601 text of a naive UTC datetime: ``...Z``, or local time with ``offset``."""
    if offset in (None, "Z", "+00:00"):
        return utc.strftime("%Y-%m-%dT%H:%M:%S") + _fraction(utc) + "Z"
    local = utc + datetime.timedelta(minutes=parse_offset(offset))
    return local.strftime("%Y-%m-%dT%H:%M:%S") + _fraction(utc) + offset


def _fraction(value):
    return f".{value.microsecond // 1000:03d}" if value.microsecond else ""


# ---------------------------------------------------------------------------------- vocabulary


def _vocabulary_term(value, vocabulary, cbv_kind, urn_kind):
    if not isinstance(value, str):
        return None
    if value in vocabulary:
        return value
    for prefix in (f"{CBV_BASE}{cbv_kind}-", f"urn:epcglobal:cbv:{urn_kind}:"):
        if value.startswith(prefix) and value[len(prefix) :] in vocabulary:
            return value[len(prefix) :]
    return None


def biz_step_term(value):
    return bare_term(value, "BizStep")


def disposition_term(value):
    return bare_term(value, "Disp")


def error_reason_term(value):
    return _vocabulary_term(value, ERROR_REASONS, "ER", "er")


def biz_transaction_type_term(value):
    return _vocabulary_term(value, BIZ_TRANSACTION_TYPES, "BTT", "btt")


def source_dest_type_term(value):
    return _vocabulary_term(value, SOURCE_DEST_TYPES, "SDT", "sdt")


# ---------------------------------------------------------------------------------- events


def _quantity_entry(item):
    entry = {"epcClass": item["uri"]}
    if item.get("quantity") is not None:
        quantity = item["quantity"]
        entry["quantity"] = int(quantity) if float(quantity).is_integer() else quantity
    if item.get("uom"):
        entry["uom"] = item["uom"]
    return entry


def _add_items(event, event_type, items):
    """epcList-style and quantityList-style lists of ``items``, duplicates merged."""
    lists = {}
    for item in items:
        names = ROLE_LISTS.get((event_type, item["role"]))
        if not names:
            continue
        if item.get("instance"):
            epcs = lists.setdefault(names[0], [])
            if item["uri"] not in epcs:
                epcs.append(item["uri"])
            continue
        entries = lists.setdefault(names[1], {})
        key = (item["uri"], item.get("uom"))
        if key in entries and item.get("quantity") is not None:
            entries[key]["quantity"] = (entries[key].get("quantity") or 0) + item["quantity"]
        else:
            entries[key] = dict(item)
    for name, value in lists.items():
        if isinstance(value, dict):
            value = [_quantity_entry(item) for item in value.values()]
        event[name] = value


def build_event(values):
    """An EPCIS 2.0 event dict from plain values.

    ``values``: ``type`` (EPCIS type name), ``event_id``, ``action``, ``biz_step``,
    ``disposition``, ``event_time`` (naive UTC datetime), ``tz`` (``+HH:MM``), ``record_time``,
    ``read_point`` / ``biz_location`` (URIs), ``sources`` / ``destinations`` (``[(type,
    uri)]``), ``biz_transactions`` (``[(type or None, uri)]``), ``parent`` (URI), ``items``
    (``[{"role", "uri", "instance", "quantity", "uom"}]``, roles ``object``, ``input``,
    ``output``, ``child``), ``ilmd`` (dict), ``error_declaration`` (``{"time", "reason",
    "corrective_ids"}``), ``extensions`` (dict of extra members).
    """
    event_type = values["type"]
    tz = values.get("tz") or "+00:00"
    event = {"type": event_type}
    if values.get("event_id"):
        event["eventID"] = values["event_id"]
    event["eventTime"] = format_time(values["event_time"], tz)
    event["eventTimeZoneOffset"] = tz
    if values.get("record_time"):
        event["recordTime"] = format_time(values["record_time"])
    if event_type != "TransformationEvent":
        event["action"] = (values.get("action") or "OBSERVE").upper()
    if values.get("parent"):
        event["parentID"] = values["parent"]
    _add_items(event, event_type, values.get("items") or ())
    for key, name in (("biz_step", "bizStep"), ("disposition", "disposition")):
        if values.get(key):
            event[name] = values[key]
    for key, name in (("read_point", "readPoint"), ("biz_location", "bizLocation")):
        if values.get(key):
            event[name] = {"id": values[key]}
    _add_optional_lists(event, values)
    if values.get("ilmd") and event.get("action", "ADD") == "ADD":
        event["ilmd"] = dict(values["ilmd"])
    declaration = values.get("error_declaration")
    if declaration:
        event["errorDeclaration"] = _declaration(declaration)
    event.update(values.get("extensions") or {})
    return event


def _add_optional_lists(event, values):
    if values.get("biz_transactions"):
        event["bizTransactionList"] = [
            ({"type": kind} if kind else {}) | {"bizTransaction": uri}
            for kind, uri in values["biz_transactions"]
        ]
    for key, name, member in (
        ("sources", "sourceList", "source"),
        ("destinations", "destinationList", "destination"),
    ):
        if values.get(key):
            event[name] = [{"type": kind, member: uri} for kind, uri in values[key]]


def _declaration(declaration):
    result = {"declarationTime": format_time(declaration["time"])}
    if declaration.get("reason"):
        result["reason"] = declaration["reason"]
    if declaration.get("corrective_ids"):
        result["correctiveEventIDs"] = list(declaration["corrective_ids"])
    return result


def _is_custom_term(value):
    """True for a URI outside the CBV (``http://example.org/my-step``): EPCIS 2.0 lets a
    company use its own vocabulary; a bare word must be a CBV word."""
    return (
        isinstance(value, str)
        and is_uri(value)
        and not value.startswith((CBV_BASE, "urn:epcglobal:cbv:"))
    )


def _read_vocabulary(event, name, reader, code, label):
    value = event.get(name)
    if value is None:
        return None
    term = reader(value)
    if term is None and _is_custom_term(value):
        return None  # a company's own vocabulary (a URI): kept in the event's content
    if term is None:
        raise _error(
            code,
            _lt("%(value)s is not a CBV 2.0 %(label)s this system records."),
            value=value,
            label=label,
        )
    return term


def _read_items(event, event_type, action):
    items = []
    roles = [role for (kind, role) in ROLE_LISTS if kind == event_type]
    for role in roles:
        instance_list, quantity_list = ROLE_LISTS[(event_type, role)]
        if role == "child" and action == "DELETE":
            role = "removed"
        for uri in event.get(instance_list) or ():
            items.append({"role": role, "uri": uri, "instance": True, "quantity": 1, "uom": None})
        for position, entry in enumerate(event.get(quantity_list) or ()):
            quantity = entry.get("quantity")
            if isinstance(quantity, (int, float)) and abs(quantity) > MAX_QUANTITY:
                raise _error(
                    "quantity_too_large",
                    _lt(
                        "%(path)s: quantity %(value)s of %(uri)s is larger than any quantity "
                        "recorded here (at most %(max)s)."
                    ),
                    path=f"{quantity_list}[{position}].quantity",
                    value=f"{quantity:g}",
                    uri=entry["epcClass"],
                    max=f"{MAX_QUANTITY:,}",
                )
            items.append(
                {
                    "role": role,
                    "uri": entry["epcClass"],
                    "instance": False,
                    "quantity": quantity,
                    "uom": entry.get("uom"),
                }
            )
    return items


def _read_party_list(entries, member):
    result = []
    for entry in entries or ():
        kind = source_dest_type_term(entry.get("type"))
        result.append((kind or entry.get("type"), entry[member]))
    return result


def _read_declaration(event):
    declaration = event.get("errorDeclaration")
    if not declaration:
        return None
    reason = declaration.get("reason")
    term = error_reason_term(reason) if reason is not None else "incorrect_data"
    if term is None and _is_custom_term(reason):
        term = False  # the sender's own reason: kept in the event's content
    elif term is None:
        raise _error(
            "reason_invalid",
            _lt("%(value)s is not a CBV 2.0 error reason (did_not_occur, incorrect_data)."),
            value=reason,
        )
    return {
        "time": parse_time(declaration["declarationTime"])[0],
        "reason": term,
        "corrective_ids": list(declaration.get("correctiveEventIDs") or ()),
    }


def read_event(event):
    """Plain values of an EPCIS 2.0 event dict (the shape :func:`build_event` takes).

    Times become naive UTC datetimes, CBV values bare words, ``action`` stays upper case;
    ``items`` of a DELETE aggregation/association have role ``removed``. Raises
    :class:`EpcisError` on values the schema lets through but this system cannot record.
    """
    event_type = event.get("type")
    if event_type not in EVENT_TYPES:
        raise _error(
            "type_unsupported",
            _lt("%(value)s events are not recorded here (only %(types)s)."),
            value=event_type,
            types=", ".join(EVENT_TYPES),
        )
    action = event.get("action")
    if event_type != "TransformationEvent" and action not in ACTIONS:
        raise _error("action_invalid", _lt("%(value)r is not an EPCIS action."), value=action)
    event_time, _offset = parse_time(event.get("eventTime"))
    parse_offset(event.get("eventTimeZoneOffset"))
    return {
        "type": event_type,
        "event_id": event.get("eventID"),
        "action": action if event_type != "TransformationEvent" else None,
        "biz_step": _read_vocabulary(
            event, "bizStep", biz_step_term, "biz_step_unknown", "business step"
        ),
        "disposition": _read_vocabulary(
            event, "disposition", disposition_term, "disposition_unknown", "disposition"
        ),
        "event_time": event_time,
        "tz": event["eventTimeZoneOffset"],
        "record_time": parse_time(event["recordTime"])[0] if event.get("recordTime") else None,
        "read_point": (event.get("readPoint") or {}).get("id"),
        "biz_location": (event.get("bizLocation") or {}).get("id"),
        "sources": _read_party_list(event.get("sourceList"), "source"),
        "destinations": _read_party_list(event.get("destinationList"), "destination"),
        "biz_transactions": [
            (
                biz_transaction_type_term(entry.get("type")) or entry.get("type"),
                entry["bizTransaction"],
            )
            for entry in event.get("bizTransactionList") or ()
        ],
        "parent": event.get("parentID"),
        "items": _read_items(event, event_type, action),
        "ilmd": dict(event.get("ilmd") or {}),
        "error_declaration": _read_declaration(event),
    }


def ilmd_dates(ilmd):
    """``(expiry, manufactured)`` calendar dates given in an ILMD dict (or None)."""
    found = []
    for keys in (ILMD_EXPIRY, ILMD_MANUFACTURED):
        value = next((ilmd[key] for key in keys if ilmd.get(key)), None)
        try:
            found.append(datetime.date.fromisoformat(value[:10]) if value else None)
        except (TypeError, ValueError):
            raise _error(
                "ilmd_date_invalid", _lt("%(value)r is not a date (YYYY-MM-DD)."), value=value
            ) from None
    return tuple(found)


# ---------------------------------------------------------------------------------- schema


class EpcisSchema:
    """GS1's EPCIS 2.0 JSON Schema (Draft 7), with ``uri`` and ``date-time`` formats checked.

    Validation is exactly the schema's; two things make it fast enough for batches of
    thousands of events: ``$ref`` are resolved once when the schema is loaded (Draft 7 ignores
    a ``$ref``'s siblings, so replacing the reference by its target means the same), and the
    outcome of ``propertyNames`` is remembered per property name (it depends on nothing else).
    """

    def __init__(self, path):
        with open(path, encoding="utf-8") as handle:
            schema = json.load(handle)
        definitions = schema["definitions"]
        checker = FormatChecker(formats=())
        checker.checks("uri")(is_uri)
        checker.checks("date-time")(_is_time)
        validator_class = _fast_validator_class()
        document_schema = dict(_inline(schema, definitions), definitions=definitions)
        self.document_validator = validator_class(document_schema, format_checker=checker)
        event_schema = _inline({"$ref": "#/definitions/EPCIS-Document-Event"}, definitions)
        event_schema["definitions"] = definitions
        self.event_validator = validator_class(event_schema, format_checker=checker)
        # the yes/no answers, compiled (epcis_validator): jsonschema then only explains
        formats = {"uri": is_uri, "date-time": _is_time}
        try:
            self.document_valid = epcis_validator.compile_schema(schema, definitions, formats)
            self.event_valid = epcis_validator.compile_schema(
                {"$ref": "#/definitions/EPCIS-Document-Event"}, definitions, formats
            )
        except epcis_validator.Unsupported:
            self.document_valid = self.event_valid = None

    @staticmethod
    def _messages(validator, instance, limit, valid=None):
        if valid is not None and valid(instance):
            return []
        messages = []
        for error in validator.iter_errors(instance):
            messages.append(_schema_message(error))
            if len(messages) >= limit:
                break
        return messages

    def document_errors(self, document, limit=20):
        """Messages of the schema violations of an EPCIS document (empty: valid)."""
        return self._messages(self.document_validator, document, limit, self.document_valid)

    def event_errors(self, event, limit=5):
        """Messages of the schema violations of one event of an eventList."""
        return self._messages(self.event_validator, event, limit, self.event_valid)


def _inline(node, definitions, stack=()):
    """``node`` with every local ``$ref`` replaced by its target (recursive ones kept)."""
    if isinstance(node, list):
        return [_inline(value, definitions, stack) for value in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/definitions/"):
        name = unquote(ref[len("#/definitions/") :])
        if name in definitions and name not in stack:
            return _inline(definitions[name], definitions, (*stack, name))
        return node
    return {
        key: value if key == "definitions" else _inline(value, definitions, stack)
        for key, value in node.items()
    }


_PROPERTY_NAME_MEMO_SIZE = 10000


def _fast_validator_class():
    """Draft 7 validator whose ``propertyNames`` remembers the names it found valid."""
    valid_names = set()

    def property_names(validator, subschema, instance, schema):
        if not validator.is_type(instance, "object"):
            return
        for name in instance:
            key = (id(subschema), name)
            if key in valid_names:
                continue
            errors = list(validator.descend(instance=name, schema=subschema))
            if errors:
                yield from errors
            elif len(valid_names) < _PROPERTY_NAME_MEMO_SIZE:
                valid_names.add(key)

    return validators.extend(Draft7Validator, {"propertyNames": property_names})


def _is_time(value):
    if not isinstance(value, str):
        return True
    return bool(_TIME_RE.match(value))


def _schema_message(error):
    """The most specific reason of a schema error, with where it is."""
    best = best_match([error])
    path = "".join(
        f"[{part}]" if isinstance(part, int) else f".{part}" for part in best.absolute_path
    ).lstrip(".")
    return f"{path}: {best.message}" if path else best.message
