"""Label barcodes are rendered, then decoded back with zxing-cpp and parsed with biip."""

import datetime

import biip
import pytest
import zxingcpp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from udi_master_lib.compose import gs1_digital_link, gs1_elements
from udi_master_lib.errors import UdiError
from udi_master_lib.hibc import hibc_concatenated, hibc_secondary, parse_hibc
from udi_master_lib.render import (
    code128,
    datamatrix,
    gs1_128,
    gs1_128_split,
    gs1_datamatrix,
    qr_code,
)

GTIN = "06901234567892"
MFG = datetime.date(2025, 1, 31)
EXP = datetime.date(2027, 1, 31)
TODAY = datetime.date(2026, 6, 1)
HIBC_DI = "+H123ABC01234567890D"
AI82 = "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"


def decode(symbol):
    result = zxingcpp.read_barcode(symbol.image())
    assert result is not None, "the symbol could not be decoded"
    return result


def scanned(result):
    """What a scanner sends: symbology identifier, then the data with FNC1 as ASCII 29."""
    return result.symbology_identifier + result.bytes.decode("ascii")


def parsed_pi(text):
    """(GTIN, lot, serial, manufacture date, expiry) read by biip from scanned text."""
    message = biip.parse(text).gs1_message
    assert message is not None, text
    values = {es.ai.ai: es for es in message.element_strings}

    def get(ai, attr="value"):
        return getattr(values[ai], attr) if ai in values else None

    return get("01"), get("10"), get("21"), get("11", "date"), get("17", "date")


def test_gs1_datamatrix_reads_back_as_gs1_with_same_di_and_pi():
    symbol = gs1_datamatrix(gs1_elements(GTIN, lot="AB12", manufactured=MFG, expiry=EXP))
    result = decode(symbol)
    assert result.format == zxingcpp.BarcodeFormat.DataMatrix
    assert result.symbology_identifier == "]d2"
    assert result.content_type == zxingcpp.ContentType.GS1
    assert result.text == "(01)06901234567892(11)250131(17)270131(10)AB12"
    assert parsed_pi(scanned(result)) == (GTIN, "AB12", None, MFG, EXP)


def test_gs1_datamatrix_separates_lot_from_following_serial_with_fnc1():
    symbol = gs1_datamatrix(gs1_elements(GTIN, lot="L1", serial="S-0001"))
    result = decode(symbol)
    assert result.bytes == b"010690123456789210L1\x1d21S-0001"
    assert symbol.content == "010690123456789210L1\x1d21S-0001"
    assert parsed_pi(scanned(result)) == (GTIN, "L1", "S-0001", None, None)


def test_gs1_datamatrix_keeps_parentheses_inside_a_lot():
    symbol = gs1_datamatrix(gs1_elements(GTIN, lot="A(1)B", expiry=EXP))
    result = decode(symbol)
    assert result.content_type == zxingcpp.ContentType.GS1
    assert parsed_pi(scanned(result)) == (GTIN, "A(1)B", None, None, EXP)


def test_gs1_datamatrix_requires_the_gtin_first():
    with pytest.raises(UdiError) as info:
        gs1_datamatrix([("10", "AB12")])
    assert info.value.code == "render_no_gtin"


def test_gs1_datamatrix_rejects_a_value_zxing_cannot_encode():
    with pytest.raises(UdiError) as info:
        gs1_datamatrix([("01", GTIN), ("10", "BAD\x1dLOT")])
    assert info.value.code == "render_failed"


def test_symbol_size_is_whole_pixels_per_module():
    symbol = gs1_datamatrix(gs1_elements(GTIN, serial="123"), module_mm=0.5, px_per_module=10)
    image = symbol.image()
    assert image.size == (symbol.width_modules * 10, symbol.height_modules * 10)
    assert symbol.width_mm == pytest.approx(symbol.width_modules * 0.5)


def test_gs1_128_reads_back_as_gs1_with_same_di_and_pi():
    symbol = gs1_128(gs1_elements(GTIN, lot="AB12", serial="SN9", manufactured=MFG, expiry=EXP))
    result = decode(symbol)
    assert result.format == zxingcpp.BarcodeFormat.Code128
    assert result.symbology_identifier == "]C1"
    assert result.content_type == zxingcpp.ContentType.GS1
    assert parsed_pi(scanned(result)) == (GTIN, "AB12", "SN9", MFG, EXP)
    assert symbol.print_height_mm == 8.0


def test_gs1_128_split_keeps_each_symbol_in_width_and_all_elements_in_order():
    elements = gs1_elements(GTIN, lot="LOT-2025-0001", manufactured=MFG, expiry=EXP)
    whole = gs1_128(elements)
    symbols = gs1_128_split(elements, max_width_mm=whole.width_mm - 1)
    assert len(symbols) == 2
    assert all(symbol.width_mm <= whole.width_mm - 1 for symbol in symbols)
    read = [decode(symbol) for symbol in symbols]
    assert all(r.symbology_identifier == "]C1" for r in read)
    assert read[0].text.startswith("(01)" + GTIN)
    assert "".join(r.text for r in read) == whole_text(elements)
    assert gs1_128_split(elements, max_width_mm=whole.width_mm) == [whole]


def whole_text(elements):
    return "".join(f"({ai}){value}" for ai, value in elements)


def test_gs1_128_split_refuses_an_element_wider_than_the_label():
    with pytest.raises(UdiError) as info:
        gs1_128_split(gs1_elements(GTIN, lot="ABCDEFGHIJKLMNOPQRST"), max_width_mm=30)
    assert info.value.code == "render_too_wide"


def test_qr_carries_the_digital_link_and_parses_to_same_di_and_pi():
    link = gs1_digital_link(GTIN, lot="AB/12", manufactured=MFG, expiry=EXP)
    result = decode(qr_code(link))
    assert result.format == zxingcpp.BarcodeFormat.QRCode
    assert result.text == link
    uri = biip.parse(result.text).gs1_digital_link_uri
    values = {es.ai.ai: es for es in uri.element_strings}
    assert values["01"].value == GTIN
    assert values["10"].value == "AB/12"
    assert values["11"].date == MFG
    assert values["17"].date == EXP


def test_hibc_concatenated_datamatrix_reads_back_as_plain_data_with_same_di_and_pi():
    data = hibc_concatenated(HIBC_DI, lot="3C001", expiry=EXP, manufactured=MFG)
    result = decode(datamatrix(data))
    assert (result.symbology_identifier, result.content_type) == ("]d1", zxingcpp.ContentType.Text)
    assert result.text == data
    parsed = parse_hibc(result.text, TODAY)
    assert (parsed["di"], parsed["lot"], parsed["expiry"], parsed["manufactured"]) == (
        HIBC_DI,
        "3C001",
        EXP,
        MFG,
    )


def test_hibc_primary_and_secondary_code128_read_back():
    primary = decode(code128(HIBC_DI))
    secondary = decode(code128(hibc_secondary(HIBC_DI, serial="X1", expiry=EXP)))
    assert (primary.symbology_identifier, primary.text) == ("]C0", HIBC_DI)
    parsed = parse_hibc(secondary.text, TODAY)
    assert (parsed["link"], parsed["serial"], parsed["expiry"]) == (HIBC_DI[-1], "X1", EXP)


pi_values = st.text(alphabet=AI82, min_size=1, max_size=20)
dates = st.dates(min_value=datetime.date(2000, 1, 1), max_value=datetime.date(2049, 12, 31))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    lot=st.one_of(st.none(), pi_values),
    serial=st.one_of(st.none(), pi_values),
    manufactured=st.one_of(st.none(), dates),
    expiry=st.one_of(st.none(), dates),
)
def test_any_udi_survives_datamatrix_and_gs1_128_round_trip(lot, serial, manufactured, expiry):
    elements = gs1_elements(GTIN, lot=lot, serial=serial, manufactured=manufactured, expiry=expiry)
    expected = (GTIN, lot, serial, manufactured, expiry)
    for symbol, identifier in (
        (gs1_datamatrix(elements, px_per_module=4), "]d2"),
        (gs1_128(elements, px_per_module=2), "]C1"),
    ):
        result = decode(symbol)
        assert result.symbology_identifier == identifier
        assert result.content_type == zxingcpp.ContentType.GS1
        assert parsed_pi(scanned(result)) == expected
