"""Canonical form of sealed payloads: one byte string per value, defined once.

Rules (version 1):

* UTF-8 JSON, object keys sorted by Unicode code point, no insignificant whitespace
  (``,`` and ``:`` separators), non-ASCII characters written as themselves, the control
  characters, ``"`` and ``\\`` escaped as Python's :mod:`json` does (``\\n``, ``\\u001f``...).
* ``None`` -> ``null``; ``bool`` -> ``true``/``false``; ``int`` -> integer.
* ``float`` and :class:`~decimal.Decimal` -> a *string* holding the shortest plain decimal
  (no exponent, no trailing zeros, ``-0`` written ``0``): ``1.50`` -> ``"1.5"``, ``1e3`` ->
  ``"1000"``. NaN and infinities are refused. JSON numbers with a fraction never appear, so
  no reader can round them differently.
* :class:`~datetime.datetime` -> ``"YYYY-MM-DDTHH:MM:SSZ"`` in UTC (naive values are taken as
  UTC, as Odoo stores them); microseconds are appended as ``.ffffff`` only when not zero.
* :class:`~datetime.date` -> ``"YYYY-MM-DD"``.
* :class:`Ref` (a reference to a record) -> ``"model,id"``.
* ``bytes`` -> ``"sha256:<hex>"`` (binary content is sealed by its digest).
* ``list``/``tuple`` -> array in the given order; ``dict`` -> object (keys must be ``str``).
* Anything else (sets, objects, non-string keys, lone surrogates) raises :class:`ValueError`.

Because the output contains only JSON strings, integers, booleans, null, arrays and objects,
``canonical_json(json.loads(canonical_json(x))) == canonical_json(x)`` holds for every value.
"""

import datetime
import hashlib
import json
import math
from decimal import Decimal, InvalidOperation

__all__ = [
    "CanonicalError",
    "Ref",
    "canonical_json",
    "format_datetime",
    "format_decimal",
    "is_canonical",
    "parse_canonical",
    "parse_datetime",
    "to_plain",
]

_UTC = datetime.timezone.utc


class CanonicalError(ValueError):
    """A value has no canonical form."""


class Ref:
    """A reference to a record: ``Ref("res.partner", 7)`` -> ``"res.partner,7"``."""

    __slots__ = ("model", "id")

    def __init__(self, model, id):  # noqa: A002 - mirrors Odoo's naming
        if not isinstance(model, str) or not model or "," in model:
            raise CanonicalError(f"invalid model name for a reference: {model!r}")
        if isinstance(id, bool) or not isinstance(id, int):
            raise CanonicalError(f"invalid record id for a reference: {id!r}")
        self.model = model
        self.id = id

    def __eq__(self, other):
        return isinstance(other, Ref) and (self.model, self.id) == (other.model, other.id)

    def __hash__(self):
        return hash((self.model, self.id))

    def __repr__(self):
        return f"Ref({self.model!r}, {self.id!r})"

    def __str__(self):
        return f"{self.model},{self.id}"


def format_decimal(value):
    """Shortest plain decimal string of a finite float or Decimal."""
    if isinstance(value, float):
        if not math.isfinite(value):
            raise CanonicalError(f"non-finite float has no canonical form: {value!r}")
        value = Decimal(repr(value))
    try:
        if not value.is_finite():
            raise CanonicalError(f"non-finite decimal has no canonical form: {value!r}")
        if value.is_zero():
            return "0"
        text = format(value.normalize(), "f")
    except InvalidOperation as exc:  # pragma: no cover - defensive
        raise CanonicalError(f"invalid decimal: {value!r}") from exc
    return text


def format_datetime(value):
    """``YYYY-MM-DDTHH:MM:SS[.ffffff]Z`` in UTC; naive datetimes are taken as UTC."""
    if value.tzinfo is not None:
        value = value.astimezone(_UTC).replace(tzinfo=None)
    text = (
        f"{value.year:04d}-{value.month:02d}-{value.day:02d}"
        f"T{value.hour:02d}:{value.minute:02d}:{value.second:02d}"
    )
    if value.microsecond:
        text += f".{value.microsecond:06d}"
    return text + "Z"


def parse_datetime(text):
    """Inverse of :func:`format_datetime` (returns a naive UTC datetime)."""
    if not isinstance(text, str) or not text.endswith("Z"):
        raise CanonicalError(f"not a canonical UTC datetime: {text!r}")
    body = text[:-1]
    fmt = "%Y-%m-%dT%H:%M:%S.%f" if "." in body else "%Y-%m-%dT%H:%M:%S"
    try:
        value = datetime.datetime.strptime(body, fmt)
    except ValueError as exc:
        raise CanonicalError(f"not a canonical UTC datetime: {text!r}") from exc
    if format_datetime(value) != text:
        raise CanonicalError(f"not a canonical UTC datetime: {text!r}")
    return value


def _plain_str(value):
    return value


def _plain_list(value):
    return [_convert(item) for item in value]


def _plain_dict(value):
    plain = {}
    for key, item in value.items():
        if type(key) is not str:
            if not isinstance(key, str):
                raise CanonicalError(f"object keys must be strings, got {key!r}")
            key = str(key)
        plain[key] = _convert(item)
    return plain


def _plain_date(value):
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"


def _plain_bytes(value):
    return "sha256:" + hashlib.sha256(bytes(value)).hexdigest()


# exact-type dispatch: the common types cost one dict lookup
_DISPATCH = {
    str: _plain_str,
    int: _plain_str,
    bool: _plain_str,
    type(None): _plain_str,
    float: format_decimal,
    Decimal: format_decimal,
    datetime.datetime: format_datetime,
    datetime.date: _plain_date,
    Ref: str,
    bytes: _plain_bytes,
    bytearray: _plain_bytes,
    memoryview: _plain_bytes,
    list: _plain_list,
    tuple: _plain_list,
    dict: _plain_dict,
}


def _convert(value):
    converter = _DISPATCH.get(type(value))
    if converter is None:
        return _convert_subclass(value)
    return converter(value)


def _convert_subclass(value):
    # subclasses (e.g. an IntEnum, a str subclass, an OrderedDict) follow their base type
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, (float, Decimal)):
        return format_decimal(value)
    if isinstance(value, datetime.datetime):
        return format_datetime(value)
    if isinstance(value, datetime.date):
        return _plain_date(value)
    if isinstance(value, (list, tuple)):
        return _plain_list(value)
    if isinstance(value, dict):
        return _plain_dict(value)
    raise CanonicalError(f"no canonical form for {type(value).__name__}: {value!r}")


def to_plain(value):
    """Convert ``value`` to plain JSON types following the canonical rules."""
    return _convert(value)


def canonical_json(value):
    """Canonical UTF-8 bytes of ``value``."""
    text = json.dumps(
        _convert(value),
        ensure_ascii=False,
        separators=(",", ":"),
        sort_keys=True,
        allow_nan=False,
    )
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise CanonicalError("string is not valid Unicode (lone surrogate)") from exc


def _no_duplicates(pairs):
    result = {}
    for key, item in pairs:
        if key in result:
            raise CanonicalError(f"duplicate key in payload: {key!r}")
        result[key] = item
    return result


def _no_float(text):
    raise CanonicalError(f"canonical payloads never hold JSON fractions: {text}")


def parse_canonical(data):
    """Parse canonical bytes back to plain values; refuse anything not in canonical form."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    try:
        value = json.loads(
            data.decode("utf-8"),
            object_pairs_hook=_no_duplicates,
            parse_float=_no_float,
            parse_constant=_no_float,
        )
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CanonicalError(f"payload is not UTF-8 JSON: {exc}") from exc
    if canonical_json(value) != data:
        raise CanonicalError("payload is JSON but not in canonical form")
    return value


def is_canonical(data):
    """True when ``data`` is exactly the canonical form of what it encodes."""
    try:
        parse_canonical(data)
    except CanonicalError:
        return False
    return True
