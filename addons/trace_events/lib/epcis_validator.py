"""A compiled yes/no check of GS1's EPCIS 2.0 JSON Schema (Draft 7), for the valid path.

``jsonschema`` walks the schema for every instance and builds a validator object for every
subschema it descends into: about 1.5 ms per event of a capture, half of a capture's time.
:func:`compile_schema` turns the schema, once, into nested Python closures that answer only
"valid or not" (no error objects), a few tens of microseconds per event. It implements exactly
the Draft 7 keywords GS1's schema uses, with ``jsonschema``'s own semantics (``jsonschema``'s
``equal`` and ``uniq``, ``re.search`` for ``pattern``, the same format functions); a schema
with any other keyword is refused (:class:`Unsupported`) and the caller keeps ``jsonschema``.

The caller asks ``jsonschema`` for the messages when the answer is "not valid", and
``jsonschema`` has the last word: this check only lets a valid document skip the slow walk.
A test compares both on every GS1 example and on thousands of broken variants of them.
"""

import numbers
import re
from urllib.parse import unquote

from jsonschema._utils import equal, uniq

#: keywords that only annotate (no effect on validity in Draft 7)
_ANNOTATIONS = frozenset(
    {
        "$id",
        "$schema",
        "$comment",
        "title",
        "description",
        "default",
        "examples",
        "definitions",
        "readOnly",
        "writeOnly",
        "contentMediaType",
        "contentEncoding",
        "then",  # read with "if"
        "else",
    }
)


class Unsupported(ValueError):
    """The schema uses something this compiler does not implement."""


def _is_integer(value):
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and value.is_integer())


def _is_number(value):
    return isinstance(value, numbers.Number) and not isinstance(value, bool)


#: Draft 7's types, as jsonschema's draft 7 type checker tells them
_TYPES = {
    "array": lambda value: isinstance(value, list),
    "boolean": lambda value: isinstance(value, bool),
    "integer": _is_integer,
    "null": lambda value: value is None,
    "number": _is_number,
    "object": lambda value: isinstance(value, dict),
    "string": lambda value: isinstance(value, str),
}


def _true(_value):
    return True


def _false(_value):
    return False


def _all(checks):
    if not checks:
        return _true
    if len(checks) == 1:
        return checks[0]

    def check(value):
        for each in checks:
            if not each(value):
                return False
        return True

    return check


def compile_schema(schema, definitions, formats):
    """``check(instance) -> bool`` of ``schema`` (Draft 7), ``$ref`` resolved in
    ``definitions`` (``#/definitions/<name>``); ``formats``: {format name: function returning
    true when the value passes} (the formats jsonschema's checker was given)."""
    return _Compiler(definitions, formats).compile(schema)


class _Compiler:
    def __init__(self, definitions, formats):
        self.definitions = definitions
        self.formats = formats
        self.refs = {}

    def ref(self, ref):
        if not isinstance(ref, str) or not ref.startswith("#/definitions/"):
            raise Unsupported(f"$ref {ref!r}")
        name = unquote(ref[len("#/definitions/") :])
        if name not in self.definitions:
            raise Unsupported(f"$ref {ref!r}")
        if name not in self.refs:
            target = []  # filled once compiled: a definition may refer to itself

            def check(value):
                return target[0](value)

            self.refs[name] = check
            target.append(self.compile(self.definitions[name]))
        return self.refs[name]

    def compile(self, node):
        if node is True:
            return _true
        if node is False:
            return _false
        if not isinstance(node, dict):
            raise Unsupported(f"schema {node!r}")
        if "$ref" in node:  # Draft 7: a $ref's siblings are ignored
            return self.ref(node["$ref"])
        checks = []
        for keyword, value in node.items():
            if keyword in _ANNOTATIONS:
                continue
            method = getattr(self, "k_" + keyword, None)
            if method is None:
                raise Unsupported(f"keyword {keyword!r}")
            check = method(value, node)
            if check is not None:
                checks.append(check)
        return _all(checks)

    # ------------------------------------------------------------------ any type

    def k_type(self, value, node):
        names = value if isinstance(value, list) else [value]
        tests = [_TYPES[name] for name in names]
        if len(tests) == 1:
            return tests[0]
        return lambda instance: any(test(instance) for test in tests)

    def k_enum(self, value, node):
        if all(isinstance(each, str) for each in value):
            allowed = frozenset(value)
            # jsonschema's equal() compares a string only with ==
            return lambda instance: isinstance(instance, str) and instance in allowed
        return lambda instance: any(equal(each, instance) for each in value)

    def k_const(self, value, node):
        return lambda instance: equal(instance, value)

    def k_format(self, value, node):
        function = self.formats.get(value)
        if function is None:  # jsonschema: a format its checker does not know passes
            return None
        return lambda instance: bool(function(instance))

    def k_allOf(self, value, node):
        return _all([self.compile(each) for each in value])

    def k_anyOf(self, value, node):
        checks = [self.compile(each) for each in value]
        return lambda instance: any(check(instance) for check in checks)

    def k_oneOf(self, value, node):
        checks = [self.compile(each) for each in value]
        return lambda instance: sum(1 for check in checks if check(instance)) == 1

    def k_not(self, value, node):
        check = self.compile(value)
        return lambda instance: not check(instance)

    def k_if(self, value, node):
        condition = self.compile(value)
        then = self.compile(node["then"]) if "then" in node else _true
        otherwise = self.compile(node["else"]) if "else" in node else _true
        return lambda instance: then(instance) if condition(instance) else otherwise(instance)

    # ------------------------------------------------------------------ strings

    def k_pattern(self, value, node):
        search = re.compile(value).search
        return lambda instance: not isinstance(instance, str) or bool(search(instance))

    def k_minLength(self, value, node):
        return lambda instance: not isinstance(instance, str) or len(instance) >= value

    def k_maxLength(self, value, node):
        return lambda instance: not isinstance(instance, str) or len(instance) <= value

    # ------------------------------------------------------------------ arrays

    def k_items(self, value, node):
        if isinstance(value, list):
            checks = [self.compile(each) for each in value]

            def positional(instance):
                if not isinstance(instance, list):
                    return True
                return all(check(item) for check, item in zip(checks, instance, strict=False))

            return positional
        check = self.compile(value)

        def each_item(instance):
            if not isinstance(instance, list):
                return True
            for item in instance:
                if not check(item):
                    return False
            return True

        return each_item

    def k_minItems(self, value, node):
        return lambda instance: not isinstance(instance, list) or len(instance) >= value

    def k_maxItems(self, value, node):
        return lambda instance: not isinstance(instance, list) or len(instance) <= value

    def k_uniqueItems(self, value, node):
        if not value:
            return None
        return lambda instance: not isinstance(instance, list) or uniq(instance)

    # ------------------------------------------------------------------ objects

    def k_properties(self, value, node):
        checks = {name: self.compile(sub) for name, sub in value.items()}
        get = checks.get

        def properties(instance):
            if not isinstance(instance, dict):
                return True
            for name, item in instance.items():
                check = get(name)
                if check is not None and not check(item):
                    return False
            return True

        return properties

    def k_patternProperties(self, value, node):
        checks = [(re.compile(pattern).search, self.compile(sub)) for pattern, sub in value.items()]

        def pattern_properties(instance):
            if not isinstance(instance, dict):
                return True
            for search, check in checks:
                for name, item in instance.items():
                    if search(name) and not check(item):
                        return False
            return True

        return pattern_properties

    def k_additionalProperties(self, value, node):
        known = frozenset(node.get("properties", {}))
        patterns = "|".join(node.get("patternProperties", {}))
        search = re.compile(patterns).search if patterns else None
        check = self.compile(value)

        def additional(instance):
            if not isinstance(instance, dict):
                return True
            for name, item in instance.items():
                if name in known or (search and search(name)):
                    continue
                if not check(item):
                    return False
            return True

        return additional

    def k_required(self, value, node):
        names = tuple(value)
        return lambda instance: (
            not isinstance(instance, dict) or all(name in instance for name in names)
        )

    def k_propertyNames(self, value, node):
        check = self.compile(value)
        valid = set()  # a name's validity depends on nothing else

        def property_names(instance):
            if not isinstance(instance, dict):
                return True
            for name in instance:
                if name in valid:
                    continue
                if not check(name):
                    return False
                if len(valid) < 10000:
                    valid.add(name)
            return True

        return property_names
