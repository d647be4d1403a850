"""Canonical form: fixed formats, and hypothesis properties (determinism, idempotence,
key-order independence, injectivity on plain JSON values)."""

import datetime
import json
from decimal import Decimal

import pytest
from audit_seal_lib.canonical import (
    CanonicalError,
    Ref,
    canonical_json,
    format_datetime,
    is_canonical,
    parse_canonical,
    parse_datetime,
)
from hypothesis import given, settings
from hypothesis import strategies as st

# Plain JSON values without floats: exactly what canonical payloads contain.
plain_scalars = st.none() | st.booleans() | st.integers() | st.text()
plain_json = st.recursive(
    plain_scalars,
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=8), children, max_size=5)
    ),
    max_leaves=25,
)
# Rich values the addon feeds in (dates, decimals, references, bytes).
rich_scalars = (
    plain_scalars
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.decimals(allow_nan=False, allow_infinity=False)
    | st.datetimes()
    | st.dates()
    | st.binary(max_size=16)
    | st.builds(Ref, st.sampled_from(["res.partner", "stock.lot"]), st.integers(1, 10**9))
)
rich_json = st.recursive(
    rich_scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


def test_fixed_formats():
    value = {
        "b": True,
        "a": None,
        "qty": 1.50,
        "price": Decimal("10.000"),
        "big": 1e21,
        "neg_zero": -0.0,
        "when": datetime.datetime(2026, 3, 4, 5, 6, 7),
        "day": datetime.date(2026, 3, 4),
        "ref": Ref("res.partner", 7),
        "blob": b"abc",
        "text": 'é\n"',
        "list": [3, 1, 2],
    }
    assert (
        canonical_json(value)
        == (
            '{"a":null,"b":true,"big":"1000000000000000000000",'
            '"blob":"sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",'
            '"day":"2026-03-04","list":[3,1,2],"neg_zero":"0","price":"10","qty":"1.5",'
            '"ref":"res.partner,7","text":"é\\n\\"","when":"2026-03-04T05:06:07Z"}'
        ).encode()
    )


def test_aware_datetime_is_converted_to_utc():
    tz = datetime.timezone(datetime.timedelta(hours=8))
    aware = datetime.datetime(2026, 1, 1, 8, 0, 0, 5, tzinfo=tz)
    assert format_datetime(aware) == "2026-01-01T00:00:00.000005Z"
    assert parse_datetime("2026-01-01T00:00:00.000005Z") == datetime.datetime(
        2026, 1, 1, 0, 0, 0, 5
    )


@pytest.mark.parametrize(
    "bad",
    [float("nan"), float("inf"), Decimal("NaN"), {1: "x"}, {"s"}, object(), "\ud800"],
)
def test_values_without_canonical_form_are_refused(bad):
    with pytest.raises(CanonicalError):
        canonical_json({"v": bad})


@pytest.mark.parametrize(
    "text",
    [b'{"b":1,"a":2}', b'{"a": 1}', b'{"a":1.5}', b'{"a":1,"a":1}', b"\xff", b'"\\u00e9"'],
)
def test_non_canonical_bytes_are_detected(text):
    assert not is_canonical(text)
    with pytest.raises(CanonicalError):
        parse_canonical(text)


@given(rich_json)
@settings(max_examples=300)
def test_idempotent_through_json(value):
    """What a reader parses from canonical bytes re-encodes to the very same bytes."""
    data = canonical_json(value)
    assert canonical_json(json.loads(data)) == data
    assert is_canonical(data)


@given(rich_json)
def test_deterministic_and_compact(value):
    data = canonical_json(value)
    assert data == canonical_json(value)
    text = data.decode("utf-8")
    parsed = json.loads(text)
    assert text == json.dumps(parsed, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


@given(st.dictionaries(st.text(max_size=6), plain_json, max_size=8))
def test_key_order_does_not_matter(mapping):
    reordered = dict(reversed(list(mapping.items())))
    assert canonical_json(mapping) == canonical_json(reordered)


@given(plain_json, plain_json)
def test_injective_on_plain_values(a, b):
    """Different plain values never share a canonical form."""
    if canonical_json(a) == canonical_json(b):
        assert json.loads(canonical_json(a)) == json.loads(canonical_json(b))
        assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


@given(st.decimals(allow_nan=False, allow_infinity=False), st.integers(0, 6))
def test_equal_decimals_share_one_form(value, extra_zeros):
    sign, digits, exponent = value.as_tuple()
    padded = Decimal((sign, digits + (0,) * extra_zeros, exponent - extra_zeros))
    assert canonical_json(value) == canonical_json(padded)


@given(
    st.decimals(allow_nan=False, allow_infinity=False, places=4),
    st.decimals(allow_nan=False, allow_infinity=False, places=4),
)
def test_different_decimals_have_different_forms(a, b):
    if a != b:
        assert canonical_json(a) != canonical_json(b)


@given(st.datetimes(), st.integers(-12 * 60, 14 * 60))
def test_datetime_round_trip_and_timezone_invariance(value, offset_minutes):
    text = format_datetime(value)
    assert parse_datetime(text) == value
    tz = datetime.timezone(datetime.timedelta(minutes=offset_minutes))
    try:
        shifted = value.replace(tzinfo=datetime.timezone.utc).astimezone(tz)
    except OverflowError:
        return
    assert format_datetime(shifted) == text


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_float_form_is_exact(value):
    text = json.loads(canonical_json(value))
    assert float(Decimal(text)) == value or value == 0
