"""The canonical form of EPCIS events (the round trip's equality), without Odoo."""

import copy

from trace_events_lib import epcis_canonical as canonical
from trace_events_lib import event_hash

CONTEXT = [
    "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
    {"example": "https://ns.example.com/epcis/"},
]
EVENT = {
    "type": "ObjectEvent",
    "eventID": "urn:uuid:6f3e6a0a-0000-4000-8000-000000000001",
    "eventTime": "2005-04-03T20:33:31.116-06:00",
    "eventTimeZoneOffset": "-06:00",
    "recordTime": "2005-04-03T20:33:35Z",
    "action": "OBSERVE",
    "epcList": ["urn:epc:id:sgtin:0614141.107346.2017", "urn:epc:id:sgtin:0614141.107346.2018"],
    "bizStep": "shipping",
    "disposition": "urn:epcglobal:cbv:disp:in_transit",
    "readPoint": {"id": "urn:epc:id:sgln:0614141.07346.1234"},
    "bizTransactionList": [
        {"type": "po", "bizTransaction": "http://transaction.acme.com/po/12345678"}
    ],
    "sensorElementList": [
        {
            "sensorMetadata": {"time": "2019-04-02T14:05:00.000+01:00"},
            "sensorReport": [
                {"type": "gs1:Temperature", "value": 26.0, "uom": "CEL"},
                {"type": "gs1:Humidity", "value": 12.1, "uom": "A93"},
            ],
        }
    ],
    "example:myField": {"example:grade": "A", "example:readings": [3, 1, 2]},
}


def _canonical(event, context=CONTEXT):
    return canonical.canonical_event(event, context)


def test_serialisations_of_the_same_event_are_equal():
    other = copy.deepcopy(EVENT)
    other["epcList"] = [
        "https://id.gs1.org/01/10614141073464/21/2018",
        "https://id.gs1.org/01/10614141073464/21/2017",
    ]
    other["eventTime"] = "2005-04-04T02:33:31.116Z"
    other["bizStep"] = "https://ref.gs1.org/cbv/BizStep-shipping"
    other["disposition"] = "in_transit"
    other["bizTransactionList"][0]["type"] = "urn:epcglobal:cbv:btt:po"
    other["recordTime"] = "2026-12-05T07:00:00Z"  # the receiver's: not part of the event
    other["https://ns.example.com/epcis/myField"] = other.pop("example:myField")
    assert _canonical(other) == _canonical(EVENT)


def test_every_change_of_content_is_a_difference():
    changes = [
        ("eventTimeZoneOffset", "+01:00"),
        ("eventTime", "2005-04-03T20:33:31.117-06:00"),
        ("readPoint", {"id": "urn:epc:id:sgln:0614141.07346.1235"}),
        ("example:myField", {"example:grade": "B", "example:readings": [3, 1, 2]}),
        ("example:myField", {"example:grade": "A", "example:readings": [1, 2, 3]}),
        ("persistentDisposition", {"set": ["completeness_verified"]}),
    ]
    for key, value in changes:
        changed = dict(copy.deepcopy(EVENT), **{key: value})
        assert _canonical(changed) != _canonical(EVENT), key


def test_sensor_reports_keep_their_order():
    swapped = copy.deepcopy(EVENT)
    swapped["sensorElementList"][0]["sensorReport"].reverse()
    assert _canonical(swapped) != _canonical(EVENT)


def test_event_without_event_id_has_its_hash_id():
    anonymous = {key: value for key, value in EVENT.items() if key != "eventID"}
    assert _canonical(anonymous)["eventID"] == event_hash.event_hash_id(anonymous, CONTEXT)


def test_document_diff_names_the_difference_and_ignores_event_order():
    document = {"@context": CONTEXT, "epcisBody": {"eventList": [EVENT, dict(EVENT, eventID="b")]}}
    reordered = copy.deepcopy(document)
    reordered["epcisBody"]["eventList"].reverse()
    assert canonical.diff_documents(document, reordered) == ""
    changed = copy.deepcopy(document)
    changed["epcisBody"]["eventList"][0]["bizStep"] = "receiving"
    diff = canonical.diff_documents(document, changed)
    assert "-" in diff and "BizStep-receiving" in diff and "BizStep-shipping" in diff


def test_used_prefixes_are_the_ones_the_event_names():
    context = [*CONTEXT, {"unused": "https://unused.example.com/"}]
    assert canonical.used_prefixes(EVENT, context) == {"example": "https://ns.example.com/epcis/"}


def test_query_terms_are_canonical():
    terms = {(term["dimension"], term["value"]) for term in canonical.query_terms(EVENT)}
    assert ("epc", "https://id.gs1.org/01/10614141073464/21/2017") in terms
    assert ("biz_step", "https://ref.gs1.org/cbv/BizStep-shipping") in terms
    assert ("disposition", "https://ref.gs1.org/cbv/Disp-in_transit") in terms
    assert ("read_point", "https://id.gs1.org/414/0614141073467/254/1234") in terms
    assert ("sensor_type", "gs1:Temperature") in terms
    (transaction,) = [
        t for t in canonical.query_terms(EVENT) if t["dimension"] == "biz_transaction"
    ]
    assert transaction["type_uri"] == "https://ref.gs1.org/cbv/BTT-po"
