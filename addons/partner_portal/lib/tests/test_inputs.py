"""Reading what a consignee types (notes, report rows, onward rows, the onward form) without
Odoo: values, refusals, and properties over generated input."""

import datetime
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from partner_portal_lib import inputs
from partner_portal_lib.inputs import PortalInputError

TODAY = datetime.date(2026, 3, 15)


def _message(error_info):
    error = error_info.value
    return error.message % {"what": "The note", **error.params}


# ---------------------------------------------------------------------------------- numbers


@pytest.mark.parametrize("value", [0, 1, -2, 3.5, 1e300])
def test_finite_ints_and_floats_are_numbers(value):
    assert inputs.is_number(value)


@pytest.mark.parametrize("value", [True, False, None, "1", math.nan, math.inf, -math.inf, [1]])
def test_bools_texts_and_non_finite_values_are_not_numbers(value):
    assert not inputs.is_number(value)


# ---------------------------------------------------------------------------------- free text


def test_clean_text_trims_and_drops_control_characters():
    assert inputs.clean_text("  Ruijin\x00 Hospital\x1b \n") == "Ruijin Hospital"


def test_clean_text_keeps_line_breaks_and_tabs_inside():
    assert inputs.clean_text("line 1\nline\t2") == "line 1\nline\t2"


@pytest.mark.parametrize("text", [None, False, "", "   ", "\x00\x07"])
def test_clean_text_of_nothing_is_false(text):
    assert inputs.clean_text(text) is False


def test_clean_text_refuses_what_is_not_text():
    with pytest.raises(PortalInputError) as info:
        inputs.clean_text(12)
    assert _message(info) == "The note must be text."


def test_clean_text_refuses_too_long_text_with_its_length():
    with pytest.raises(PortalInputError) as info:
        inputs.clean_text("x" * 11, limit=10)
    assert _message(info) == "The note is too long (11 characters, at most 10)."


@given(st.text(max_size=300))
def test_clean_text_never_returns_control_characters_or_outer_spaces(text):
    try:
        cleaned = inputs.clean_text(text, limit=300)
    except PortalInputError:
        return
    if cleaned is False:
        return
    assert cleaned == cleaned.strip()
    assert not any(ord(char) < 32 and char not in "\t\n\r" for char in cleaned)
    assert "\x7f" not in cleaned


# ---------------------------------------------------------------------------------- rows


def test_unknown_keys_are_named_sorted_and_shortened():
    row = {"lot": "L1", "zeta": 1, "alpha": 2, "k" * 60: 3}
    assert inputs.unknown_keys(row, inputs.REPORT_KEYS) == ["alpha", "k" * 40, "zeta"]


def test_resolve_lot_by_id_and_by_name():
    lots = {7: "lot-7", 8: "lot-8"}
    by_name = {"L7": ["lot-7"], "L8": ["lot-8"]}
    assert inputs.resolve_lot({"lot_id": 8}, lots, by_name) == "lot-8"
    assert inputs.resolve_lot({"lot": " L7 "}, lots, by_name) == "lot-7"


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ({"lot_id": 9}, "lot/serial id 9 is not in this notice"),
        ({"lot_id": True}, "lot/serial id True is not in this notice"),
        ({"lot_id": "7"}, "lot/serial id 7 is not in this notice"),
        ({"lot": "L9"}, "lot/serial L9 is not in this notice"),
        ({"lot": "SHARED"}, "SHARED names lots of several devices; give its lot_id"),
        ({"lot": "  "}, "give the lot or serial (lot or lot_id)"),
        ({}, "give the lot or serial (lot or lot_id)"),
    ],
)
def test_resolve_lot_refusals(row, expected):
    lots = {7: "lot-7"}
    by_name = {"L7": ["lot-7"], "SHARED": ["a", "b"]}
    with pytest.raises(PortalInputError) as info:
        inputs.resolve_lot(row, lots, by_name)
    assert _message(info) == expected


def test_resolve_lot_shortens_an_unknown_name():
    with pytest.raises(PortalInputError) as info:
        inputs.resolve_lot({"lot": "X" * 500}, {}, {})
    assert info.value.params["lot"] == "X" * inputs.NAME_MAX


def test_report_quantities_default_to_zero_and_name_what_is_not_a_number():
    values, wrong = inputs.report_quantities(
        {"qty_on_hand": 3, "qty_used": None, "qty_destroyed": "2"}
    )
    assert values == {"qty_on_hand": 3, "qty_used": 0, "qty_returned": 0, "qty_destroyed": 0}
    assert wrong == ["qty_destroyed"]


# ---------------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    "value",
    [
        "2026-03-01",
        " 2026-03-01 ",
        "2026-03-01T10:00:00",
        datetime.date(2026, 3, 1),
        datetime.datetime(2026, 3, 1, 23, 59),
    ],
)
def test_parse_date_reads_iso_text_dates_and_datetimes(value):
    assert inputs.parse_date(value, TODAY) == datetime.date(2026, 3, 1)


def test_parse_date_accepts_today():
    assert inputs.parse_date("2026-03-15", TODAY) == TODAY


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("01/03/2026", "01/03/2026 is not a date (YYYY-MM-DD)"),
        ("2026-02-30", "2026-02-30 is not a date (YYYY-MM-DD)"),
        (None, "give the shipping date (YYYY-MM-DD)"),
        (20260301, "give the shipping date (YYYY-MM-DD)"),
        ("2026-03-16", "the shipping date 2026-03-16 is in the future"),
    ],
)
def test_parse_date_refusals(value, expected):
    with pytest.raises(PortalInputError) as info:
        inputs.parse_date(value, TODAY)
    assert _message(info) == expected


def test_parse_date_quotes_at_most_20_characters_of_bad_text():
    with pytest.raises(PortalInputError) as info:
        inputs.parse_date("not a date at all, really not", TODAY)
    assert info.value.params["value"] == "not a date at all, r"


@given(st.dates())
def test_parse_date_reads_back_every_date_up_to_today(day):
    if day > TODAY:
        with pytest.raises(PortalInputError):
            inputs.parse_date(day.isoformat(), TODAY)
    else:
        assert inputs.parse_date(day.isoformat(), TODAY) == day


# ---------------------------------------------------------------------------------- quantities


@pytest.mark.parametrize(("value", "expected"), [(5, 5), (2.5, 2.5), ("3", 3.0), (" 1.5 ", 1.5)])
def test_parse_quantity_reads_numbers_and_their_text(value, expected):
    assert inputs.parse_quantity(value) == expected


@pytest.mark.parametrize("value", [0, -1, "0", "abc", "", None, True, "nan", "inf", math.nan])
def test_parse_quantity_refuses_what_is_not_above_zero(value):
    with pytest.raises(PortalInputError) as info:
        inputs.parse_quantity(value)
    assert _message(info) == "the quantity must be a number above 0"


def test_parse_quantity_of_a_serial_number_is_one():
    assert inputs.parse_quantity("1", serial="SN-1") == 1.0
    with pytest.raises(PortalInputError) as info:
        inputs.parse_quantity(2, serial="SN-1")
    assert _message(info) == "SN-1 is a serial number: its quantity is 1"


@given(st.floats(min_value=1e-6, max_value=1e9))
def test_parse_quantity_reads_back_any_positive_number_as_text(value):
    assert inputs.parse_quantity(repr(value)) == value


# ---------------------------------------------------------------------------------- GLN


def _normalize(text):
    if len(text) != 13 or not text.isdigit():
        raise ValueError(f"Invalid GLN {text!r}")
    return text


def test_parse_gln_normalises_text_and_numbers():
    assert inputs.parse_gln(" 6901234000023 ", _normalize) == "6901234000023"
    assert inputs.parse_gln(6901234000023, _normalize) == "6901234000023"


@pytest.mark.parametrize("value", [None, False, "", 0])
def test_parse_gln_not_given_is_false(value):
    assert inputs.parse_gln(value, _normalize) is False


def test_parse_gln_lets_the_normaliser_refuse():
    with pytest.raises(ValueError, match="Invalid GLN '123'"):
        inputs.parse_gln("123", _normalize)
    with pytest.raises(ValueError, match="Invalid GLN ''"):
        inputs.parse_gln(["6901234000023"], _normalize)


def test_parse_gln_refuses_the_consignees_or_our_own():
    with pytest.raises(PortalInputError) as info:
        inputs.parse_gln("6901234000023", _normalize, own_glns={"6901234000023"})
    assert _message(info) == "GLN 6901234000023 is yours or ours, not your customer's"


# ---------------------------------------------------------------------------------- the form


def test_onward_form_rows_keep_filled_rows_trimmed_without_empty_fields():
    form = {
        "onward_name_0": " Ruijin Hospital ",
        "onward_lot_0": "RC-L1",
        "onward_quantity_0": "5",
        "onward_date_0": "2026-03-01",
        "onward_gln_0": "",
        "onward_name_1": "   ",
        "onward_name_2": "Renji Hospital",
        "onward_document_2": "DN-7",
        "onward_name_5": "beyond the rows the form shows",
        "note": "not a row",
    }
    assert inputs.onward_form_rows(form, 5) == [
        {"name": "Ruijin Hospital", "lot": "RC-L1", "quantity": "5", "date": "2026-03-01"},
        {"name": "Renji Hospital", "document": "DN-7"},
    ]


def test_onward_form_rows_of_an_empty_form_is_empty():
    assert inputs.onward_form_rows({}, 5) == []


@given(
    st.dictionaries(
        st.sampled_from(
            [f"onward_{field}_{index}" for field in inputs.ONWARD_FORM_FIELDS for index in range(3)]
        ),
        st.text(max_size=10),
    )
)
def test_onward_form_rows_hold_only_trimmed_non_empty_known_fields(form):
    rows = inputs.onward_form_rows(form, 3)
    assert len(rows) <= 3
    for row in rows:
        assert row
        assert set(row) <= set(inputs.ONWARD_FORM_FIELDS)
        assert all(value and value == value.strip() for value in row.values())
