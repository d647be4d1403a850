"""EPCIS 2.0 mapping without Odoo: identifiers, times, vocabulary, event dicts, schema."""

import datetime
import json
from pathlib import Path

import pytest
from biip.checksums import gs1_standard_check_digit
from hypothesis import given, settings
from hypothesis import strategies as st
from trace_events_lib import epcis
from trace_events_lib.epcis import EpcisError
from udi_master_lib.compose import gs1_digital_link
from udi_master_lib.errors import UdiError
from udi_master_lib.parse import parse_udi

DATA = Path(__file__).resolve().parents[2] / "data" / "epcis"
#: GS1's capture documents (the query document among them is a query's answer)
EXAMPLES = sorted(
    path
    for path in (DATA / "examples").rglob("*.jsonld")
    if path.name != "EPCISQueryDocument.jsonld"
)
AI82 = "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
pi_values = st.text(alphabet=AI82, min_size=1, max_size=20)


@pytest.fixture(scope="module")
def schema():
    return epcis.EpcisSchema(DATA / "EPCIS-JSON-Schema.json")


def _example_events():
    for path in EXAMPLES:
        for event in json.loads(path.read_text())["epcisBody"]["eventList"]:
            yield pytest.param(event, id=f"{path.stem}:{event.get('eventID', 'hash')[-8:]}")


# ---------------------------------------------------------------------------- identifiers


def test_serial_digital_link_reads_back_gtin_and_serial():
    ref = epcis.parse_object_uri("https://id.gs1.org/01/06901234500011/21/PM0001")
    assert (ref["kind"], ref["agency"], ref["di"], ref["serial"]) == (
        "instance",
        "gs1",
        "06901234500011",
        "PM0001",
    )


def test_lot_digital_link_on_another_domain_reads_lot_and_query_dates():
    ref = epcis.parse_object_uri(
        "https://example.com/dl/01/06901234567892/10/C2405A?17=270331&11=250401"
    )
    assert (ref["kind"], ref["lot"]) == ("lot", "C2405A")
    assert (ref["expiry"], ref["manufactured"]) == (
        datetime.date(2027, 3, 31),
        datetime.date(2025, 4, 1),
    )


def test_class_level_digital_link_names_the_device_model():
    ref = epcis.parse_object_uri("https://id.gs1.org/01/04012345666663")
    assert (ref["kind"], ref["di"], ref["lot"], ref["serial"]) == (
        "class",
        "04012345666663",
        None,
        None,
    )


def test_digital_link_with_a_wrong_check_digit_is_refused():
    with pytest.raises(EpcisError, match="check digit"):
        epcis.parse_object_uri("https://id.gs1.org/01/06901234500012/21/PM0001")


# The Digital Link is read by udi_master's parser, the one a UDI scan goes through: EPCIS
# identifiers read as the scan reads them (these were read differently by biip's parser).


@pytest.mark.parametrize(
    "uri",
    [
        "https://id.gs1.org/gtin/06901234500011/ser/PM0001",  # legacy short names
        "https://id.gs1.org/01/06901234500011/21/PM0001/10/L1",  # qualifiers in another order
        "HTTPS://ID.GS1.ORG/01/06901234500011/21/PM0001",  # upper case, as a QR code carries it
    ],
)
def test_digital_link_reads_as_the_udi_scan_reads_it(uri):
    ref = epcis.parse_object_uri(uri)
    scan = parse_udi(uri)
    assert (ref["di"], ref["serial"], ref["lot"]) == (scan["di"], scan["serial"], scan["lot"])
    assert (ref["di"], ref["serial"]) == ("06901234500011", "PM0001")


@pytest.mark.parametrize(
    ("uri", "reason"),
    [
        ("https://id.gs1.org/01/06901234500011/21/PM0001?23=1", "gs1_unknown_ai"),
        ("https://id.gs1.org/01/06901234500011/21/PM0001?21=PM0002", "gs1_duplicate_ai"),
        ("https://id.gs1.org/01/06901234567892/10/L1?17=270231", "date_impossible"),
    ],
)
def test_digital_link_the_udi_scan_refuses_is_refused(uri, reason):
    with pytest.raises(EpcisError) as caught:
        epcis.parse_object_uri(uri)
    assert caught.value.code == "digital_link_invalid"
    assert caught.value.params["reason"].code == reason
    with pytest.raises(UdiError) as scanned:
        parse_udi(uri)
    assert scanned.value.code == reason


@settings(max_examples=100, deadline=None)
@given(
    gtin=st.from_regex(r"\A[0-9]{13}\Z"),
    lot=st.none() | pi_values,
    serial=st.none() | pi_values,
    expiry=st.none() | st.dates(datetime.date(2000, 1, 1), datetime.date(2049, 12, 31)),
)
def test_digital_link_gives_what_the_udi_scan_gives(gtin, lot, serial, expiry):
    gtin += str(gs1_standard_check_digit(gtin))
    uri = gs1_digital_link(gtin, lot=lot, serial=serial, expiry=expiry)
    ref = epcis.parse_object_uri(uri)
    scan = parse_udi(uri)
    assert (ref["di"], ref["lot"], ref["serial"], ref["expiry"]) == (
        scan["di"],
        scan["lot"],
        scan["serial"],
        scan["expiry"],
    )


def test_sgtin_urn_gives_the_gtin_with_its_check_digit_recomputed():
    ref = epcis.parse_object_uri("urn:epc:id:sgtin:0614141.107346.2017")
    assert (ref["di"], ref["serial"]) == ("10614141073464", "2017")


def test_lgtin_urn_gives_gtin_and_lot():
    ref = epcis.parse_object_uri("urn:epc:class:lgtin:4012345.012345.998877")
    assert (ref["kind"], ref["di"], ref["lot"]) == ("lot", "04012345123456", "998877")


def test_idpat_urn_is_the_class_level_gtin():
    ref = epcis.parse_object_uri("urn:epc:idpat:sgtin:4012345.066666.*")
    assert (ref["kind"], ref["di"]) == ("class", "04012345666663")


def test_urn_with_a_company_prefix_of_the_wrong_length_is_refused():
    with pytest.raises(EpcisError, match="13 digits together"):
        epcis.parse_object_uri("urn:epc:id:sgtin:0614141.1073461.2017")


def test_urn_serial_is_unescaped():
    ref = epcis.parse_object_uri("urn:epc:id:sgtin:0614141.107346.A%2FB%25C")
    assert ref["serial"] == "A/B%C"


def test_sscc_is_a_logistic_unit():
    ref = epcis.parse_object_uri("urn:epc:id:sscc:0614141.1234567890")
    assert (ref["kind"], ref["sscc"]) == ("sscc", "106141412345678908")


def test_identifier_that_names_no_device_is_read_as_other():
    # a returnable asset (GRAI), an individual asset (GIAI), a location named as an object, any
    # other URI: stored as the event's content and query terms, not as a device line
    for uri in (
        "urn:epc:id:grai:0614141.12345.400",
        "urn:epc:id:giai:4000001.12345",
        "https://id.gs1.org/8004/4000001123452",
        "urn:epc:id:sgln:0614141.07346.1234",
        "https://example.com/assets/42",
    ):
        assert epcis.parse_object_uri(uri)["kind"] == "other"


def test_sgtin_without_serial_is_still_refused():
    with pytest.raises(EpcisError, match="not an identifier this system reads"):
        epcis.parse_object_uri("urn:epc:id:sgtin:0614141.107346")


def test_place_that_is_no_gln_is_kept_as_given():
    assert epcis.parse_place_uri("geo:42.698334,23.319941") == {
        "gln": None,
        "extension": None,
        "local": None,
    }


def test_text_that_is_not_a_uri_is_refused():
    with pytest.raises(EpcisError, match="is not a URI"):
        epcis.parse_object_uri("PM0001")


def test_non_gs1_device_uses_the_suite_urn_and_reads_back():
    uri = epcis.object_uri("hibcc", "+H123PROD1/$", serial="S 1")
    assert uri == "urn:udi-trace:id:hibcc:%2BH123PROD1%2F%24:sn:S%201"
    ref = epcis.parse_object_uri(uri)
    assert (ref["kind"], ref["agency"], ref["di"], ref["serial"]) == (
        "instance",
        "hibcc",
        "+H123PROD1/$",
        "S 1",
    )


def test_local_product_urn_reads_scope_and_id():
    uri = epcis.local_uri("db-1", "product", 42, lot="L:1")
    ref = epcis.parse_object_uri(uri)
    assert (ref["product_ref"], ref["lot"]) == (("db-1", "42"), "L:1")


@given(pi_values)
def test_serial_digital_link_round_trips_any_gs1_serial(serial):
    uri = epcis.object_uri("gs1", "06901234500011", serial=serial)
    assert uri == gs1_digital_link("06901234500011", serial=serial)
    assert epcis.parse_object_uri(uri)["serial"] == serial


@given(pi_values)
def test_lot_digital_link_round_trips_any_gs1_lot(lot):
    uri = epcis.object_uri("gs1", "06901234567892", lot=lot)
    ref = epcis.parse_object_uri(uri)
    assert (ref["kind"], ref["lot"]) == ("lot", lot)


@given(pi_values)
def test_sgtin_urn_round_trips_any_gs1_serial(serial):
    uri = epcis.sgtin_urn("10614141073464", serial, 7)
    assert uri.startswith("urn:epc:id:sgtin:0614141.107346.")
    ref = epcis.parse_object_uri(uri)
    assert (ref["di"], ref["serial"]) == ("10614141073464", serial)


@given(pi_values)
def test_lgtin_urn_round_trips_any_gs1_lot(lot):
    ref = epcis.parse_object_uri(epcis.lgtin_urn("04012345123456", lot, 7))
    assert (ref["di"], ref["lot"]) == ("04012345123456", lot)


def test_sgln_urn_gives_gln_and_extension():
    place = epcis.parse_place_uri("urn:epc:id:sgln:0614141.07346.1234")
    assert (place["gln"], place["extension"]) == ("0614141073467", "1234")


def test_sgln_urn_extension_zero_means_none():
    assert epcis.parse_place_uri("urn:epc:id:sgln:4012345.00001.0")["extension"] is None


def test_sgln_urn_round_trips():
    uri = epcis.sgln_urn("0614141073467", "1234", 7)
    assert uri == "urn:epc:id:sgln:0614141.07346.1234"


def test_pgln_urn_gives_the_party_gln():
    assert epcis.parse_place_uri("urn:epc:id:pgln:0614141.07346")["gln"] == "0614141073467"


def test_location_and_party_digital_links_read_back():
    assert epcis.parse_place_uri(epcis.location_uri("6901234000016", "DOCK-1")) == {
        "gln": "6901234000016",
        "extension": "DOCK-1",
        "local": None,
    }
    assert epcis.parse_place_uri(epcis.party_uri("6901234000009"))["gln"] == "6901234000009"


def test_gln_with_a_wrong_check_digit_is_refused():
    with pytest.raises(EpcisError, match="6901234000010"):
        epcis.parse_place_uri("https://id.gs1.org/417/6901234000010")


def test_local_location_urn_reads_scope_kind_and_id():
    uri = epcis.local_uri("db-1", "location", 8)
    assert epcis.parse_place_uri(uri)["local"] == ("db-1", "location", "8")


def test_business_transaction_of_a_gln_reads_back():
    uri = epcis.biz_transaction_uri("WH/OUT/00012", gln="6901234000016")
    assert uri == "urn:epcglobal:cbv:bt:6901234000016:WH%2FOUT%2F00012"
    assert epcis.parse_biz_transaction(uri) == ("6901234000016", "WH/OUT/00012")


def test_business_transaction_that_is_a_uri_is_kept():
    uri = "http://transaction.acme.com/po/12345678"
    assert epcis.biz_transaction_uri(uri, gln="6901234000016") == uri


# ---------------------------------------------------------------------------- time


def test_event_time_with_an_offset_becomes_utc():
    assert epcis.parse_time("2005-04-03T20:33:31.116000-06:00") == (
        datetime.datetime(2005, 4, 4, 2, 33, 31, 116000),
        "-06:00",
    )


def test_event_time_in_z_form_is_utc():
    assert epcis.parse_time("2013-06-08T14:58:56.591Z") == (
        datetime.datetime(2013, 6, 8, 14, 58, 56, 591000),
        "+00:00",
    )


@pytest.mark.parametrize(
    "text",
    [
        "2025-04-01T08:30:00",
        "2025-04-01 08:30:00+08:00",
        "2025-02-30T08:30:00Z",
        "2025-04-01T08:30:00+15:00",
        20250401,
    ],
)
def test_time_without_zone_or_impossible_is_refused(text):
    with pytest.raises(EpcisError):
        epcis.parse_time(text)


@given(
    st.datetimes(
        min_value=datetime.datetime(1990, 1, 1), max_value=datetime.datetime(2100, 1, 1)
    ).map(lambda value: value.replace(microsecond=value.microsecond // 1000 * 1000)),
    st.integers(min_value=-12 * 60, max_value=14 * 60).map(lambda m: m - m % 15),
)
def test_time_round_trips_through_any_offset(utc, minutes):
    offset = epcis.format_offset(minutes)
    assert epcis.parse_time(epcis.format_time(utc, offset)) == (utc, offset)


def test_format_time_writes_local_time_with_its_offset():
    utc = datetime.datetime(2025, 3, 1, 1, 30)
    assert epcis.format_time(utc, "+08:00") == "2025-03-01T09:30:00+08:00"
    assert epcis.format_time(utc) == "2025-03-01T01:30:00Z"


# ---------------------------------------------------------------------------- vocabulary


@pytest.mark.parametrize(
    "value",
    [
        "shipping",
        "https://ref.gs1.org/cbv/BizStep-shipping",
        "urn:epcglobal:cbv:bizstep:shipping",
    ],
)
def test_business_step_is_read_as_its_bare_word(value):
    assert epcis.biz_step_term(value) == "shipping"


def test_business_step_outside_the_cbv_is_not_a_term():
    assert epcis.biz_step_term("https://example.com/steps/flying") is None


def test_error_reason_and_source_type_uris_are_read():
    assert epcis.error_reason_term("https://ref.gs1.org/cbv/ER-did_not_occur") == "did_not_occur"
    assert epcis.source_dest_type_term("urn:epcglobal:cbv:sdt:owning_party") == "owning_party"
    assert epcis.biz_transaction_type_term("https://ref.gs1.org/cbv/BTT-desadv") == "desadv"


# ---------------------------------------------------------------------------- events


def _values(**overrides):
    values = {
        "type": "ObjectEvent",
        "event_id": "urn:uuid:0b0e0f3a-4b4e-4e0e-9f0e-000000000001",
        "action": "OBSERVE",
        "biz_step": "shipping",
        "disposition": "in_transit",
        "event_time": datetime.datetime(2025, 3, 1, 1, 30),
        "tz": "+08:00",
        "record_time": datetime.datetime(2025, 3, 1, 1, 31),
        "read_point": epcis.location_uri("6901234000016"),
        "sources": [("owning_party", epcis.party_uri("6901234000016"))],
        "destinations": [("owning_party", epcis.party_uri("6901234000009"))],
        "biz_transactions": [("desadv", epcis.biz_transaction_uri("WH/OUT/1", "6901234000016"))],
        "items": [
            {
                "role": "object",
                "uri": epcis.object_uri("gs1", "06901234500011", serial="PM1"),
                "instance": True,
                "quantity": 1,
            },
            {
                "role": "object",
                "uri": epcis.object_uri("gs1", "06901234567892", lot="C1"),
                "instance": False,
                "quantity": 5,
                "uom": None,
            },
            {
                "role": "object",
                "uri": epcis.object_uri("gs1", "06901234567892", lot="C1"),
                "instance": False,
                "quantity": 7,
                "uom": None,
            },
        ],
    }
    values.update(overrides)
    return values


def test_built_event_validates_and_merges_quantities_of_one_lot(schema):
    event = epcis.build_event(_values())
    assert schema.event_errors(event) == []
    assert event["epcList"] == ["https://id.gs1.org/01/06901234500011/21/PM1"]
    assert event["quantityList"] == [
        {"epcClass": "https://id.gs1.org/01/06901234567892/10/C1", "quantity": 12}
    ]


def test_built_event_reads_back_into_the_same_values():
    event = epcis.build_event(_values())
    values = epcis.read_event(event)
    assert (values["event_time"], values["tz"]) == (datetime.datetime(2025, 3, 1, 1, 30), "+08:00")
    assert values["sources"] == [("owning_party", "https://id.gs1.org/417/6901234000016")]
    assert [(item["uri"], item["quantity"]) for item in values["items"]] == [
        ("https://id.gs1.org/01/06901234500011/21/PM1", 1),
        ("https://id.gs1.org/01/06901234567892/10/C1", 12),
    ]


def test_transformation_has_no_action_and_uses_input_and_output_lists(schema):
    event = epcis.build_event(
        _values(
            type="TransformationEvent",
            items=[
                {
                    "role": "input",
                    "uri": epcis.object_uri("gs1", "06901234567892", lot="C1"),
                    "quantity": 2,
                },
                {
                    "role": "output",
                    "uri": epcis.object_uri("gs1", "06901234500011", serial="PM1"),
                    "instance": True,
                },
            ],
            ilmd={"cbvmda:itemExpirationDate": "2030-01-31"},
        )
    )
    assert schema.event_errors(event) == []
    assert "action" not in event
    assert set(event) >= {"inputQuantityList", "outputEPCList", "ilmd"}


def test_ilmd_is_only_written_on_add_object_events(schema):
    event = epcis.build_event(_values(ilmd={"cbvmda:itemExpirationDate": "2030-01-31"}))
    assert "ilmd" not in event
    assert schema.event_errors(event) == []


def test_error_declaration_is_written_and_read():
    declaration = {
        "time": datetime.datetime(2025, 3, 2, 10, 0),
        "reason": "did_not_occur",
        "corrective_ids": ["urn:uuid:1"],
    }
    event = epcis.build_event(_values(error_declaration=declaration))
    assert event["errorDeclaration"] == {
        "declarationTime": "2025-03-02T10:00:00Z",
        "reason": "did_not_occur",
        "correctiveEventIDs": ["urn:uuid:1"],
    }
    assert epcis.read_event(event)["error_declaration"] == declaration


def test_children_of_a_delete_aggregation_are_read_as_removed():
    event = epcis.build_event(
        _values(
            type="AggregationEvent",
            action="DELETE",
            parent=epcis.object_uri("gs1", "06901234500011", serial="PM1"),
            items=[
                {
                    "role": "child",
                    "instance": True,
                    "uri": epcis.object_uri("gs1", "06901234500011", serial="PM2"),
                }
            ],
        )
    )
    assert [item["role"] for item in epcis.read_event(event)["items"]] == ["removed"]


def test_unknown_cbv_disposition_is_refused_on_reading():
    event = epcis.build_event(_values(disposition="lost_forever"))
    with pytest.raises(EpcisError, match="disposition"):
        epcis.read_event(event)


def test_own_vocabulary_disposition_is_read_as_no_cbv_word():
    # EPCIS 2.0 lets a company use its own URIs: kept in the event's content, no CBV word
    event = epcis.build_event(_values(disposition="https://example.com/disp/lost"))
    assert epcis.read_event(event)["disposition"] is None


def test_transaction_event_is_read():
    event = epcis.build_event(_values())
    event["type"] = "TransactionEvent"
    values = epcis.read_event(event)
    assert values["type"] == "TransactionEvent"
    assert {item["role"] for item in values["items"]} == {"object"}


def test_ilmd_dates_are_read_from_cbv_master_data():
    assert epcis.ilmd_dates(
        {"cbvmda:itemExpirationDate": "2030-01-31", "udit:manufactureDate": "2025-01-31"}
    ) == (datetime.date(2030, 1, 31), datetime.date(2025, 1, 31))


# ---------------------------------------------------------------------------- schema


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.stem)
def test_gs1_example_documents_validate(schema, path):
    assert schema.document_errors(json.loads(path.read_text())) == []


@pytest.mark.parametrize("event", list(_example_events()))
def test_gs1_example_events_read_and_rebuild_into_valid_events(schema, event):
    values = epcis.read_event(event)
    rebuilt = epcis.build_event(values)
    if rebuilt["type"] == "ObjectEvent" and not values["items"]:  # only sensor data, say
        rebuilt.setdefault("epcList", [])
    assert schema.event_errors(rebuilt) == []


def test_schema_errors_say_where_and_what(schema):
    event = epcis.build_event(_values())
    event["epcList"] = ["not a uri"]
    event["eventTime"] = "yesterday"
    messages = schema.event_errors(event)
    assert "epcList[0]: 'not a uri' is not a 'uri'" in messages
    assert "eventTime: 'yesterday' is not a 'date-time'" in messages


# ---------------------------------------------------------------------------------- shape


def _shape_error(value, **kwargs):
    with pytest.raises(EpcisError) as caught:
        epcis.check_shape(value, **kwargs)
    return caught.value.code, str(caught.value.message) % caught.value.params


@pytest.mark.parametrize("number", [float("nan"), float("inf"), float("-inf")])
def test_check_shape_refuses_numbers_that_are_not_finite(number):
    code, message = _shape_error({"quantityList": [{"epcClass": "x", "quantity": number}]})
    assert code == "number_invalid"
    assert message.startswith("quantityList[0].quantity: ")


@pytest.mark.parametrize("text", ["urn:uuid:a\x00b", "DN\x1f1", "\x7f"])
def test_check_shape_refuses_control_characters(text):
    code, message = _shape_error({"eventID": text})
    assert (code, message.split(" ")[0]) == ("text_invalid", "eventID")


def test_check_shape_reads_5000_levels_without_recursion():
    deep = []
    for _level in range(5000):
        deep = [deep]
    code, message = _shape_error({"ilmd": {"x": deep}})
    assert code == "too_deep"
    assert "nested more than 32 levels" in message


def test_check_shape_refuses_a_control_character_in_a_name():
    code, message = _shape_error({"ilmd": {"a\x00b": 1}})
    assert (code, message.split(" ")[0]) == ("text_invalid", "ilmd")


@pytest.mark.parametrize("leaf", [1, "x", [], {}])
@pytest.mark.parametrize("levels", [1, 2, 3])
def test_check_shape_counts_levels_exactly(levels, leaf):
    """A member ``levels`` keys or positions down passes at max_depth=levels, not below."""
    value = leaf
    for level in range(levels):
        value = {"a": value} if level % 2 else [value]
    for depth_only in (False, True):
        epcis.check_shape(value, max_depth=levels, depth_only=depth_only)
        code = _shape_error(value, max_depth=levels - 1, depth_only=depth_only)[0]
        assert code == "too_deep"


def test_check_shape_accepts_the_gs1_examples():
    for path in EXAMPLES:
        epcis.check_shape(json.loads(path.read_text()), max_depth=epcis.MAX_DEPTH + 3)


def test_depth_only_lets_nan_through():
    epcis.check_shape({"quantity": float("nan")}, depth_only=True)


def test_quantity_above_the_largest_is_refused():
    event = {
        "type": "ObjectEvent",
        "action": "OBSERVE",
        "eventTime": "2025-01-01T00:00:00Z",
        "eventTimeZoneOffset": "+00:00",
        "quantityList": [
            {"epcClass": "https://id.gs1.org/01/06901234567892/10/L1", "quantity": 1e308}
        ],
    }
    with pytest.raises(EpcisError) as caught:
        epcis.read_event(event)
    assert caught.value.code == "quantity_too_large"


def test_object_count_counts_every_list():
    event = {"epcList": ["a", "b"], "quantityList": [{"epcClass": "c"}], "childEPCs": []}
    assert epcis.object_count(event) == (3, {"epcList": 2, "quantityList": 1})
