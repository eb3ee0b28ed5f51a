"""Compare two normalised schemas in one direction (request or response).

A request schema says what the server accepts: narrowing it breaks clients.
A response schema says what clients receive: widening it can break them.
Every difference becomes a ``Finding`` whose rule id starts with the
direction (``request.property.removed``); the bump policy classifies it.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from crr_contract import pointer
from harness.diff.model import Finding
from harness.diff.normalize import ORIGIN, RECURSIVE
from harness.diff.pattern_proof import matches_everything, widens
from harness.diff.proof import Proof
from harness.diff.view import ViewBuilder, canonical_schema, fingerprint

DOC_RULES = {
    "description": "doc.description.changed",
    "$comment": "doc.description.changed",
    "title": "doc.title.changed",
    "example": "doc.example.changed",
    "examples": "doc.example.changed",
    "externalDocs": "doc.external_docs.changed",
}
_UPPER_LIMITS = ("maxLength", "maxItems", "maxProperties", "maximum")
_LOWER_LIMITS = ("minLength", "minItems", "minProperties", "minimum")
_ZERO_BASED = frozenset({"minLength", "minItems", "minProperties"})


def short(value: Any, width: int = 60) -> str:
    """A value as a short one-line text for messages."""
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def doc_findings(old: dict, new: dict, keys: dict[str, str] = DOC_RULES) -> list[Finding]:
    """One MINI finding per documentation keyword that differs."""
    found = []
    for key, rule in keys.items():
        if old.get(key) != new.get(key):
            if key not in old:
                message = f"{key} added"
            elif key not in new:
                message = f"{key} removed"
            else:
                message = f'{key} changed (was "{short(old[key])}")'
            found.append(Finding(rule, (key,), message))
    return found


def extension_findings(
    old: dict, new: dict, doc_only: frozenset[str], skip: frozenset[str] = frozenset()
) -> list[Finding]:
    """Findings for ``x-`` keys that differ: MINI when listed as doc-only, else MINOR."""
    found = []
    for key in sorted(
        {k for k in (*old, *new) if isinstance(k, str) and k.startswith("x-")} - skip
    ):
        if old.get(key) != new.get(key):
            rule = "doc.extension.changed" if key in doc_only else "extension.changed"
            found.append(Finding(rule, (key,), f"extension {key} changed"))
    return found


class SchemaComparer:
    """Directional comparison of schemas, memoised per pair of shared nodes."""

    def __init__(self, direction: str, views: ViewBuilder, proof: Proof | None = None) -> None:
        if direction not in ("request", "response"):
            raise ValueError(direction)
        self.direction = direction
        self.views = views
        self.proof = proof or Proof()
        self._memo: dict[tuple[int, int], tuple[Any, Any, list[Finding]]] = {}

    def compare(self, old: Any, new: Any) -> list[Finding]:
        """Findings with paths relative to the compared schema."""
        if old is new:
            return []
        key = (id(old), id(new))
        hit = self._memo.get(key)
        if hit is not None and hit[0] is old and hit[1] is new:
            return hit[2]
        found = self._attach_origin(old, new, self._compare(old, new))
        self._memo[key] = (old, new, found)
        return found

    def _rule(self, name: str) -> str:
        return f"{self.direction}.{name}"

    def _attach_origin(self, old: Any, new: Any, found: list[Finding]) -> list[Finding]:
        origin = None
        for node in (new, old):
            if isinstance(node, dict) and isinstance(node.get(ORIGIN), str):
                origin = node[ORIGIN]
                break
        if origin is None:
            return found
        out = []
        for f in found:
            if f.origin is None:
                f = Finding(
                    f.rule,
                    f.path,
                    f.message,
                    origin + pointer.join(f.path),
                    f.operation_id,
                    f.covers,
                )
            out.append(f)
        return out

    def _compare(self, old: Any, new: Any) -> list[Finding]:
        if not isinstance(old, dict) or not isinstance(new, dict):
            if old == new:
                return []
            return [
                Finding(
                    "unclassified.change", (), f"schema changed from {short(old)} to {short(new)}"
                )
            ]
        if RECURSIVE in old or RECURSIVE in new:
            if old.get(RECURSIVE) == new.get(RECURSIVE):
                return []
            return [Finding("unclassified.change", (), "a recursive schema reference changed")]
        old, new = canonical_schema(old), canonical_schema(new)
        found = doc_findings(old, new)
        found += self._types(old, new)
        found += self._format(old, new)
        found += self._enum(old, new)
        found += self._limits(old, new)
        found += self._pattern(old, new)
        found += self._properties(old, new)
        found += self._additional_properties(old, new)
        found += self._items(old, new)
        found += self._prefix_items(old, new)
        found += self._dependent_required(old, new)
        found += self._conditional(old, new)
        found += self._discriminator(old, new)
        found += self._variants(old, new)
        if old.get("default") != new.get("default"):
            found.append(
                Finding(
                    self._rule("default.changed"),
                    ("default",),
                    f"default {_was_now(old.get('default'), new.get('default'))}",
                )
            )
        if bool(old.get("deprecated")) != bool(new.get("deprecated")):
            state = "marked deprecated" if new.get("deprecated") else "no longer deprecated"
            found.append(Finding("deprecation.changed", ("deprecated",), state))
        found += self._access(old, new)
        found += extension_findings(old, new, self.views.doc_only_extensions)
        return found

    def _access(self, old: dict, new: dict) -> list[Finding]:
        """readOnly toggled in a response, writeOnly toggled in a request: no effect here.

        The flag that hides a property from this direction is handled where
        the property is (``_properties``); the other flag only says who may
        send it the other way.
        """
        other = "writeOnly" if self.direction == "request" else "readOnly"
        if bool(old.get(other)) == bool(new.get(other)):
            return []
        state = "now" if new.get(other) else "no longer"
        return [Finding(self._rule(f"{_SNAKE[other]}.changed"), (other,), f"{state} {other}")]

    # ---------------------------------------------------------------- types
    def _types(self, old: dict, new: dict) -> list[Finding]:
        old_types, new_types = _accepted_types(old), _accepted_types(new)
        if old_types == new_types:
            return []
        widened = _accepts(new_types, old_types)
        narrowed = _accepts(old_types, new_types)
        kind = "widened" if widened else "narrowed" if narrowed else "changed"
        message = f"type {_show_types(old_types)} -> {_show_types(new_types)}"
        return [Finding(self._rule(f"type.{kind}"), ("type",), message, covers=(("nullable",),))]

    def _format(self, old: dict, new: dict) -> list[Finding]:
        before, after = old.get("format"), new.get("format")
        if before == after:
            return []
        known = self.views.known_formats
        if known is not None and before is not None and after is not None:
            # A format no tool knows asserts nothing: trading it for a known one adds one.
            if before not in known and after in known:
                message = f"format {after} added (was {before}, a format no tool knows)"
                return [Finding(self._rule("format.added"), ("format",), message)]
            if before in known and after not in known:
                message = f"format {before} removed (now {after}, a format no tool knows)"
                return [Finding(self._rule("format.removed"), ("format",), message)]
        if before is None:
            return [Finding(self._rule("format.added"), ("format",), f"format {after} added")]
        if after is None:
            return [Finding(self._rule("format.removed"), ("format",), f"format {before} removed")]
        return [Finding(self._rule("format.changed"), ("format",), f"format {before} -> {after}")]

    # ---------------------------------------------------------------- enums
    def _enum(self, old: dict, new: dict) -> list[Finding]:
        before, after = _enum_values(old), _enum_values(new)
        if before is None and after is None:
            return []
        covers = (("const",),)
        if before is None:
            return [
                Finding(
                    self._rule("enum.added"),
                    ("enum",),
                    f"restricted to enum {_show(after)}",
                    covers=covers,
                )
            ]
        if after is None:
            return [
                Finding(
                    self._rule("enum.removed"),
                    ("enum",),
                    f"enum {_show(before)} no longer restricts the value",
                    covers=covers,
                )
            ]
        removed = [v for k, v in before.items() if k not in after]
        added = [v for k, v in after.items() if k not in before]
        found = []
        if self.direction == "response" and removed and added:
            message = f"enum value {_show(removed)} replaced by {_show(added)}"
            return [Finding("response.enum.value.replaced", ("enum",), message, covers=covers)]
        if removed:
            found.append(
                Finding(
                    self._rule("enum.value.removed"),
                    ("enum",),
                    f"enum value {_show(removed)} removed",
                    covers=covers,
                )
            )
        if added:
            found.append(
                Finding(
                    self._rule("enum.value.added"),
                    ("enum",),
                    f"enum value {_show(added)} added",
                    covers=covers,
                )
            )
        return found

    # ---------------------------------------------------------------- limits
    def _limits(self, old: dict, new: dict) -> list[Finding]:
        found = []
        for key in (
            *_UPPER_LIMITS,
            *_LOWER_LIMITS,
            "exclusiveMaximum",
            "exclusiveMinimum",
            "multipleOf",
            "uniqueItems",
        ):
            before, after = old.get(key), new.get(key)
            if key in _ZERO_BASED:
                before, after = before or 0, after or 0
            if before == after:
                continue
            narrowed = _narrows(key, before, after)
            kind = "narrowed" if narrowed else "relaxed"
            found.append(
                Finding(
                    self._rule(f"limit.{kind}"),
                    (key,),
                    f"{key} {_was_now(before, after)} ({'tightened' if narrowed else 'relaxed'})",
                )
            )
        return found

    def _pattern(self, old: dict, new: dict) -> list[Finding]:
        before, after = old.get("pattern"), new.get("pattern")
        if before == after:
            return []
        if matches_everything(before) and matches_everything(after):
            message = f"pattern {before!r} -> {after!r} (both accept every string)"
            return [Finding(self._rule("pattern.equivalent"), ("pattern",), message)]
        if before is None:
            return [Finding(self._rule("pattern.added"), ("pattern",), f"pattern {after!r} added")]
        if after is None:
            return [
                Finding(self._rule("pattern.removed"), ("pattern",), f"pattern {before!r} removed")
            ]
        if widens(before, after):
            message = f"pattern {before!r} -> {after!r} (the new one accepts every string)"
            return [Finding(self._rule("pattern.relaxed"), ("pattern",), message)]
        return [
            Finding(self._rule("pattern.changed"), ("pattern",), f"pattern {before!r} -> {after!r}")
        ]

    # ---------------------------------------------------------------- objects
    def _properties(self, old: dict, new: dict) -> list[Finding]:
        """Properties added, removed, re-required, or hidden from this direction.

        A property the other side alone sends (readOnly in a request,
        writeOnly in a response) is no part of this direction: its changes
        are one ``*_property.changed`` finding, and it never counts as
        required here. A name in ``required`` with no schema under
        ``properties`` is a property of any value.
        """
        owner = _owner(new) or _owner(old)
        of = f" of {owner}" if owner else ""
        before, old_implicit = _declared(old)
        after, new_implicit = _declared(new)
        hidden = "readOnly" if self.direction == "request" else "writeOnly"
        old_hidden = {n for n, v in before.items() if isinstance(v, dict) and v.get(hidden) is True}
        new_hidden = {n for n, v in after.items() if isinstance(v, dict) and v.get(hidden) is True}
        old_required = set(old.get("required") or []) - old_hidden
        new_required = set(new.get("required") or []) - new_hidden
        found = []
        for name in [*before, *(n for n in after if n not in before)]:
            if name in old_hidden or name in new_hidden:
                moved = (name in (old.get("required") or [])) != (
                    name in (new.get("required") or [])
                )
                found += self._hidden_property(name, of, before, after, hidden, new_required, moved)
                continue
            if name not in after:
                if name in old_implicit:
                    found += self._required_toggle(name, of, True, False)
                    continue
                was = " (was required)" if name in old_required else ""
                covers = (("required",),) if name in old_required else ()
                found.append(
                    Finding(
                        self._rule("property.removed"),
                        ("properties", name),
                        f"property '{name}'{of} removed{was}",
                        covers=covers,
                    )
                )
                continue
            if name not in before:
                if name in new_implicit:
                    found += self._required_toggle(name, of, False, True)
                    continue
                required = name in new_required
                if self.direction == "request":
                    rule = (
                        "request.property.required.added"
                        if required
                        else "request.property.optional.added"
                    )
                else:
                    rule = "response.property.added"
                state = "required" if required else "optional"
                covers = (("required",),) if required else ()
                found.append(
                    Finding(
                        rule,
                        ("properties", name),
                        f"{state} property '{name}' added to {owner or 'the object'}",
                        covers=covers,
                    )
                )
                continue
            found += [f.under("properties", name) for f in self.compare(before[name], after[name])]
            found += self._required_toggle(name, of, name in old_required, name in new_required)
        return found

    def _required_toggle(self, name: str, of: str, was: bool, now: bool) -> list[Finding]:
        if was == now:
            return []
        kind = "became_required" if now else "became_optional"
        state = "now required" if now else "now optional"
        return [
            Finding(
                self._rule(f"property.{kind}"),
                ("properties", name),
                f"property '{name}'{of} {state}",
                covers=(("required",),),
            )
        ]

    def _hidden_property(
        self,
        name: str,
        of: str,
        before: dict,
        after: dict,
        hidden: str,
        new_required: set[str],
        required_moved: bool,
    ) -> list[Finding]:
        """A property that only the other direction carries, on at least one side."""
        was_hidden = isinstance(before.get(name), dict) and before[name].get(hidden) is True
        now_hidden = isinstance(after.get(name), dict) and after[name].get(hidden) is True
        covers = (("required",),)
        if name in before and name in after and not was_hidden:
            return [
                Finding(
                    self._rule(f"property.became_{_SNAKE[hidden]}"),
                    ("properties", name),
                    f"property '{name}'{of} became {hidden}",
                    covers=covers,
                )
            ]
        if name in before and name in after and not now_hidden:
            found = [
                Finding(
                    self._rule(f"property.no_longer_{_SNAKE[hidden]}"),
                    ("properties", name),
                    f"property '{name}'{of} no longer {hidden}",
                    covers=covers,
                )
            ]
            if name in new_required and self.direction == "request":
                found.append(
                    Finding(
                        "request.property.became_required",
                        ("properties", name),
                        f"property '{name}'{of} now required",
                        covers=covers,
                    )
                )
            return found
        same_schema = self.views.schema(before.get(name)) == self.views.schema(after.get(name))
        if name in before and name in after and same_schema and not required_moved:
            return []
        side = "requests" if self.direction == "request" else "responses"
        return [
            Finding(
                self._rule(f"{_SNAKE[hidden]}_property.changed"),
                ("properties", name),
                f"{hidden} property '{name}'{of} changed (not part of {side})",
                covers=covers,
            )
        ]

    def _additional_properties(self, old: dict, new: dict) -> list[Finding]:
        before, after = old.get("additionalProperties"), new.get("additionalProperties")
        old_kind, new_kind = _openness(before, self.views), _openness(after, self.views)
        if old_kind == "schema" and new_kind == "schema":
            return [f.under("additionalProperties") for f in self.compare(before, after)]
        if old_kind == new_kind:
            return []
        message = f"additionalProperties {old_kind} -> {new_kind}"
        if self.direction == "response":
            return [
                Finding(
                    "response.additional_properties.changed", ("additionalProperties",), message
                )
            ]
        narrowed = (old_kind, new_kind) in {
            ("open", "closed"),
            ("open", "schema"),
            ("schema", "closed"),
        }
        rule = (
            "request.additional_properties.narrowed"
            if narrowed
            else "request.additional_properties.relaxed"
        )
        return [Finding(rule, ("additionalProperties",), message)]

    def _items(self, old: dict, new: dict) -> list[Finding]:
        before, after = old.get("items"), new.get("items")
        if isinstance(before, dict) and isinstance(after, dict):
            return [f.under("items") for f in self.compare(before, after)]
        if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
            found = []
            for index, (a, b) in enumerate(zip(before, after, strict=True)):
                found += [f.under("items", str(index)) for f in self.compare(a, b)]
            return found
        return []

    def _prefix_items(self, old: dict, new: dict) -> list[Finding]:
        """Positional item schemas (3.1): a missing position is whatever ``items`` allows."""
        before, after = old.get("prefixItems"), new.get("prefixItems")
        if not isinstance(before, list) and not isinstance(after, list):
            return []
        before, after = before or [], after or []
        found = []
        for index in range(max(len(before), len(after))):
            a = before[index] if index < len(before) else _rest_items(old)
            b = after[index] if index < len(after) else _rest_items(new)
            found += [f.under("prefixItems", str(index)) for f in self.compare(a, b)]
        return found

    def _dependent_required(self, old: dict, new: dict) -> list[Finding]:
        """``dependentRequired`` (3.1): names a present property makes required; more narrows."""
        before = old.get("dependentRequired") or {}
        after = new.get("dependentRequired") or {}
        if not isinstance(before, dict) or not isinstance(after, dict) or before == after:
            return []
        found = []
        for name in sorted(set(before) | set(after)):
            was, now = set(before.get(name) or []), set(after.get(name) or [])
            if was == now:
                continue
            # any name newly required narrows, even when another one was dropped
            narrowed = bool(now - was)
            kind = "narrowed" if narrowed else "relaxed"
            message = (
                f"dependentRequired of '{name}' {sorted(was)} -> {sorted(now)}"
                f" ({'tightened' if narrowed else 'relaxed'})"
            )
            found.append(Finding(self._rule(f"limit.{kind}"), ("dependentRequired", name), message))
        return found

    def _conditional(self, old: dict, new: dict) -> list[Finding]:
        """``if``/``then``/``else``: with the same condition, compare the branches.

        A branch that is absent constrains nothing, so it compares as ``{}``.
        A changed condition moves values between branches, which the diff
        cannot prove harmless.
        """
        keys = ("if", "then", "else")
        if not any(k in old or k in new for k in keys):
            return []
        if self.views.schema(old.get("if", {})) != self.views.schema(new.get("if", {})):
            message = "the if/then/else condition changed"
            return [
                Finding(
                    self._rule("conditional.changed"),
                    ("if",),
                    message,
                    covers=(("then",), ("else",)),
                )
            ]
        found = []
        for branch in ("then", "else"):
            found += [
                f.under(branch) for f in self.compare(old.get(branch, {}), new.get(branch, {}))
            ]
        return found

    def _discriminator(self, old: dict, new: dict) -> list[Finding]:
        """The property that names the alternative, and its value -> schema mapping."""
        before, after = old.get("discriminator"), new.get("discriminator")
        if before == after:
            return []
        before = before if isinstance(before, dict) else {}
        after = after if isinstance(after, dict) else {}
        if before.get("propertyName") != after.get("propertyName"):
            message = f"discriminator property {before.get('propertyName')} -> {after.get('propertyName')}"
            return [Finding(self._rule("discriminator.changed"), ("discriminator",), message)]
        old_map, new_map = before.get("mapping") or {}, after.get("mapping") or {}
        found = []
        changed = sorted(k for k in set(old_map) & set(new_map) if old_map[k] != new_map[k])
        removed, added = sorted(set(old_map) - set(new_map)), sorted(set(new_map) - set(old_map))
        where = ("discriminator", "mapping")
        if changed:
            message = f"discriminator value {', '.join(changed)} now maps to another schema"
            found.append(Finding(self._rule("discriminator.changed"), where, message))
        if removed:
            message = f"discriminator value {', '.join(removed)} removed from the mapping"
            found.append(Finding(self._rule("discriminator.mapping.removed"), where, message))
        if added:
            message = f"discriminator value {', '.join(added)} added to the mapping"
            found.append(Finding(self._rule("discriminator.mapping.added"), where, message))
        rest = {k: v for k, v in before.items() if k not in ("propertyName", "mapping")}
        if rest != {k: v for k, v in after.items() if k not in ("propertyName", "mapping")}:
            found.append(
                Finding(
                    self._rule("discriminator.changed"), ("discriminator",), "discriminator changed"
                )
            )
        return found

    def _variants(self, old: dict, new: dict) -> list[Finding]:
        found: list[Finding] = []
        for key in ("oneOf", "anyOf", "allOf"):
            before, after = old.get(key), new.get(key)
            if not isinstance(before, list) or not isinstance(after, list):
                continue
            if key == "allOf":
                if len(before) == len(after):
                    for index, (a, b) in enumerate(zip(before, after, strict=True)):
                        found += [f.under(key, str(index)) for f in self.compare(a, b)]
                continue
            found += self._match_variants(key, before, after)
        return found

    def _match_variants(self, key: str, before: list, after: list) -> list[Finding]:
        """Pair alternatives by structure, not position.

        Identical alternatives pair first; the rest pair greedily by how
        much of their structure they share (``VARIANT_SIMILARITY``), so an
        alternative that gained a property is still itself when another
        alternative was added or removed in the same release. Leftovers
        that are equally many pair in order (each changed beyond
        recognition); the others are added or removed alternatives.
        """
        old_views = [self.views.schema(v) for v in before]
        new_views = [self.views.schema(v) for v in after]
        old_prints = [fingerprint(v) for v in old_views]
        new_prints = [fingerprint(v) for v in new_views]
        old_left = list(range(len(before)))
        new_left = list(range(len(after)))
        pairs = []
        for i in list(old_left):
            for j in new_left:
                if old_prints[i] == new_prints[j]:
                    pairs.append((i, j))
                    old_left.remove(i)
                    new_left.remove(j)
                    break
        old_leaves = {i: _leaves(old_views[i]) for i in old_left}
        new_leaves = {j: _leaves(new_views[j]) for j in new_left}
        scored = sorted(
            (-_jaccard(old_leaves[i], new_leaves[j]), i, j)
            for i in old_left
            for j in new_left
            if _jaccard(old_leaves[i], new_leaves[j]) >= VARIANT_SIMILARITY
        )
        for _, i, j in scored:
            if i in old_left and j in new_left:
                pairs.append((i, j))
                old_left.remove(i)
                new_left.remove(j)
        if len(old_left) == len(new_left):
            pairs += list(zip(old_left, new_left, strict=True))
            old_left, new_left = [], []
        found = []
        for i, j in pairs:
            # The view orders alternatives, so the proof above cannot align
            # them: prove each matched pair here, then let the findings
            # cover the whole list.
            sub = self.compare(before[i], after[j])
            sub = sub + self.proof.unclassified(
                self.views.schema(before[i]), self.views.schema(after[j]), sub
            )
            found += [replace(f.under(key, str(j)), covers=((key,),)) for f in sub]
        for i in old_left:
            found.append(
                Finding(
                    self._rule("variant.removed"),
                    (key, str(i)),
                    f"{key} alternative #{i + 1} removed",
                    covers=((key,),),
                )
            )
        for j in new_left:
            found.append(
                Finding(
                    self._rule("variant.added"),
                    (key, str(j)),
                    f"{key} alternative #{j + 1} added",
                    covers=((key,),),
                )
            )
        return found


VARIANT_SIMILARITY = 0.5
_SNAKE = {"readOnly": "read_only", "writeOnly": "write_only"}


def _declared(schema: dict) -> tuple[dict, set[str]]:
    """Properties of an object schema, with required names lacking a schema as ``{}``."""
    properties = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
    implicit = {
        n for n in schema.get("required") or [] if isinstance(n, str) and n not in properties
    }
    return {**properties, **{n: {} for n in sorted(implicit)}}, implicit


def _leaves(view: Any, prefix: tuple[str, ...] = ()) -> frozenset:
    """The (path, value) leaves of a view, to tell how alike two alternatives are."""
    if isinstance(view, dict):
        out: set = set()
        for key, value in view.items():
            out |= _leaves(value, (*prefix, str(key)))
        return frozenset(out) or frozenset({(prefix, "{}")})
    return frozenset({(prefix, fingerprint(view))})


def _jaccard(a: frozenset, b: frozenset) -> float:
    return len(a & b) / len(a | b) if a | b else 1.0


def _rest_items(schema: dict) -> Any:
    """What a position beyond ``prefixItems`` may hold: ``items`` (3.1), else anything."""
    rest = schema.get("items")
    return rest if isinstance(rest, dict) else {}


def _owner(schema: dict) -> str | None:
    """The component a schema was defined as (Bid for #/components/schemas/Bid), if any."""
    parts = str(schema.get(ORIGIN, "")).split("/")
    if len(parts) >= 2 and parts[-2] in ("schemas", "definitions", "$defs"):
        return parts[-1]
    return None


def _accepted_types(schema: dict) -> frozenset[str] | None:
    declared = schema.get("type")
    if declared is None:
        return None
    types = set(declared) if isinstance(declared, list) else {declared}
    if schema.get("nullable") is True:
        types.add("null")
    return frozenset(types)


def _accepts(wider: frozenset[str] | None, narrower: frozenset[str] | None) -> bool:
    """True when every type in ``narrower`` is accepted by ``wider`` (None: any type)."""
    if wider is None:
        return True
    if narrower is None:
        return False
    return all(t in wider or (t == "integer" and "number" in wider) for t in narrower)


def _show_types(types: frozenset[str] | None) -> str:
    return "any" if types is None else "|".join(sorted(types))


def _enum_values(schema: dict) -> dict[str, Any] | None:
    if isinstance(schema.get("enum"), list):
        return {json.dumps(v, sort_keys=True, default=str): v for v in schema["enum"]}
    if "const" in schema:
        return {json.dumps(schema["const"], sort_keys=True, default=str): schema["const"]}
    return None


def _show(values: Any) -> str:
    values = list(values.values()) if isinstance(values, dict) else list(values)
    return ", ".join(json.dumps(v, default=str) for v in values)


def _was_now(before: Any, after: Any) -> str:
    if before is None:
        return f"{short(after)} added"
    if after is None:
        return f"{short(before)} removed"
    return f"{short(before)} -> {short(after)}"


def _narrows(key: str, before: Any, after: Any) -> bool:
    """True when going from ``before`` to ``after`` admits fewer values."""
    if key == "uniqueItems" or isinstance(before, bool) or isinstance(after, bool):
        return bool(after) and not bool(before)
    if key == "multipleOf":
        if after is None:
            return False
        if before is None:
            return True
        return not (before / after).is_integer()
    upper = key in _UPPER_LIMITS or key == "exclusiveMaximum"
    if after is None:
        return False
    if before is None:
        return True
    return after < before if upper else after > before


def _openness(value: Any, views: ViewBuilder) -> str:
    if value is None or value is True:
        return "open"
    if value is False:
        return "closed"
    if isinstance(value, dict) and views.schema(value) == {}:
        return "open"
    return "schema"
