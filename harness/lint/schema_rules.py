"""Lint rules for JSON Schema (draft-07) download types.

Draft-07 ignores keywords it does not know, so a typo such as ``maxLenth``
silently drops a limit. ``LINT-SCH-002`` walks every subschema and names each
unknown keyword, with the nearest draft-07 keyword as a hint.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from typing import Any

from jsonschema import Draft7Validator
from jsonschema.exceptions import SchemaError

from crr_contract.files import SpecFile
from harness.lint.findings import Finding, pointer
from harness.lint.rules import rule

DRAFT7_URIS = {"http://json-schema.org/draft-07/schema#", "http://json-schema.org/draft-07/schema"}

DRAFT7_KEYWORDS = frozenset(
    """$schema $id $ref $comment title description default readOnly writeOnly examples
    multipleOf maximum exclusiveMaximum minimum exclusiveMinimum maxLength minLength pattern
    additionalItems items maxItems minItems uniqueItems contains maxProperties minProperties
    required additionalProperties definitions properties patternProperties dependencies
    propertyNames const enum type format contentMediaType contentEncoding if then else
    allOf anyOf oneOf not""".split()
)
_SCHEMA_MAPS = ("properties", "patternProperties", "definitions")
_SCHEMA_SINGLE = (
    "additionalItems",
    "additionalProperties",
    "contains",
    "propertyNames",
    "if",
    "then",
    "else",
    "not",
)
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf")
_HINTS = {
    "example": "use 'examples' (an array) in draft-07",
    "nullable": "use type: [..., 'null'] in draft-07",
}


def iter_subschemas(schema: Any, path: tuple = ()) -> Iterator[tuple[tuple, dict]]:
    """Every object subschema with its path; data keywords (enum, const, examples) are not entered."""
    if not isinstance(schema, dict):
        return
    yield path, schema
    for key in _SCHEMA_MAPS:
        for name, sub in (
            (schema.get(key) or {}).items() if isinstance(schema.get(key), dict) else ()
        ):
            yield from iter_subschemas(sub, (*path, key, name))
    for key in _SCHEMA_SINGLE:
        if key in schema:
            yield from iter_subschemas(schema[key], (*path, key))
    for key in _SCHEMA_LISTS:
        for index, sub in (
            enumerate(schema.get(key) or []) if isinstance(schema.get(key), list) else ()
        ):
            yield from iter_subschemas(sub, (*path, key, index))
    items = schema.get("items")
    if isinstance(items, list):
        for index, sub in enumerate(items):
            yield from iter_subschemas(sub, (*path, "items", index))
    elif items is not None:
        yield from iter_subschemas(items, (*path, "items"))
    dependencies = schema.get("dependencies")
    if isinstance(dependencies, dict):
        for name, sub in dependencies.items():
            yield from iter_subschemas(sub, (*path, "dependencies", name))


@rule("LINT-SCH-001", "JSON Schema is a valid draft-07 schema and declares draft-07", "schema")
def check_valid_draft7(spec: SpecFile, document: Any) -> Iterator[Finding]:
    if not isinstance(document, dict):
        yield Finding(spec.path, "", "LINT-SCH-001", "a JSON Schema must be an object")
        return
    declared = document.get("$schema")
    if declared not in DRAFT7_URIS:
        yield Finding(
            spec.path, "/$schema", "LINT-SCH-001", f"$schema is {declared!r}, expected draft-07"
        )
    try:
        Draft7Validator.check_schema(document)
    except SchemaError as exc:
        yield Finding(
            spec.path,
            pointer(*exc.path),
            "LINT-SCH-001",
            f"not a valid draft-07 schema: {exc.message}",
        )


@rule("LINT-SCH-002", "JSON Schema uses only draft-07 keywords", "schema")
def check_known_keywords(spec: SpecFile, document: Any) -> Iterator[Finding]:
    for path, subschema in iter_subschemas(document):
        for keyword in subschema:
            if keyword in DRAFT7_KEYWORDS:
                continue
            hint = _HINTS.get(keyword)
            if hint is None:
                close = difflib.get_close_matches(keyword, DRAFT7_KEYWORDS, n=1, cutoff=0.75)
                hint = f"did you mean '{close[0]}'?" if close else "draft-07 ignores it"
            yield Finding(
                spec.path,
                pointer(*path, keyword),
                "LINT-SCH-002",
                f"unknown keyword '{keyword}': {hint}",
            )


@rule("LINT-SCH-003", "the version in $id matches the file name", "schema")
def check_id_version(spec: SpecFile, document: Any) -> Iterator[Finding]:
    schema_id = document.get("$id") if isinstance(document, dict) else None
    if schema_id is None:
        return
    expected = f"_v{spec.version}."
    if expected not in str(schema_id):
        yield Finding(
            spec.path,
            "/$id",
            "LINT-SCH-003",
            f"$id {schema_id!r} does not carry the file's version {spec.version}",
        )


@rule("LINT-SCH-004", "every example validates against its own schema", "schema")
def check_examples(spec: SpecFile, document: Any) -> Iterator[Finding]:
    if not isinstance(document, dict):
        return
    try:
        Draft7Validator.check_schema(document)
    except SchemaError:
        return  # LINT-SCH-001 reports it; examples cannot be judged against a broken schema
    root = Draft7Validator(document)
    for path, subschema in iter_subschemas(document):
        examples = subschema.get("examples")
        if not isinstance(examples, list):
            continue
        validator = root.evolve(schema=subschema)
        for index, example in enumerate(examples):
            error = next(iter(validator.iter_errors(example)), None)
            if error is not None:
                where = pointer(*path, "examples", index, *error.absolute_path)
                yield Finding(
                    spec.path, where, "LINT-SCH-004", f"example does not validate: {error.message}"
                )
