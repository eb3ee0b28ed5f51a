"""Operations of a normalised OpenAPI document, and matching them across versions.

An operation is matched by method and path first: a URL that still exists is
the same operation for every client that calls it, whatever its operationId
now says. Among the rest, a path that changed while the operationId stayed
is a rename, not a removal plus an addition. Operations whose identity
changed completely are still paired when their functional views are
identical, or similar enough.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_TEMPLATE = re.compile(r"\{[^}]*\}")
_VERSION_SEGMENT = re.compile(r"^v\d+(\.\d+)*$")


@dataclass
class Operation:
    """One operation in canonical form, with where its parts sit in the file.

    ``node`` is the operation with path-level parameters merged in and
    ``parameters`` keyed ``"<in> <name>"``; ``security`` is the effective
    requirement (the operation's own or the document's).
    """

    method: str
    path: str
    operation_id: str | None
    node: dict[str, Any]
    pointer: tuple[str, ...]
    parameter_pointers: dict[str, tuple[str, ...]] = field(default_factory=dict)
    security_pointer: tuple[str, ...] = ("security",)
    webhook: bool = False

    @property
    def label(self) -> str:
        return f"{'WEBHOOK ' if self.webhook else ''}{self.method.upper()} {self.path}"

    @property
    def template(self) -> str:
        """The path with parameter names blanked: /a/{id} and /a/{key} match."""
        return _TEMPLATE.sub("{}", self.path)

    @property
    def path_parameters(self) -> list[str]:
        return [name[1:-1] for name in _TEMPLATE.findall(self.path)]

    @property
    def service(self) -> str:
        """The path prefix that names the service: /auction/v1.0/portfolio -> /auction/v1.0."""
        if self.webhook:
            return "webhooks"
        segments = [s for s in self.path.split("/") if s]
        for index, segment in enumerate(segments):
            if _VERSION_SEGMENT.match(segment):
                return "/" + "/".join(segments[: index + 1])
        return "/" + segments[0] if segments else "/"


def collect_operations(
    paths: dict, security: Any, schemes: dict, root: str = "paths"
) -> list[Operation]:
    """Every operation of a normalised ``paths`` (or 3.1 ``webhooks``) object, in file order.

    A webhook is an operation the server calls on the client: the diff
    compares it with the directions swapped (``Operation.webhook``).
    """
    operations = []
    for path, item in (paths or {}).items():
        if not isinstance(item, dict):
            continue
        shared = _keyed_parameters(item.get("parameters"), (root, path, "parameters"))
        for method in METHODS:
            op = item.get(method)
            if not isinstance(op, dict):
                continue
            pointer = (root, path, method)
            own = _keyed_parameters(op.get("parameters"), (*pointer, "parameters"))
            merged = {**shared, **own}
            node = {key: value for key, value in op.items() if key != "parameters"}
            if "servers" not in node and "servers" in item:
                node["servers"] = item["servers"]
            node["parameters"] = {key: param for key, (param, _) in merged.items()}
            if isinstance(node.get("responses"), dict):
                node["responses"] = {
                    str(status): resp for status, resp in node["responses"].items()
                }
            effective = op.get("security", security)
            node["security"] = canonical_security(effective)
            node["security_schemes"] = {
                name: schemes[name] for name in _scheme_names(effective) if name in schemes
            }
            operations.append(
                Operation(
                    method=method,
                    path=str(path),
                    operation_id=op.get("operationId"),
                    node=node,
                    pointer=pointer,
                    parameter_pointers={key: where for key, (_, where) in merged.items()},
                    security_pointer=(*pointer, "security") if "security" in op else ("security",),
                    webhook=root == "webhooks",
                )
            )
    return operations


def canonical_security(requirements: Any) -> list[list[list[Any]]]:
    """Security requirements as sorted [[scheme, [scopes]], ...] alternatives."""
    if not isinstance(requirements, list):
        return []
    out = []
    for alternative in requirements:
        if isinstance(alternative, dict):
            out.append(
                sorted([str(name), sorted(scopes or [])] for name, scopes in alternative.items())
            )
    return sorted(out)


def _scheme_names(requirements: Any) -> list[str]:
    if not isinstance(requirements, list):
        return []
    return sorted({str(name) for alt in requirements if isinstance(alt, dict) for name in alt})


def _keyed_parameters(
    params: Any, where: tuple[str, ...]
) -> dict[str, tuple[dict, tuple[str, ...]]]:
    keyed = {}
    for index, param in enumerate(params or []):
        if isinstance(param, dict) and "name" in param and "in" in param:
            keyed[f"{param['in']} {param['name']}"] = (param, (*where, str(index)))
    return keyed


@dataclass(frozen=True)
class Match:
    """An old and a new operation found to be the same operation, and how."""

    old: Operation
    new: Operation
    how: str  # same | operationId | path | content | similar


def match_operations(
    old_ops: list[Operation],
    new_ops: list[Operation],
    prints: dict[int, str],
    shape: Callable[[Operation], frozenset] | None = None,
) -> tuple[list[Match], list[Operation], list[Operation]]:
    """Pair operations: (matches, removed old operations, added new operations).

    Passes, in order: same method, path and operationId; same method and
    path (the operationId changed: clients call URLs, so two operationIds
    swapped between two URLs that both still exist are two id changes, not
    a rename); same operationId (a rename of path or method); same method
    and identical functional view (everything renamed); and, last, same method and service with a similar name and
    a similar shape (``shape``: the set of paths of an operation's view), for
    a rename of path and operationId that came with other changes (SEED-B:
    activeHistLoadSubmissionWindow became openHistLoadSubmissionWindow).
    ``prints`` maps ``id(operation)`` to its view fingerprint.
    """
    old_left, new_left = list(old_ops), list(new_ops)
    matches: list[Match] = []

    def take(how: str, key) -> None:
        new_index: dict[Any, list[Operation]] = {}
        for op in new_left:
            k = key(op)
            if k is not None:
                new_index.setdefault(k, []).append(op)
        old_index: dict[Any, list[Operation]] = {}
        for op in old_left:
            k = key(op)
            if k is not None:
                old_index.setdefault(k, []).append(op)
        for k, olds in old_index.items():
            news = new_index.get(k, [])
            if len(olds) == 1 and len(news) == 1:
                matches.append(Match(olds[0], news[0], how))
                old_left.remove(olds[0])
                new_left.remove(news[0])

    take("same", lambda op: (op.method, op.template, op.operation_id))
    take("path", lambda op: (op.method, op.template))
    take("operationId", lambda op: op.operation_id)
    take("content", lambda op: (op.method, prints.get(id(op))))
    if shape is not None and old_left and new_left:
        for old, new in _similar_pairs(old_left, new_left, shape):
            matches.append(Match(old, new, "similar"))
            old_left.remove(old)
            new_left.remove(new)
    return matches, old_left, new_left


NAME_SIMILARITY = 0.7
SHAPE_SIMILARITY = 0.6


def _similar_pairs(
    olds: list[Operation], news: list[Operation], shape: Callable[[Operation], frozenset]
) -> list[tuple[Operation, Operation]]:
    """Greedy best pairs among leftovers: same method and service, similar name and shape."""
    scored = []
    for old in olds:
        for new in news:
            if (old.method, old.service) != (new.method, new.service):
                continue
            name = max(
                _ratio(old.path.rsplit("/", 1)[-1], new.path.rsplit("/", 1)[-1]),
                _ratio(old.operation_id, new.operation_id),
            )
            if name < NAME_SIMILARITY:
                continue
            a, b = shape(old), shape(new)
            overlap = len(a & b) / len(a | b) if a | b else 1.0
            if overlap >= SHAPE_SIMILARITY:
                scored.append((name + overlap, old.label, new.label, old, new))
    pairs, used = [], set()
    for _, _, _, old, new in sorted(scored, key=lambda item: (-item[0], item[1], item[2])):
        if id(old) not in used and id(new) not in used:
            pairs.append((old, new))
            used |= {id(old), id(new)}
    return pairs


def _ratio(a: str | None, b: str | None) -> float:
    if not a or not b:
        return 0.0
    return SequenceMatcher(None, a.lower(), b.lower()).ratio()
