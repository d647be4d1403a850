"""The append's fast path (``fragments.py``) yields byte-identical output to ``canonical_json``.

The general path of the addon turns a field's cached value into a plain value
(``_seal_cache_converter`` in ``models/audit_seal_mixin.py``, mirrored by ``GENERAL`` below) and
hands it to ``canonical_json``. The fast path writes the cached value straight as its JSON
fragment, a column of records at a time, and formats objects and envelopes from templates. Every
property below compares the two on the value shapes Odoo's cache holds for each field type, plus
odd ones (wrong types, ``False`` for empty, subclasses, non-finite floats, aware datetimes) that
must either give the same bytes or fail on both paths.
"""

import datetime
from decimal import Decimal

import pytest
from audit_seal_lib import fragments
from audit_seal_lib.canonical import CanonicalError, Ref, canonical_json, to_plain
from audit_seal_lib.chain import chain_hashes, entry_hash, entry_payload, iter_chain_hashes
from hypothesis import assume, given, settings
from hypothesis import strategies as st

COMODEL = "res.partner"


class Markup(str):
    """Like markupsafe.Markup (what Odoo caches for html fields): a str subclass."""


def _text(value):
    return None if value is None or value is False else value


def _number(value):
    return value or 0


# the mixin's general conversion of a cached value, per field type (see _seal_cache_converter)
GENERAL = {
    "char": _text,
    "text": _text,
    "html": _text,
    "selection": _text,
    "date": _text,
    "datetime": _text,
    "integer": _number,
    "float": _number,
    "monetary": _number,
    "boolean": bool,
    "many2one": lambda value: Ref(COMODEL, value) if value else None,
    "one2many": lambda value: sorted(value or ()),
    "many2many": lambda value: sorted(value or ()),
}

empty = st.none() | st.just(False)
any_text = st.text() | st.builds(Markup, st.text())
offsets = st.integers(-14 * 60, 14 * 60).map(
    lambda minutes: datetime.timezone(datetime.timedelta(minutes=minutes))
)
aware = st.builds(
    lambda value, tz: value.replace(tzinfo=tz),
    st.datetimes(min_value=datetime.datetime(2, 1, 1), max_value=datetime.datetime(9998, 1, 1)),
    offsets,
)
ids = st.integers(1, 2**31 - 1)
id_lists = st.lists(ids, max_size=6, unique=True)

# what Odoo's cache holds for each field type (alternative shapes), then shapes that should not
# occur but must not give a different result on the two paths
floats = [
    st.floats(),
    st.floats(min_value=-1e20, max_value=1e20),
    st.sampled_from([0.0, -0.0, 1e16, 9999999999999998.0, 1e-4, 9.9e-5, 0.1, 100.0, -2.5]),
    st.integers(),
    st.decimals(allow_nan=False, allow_infinity=False),
]
SHAPES = {
    "char": [empty, any_text],
    "text": [empty, any_text],
    "html": [empty, any_text],
    "selection": [empty, st.sampled_from(["receipt", "shipment", "100%s"])],
    "integer": [empty, st.integers(), st.booleans()],
    "float": [empty, *floats],
    "monetary": [empty, *floats],
    "boolean": [empty, st.booleans(), st.integers(0, 2)],
    "date": [empty, st.dates(), st.datetimes()],
    "datetime": [empty, st.datetimes(), aware, st.dates()],
    "many2one": [empty, ids, st.just(0), st.just(True)],
    "one2many": [empty, id_lists, id_lists.map(tuple)],
    "many2many": [empty, id_lists, id_lists.map(tuple)],
}
CACHED = {field_type: st.one_of(shapes) for field_type, shapes in SHAPES.items()}
FIELD_TYPES = sorted(CACHED)


def general_fragment(field_type, value):
    """The general path: canonical JSON text of the converted value, or the error it raises."""
    try:
        return canonical_json(GENERAL[field_type](value))
    except CanonicalError as exc:
        return exc


def fast_fragment(field_type, value):
    """The fast path, encoded as the append encodes payloads; errors as the append sees them."""
    function = fragments.fragment_function(field_type, COMODEL)
    try:
        return function(value).encode("utf-8")
    except (CanonicalError, UnicodeEncodeError) as exc:
        return exc


def assert_same(fast, general):
    if isinstance(general, Exception):
        assert isinstance(fast, Exception), (fast, general)
    else:
        assert fast == general


@st.composite
def typed_value(draw):
    field_type = draw(st.sampled_from(FIELD_TYPES))
    return field_type, draw(CACHED[field_type])


@given(typed_value())
@settings(max_examples=2000)
def test_fragment_equals_general_path(typed):
    field_type, value = typed
    assert_same(fast_fragment(field_type, value), general_fragment(field_type, value))


@st.composite
def typed_column(draw):
    field_type = draw(st.sampled_from(FIELD_TYPES))
    # mostly one shape per column (the fast branches), sometimes mixed
    if draw(st.booleans()):
        strategy = draw(st.sampled_from(SHAPES[field_type]))
    else:
        strategy = CACHED[field_type]
    return field_type, draw(st.lists(strategy, max_size=8))


def _fast_column(field_type, values):
    try:
        column = fragments.column_function(field_type, COMODEL)
        return [text.encode("utf-8") for text in column(values)]
    except (CanonicalError, UnicodeEncodeError) as exc:
        return exc


@given(typed_column())
@settings(max_examples=2000)
def test_column_equals_general_path(typed):
    field_type, values = typed
    general = [general_fragment(field_type, value) for value in values]
    fast = _fast_column(field_type, values)
    if any(isinstance(item, Exception) for item in general):
        assert isinstance(fast, Exception), (fast, general)
    else:
        assert fast == general


@pytest.mark.parametrize(
    "field_type, values",
    [
        ("datetime", [datetime.datetime(2026, 1, 1, 8, 0, 0)] * 3),
        ("datetime", [datetime.datetime(2026, 1, 1, 8, 0, 0, 5)] * 2 + [None]),
        ("date", [datetime.date(2026, 1, 1)] * 4),
        ("float", [1.5, 2.0, 1e15, 1e-4, 12345.678]),
        ("float", [1.5, 1e16]),
        ("float", [1.5, 0.0]),
        ("float", [0.0, -0.0, 0.0]),
        ("float", [0.0, 2.25, -0.0, 1e-5]),
        ("many2one", [7, 7, 8]),
        ("many2one", [None, None]),
        ("many2one", [7, None, 8, 0]),
        ("char", ["a", 'é\n"', "\u2028"]),
        ("char", ["a", None, False]),
        ("char", ["", None, "b", False]),
        ("char", ["a", None, True]),
        ("boolean", [True, False, None, 1]),
        ("integer", [0, -3, 10**20]),
    ],
)
def test_column_examples(field_type, values):
    assert _fast_column(field_type, values) == [
        general_fragment(field_type, value) for value in values
    ]


def test_lone_surrogate_fails_on_both_paths():
    assert isinstance(general_fragment("char", "\ud800"), CanonicalError)
    assert isinstance(fast_fragment("char", "\ud800"), UnicodeEncodeError)


def test_unknown_field_type_has_no_fast_path():
    assert fragments.fragment_function("binary") is None
    assert fragments.column_function("json") is None


@st.composite
def records(draw):
    """Field specs and the cached values of a few records, as the mixin reads them."""
    names = draw(
        st.lists(
            st.from_regex(r"[a-z_][a-z0-9_]{0,12}", fullmatch=True),
            min_size=1,
            max_size=8,
            unique=True,
        )
    )
    types = [draw(st.sampled_from(FIELD_TYPES)) for _name in names]
    count = draw(st.integers(1, 5))
    rows = [[draw(CACHED[field_type]) for field_type in types] for _ in range(count)]
    return names, types, rows


@given(records())
@settings(max_examples=500)
def test_record_objects_equal_canonical_json(specs):
    """What ``_seal_payload_json`` does (columns, then one %-format per record) gives
    ``canonical_json`` of the record's converted values."""
    names, types, rows = specs
    template, keys = fragments.object_template(names)
    order = [names.index(key) for key in keys]
    general = []
    for row in rows:
        try:
            values = zip(names, types, row, strict=True)
            general.append(canonical_json({name: GENERAL[t](v) for name, t, v in values}))
        except CanonicalError:
            general = None
            break
    try:
        columns = [
            fragments.column_function(types[i], COMODEL)([row[i] for row in rows]) for i in order
        ]
        fast = [(template % values).encode("utf-8") for values in zip(*columns, strict=True)]
    except (CanonicalError, UnicodeEncodeError):
        fast = None
    assert fast == general


@given(st.dictionaries(st.text(), st.text() | st.integers() | st.none() | st.booleans()))
def test_object_json_and_template(mapping):
    pairs = [(key, canonical_json(value).decode()) for key, value in mapping.items()]
    expected = canonical_json(mapping).decode()
    assert fragments.object_json(pairs) == expected
    template, keys = fragments.object_template(list(mapping))
    assert template % tuple(canonical_json(mapping[key]).decode() for key in keys) == expected


rich = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.text()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.decimals(allow_nan=False, allow_infinity=False)
    | st.datetimes()
    | st.dates()
    | st.builds(Ref, st.sampled_from(["res.partner", "stock.lot"]), ids),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=10,
)


@given(
    model=st.text(min_size=1),
    res_id=st.integers(0, 2**63),
    op=st.sampled_from(["create", "purge", "%s", "op%d"]),
    uid=st.integers(0, 2**31) | st.none(),
    ts=st.datetimes() | aware,
    data=st.dictionaries(st.text(max_size=8), rich, max_size=5),
    company=st.integers(1, 2**31) | st.none(),
    version=st.sampled_from([1, 2]),
)
@settings(max_examples=500)
def test_envelope_equals_entry_payload(model, res_id, op, uid, ts, data, company, version):
    if version == 1:
        company = None
    try:
        expected = entry_payload(model, res_id, op, uid, ts, data, company, version)
    except CanonicalError:
        assume(False)
    data_json = canonical_json(data).decode()
    text = fragments.entry_payload_text(model, res_id, op, uid, ts, data_json, company, version)
    assert text.encode() == expected
    template = fragments.envelope_template(model, op, uid, ts, version)
    assert (template % (fragments.company_json(company), data_json, res_id)).encode() == expected
    head, middle, tail = fragments.envelope_parts(model, op, uid, ts, company, version)
    assert text == head + data_json + middle + str(res_id) + tail


def test_envelope_of_a_sealed_record():
    ts = datetime.datetime(2026, 1, 1, 8, 0, 0, 123456)
    data = {"name": "Lot 1", "qty": Decimal("1.50"), "partner_id": Ref("res.partner", 7)}
    data_json = canonical_json(data).decode()
    text = fragments.envelope_template("audit.seal.demo.record", "create", 2, ts) % (
        fragments.company_json(3),
        data_json,
        42,
    )
    assert text == (
        '{"company":3,"data":{"name":"Lot 1","partner_id":"res.partner,7","qty":"1.5"},'
        '"model":"audit.seal.demo.record","op":"create","res_id":42,'
        '"ts":"2026-01-01T08:00:00.123456Z","uid":2,"v":2}'
    )
    text = fragments.envelope_template("audit.seal.demo.record", "create", 2, ts) % (
        fragments.company_json(None),
        data_json,
        42,
    )
    assert text.startswith('{"company":null,"data":{') and text.endswith('"uid":2,"v":2}')


def test_envelope_of_an_entry_appended_before_companies_were_sealed():
    """Version 1 envelopes, as entries appended before 19.0.1.2.0 hold them: no company."""
    ts = datetime.datetime(2026, 1, 1, 8, 0, 0, 123456)
    data_json = canonical_json({"name": "Lot 1"}).decode()
    expected = (
        '{"data":{"name":"Lot 1"},"model":"audit.seal.demo.record","op":"create","res_id":42,'
        '"ts":"2026-01-01T08:00:00.123456Z","uid":2,"v":1}'
    )
    template = fragments.envelope_template("audit.seal.demo.record", "create", 2, ts, 1)
    assert template % (fragments.company_json(5), data_json, 42) == expected
    assert (
        entry_payload("audit.seal.demo.record", 42, "create", 2, ts, {"name": "Lot 1"}, None, 1)
        == expected.encode()
    )
    with pytest.raises(ValueError):
        entry_payload("audit.seal.demo.record", 42, "create", 2, ts, {}, 5, 1)
    with pytest.raises(CanonicalError):
        fragments.envelope_parts("audit.seal.demo.record", "create", 2, ts, 5, 1)


@given(
    st.text(alphabet="0123456789abcdef", min_size=64, max_size=64),
    st.integers(1, 2**40),
    st.lists(st.binary(max_size=40), max_size=6),
)
def test_chain_hashes_equal_entry_hash_one_by_one(prev, first, payloads):
    expected = []
    head = prev
    for offset, payload in enumerate(payloads):
        head = entry_hash(head, first + offset, payload)
        expected.append(head)
    assert chain_hashes(prev, first, payloads) == expected
    assert list(iter_chain_hashes(prev, first, payloads)) == expected


def test_chain_hashes_refuse_what_entry_hash_refuses():
    with pytest.raises(ValueError):
        chain_hashes("0" * 63, 1, [b""])
    with pytest.raises(ValueError):
        chain_hashes("0" * 64, 0, [b""])
    with pytest.raises(ValueError):
        chain_hashes("0" * 64, 2**63 - 1, [b"", b""])


plain_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4)
    ),
    max_leaves=20,
)


@given(plain_values)
@settings(max_examples=1000)
def test_plain_json_equals_canonical_json_of_plain_values(value):
    plain = to_plain(value)
    try:
        expected = canonical_json(plain)
    except CanonicalError:
        return  # lone surrogates: the append's UTF-8 encoding refuses them on both paths
    assert fragments.plain_json(plain).encode("utf-8") == expected


def test_plain_json_example():
    assert fragments.plain_json([{"b": None, "a": "批号", "c": [1, True]}]) == (
        '[{"a":"批号","b":null,"c":[1,true]}]'
    )
