"""CBV 2.0 EPCIS event hash ID (section 8.9) without Odoo.

The published test vectors of GS1's reference implementation (the EPCIS Event Hash Generator) are
data from outside this repository: the vector tests read them from
``../shared/standards/epcis-event-hash/vectors.json`` (or ``$EPCIS_HASH_VECTORS``) and are skipped
where that file is absent. The other tests use an event of this suite's demo.
"""

import copy
import json
import os
from pathlib import Path

import pytest
from trace_events_lib import event_hash
from trace_events_lib.event_hash import (
    epc_urn_to_digital_link,
    event_hash_id,
    normalise_time,
    pre_hash_string,
)

VECTORS_FILE = Path(
    os.environ.get("EPCIS_HASH_VECTORS")
    or Path(__file__).resolve().parents[4].parent
    / "shared"
    / "standards"
    / "epcis-event-hash"
    / "vectors.json"
)
VECTORS = json.loads(VECTORS_FILE.read_text()) if VECTORS_FILE.is_file() else None
needs_vectors = pytest.mark.skipif(
    VECTORS is None, reason=f"GS1's event hash test vectors not found at {VECTORS_FILE}"
)

CONTEXT = [
    "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
    {"example": "https://ns.example.com/epcis/"},
]

# the demo's shipment of two pacemakers (GTIN 06901234500011) from the main warehouse
# (GLN 6901234000016, extension 1)
SHIPMENT = {
    "type": "ObjectEvent",
    "action": "OBSERVE",
    "bizStep": "shipping",
    "disposition": "in_transit",
    "epcList": ["urn:epc:id:sgtin:6901234.050001.251001", "urn:epc:id:sgtin:6901234.050001.251002"],
    "eventTime": "2026-03-02T09:15:30.250000+08:00",
    "eventTimeZoneOffset": "+08:00",
    "readPoint": {"id": "urn:epc:id:sgln:6901234.00001.1"},
    "bizTransactionList": [{"type": "po", "bizTransaction": "urn:example:po:PO-2026-0042"}],
}
SHIPMENT_PRE_HASH = (
    "eventType=ObjectEvent"
    "eventTime=2026-03-02T01:15:30.250Z"
    "eventTimeZoneOffset=+08:00"
    "epcList"
    "epc=https://id.gs1.org/01/06901234500011/21/251001"
    "epc=https://id.gs1.org/01/06901234500011/21/251002"
    "action=OBSERVE"
    "bizStep=https://ref.gs1.org/cbv/BizStep-shipping"
    "disposition=https://ref.gs1.org/cbv/Disp-in_transit"
    "readPointid=https://id.gs1.org/414/6901234000016/254/1"
    "bizTransactionList"
    "type=https://ref.gs1.org/cbv/BTT-po"
    "bizTransaction=urn:example:po:PO-2026-0042"
)


@needs_vectors
@pytest.mark.parametrize("index", range(7))
def test_gs1_published_vectors(index):
    vector = VECTORS["vectors"][index]
    expected = f"ni:///sha-256;{vector['hash']}?ver=CBV2.0"
    assert event_hash_id(vector["event"], VECTORS["context"]) == expected, vector["id"]


@needs_vectors
def test_pre_hash_string_of_gs1_single_event():
    example = VECTORS["pre_hash"]
    assert pre_hash_string(example["event"]) == example["pre_hash"]


def test_pre_hash_string_of_a_shipment():
    assert pre_hash_string(SHIPMENT) == SHIPMENT_PRE_HASH


def test_hash_id_form():
    hash_id = event_hash_id(SHIPMENT)
    assert hash_id.startswith("ni:///sha-256;") and hash_id.endswith("?ver=CBV2.0")
    assert len(hash_id.split(";")[1].split("?")[0]) == 64
    assert event_hash_id(SHIPMENT, algorithm="sha-512").startswith("ni:///sha-512;")
    with pytest.raises(ValueError):
        event_hash_id(SHIPMENT, algorithm="md5")


def test_key_order_whitespace_and_list_order_do_not_change_the_hash():
    shuffled = json.loads(
        json.dumps(dict(reversed(list(SHIPMENT.items()))), indent=4, sort_keys=True)
    )
    shuffled["epcList"] = list(reversed(shuffled["epcList"]))
    shuffled["bizStep"] = "  shipping "
    shuffled["readPoint"] = {"id": " urn:epc:id:sgln:6901234.00001.1\n"}
    assert event_hash_id(shuffled) == event_hash_id(SHIPMENT)


def test_excluded_fields():
    """eventID, recordTime, errorDeclaration and comments are not part of the event's content."""
    event = copy.deepcopy(SHIPMENT)
    event.update(
        eventID="urn:uuid:6a2c2d2e-4f53-4b4e-9a1b-9d2f3c1e0a11",
        recordTime="2022-02-18T00:00:00Z",
        errorDeclaration={"declarationTime": "2022-02-19T00:00:00Z", "reason": "incorrect_data"},
        comment="a comment",
    )
    event["@context"] = [{"example": "https://ns.example.com/epcis/"}]
    assert event_hash_id(event) == event_hash_id(SHIPMENT)


def test_equivalent_notations_give_the_same_hash():
    """CBV URNs, bare words and Web URIs; EPC URNs and Digital Link URIs; UTC and offsets."""
    other = copy.deepcopy(SHIPMENT)
    other.update(
        bizStep="urn:epcglobal:cbv:bizstep:shipping",
        disposition="https://ref.gs1.org/cbv/Disp-in_transit",
        epcList=[
            "https://example.com/01/06901234500011/21/251001?linkType=gs1:pip",
            "https://id.gs1.org/01/06901234500011/10/LOT9/21/251002",
        ],
        eventTime="2026-03-02T01:15:30.2499Z",
        bizTransactionList=[
            {"type": "cbv:BTT-po", "bizTransaction": "urn:example:po:PO-2026-0042"}
        ],
    )
    other["readPoint"] = {"id": "https://id.gs1.org/414/6901234000016/254/1"}
    assert event_hash_id(other) == event_hash_id(SHIPMENT)


@pytest.mark.parametrize(
    "change",
    [
        {"bizStep": "receiving"},
        {"eventTime": "2026-03-02T09:15:30.251+08:00"},
        {"eventTimeZoneOffset": "+00:00"},
        {"epcList": ["urn:epc:id:sgtin:6901234.050001.251001"]},
        {"readPoint": {"id": "urn:epc:id:sgln:6901234.00001.0"}},
        {"example:note": "x"},
    ],
)
def test_a_changed_or_added_field_changes_the_hash(change):
    other = dict(SHIPMENT, **change)
    assert event_hash_id(other, CONTEXT) != event_hash_id(SHIPMENT)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2022-02-16T20:33:31.116000-06:00", "2022-02-17T02:33:31.116Z"),
        ("2021-04-01T15:00:00+01:00", "2021-04-01T14:00:00.000Z"),
        ("2023-01-18T11:04:03.1415Z", "2023-01-18T11:04:03.142Z"),
        ("2023-01-18T11:04:03.1414Z", "2023-01-18T11:04:03.141Z"),
        ("2023-12-31T23:59:59.9996Z", "2024-01-01T00:00:00.000Z"),
        ("not a time", "not a time"),
    ],
)
def test_time_normalisation(text, expected):
    assert normalise_time(text) == expected


@pytest.mark.parametrize(
    ("urn", "link"),
    [
        ("urn:epc:id:sgtin:0614141.107346.2017", "https://id.gs1.org/01/10614141073464/21/2017"),
        ("urn:epc:id:sscc:5200001.0111111146", "https://id.gs1.org/00/052000011111111461"),
        ("urn:epc:id:sgln:4012345.00011.987", "https://id.gs1.org/414/4012345000115/254/987"),
        ("urn:epc:id:sgln:4012345.00005.0", "https://id.gs1.org/414/4012345000054"),
        ("urn:epc:id:pgln:5200001.00000", "https://id.gs1.org/417/5200001000008"),
        (
            "urn:epc:class:lgtin:4054739.099914.20160711",
            "https://id.gs1.org/01/04054739999148/10/20160711",
        ),
        ("urn:epc:idpat:sgtin:4012345.066666.*", "https://id.gs1.org/01/04012345666663"),
        ("urn:epc:id:gdti:4012345.55555.1234", "https://id.gs1.org/253/40123455555541234"),
        (
            "urn:epc:id:sgtin:0614141.812345.6789%2F%26%25%22!%3F()",
            "https://id.gs1.org/01/80614141123458/21/6789%2F%26%25%22%21%3F%28%29",
        ),
        ("urn:epc:id:sgtin:0614141.x.1", None),
        ("urn:epc:id:unknown:1.2", None),
    ],
)
def test_epc_urn_to_digital_link(urn, link):
    assert epc_urn_to_digital_link(urn) == link


def test_numbers_lose_trailing_zeros():
    packing = {
        "type": "AggregationEvent",
        "action": "ADD",
        "bizStep": "packing",
        "eventTime": "2026-03-01T16:00:00.000+08:00",
        "eventTimeZoneOffset": "+08:00",
        "parentID": "urn:epc:id:sscc:6901234.0000000017",
        "childQuantityList": [
            {"epcClass": "urn:epc:class:lgtin:6901234.056789.CVC2511-031", "quantity": 12},
        ],
    }
    decimal = copy.deepcopy(packing)
    decimal["childQuantityList"][0]["quantity"] = 12.0
    assert event_hash_id(decimal, CONTEXT) == event_hash_id(packing, CONTEXT)
    assert event_hash.normalise_number(0.30) == "0.3"
    assert event_hash.normalise_number(1e21) == "1000000000000000000000"


def test_not_an_event():
    with pytest.raises(ValueError):
        pre_hash_string({"eventTime": "2022-02-16T20:33:31Z"})
