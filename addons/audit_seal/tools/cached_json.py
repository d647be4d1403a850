"""Canonical JSON of records straight from Odoo's cache (the append's fast path)."""

from ..lib.canonical import canonical_json
from ..lib.fragments import column_function, object_template


def cached_objects_json(records, names, extra=None, converter=None):
    """Canonical JSON text of one object per record of ``records`` (in ``records._ids``
    order): the cached values of the fields ``names``, plus ``extra`` keys whose values are
    ready-made fragments (``{key: [JSON text per record]}``).

    The values are written straight as canonical JSON fragments, a field (column) at a time,
    and each object is one ``%``-format of them (``lib/fragments.py``, proven byte-identical to
    the general path by its tests). A field type without a column function goes through
    ``converter(field)`` (a function from a cached value to its plain value) and
    ``canonical_json``. Raises ``KeyError`` when a value is not in the cache: the caller then
    reads through the ORM instead.
    """
    extra = extra or {}
    template, keys = object_template([*names, *extra])
    ids = records._ids
    env = records.env
    columns = []
    for key in keys:
        if key in extra:
            columns.append(extra[key])
            continue
        field = records._fields[key]
        column = column_function(field.type, getattr(field, "comodel_name", None))
        values = list(map(field._get_cache(env).__getitem__, ids))
        if column is None:
            convert = converter(field)
            columns.append([canonical_json(convert(value)).decode("utf-8") for value in values])
        else:
            columns.append(column(values))
    return [template % row for row in zip(*columns, strict=True)]
