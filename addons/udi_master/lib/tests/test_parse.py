"""parse_udi: GS1 and HIBC semantics, input spellings, errors, and compose → parse round trips."""

import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from udi_master_lib.compose import gs1_digital_link, gs1_element_string, gs1_hri
from udi_master_lib.errors import UdiError
from udi_master_lib.hibc import hibc_concatenated, hibc_secondary, mod43_check_char
from udi_master_lib.parse import gs1_date, parse_digital_link, parse_udi

TODAY = datetime.date(2025, 6, 1)
GTIN = "09501101020917"
BASE = "01" + GTIN + "17270131" + "10LOT-1"


def _parse(code, today=TODAY):
    return parse_udi(code, today=today)


def _error(code, today=TODAY):
    with pytest.raises(UdiError) as caught:
        parse_udi(code, today=today)
    return caught.value


def _warning_codes(result):
    return [warning["code"] for warning in result["warnings"]]


# -- GS1 spellings ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "separator",
    [
        "\x1d",
        "<GS>",
        "<gs>",
        "{GS}",
        "[GS]",
        "<FNC1>",
        "{FNC1}",
        "[FNC1]",
        "\\x1d",
        "\\x1D",
        "\\u001d",
        "^]",
        "\u241d",
    ],
)
def test_every_fnc1_spelling_separates_the_lot_from_the_serial(separator):
    result = _parse(BASE + separator + "21SN1")
    assert (result["lot"], result["serial"]) == ("LOT-1", "SN1")


@pytest.mark.parametrize("prefix", ["]d2", "]C1", "]Q3", "]e0", "]J1", "\x1d", "]d2\x1d"])
def test_symbology_identifier_and_leading_fnc1_are_skipped(prefix):
    result = _parse(prefix + BASE)
    assert result["di"] == GTIN
    assert result["lot"] == "LOT-1"


def test_symbology_identifier_is_reported():
    assert _parse("]d2" + BASE)["symbology"] == "]d2"
    assert _parse(BASE)["symbology"] is None


def test_hash_is_not_a_separator():
    assert _error(BASE + "#21SN1").code == "pi_bad_character"


def test_separator_after_fixed_length_element_is_tolerated():
    result = _parse("01" + GTIN + "\x1d17270131\x1d10LOT-1")
    assert result["expiry"] == datetime.date(2027, 1, 31)


def test_result_has_normalised_hri_and_elements():
    result = _parse(BASE + "\x1d21SN1")
    assert result["hri"] == "(01)09501101020917(17)270131(10)LOT-1(21)SN1"
    assert result["elements"] == [("01", GTIN), ("17", "270131"), ("10", "LOT-1"), ("21", "SN1")]
    assert result["issuer"] == "gs1"
    assert result["format"] == "gs1_element_string"


def test_hri_with_spaces_parses_like_the_element_string():
    assert _parse("(01) 09501101020917 (17) 270131 (10) LOT-1")["lot"] == "LOT-1"


def test_hri_must_start_with_an_ai():
    assert _error("x(01)09501101020917").code == "unrecognised"


def test_digital_link_data_attributes_in_query():
    result = _parse("https://brand.example/dl/01/09501101020917/10/L%2B1?11=250101&17=270131")
    assert result["lot"] == "L+1"
    assert result["manufactured"] == datetime.date(2025, 1, 1)
    assert result["format"] == "gs1_digital_link"


def test_digital_link_pads_gtin13_to_14_digits():
    assert _parse("https://id.gs1.org/01/9501101020917")["di"] == GTIN


def test_digital_link_ignores_non_ai_query_parameters():
    assert _parse("https://id.gs1.org/01/09501101020917?linkType=all&utm=x")["lot"] is None


def test_digital_link_with_unknown_numeric_query_key_is_refused():
    assert _error("https://id.gs1.org/01/09501101020917?23=1").code == "gs1_unknown_ai"


def test_digital_link_with_odd_path_is_refused():
    assert _error("https://id.gs1.org/01/09501101020917/10").code == "dl_invalid"


def _dl_error(uri):
    with pytest.raises(UdiError) as caught:
        parse_digital_link(uri, today=TODAY)
    return caught.value


def test_digital_link_of_any_gs1_key_gives_its_element_strings():
    assert parse_digital_link("https://id.gs1.org/414/6901234000016/254/DOCK%2F1") == [
        ("414", "6901234000016"),
        ("254", "DOCK/1"),
    ]
    assert parse_digital_link("https://id.gs1.org/00/106141411234567897?02=09501101020917") == [
        ("00", "106141411234567897"),
        ("02", "09501101020917"),
    ]


def test_digital_link_elements_of_a_udi_are_those_the_scan_reads():
    uri = "https://brand.example/dl/gtin/9501101020917/lot/L%2B1?17=270100&linkType=all"
    assert parse_digital_link(uri, today=TODAY) == _parse(uri)["elements"]


@pytest.mark.parametrize(
    "uri",
    [
        "https://id.gs1.org/414/6901234000010",
        "https://id.gs1.org/417/6901234000010",
        "https://id.gs1.org/00/106141411234567890",
    ],
)
def test_digital_link_gln_or_sscc_with_a_wrong_check_digit_is_refused(uri):
    assert _dl_error(uri).code == "gs1_bad_check_digit"


def test_digital_link_without_a_gs1_key_is_refused():
    assert _dl_error("https://id.gs1.org/products/pacemaker").code == "dl_no_key"


def test_digital_link_with_an_impossible_date_is_refused():
    assert _dl_error("https://id.gs1.org/01/09501101020917?17=270231").code == "date_impossible"


def test_gs1_date_reads_day_00_as_the_last_day_of_the_month():
    assert gs1_date("17", "280200", TODAY) == datetime.date(2028, 2, 29)


# -- GS1 dates -------------------------------------------------------------------------------------


def test_day_00_is_the_last_day_of_a_leap_february_with_a_warning():
    result = _parse("01" + GTIN + "17280200")
    assert result["expiry"] == datetime.date(2028, 2, 29)
    assert _warning_codes(result) == ["date_day_00"]


def test_day_00_in_a_common_february():
    assert _parse("01" + GTIN + "17270200")["expiry"] == datetime.date(2027, 2, 28)


def test_day_00_on_manufacture_date_warns_too():
    result = _parse("01" + GTIN + "11250100")
    assert result["manufactured"] == datetime.date(2025, 1, 31)
    assert "date_day_00" in _warning_codes(result)


def test_two_digit_year_follows_the_gs1_sliding_window():
    assert _parse("01" + GTIN + "17750101")["expiry"].year == 2075
    assert _parse("01" + GTIN + "17760101")["expiry"].year == 1976
    assert _parse("01" + GTIN + "17760101", today=datetime.date(2030, 1, 1))["expiry"].year == 2076


def test_29_february_of_a_common_year_is_impossible():
    error = _error("01" + GTIN + "17270229")
    assert error.code == "date_impossible"
    assert "270229" in str(error)


def test_expired_device_gets_a_warning():
    result = _parse("01" + GTIN + "17250531")
    assert _warning_codes(result) == ["expired"]


def test_expiry_datetime_7003_is_used_when_17_is_absent():
    assert _parse("01" + GTIN + "70032701311200")["expiry"] == datetime.date(2027, 1, 31)


def test_quantity_from_ai_30():
    assert _parse(BASE + "\x1d3025")["quantity"] == 25


# -- GS1 errors ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "code, error",
    [
        ("01" + GTIN[:-1] + "8", "gtin_bad_check_digit"),
        ("01" + GTIN + "10", "gs1_empty_value"),
        ("01" + GTIN + "10\x1d21X", "gs1_empty_value"),
        ("01" + GTIN + "17ABCDEF", "gs1_bad_value"),
        ("01" + GTIN + "2312", "gs1_unknown_ai"),
        ("(01)" + GTIN + "(30)123456789", "gs1_value_too_long"),
        ("(01)" + GTIN + "(21)" + "S" * 21, "pi_too_long"),
        ("(10)ABC", "gtin_missing"),
        ("(21)ABC", "gtin_missing"),
        ("(15)270101", "no_di"),
        ("01" + GTIN + "10A\x1d10B", "gs1_duplicate_ai"),
        ("x" * 1001, "input_too_long"),
        ("0109501101020917\x0710A", "bad_character"),
        ("~~~", "unrecognised"),
    ],
)
def test_invalid_gs1_is_refused_with_a_stable_code(code, error):
    assert _error(code).code == error


def test_repeated_identical_ai_is_accepted_once():
    assert _parse("(01)" + GTIN + "(10)A(10)A")["elements"] == [("01", GTIN), ("10", "A")]


def test_error_message_names_the_reason():
    error = _error("01" + GTIN[:-1] + "8")
    assert "check digit" in str(error) and "expected 7" in str(error)
    assert error.params["expected"] == 7


def test_bare_gtin14_with_valid_check_digit_is_a_di_without_pi():
    result = _parse(GTIN)
    assert result["di"] == GTIN and result["lot"] is None
    assert _warning_codes(result) == ["bare_gtin"]


def test_fourteen_digits_under_a_gs1_symbology_are_an_element_string():
    assert _error("]d2" + "01095011010209").code == "gs1_truncated"


# -- HIBC ------------------------------------------------------------------------------------------


def _with_check(body):
    return body + mod43_check_char(body)


PRIMARY = "+A99912345"  # LIC A999, PCN 1234, unit of measure 5


@pytest.mark.parametrize(
    "secondary, expiry",
    [
        ("$$0127LOT1", datetime.date(2027, 1, 31)),  # MMYY, flag digit is the month's first digit
        ("$$1227LOT1", datetime.date(2027, 12, 31)),
        ("$$2013127LOT1", datetime.date(2027, 1, 31)),  # MMDDYY
        ("$$3270131LOT1", datetime.date(2027, 1, 31)),  # YYMMDD
        ("$$427013123LOT1", datetime.date(2027, 1, 31)),  # YYMMDDHH
        ("$$527031LOT1", datetime.date(2027, 1, 31)),  # YYJJJ
        ("$$62703123LOT1", datetime.date(2027, 1, 31)),  # YYJJJHH
        ("$$7LOT1", None),  # no date
        ("27031LOT1", datetime.date(2027, 1, 31)),  # original format: Julian date + lot
    ],
)
def test_hibc_secondary_date_formats(secondary, expiry):
    result = _parse(_with_check(PRIMARY + "/" + secondary))
    assert (result["lot"], result["expiry"]) == ("LOT1", expiry)
    assert result["di"] == "+A999123457"


@pytest.mark.parametrize(
    "secondary, quantity", [("$$810$$X", None), ("$$8243270131L", 24), ("$$9001003270131L", 100)]
)
def test_hibc_quantity(secondary, quantity):
    if quantity is None:
        assert _error(_with_check(PRIMARY + "/" + secondary)).code == "hibc_bad_secondary"
        return
    result = _parse(_with_check(PRIMARY + "/" + secondary))
    assert (result["quantity"], result["lot"]) == (quantity, "L")


def test_hibc_serial_formats():
    assert _parse(_with_check(PRIMARY + "/$$+7SN9"))["serial"] == "SN9"
    result = _parse(_with_check(PRIMARY + "/$+SN9"))
    assert result["serial"] == "SN9"
    assert _warning_codes(result) == ["hibc_legacy_format"]


def test_hibc_supplemental_serial_and_dates():
    result = _parse(_with_check(PRIMARY + "/$$7L1/SSN1/16D20250102/14D20270131"))
    assert (result["lot"], result["serial"]) == ("L1", "SN1")
    assert result["manufactured"] == datetime.date(2025, 1, 2)
    assert result["expiry"] == datetime.date(2027, 1, 31)


def test_hibc_unknown_supplement_is_refused():
    assert _error(_with_check(PRIMARY + "/$$7L1/Q5")).code == "hibc_unknown_supplement"


def test_hibc_space_check_character_written_as_underscore():
    body = next(
        "+A999" + str(pcn) + "0" for pcn in range(1000) if mod43_check_char("+A999%s0" % pcn) == " "
    )
    assert _parse(body + "_")["di"] == body + " "
    assert _parse(body + " ")["di"] == body + " "
    assert _parse(body + " ")["hri"] == body + "_"


def test_hibc_trailing_padding_space_is_ignored():
    assert _parse("+A123BJC5D6E71G ")["di"] == "+A123BJC5D6E71G"


def test_hibc_lower_case_is_read_as_upper_case():
    assert _parse("+a123bjc5d6e71g")["di"] == "+A123BJC5D6E71G"


def test_hibc_secondary_alone_reports_its_link_character():
    result = _parse("+$$52001510X3GD")
    assert (result["di"], result["link"]) == (None, "G")
    assert "hibc_secondary_only" in _warning_codes(result)


def test_hibc_pair_separated_by_space_is_linked():
    result = _parse("+A123BJC5D6E71G +$$52001510X3GD")
    assert (result["di"], result["lot"]) == ("+A123BJC5D6E71G", "10X3")


def test_hibc_two_primaries_are_refused():
    assert _error("+A123BJC5D6E71G\n+A999ABC1230V").code == "hibc_bad_pair"


@pytest.mark.parametrize(
    "code, error",
    [
        (_with_check("+A999" + "1" * 19 + "0"), "hibc_bad_primary"),
        ("+A", "hibc_too_short"),
        ("+A999#1234", "hibc_bad_character"),
        (_with_check(PRIMARY + "/$$3270131" + "L" * 19), "pi_too_long"),
        (_with_check(PRIMARY + "/$$3270131LOT%1"), "pi_bad_character"),
        (PRIMARY + "/$$3270131LOT1" + "X", "hibc_bad_check_char"),
        (_with_check(PRIMARY + "/$$327013"), "hibc_truncated"),
        (_with_check(PRIMARY + "/$$527400L"), "date_impossible"),
        (_with_check(PRIMARY + "/$$427013125L"), "date_impossible"),
        (_with_check(PRIMARY + "/XYZ"), "hibc_bad_secondary"),
        (_with_check(PRIMARY + "/$$3270131L/16D20280101"), "expiry_before_manufacture"),
    ],
)
def test_invalid_hibc_is_refused_with_a_stable_code(code, error):
    assert _error(code).code == error


# -- round trips -----------------------------------------------------------------------------------

GS1_PI = st.text(
    alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-./_",
    min_size=1,
    max_size=20,
)
HIBC_PI = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.", min_size=1, max_size=18)
DATES = st.dates(min_value=datetime.date(1976, 1, 1), max_value=datetime.date(2075, 12, 31))


@st.composite
def gtins(draw):
    body = draw(st.text(alphabet="0123456789", min_size=13, max_size=13))
    from biip.checksums import gs1_standard_check_digit

    return body + str(gs1_standard_check_digit(body))


@st.composite
def gs1_pis(draw):
    manufactured = draw(st.none() | DATES)
    expiry = draw(st.none() | DATES)
    if manufactured and expiry and expiry < manufactured:
        manufactured, expiry = expiry, manufactured
    return {
        "lot": draw(st.none() | GS1_PI),
        "serial": draw(st.none() | GS1_PI),
        "manufactured": manufactured,
        "expiry": expiry,
    }


def _same_pi(result, pi):
    for key, value in pi.items():
        assert result[key] == (value or None), key


@settings(max_examples=200, deadline=None)
@given(gtin=gtins(), pi=gs1_pis(), prefix=st.sampled_from(["", "]d2", "]C1"]))
def test_gs1_element_string_round_trip(gtin, pi, prefix):
    result = _parse(prefix + gs1_element_string(gtin, **pi))
    assert result["di"] == gtin
    _same_pi(result, pi)


@settings(max_examples=200, deadline=None)
@given(gtin=gtins(), pi=gs1_pis())
def test_gs1_hri_round_trip(gtin, pi):
    result = _parse(gs1_hri(gtin, **pi))
    assert result["di"] == gtin
    _same_pi(result, pi)
    assert result["hri"] == gs1_hri(gtin, **pi)


@settings(max_examples=200, deadline=None)
@given(gtin=gtins(), pi=gs1_pis())
def test_gs1_digital_link_round_trip(gtin, pi):
    result = _parse(gs1_digital_link(gtin, **pi))
    assert result["di"] == gtin
    _same_pi(result, pi)


@st.composite
def hibc_dis(draw):
    lic = draw(st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ")) + draw(
        st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=3, max_size=3)
    )
    pcn = draw(st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=1, max_size=18))
    body = "+" + lic + pcn + draw(st.sampled_from("0123456789"))
    return body + mod43_check_char(body)


@st.composite
def hibc_pis(draw):
    pi = draw(gs1_pis())
    pi["lot"] = draw(st.none() | HIBC_PI)
    pi["serial"] = draw(st.none() | HIBC_PI)
    pi["quantity"] = draw(st.none() | st.integers(min_value=0, max_value=99999))
    return pi


@settings(max_examples=200, deadline=None)
@given(di=hibc_dis(), pi=hibc_pis())
def test_hibc_concatenated_round_trip(di, pi):
    result = _parse(hibc_concatenated(di, **pi))
    assert result["di"] == di
    _same_pi(result, {k: v for k, v in pi.items() if k != "quantity"})
    assert result["quantity"] == pi["quantity"]


@settings(max_examples=200, deadline=None)
@given(di=hibc_dis(), pi=hibc_pis())
def test_hibc_primary_and_secondary_round_trip(di, pi):
    result = _parse(di.replace(" ", "_") + "\n" + hibc_secondary(di, **pi))
    assert result["di"] == di
    _same_pi(result, {k: v for k, v in pi.items() if k != "quantity"})
