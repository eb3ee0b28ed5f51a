"""Witnesses: a concrete JSON instance for each breaking schema change.

A MAJOR verdict on a schema is a claim that some message changes fate. The
witness makes the claim checkable: on the request side, a payload an
existing client sends that the old schema accepts and the new one rejects;
on the response side, a response the new schema allows and the old one
(which existing clients read by) rejects. Instances are drawn from the
accepting schema with hypothesis, through the JSON Schema generator of
schemathesis (already the harness's fuzzing engine; hypothesis-jsonschema
no longer runs on current hypothesis). The search starts at the changed
node, steered by a hint that negates each constraint the rejecting schema
adds there (``maxLength: 40`` -> ``minLength: 41``), and places what it
finds into a minimal valid instance of the whole schema; then it tries the
whole schema. Every witness is checked with jsonschema against both schemas
before it is shown. When none is found, the note says why.
"""

from __future__ import annotations

import json
import warnings
from typing import Any

import jsonschema

from harness.diff.model import SchemaSubject, Witness
from harness.diff.normalize import ORIGIN, RECURSIVE
from harness.diff.view import canonical_schema

# Rules whose break is not a difference in which JSON values are valid.
NOT_A_VALUE_CHANGE = {
    "request.property.became_read_only": "readOnly changes who sends the property, not which values are valid",
    "response.property.became_write_only": "writeOnly changes who sends the property, not which values are valid",
    "request.discriminator.changed": "a discriminator tells clients how to read a value; it does not change which values are valid",
    "response.discriminator.changed": "a discriminator tells clients how to read a value; it does not change which values are valid",
    "request.discriminator.mapping.removed": "a discriminator mapping tells clients how to read a value; the alternatives decide which values are valid",
    "request.default.changed": "a default changes what an absent value means, not which values are valid",
    "response.default.changed": "a default changes what an absent value means, not which values are valid",
}
SEARCH_EXAMPLES = 50
_DIALECT = jsonschema.Draft202012Validator
_UPPER_TO_LOWER = {
    "maxLength": "minLength",
    "maxItems": "minItems",
    "maxProperties": "minProperties",
}
_LOWER_TO_UPPER = {v: k for k, v in _UPPER_TO_LOWER.items()}
_STEPS = frozenset({"properties", "items", "prefixItems", "oneOf", "anyOf"})


def component_subject(subject: SchemaSubject, origin: str | None) -> SchemaSubject:
    """The subject cut down to the shared component the change is in, when there is one.

    A change inside ``#/components/schemas/Money`` reaches every operation
    that uses Money; its witness is an instance of Money, made once, instead
    of one whole body per operation (thousands on a large spec).
    """
    if not origin:
        return subject
    old, new = subject.old, subject.new
    for index in range(len(subject.path) + 1):
        name = new.get(ORIGIN) if isinstance(new, dict) else None
        if isinstance(name, str) and origin.startswith(name + "/") and isinstance(old, dict):
            return SchemaSubject(old, new, subject.direction, subject.path[index:], name)
        if index == len(subject.path):
            break
        key = subject.path[index]
        old, new = _child(old, key), _child(new, key)
        if new is None or old is None:
            break
    return subject


def _child(node: Any, key: str) -> Any:
    if isinstance(node, dict):
        return node.get(key)
    if isinstance(node, list) and key.isdigit() and int(key) < len(node):
        return node[int(key)]
    return None


class WitnessMaker:
    """Builds witnesses for one diff, once per distinct change of a shared schema."""

    def __init__(self) -> None:
        self._memo: dict[tuple, Witness] = {}
        self._plain: dict[int, tuple[Any, Any]] = {}

    def witness(self, rule: str, subject: SchemaSubject) -> Witness:
        """The witness of ``rule`` found at ``subject`` (or a note saying why there is none)."""
        accept_side, reject_side = (
            ("old", "new") if subject.direction == "request" else ("new", "old")
        )
        if rule in NOT_A_VALUE_CHANGE:
            return Witness(None, accept_side, reject_side, NOT_A_VALUE_CHANGE[rule])
        if rule == "request.property.removed":
            _, new_node, _, _ = _local(
                self.plain(subject.old), self.plain(subject.new), subject.path
            )
            new_node = new_node if isinstance(new_node, dict) else {}
            if new_node.get("additionalProperties", True) is not False:
                return Witness(
                    None,
                    accept_side,
                    reject_side,
                    "the new schema still accepts the property as an unknown one;"
                    " the break is that the server no longer reads it",
                )
        key = (id(subject.old), id(subject.new), subject.direction, subject.path)
        if key not in self._memo:
            self._memo[key] = self._make(subject, accept_side, reject_side)
        return self._memo[key]

    def _make(self, subject: SchemaSubject, accept_side: str, reject_side: str) -> Witness:
        accept = self.plain(subject.old if accept_side == "old" else subject.new)
        reject = self.plain(subject.new if accept_side == "old" else subject.old)
        if _is_recursive(accept) or _is_recursive(reject):
            return Witness(None, accept_side, reject_side, "the schema is recursive")
        try:
            accepts, rejects = _validator(accept), _validator(reject)
        except jsonschema.SchemaError as error:
            return Witness(None, accept_side, reject_side, f"not a valid schema: {error.message}")

        def shows(value: Any) -> bool:
            return accepts.is_valid(value) and not rejects.is_valid(value)

        def found(value: Any) -> Witness:
            return Witness(value, accept_side, reject_side, None, accept, reject, subject.root)

        sub_accept, sub_reject, where, levels = _local(
            accept, reject, subject.path, new_is_accept=accept_side == "new"
        )
        if sub_accept is not accept:
            base = _search(accept, lambda _: False, minimal=True)
            if base is not _NONE:
                for hint in [*_hints(sub_accept, sub_reject), None]:
                    steered = {"allOf": [sub_accept, hint]} if hint else sub_accept
                    value = _search(steered, _validator(sub_reject).is_valid)
                    placed = _place(base, where, value, levels) if value is not _NONE else None
                    if placed is not None and shows(placed):
                        return found(placed)
        for hint in [*_hints(accept, reject), None]:
            steered = {"allOf": [accept, hint]} if hint else accept
            value = _search(steered, rejects.is_valid)
            if value is not _NONE and shows(value):
                return found(value)
        return Witness(
            None,
            accept_side,
            reject_side,
            f"no instance found in {SEARCH_EXAMPLES} tries that the {accept_side} schema accepts"
            f" and the {reject_side} one rejects",
        )

    def plain(self, schema: Any) -> Any:
        """A normalised OpenAPI schema as plain JSON Schema 2020-12 (nullable, origins gone)."""
        hit = self._plain.get(id(schema))
        if hit is not None and hit[0] is schema:
            return hit[1]
        out = _plain(schema)
        self._plain[id(schema)] = (schema, out)
        return out


_NONE = object()


def _validator(schema: Any) -> jsonschema.Validator:
    """A 2020-12 validator that asserts formats: a format change is a value change here."""
    return _DIALECT(schema, format_checker=_DIALECT.FORMAT_CHECKER)


def _strategy(schema: Any) -> Any:
    """Hypothesis values of a JSON Schema 2020-12, from schemathesis's generator."""
    import jsonschema_rs
    from schemathesis.generation.jsonschema.builder import build

    return build(schema, draft=jsonschema_rs.Draft202012, formats=_formats())


def _formats() -> dict[str, Any]:
    """Strings of the formats the validator asserts, so generated values pass it."""
    from datetime import UTC

    from hypothesis import strategies as st

    moments = st.datetimes(timezones=st.just(UTC)).map(lambda d: d.isoformat())
    return {
        "date": st.dates().map(lambda d: d.isoformat()),
        "date-time": moments,
        "time": st.times(timezones=st.just(UTC)).map(lambda t: t.isoformat()),
        "uuid": st.uuids().map(str),
        "email": st.emails(),
        "ipv4": st.ip_addresses(v=4).map(str),
        "ipv6": st.ip_addresses(v=6).map(str),
    }


def _hints(accept: dict, reject: dict) -> list[dict]:
    """Schemas that steer the search to values the ``reject`` node refuses.

    One per constraint that ``reject`` has and ``accept`` lacks or keeps
    tighter, negated: a random search rarely reaches a length of 41 to 50 by
    chance, but ``minLength: 41`` does at once.
    """
    hints: list[dict] = []
    for upper, lower in _UPPER_TO_LOWER.items():
        if isinstance(reject.get(upper), int) and reject[upper] != accept.get(upper):
            hints.append({lower: reject[upper] + 1})
        if (
            isinstance(reject.get(lower), int)
            and reject[lower] > 0
            and reject[lower] != accept.get(lower)
        ):
            hints.append({upper: reject[lower] - 1})
    if isinstance(reject.get("maximum"), int | float) and reject["maximum"] != accept.get(
        "maximum"
    ):
        hints.append({"exclusiveMinimum": reject["maximum"]})
    if isinstance(reject.get("minimum"), int | float) and reject["minimum"] != accept.get(
        "minimum"
    ):
        hints.append({"exclusiveMaximum": reject["minimum"]})
    if isinstance(reject.get("exclusiveMaximum"), int | float):
        hints.append({"minimum": reject["exclusiveMaximum"]})
    if isinstance(reject.get("exclusiveMinimum"), int | float):
        hints.append({"maximum": reject["exclusiveMinimum"]})
    if isinstance(reject.get("enum"), list):
        allowed = accept.get("enum")
        if isinstance(allowed, list):
            extra = [v for v in allowed if v not in reject["enum"]]
            if extra:
                hints.append({"enum": extra})
        else:
            hints.append({"not": {"enum": reject["enum"]}})
    if "type" in reject and reject.get("type") != accept.get("type"):
        refused = reject["type"] if isinstance(reject["type"], list) else [reject["type"]]
        kinds = ["null", "boolean", "object", "array", "number", "string", "integer"]
        others = [
            t for t in kinds if t not in refused and not (t == "integer" and "number" in refused)
        ]
        if others:
            hints.append({"type": others})
    for name in reject.get("required") or []:
        if name not in (accept.get("required") or []):
            hints.append({"properties": {name: False}})
    if (
        reject.get("additionalProperties") is False
        and accept.get("additionalProperties") is not False
    ):
        known = set(reject.get("properties") or {})
        extra = next(n for n in ("extra", "extra_", "extra__") if n not in known)
        hints.append({"required": [extra], "properties": {extra: {"type": "string"}}})
    accept_props = accept.get("properties") if isinstance(accept.get("properties"), dict) else {}
    reject_props = reject.get("properties") if isinstance(reject.get("properties"), dict) else {}
    for name, schema in reject_props.items():
        if name not in accept_props and isinstance(schema, dict):
            hints.append({"required": [name], "properties": {name: {"not": schema}}})
    for name in accept_props:
        if name not in reject_props:
            hints.append({"required": [name]})
    if isinstance(reject.get("format"), str) and reject["format"] != accept.get("format"):
        hints.append({"type": "string", "not": {"format": reject["format"]}})
        if isinstance(accept.get("format"), str):
            hints.append({"type": "string", "format": accept["format"]})
    if isinstance(reject.get("if"), dict) and reject.get("if") != accept.get("if"):
        if isinstance(reject.get("then"), dict):
            hints.append({"allOf": [reject["if"], {"not": reject["then"]}]})
        if isinstance(reject.get("else"), dict):
            hints.append({"allOf": [{"not": reject["if"]}, {"not": reject["else"]}]})
    if isinstance(reject.get("pattern"), str) and reject.get("pattern") != accept.get("pattern"):
        hints.append({"not": {"pattern": reject["pattern"]}})
    if isinstance(reject.get("dependentRequired"), dict):
        for name, needs in reject["dependentRequired"].items():
            for need in needs:
                hints.append({"required": [name], "properties": {need: False}})
    return hints


def _search(schema: Any, rejected: Any, minimal: bool = False) -> Any:
    """An instance of ``schema`` that ``rejected`` says is not valid there (or ``_NONE``).

    Hypothesis is imported here, not with the module: every command line builds
    the diff command's parser, and only a diff that searches needs it.
    """
    from hypothesis import HealthCheck, Phase, find, settings
    from hypothesis.errors import HypothesisException, NoSuchExample, Unsatisfiable

    # Generation only: the first example hypothesis draws is its simplest, and
    # shrinking costs seconds per search on a large schema.
    search_settings = settings(
        phases=[Phase.generate],
        max_examples=SEARCH_EXAMPLES,
        database=None,
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    try:
        strategy = _strategy(schema)
    except Exception:
        return _NONE
    condition = (lambda _: True) if minimal else (lambda value: not rejected(value))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return find(strategy, condition, settings=search_settings)
    except (NoSuchExample, Unsatisfiable, HypothesisException, RecursionError):
        return _NONE
    except Exception:
        return _NONE


def _local(
    accept: Any, reject: Any, path: tuple[str, ...], new_is_accept: bool = False
) -> tuple[Any, Any, list, list]:
    """The deepest node on ``path`` that both schemas have, and where its instance sits.

    Also the accepting schema's node at each step of ``where``, to fill in
    containers the base instance lacks.

    Follows ``properties``/``items``/``prefixItems`` steps while both schemas
    have the next node; a property removed or added stops at its object.
    """
    where: list = []
    levels: list = []
    index = 0
    while index < len(path) and path[index] in _STEPS:
        step = path[index]
        if step == "properties" and index + 1 < len(path):
            key: Any = path[index + 1]
            nxt = (_at(accept, "properties", key), _at(reject, "properties", key))
            size = 2
        elif step == "prefixItems" and index + 1 < len(path) and path[index + 1].isdigit():
            key = int(path[index + 1])
            nxt = (_at(accept, step, key), _at(reject, step, key))
            size = 2
        elif step == "items":
            key, nxt, size = 0, (_at(accept, "items"), _at(reject, "items")), 1
        elif index + 1 < len(path) and path[index + 1].isdigit():
            # an alternative: the index is the new schema's; pair it by shared property names
            nxt = _alternatives(accept, reject, step, int(path[index + 1]), new_is_accept)
            if nxt is None:
                break
            accept, reject = nxt
            index += 2
            continue
        else:
            break
        if not isinstance(nxt[0], dict) or not isinstance(nxt[1], dict):
            break
        accept, reject = nxt
        where.append(key)
        levels.append(accept)
        index += size
    return accept, reject, where, levels


def _alternatives(
    accept: Any, reject: Any, key: str, index: int, new_is_accept: bool
) -> tuple[Any, Any] | None:
    """The alternative at ``index`` of the new schema and its closest one in the old."""
    new, old = (accept, reject) if new_is_accept else (reject, accept)
    new_list, old_list = _at(new, key), _at(old, key)
    if not isinstance(new_list, list) or not isinstance(old_list, list) or index >= len(new_list):
        return None
    chosen = new_list[index]
    names = set(_at(chosen, "properties") or {})
    ranked = sorted(
        (c for c in old_list if isinstance(c, dict)),
        key=lambda c: (
            c.get("type") != chosen.get("type"),
            -len(names & set(_at(c, "properties") or {})),
        ),
    )
    if not ranked or not isinstance(chosen, dict):
        return None
    return (chosen, ranked[0]) if new_is_accept else (ranked[0], chosen)


def _at(schema: Any, *keys: Any) -> Any:
    for key in keys:
        if isinstance(schema, dict) and isinstance(key, str):
            schema = schema.get(key)
        elif isinstance(schema, list) and isinstance(key, int) and key < len(schema):
            schema = schema[key]
        else:
            return None
    return schema


def _place(base: Any, where: list, value: Any, levels: list) -> Any:
    """A copy of ``base`` with ``value`` at ``where`` (keys and list positions).

    A container ``base`` lacks is filled with a minimal valid instance of the
    accepting schema at that level (``levels``), so the rest stays valid.
    """
    if not where:
        return value
    head, rest = where[0], where[1:]

    def inner(existing: Any) -> Any:
        if existing is None or existing is _NONE:
            existing = _search(levels[0], lambda _: False, minimal=True) if rest else None
        return _place(existing if existing is not _NONE else {}, rest, value, levels[1:])

    if isinstance(head, int):
        items = list(base) if isinstance(base, list) else []
        while len(items) <= head:
            items.append(None)
        items[head] = inner(items[head])
        return items
    out = dict(base) if isinstance(base, dict) else {}
    out[head] = inner(out.get(head))
    return out


def _plain(node: Any) -> Any:
    if isinstance(node, list):
        return [_plain(v) for v in node]
    if not isinstance(node, dict):
        return node
    if RECURSIVE in node:
        return {RECURSIVE: node[RECURSIVE]}
    node = _numeric_exclusive(canonical_schema(node))
    out = {}
    for key, value in node.items():
        if key in (ORIGIN, "discriminator", "example", "xml", "externalDocs"):
            continue
        if key in ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas"):
            out[key] = (
                {name: _plain(v) for name, v in value.items()} if isinstance(value, dict) else value
            )
        elif key in ("enum", "const", "default", "examples", "required", "type"):
            out[key] = value
        else:
            out[key] = _plain(value)
    return out


def _numeric_exclusive(node: dict) -> dict:
    """OpenAPI 3.0's boolean ``exclusiveMinimum: true`` next to ``minimum``, as 2020-12 says it."""
    if not any(isinstance(node.get(k), bool) for k in ("exclusiveMinimum", "exclusiveMaximum")):
        return node
    out = dict(node)
    for exclusive, bound in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        if out.get(exclusive) is True and bound in out:
            out[exclusive] = out.pop(bound)
        elif isinstance(out.get(exclusive), bool):
            out.pop(exclusive)
    return out


def _is_recursive(schema: Any) -> bool:
    return RECURSIVE in json.dumps(schema, default=str)
