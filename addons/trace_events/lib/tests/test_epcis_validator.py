"""The compiled schema check (epcis_validator) answers as jsonschema does.

Every GS1 example document and each of its events, then thousands of broken variants of them
(a member removed, a value replaced by one of another type or a wrong string, a member added):
the compiled answer must equal jsonschema's, in both directions.
"""

import copy
import json
import random
from pathlib import Path

import pytest
from trace_events_lib import epcis, epcis_validator

DATA = Path(__file__).resolve().parents[2] / "data" / "epcis"
EXAMPLES = sorted((DATA / "examples").rglob("*.jsonld"))
#: what a value is replaced by: other JSON types, wrong strings, numbers near the bool ones
REPLACEMENTS = (
    None,
    True,
    0,
    1,
    2.5,
    -1,
    "",
    "not a uri",
    "urn:epc:id:sgtin:0614141.107346.2018",
    "2005-04-03T20:33:31.116-06:00",
    "2005-04-03 20:33",
    "OBSERVE",
    "ADD",
    "ObjectEvent",
    [],
    [1],
    ["a", "a"],
    {},
    {"type": "x"},
)


@pytest.fixture(scope="module")
def schema():
    checker = epcis.EpcisSchema(DATA / "EPCIS-JSON-Schema.json")
    assert checker.document_valid is not None, "the compiler must take GS1's schema"
    return checker


def _jsonschema_valid(validator, instance):
    return next(iter(validator.iter_errors(instance)), None) is None


def _paths(node, path=()):
    yield path
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, (*path, index))


def _variants(document, rng, count):
    """``count`` broken (or not) copies of ``document``, each with one change."""
    paths = [path for path in _paths(document) if path]
    for _ in range(count):
        path = rng.choice(paths)
        variant = copy.deepcopy(document)
        parent = variant
        for part in path[:-1]:
            parent = parent[part]
        action = rng.random()
        if action < 0.2:
            del parent[path[-1]]
        elif action < 0.3 and isinstance(parent[path[-1]], dict):
            parent[path[-1]][rng.choice(("foo", "example:foo", "type", "@id"))] = rng.choice(
                REPLACEMENTS
            )
        else:
            parent[path[-1]] = copy.deepcopy(rng.choice(REPLACEMENTS))
        yield path, variant


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.stem)
def test_compiled_check_agrees_with_jsonschema_on_examples_and_broken_variants(schema, path):
    document = json.loads(path.read_text())
    rng = random.Random(path.name)
    cases = [((), document), *_variants(document, rng, 150)]
    events = (document.get("epcisBody") or {}).get("eventList") or []
    for event in events:
        cases.extend((("event", *where), variant) for where, variant in _variants(event, rng, 40))
    disagreements = []
    for where, instance in cases:
        if where[:1] == ("event",):
            compiled = schema.event_valid(instance)
            reference = _jsonschema_valid(schema.event_validator, instance)
        else:
            compiled = schema.document_valid(instance)
            reference = _jsonschema_valid(schema.document_validator, instance)
        if compiled != reference:
            disagreements.append((where, compiled, reference))
    assert not disagreements, disagreements[:5]


def test_broken_document_still_gets_jsonschema_messages(schema):
    document = json.loads((DATA / "examples" / "Example_9.6.1-ObjectEvent.jsonld").read_text())
    assert schema.document_errors(document) == []
    document["epcisBody"]["eventList"][0]["action"] = "LOOK"
    assert not schema.document_valid(document)
    errors = schema.document_errors(document)
    assert errors and "LOOK" in " ".join(errors)


def test_schema_with_a_keyword_it_does_not_know_is_refused():
    with pytest.raises(epcis_validator.Unsupported):
        epcis_validator.compile_schema({"dependencies": {"a": ["b"]}}, {}, {})
