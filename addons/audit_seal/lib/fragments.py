"""Fast path of the canonical form: ready-made JSON fragments for the append's hot loop.

:func:`canonical.canonical_json` is the definition and stays the general path. This module
produces the *same bytes* for the value shapes a sealed record's fields hold in Odoo's cache,
without building an intermediate value tree and without the generic dispatch:

* one *fragment function* per field type turns a cached value into the canonical JSON text of
  the sealed value (``"text"``, ``null``, ``"1.5"``, ``"res.partner,7"``, ``[1,2]``...);
  anything of an unexpected shape is handed to :func:`canonical.canonical_json` itself;
* one *column function* per field type does the same for the values of many records at once,
  with C-level ``map`` calls when they are all of the one expected type;
* :func:`object_json` and :func:`object_template` write an object from its fragments with the
  keys in code-point order, which is what ``json.dumps(sort_keys=True, separators=(",", ":"))``
  does;
* :func:`entry_payload_text` and :func:`envelope_template` wrap a record's data in the entry
  envelope of :func:`chain.entry_payload` (its keys are constant and already sorted; the
  company, first of them, and the data vary by record).

``lib/tests/test_fragments.py`` proves, with hypothesis, that every function here yields
byte-identical output to the general path for the shapes it accepts, and fails where the
general path fails.
"""

import datetime
import itertools
import json
import math
import operator

from .canonical import CanonicalError, Ref, canonical_json, format_decimal
from .chain import ENVELOPE_VERSION, PAYLOAD_VERSION

__all__ = [
    "column_function",
    "company_json",
    "entry_payload_text",
    "envelope_parts",
    "envelope_template",
    "fragment_function",
    "key_prefix",
    "object_json",
    "object_template",
    "plain_json",
]

# json's own string encoder (the C one when available): exactly what json.dumps writes for a
# str with ensure_ascii=False
_encode_str = json.encoder.encode_basestring
_date = datetime.date
_datetime = datetime.datetime


def _general(value):
    return canonical_json(value).decode("utf-8")


_plain_dumps = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), sort_keys=True, allow_nan=False
).encode


def plain_json(value):
    """Canonical JSON text of a value that is already plain (what :func:`canonical.to_plain`
    returns: str, int, bool, None, lists and str-keyed dicts of them).

    Plain values are fixed points of the canonical conversion, so this is
    ``canonical_json(value).decode()`` without converting the value again.
    """
    return _plain_dumps(value)


def key_prefix(key):
    """``"key":`` as the canonical form writes an object key."""
    if type(key) is not str:
        raise CanonicalError(f"object keys must be strings, got {key!r}")
    return _encode_str(key) + ":"


def object_json(pairs):
    """Canonical JSON of an object from ``[(key, fragment), ...]`` (keys unique ``str``)."""
    return "{" + ",".join(key_prefix(key) + fragment for key, fragment in sorted(pairs)) + "}"


# ---------------------------------------------------------------- fragments of cached values
# Each mirrors the mixin's general conversion of a cached value (audit_seal_mixin
# ``_seal_cache_converter``) followed by canonical_json.


def text_fragment(value):
    """char, text, html, selection: ``None``/``False`` -> ``null``, else the string."""
    if type(value) is str:
        return _encode_str(value)
    if value is None or value is False:
        return "null"
    return _general(value)


def integer_fragment(value):
    """integer: ``value or 0``."""
    if type(value) is int:
        return str(value)
    return _general(value or 0)


def float_fragment(value):
    """float, monetary: ``value or 0`` -> ``0`` or the shortest plain decimal as a string."""
    if type(value) is float and value and math.isfinite(value):
        text = repr(value)
        if "e" in text or "E" in text:
            text = format_decimal(value)
        elif text.endswith(".0"):
            text = text[:-2]
        return '"' + text + '"'
    return _general(value or 0)


def boolean_fragment(value):
    return "true" if value else "false"


def date_fragment(value):
    if type(value) is _date:
        return '"' + value.isoformat() + '"'
    if value is None or value is False:
        return "null"
    return _general(value)


def datetime_fragment(value):
    if type(value) is _datetime and value.tzinfo is None:
        return '"' + value.isoformat() + 'Z"'
    if value is None or value is False:
        return "null"
    return _general(value)


def reference_fragment(comodel):
    """many2one to ``comodel``: the cached id -> ``"comodel,id"`` (``null`` when empty)."""
    Ref(comodel, 1)  # validates the model name once
    prefix = _encode_str(comodel + ",")[:-1]

    def fragment(value):
        if type(value) is int and value:
            return prefix + str(value) + '"'
        if not value:
            return "null"
        return _general(Ref(comodel, value))

    return fragment


def ids_fragment(value):
    """one2many, many2many: the cached ids, sorted."""
    ids = sorted(value or ())
    if all(type(id_) is int for id_ in ids):
        return "[" + ",".join(map(str, ids)) + "]"
    return _general(ids)


_BY_TYPE = {
    "char": text_fragment,
    "text": text_fragment,
    "html": text_fragment,
    "selection": text_fragment,
    "integer": integer_fragment,
    "float": float_fragment,
    "monetary": float_fragment,
    "boolean": boolean_fragment,
    "date": date_fragment,
    "datetime": datetime_fragment,
    "one2many": ids_fragment,
    "many2many": ids_fragment,
}


def fragment_function(field_type, comodel=None):
    """Fragment function of a cached value of a field of ``field_type``, or ``None``."""
    if field_type == "many2one":
        return reference_fragment(comodel)
    return _BY_TYPE.get(field_type)


# ---------------------------------------------------------------- columns
# A field's cached values for all the records at once. When they are of one plain type (the
# common case) the fragments are made by C-level ``map`` calls; otherwise value by value.

_NONE = type(None)
_tzinfo = operator.attrgetter("tzinfo")


def _nulls(values):
    return ["null"] * len(values)


def _memoized(values, fragments):
    """``list(fragments(values))``, computing each distinct value once (a batch of records
    created together mostly shares its dates); values of one type that are equal have the
    same fragment."""
    distinct = list(set(values))
    if len(distinct) == len(values):
        return list(fragments(values))
    return list(map(dict(zip(distinct, fragments(distinct), strict=True)).__getitem__, values))


def text_column(values):
    types = set(map(type, values))
    if types <= {str}:
        return list(map(_encode_str, values))
    if types <= {str, _NONE, bool} and True not in values:
        # optional fields: strings and empty values (None, or False as Odoo writes it)
        return [_encode_str(value) if type(value) is str else "null" for value in values]
    return list(map(text_fragment, values))


def integer_column(values):
    if set(map(type, values)) <= {int}:
        return list(map(str, values))
    return list(map(integer_fragment, values))


def float_column(values):
    types = set(map(type, values))
    if types <= {float} and all(map(math.isfinite, values)):
        magnitudes = [abs(value) for value in values if value]
        if not magnitudes or (min(magnitudes) >= 1e-4 and max(magnitudes) < 1e16):
            # repr() writes these without exponent, as the shortest round-trip decimal,
            # with ".0" only for integral values; a zero (``value or 0``) is the integer 0
            texts = map(str.removesuffix, map(repr, values), itertools.repeat(".0"))
            column = list(map('"%s"'.__mod__, texts))
            if len(magnitudes) < len(values):
                column = [
                    text if value else "0" for text, value in zip(column, values, strict=True)
                ]
            return column
    return list(map(float_fragment, values))


def boolean_column(values):
    return list(map(("false", "true").__getitem__, map(bool, values)))


def date_column(values):
    types = set(map(type, values))
    if types <= {_date}:
        return _memoized(values, lambda some: map('"%s"'.__mod__, map(_date.isoformat, some)))
    if types <= {_NONE}:
        return _nulls(values)
    return list(map(date_fragment, values))


def datetime_column(values):
    types = set(map(type, values))
    if types <= {_datetime} and not any(map(_tzinfo, values)):
        return _memoized(values, lambda some: map('"%sZ"'.__mod__, map(_datetime.isoformat, some)))
    if types <= {_NONE}:
        return _nulls(values)
    return list(map(datetime_fragment, values))


def reference_column(comodel):
    fragment = reference_fragment(comodel)
    template = _encode_str(comodel + ",")[:-1].replace("%", "%%") + '%d"'

    def column(values):
        types = set(map(type, values))
        if types <= {int} and all(values):
            return list(map(template.__mod__, values))
        if types <= {_NONE}:
            return _nulls(values)
        if types <= {int, _NONE}:  # an optional many2one: ids and empty values
            return [template % value if value else "null" for value in values]
        return list(map(fragment, values))

    return column


def ids_column(values):
    return list(map(ids_fragment, values))


_COLUMN_BY_TYPE = {
    "char": text_column,
    "text": text_column,
    "html": text_column,
    "selection": text_column,
    "integer": integer_column,
    "float": float_column,
    "monetary": float_column,
    "boolean": boolean_column,
    "date": date_column,
    "datetime": datetime_column,
    "one2many": ids_column,
    "many2many": ids_column,
}


def column_function(field_type, comodel=None):
    """Function mapping a list of cached values of a field to their fragments, or ``None``.

    ``column_function(t, m)(values) == [fragment_function(t, m)(v) for v in values]``.
    """
    if field_type == "many2one":
        return reference_column(comodel)
    return _COLUMN_BY_TYPE.get(field_type)


def object_template(keys):
    """``%``-template of a canonical object with ``keys`` whose values are fragments.

    ``object_template(keys) % tuple(fragments in sorted(keys) order)`` equals
    :func:`object_json` of the same pairs.
    """
    keys = sorted(keys)
    if len(set(keys)) != len(keys):
        raise CanonicalError(f"duplicate keys: {keys!r}")
    return (
        "{" + ",".join(key_prefix(key).replace("%", "%%") + "%s" for key in keys) + "}",
        keys,
    )


# ---------------------------------------------------------------- entry envelope


def company_json(company):
    """The ``"company"`` value of an envelope: the company id, ``null`` without company."""
    if type(company) is int:
        return str(company)
    return _general(company)


def envelope_parts(model, op, uid, ts, company=None, version=ENVELOPE_VERSION):
    """The constant parts of :func:`entry_payload_text` for one transaction's entries:
    ``head + data_json + middle + res_id + tail``. A version 2 ``head`` holds ``company``."""
    if version == ENVELOPE_VERSION:
        head = '{"company":' + company_json(company) + ',"data":'
    elif version == PAYLOAD_VERSION and company is None:
        head = '{"data":'
    else:
        raise CanonicalError(f"envelope version {version!r} cannot hold company {company!r}")
    middle = ',"model":' + _general(model) + ',"op":' + _general(op) + ',"res_id":'
    tail = f',"ts":{_general(ts)},"uid":{_general(uid)},"v":{_general(version)}}}'
    return head, middle, tail


def envelope_template(model, op, uid, ts, version=ENVELOPE_VERSION):
    """``%``-template of :func:`entry_payload_text` for one transaction's entries of ``model``:
    ``envelope_template(model, op, uid, ts) % (company_json, data_json, res_id)`` (``res_id``
    an ``int``, ``company_json`` from :func:`company_json`). A version 1 template has no
    company: it writes nothing of ``company_json`` (``%.0s``)."""
    _head, middle, tail = (
        part.replace("%", "%%") for part in envelope_parts(model, op, uid, ts, None, version)
    )
    head = '{"company":%s,"data":' if version == ENVELOPE_VERSION else '%.0s{"data":'
    return head + "%s" + middle + "%d" + tail


def entry_payload_text(
    model, res_id, op, uid, ts, data_json, company=None, version=ENVELOPE_VERSION
):
    """Text of :func:`chain.entry_payload` whose ``data`` is already canonical JSON text.

    ``chain.entry_payload(model, res_id, op, uid, ts, data, company, version)`` is
    ``entry_payload_text(model, res_id, op, uid, ts, canonical_json(data).decode(), company,
    version)`` encoded in UTF-8.
    """
    head, middle, tail = envelope_parts(model, op, uid, ts, company, version)
    res_id_json = str(res_id) if type(res_id) is int else _general(res_id)
    return head + data_json + middle + res_id_json + tail
