"""OpenAPI Overlays (Overlay Specification 1.0.0): change a spec document without editing it.

CAISO publishes its spec files without our ``x-roles``, ``x-error-codes``
and ``x-max-body-bytes``; an overlay adds them from outside, so the file a
vendor certifies against stays byte for byte the one CAISO published.

An overlay document is::

    overlay: 1.0.0
    info: {title: ..., version: ...}
    extends: caiso_crr_auction_v1.1.1_openapi.yaml   # optional
    actions:
      - target: $.paths['/auction/v1.0/portfolio'].get   # a JSONPath query (RFC 9535)
        update: {x-roles: [...]}                         # merged into each selected node
      - target: $.paths.*.get.parameters[?@.name == 'dummy']
        remove: true                                     # each selected node is removed

Actions apply in order, each to the document the previous one left.
``update`` merges into an object (objects recursively, arrays appended,
everything else replaced) and is appended to an array as one entry;
``remove: true`` takes each selected node out of its parent. A target that
selects nothing is not an error (the specification says so). ``extends``,
when present, names the document the overlay is for: :func:`applies_to`
compares its last path segment with a spec file's name, so one list of
overlays can be given for a whole catalog.

No maintained Python library implemented Overlay 1.0 on its own terms when
this was written (``oas-patch`` adds non-1.0 actions and a CLI stack), so
the applier is this module over ``jsonpath-ng``'s RFC 9535 dialect. One
limit of that dialect: a member name with a hyphen is written in brackets
inside a filter (``?@['x-oai-traits'].paged``).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jsonpath_ng.ext import parse as parse_jsonpath
from jsonpath_ng.jsonpath import Fields, Index, Root, This

from crr_contract.errors import SpecError
from crr_contract.files import load_document

__all__ = [
    "Overlay",
    "OverlayAction",
    "OverlayError",
    "apply_overlay",
    "apply_overlays",
    "load_overlay",
    "parse_overlay",
]

_VERSION = re.compile(r"^1\.0\.\d+$")


class OverlayError(SpecError):
    """An overlay file that is not an Overlay 1.0 document, or an action that cannot apply."""


@dataclass(frozen=True, slots=True)
class OverlayAction:
    """One action: a JSONPath target and what to do to each node it selects."""

    target: str
    update: Any = None
    remove: bool = False
    description: str = ""


@dataclass(frozen=True, slots=True)
class Overlay:
    """A parsed overlay document."""

    title: str
    version: str
    actions: tuple[OverlayAction, ...]
    extends: str | None = None
    source: str = "overlay"
    """Where the overlay came from (its file name), for provenance and messages."""

    def applies_to(self, file_name: str) -> bool:
        """Whether this overlay is for a document of that file name (always, without ``extends``)."""
        if not self.extends:
            return True
        return self.extends.rstrip("/").rsplit("/", 1)[-1] == file_name


def load_overlay(path: Path) -> Overlay:
    """Read and validate an overlay file; any problem is one ``OverlayError`` naming the file."""
    path = Path(path)
    try:
        document = load_document(path)
    except SpecError as exc:
        raise OverlayError(str(exc)) from None
    return parse_overlay(document, source=str(path))


def parse_overlay(document: Any, *, source: str = "overlay") -> Overlay:
    """Validate an overlay document already read from YAML or JSON."""
    if not isinstance(document, Mapping):
        raise OverlayError(
            f"{source}: not an overlay document (a mapping with overlay, info, actions)"
        )
    version = document.get("overlay")
    if not isinstance(version, str) or not _VERSION.match(version):
        raise OverlayError(
            f"{source}: not an Overlay 1.0 document: overlay is {version!r}, expected '1.0.x'"
        )
    info = document.get("info")
    if not isinstance(info, Mapping) or not info.get("title") or not info.get("version"):
        raise OverlayError(f"{source}: info with title and version is required")
    actions = document.get("actions")
    if not isinstance(actions, list) or not actions:
        raise OverlayError(f"{source}: actions must list at least one action")
    parsed = []
    for index, action in enumerate(actions):
        where = f"{source}: actions[{index}]"
        if not isinstance(action, Mapping) or not isinstance(action.get("target"), str):
            raise OverlayError(f"{where}: target (a JSONPath query) is required")
        remove = action.get("remove", False)
        if not isinstance(remove, bool):
            raise OverlayError(f"{where}: remove is true or false, not {remove!r}")
        if not remove and "update" not in action:
            raise OverlayError(f"{where}: an action needs update or remove: true")
        _compile(action["target"], where)
        parsed.append(
            OverlayAction(
                action["target"],
                action.get("update"),
                remove,
                str(action.get("description") or ""),
            )
        )
    extends = document.get("extends")
    return Overlay(
        str(info["title"]),
        str(info["version"]),
        tuple(parsed),
        str(extends) if extends else None,
        source,
    )


def apply_overlays(document: Any, overlays: Sequence[Overlay]) -> Any:
    """``document`` with every overlay applied in order (the input is not changed)."""
    result = copy.deepcopy(document)
    for overlay in overlays:
        result = _apply(result, overlay)
    return result


def apply_overlay(document: Any, overlay: Overlay) -> Any:
    """``document`` with one overlay applied (the input is not changed)."""
    return _apply(copy.deepcopy(document), overlay)


def _apply(document: Any, overlay: Overlay) -> Any:
    for index, action in enumerate(overlay.actions):
        where = f"{overlay.source}: actions[{index}] ({action.target})"
        matches = _compile(action.target, where).find(document)
        if action.remove:
            document = _remove(document, matches, where)
            continue
        for match in matches:
            node = match.value
            if isinstance(node, MutableMapping):
                if not isinstance(action.update, Mapping):
                    raise OverlayError(f"{where}: the target is an object, so update must be one")
                _merge(node, action.update)
            elif isinstance(node, list):
                node.append(copy.deepcopy(action.update))
            else:
                raise OverlayError(
                    f"{where}: selects a {type(node).__name__}; a target selects objects or arrays"
                )
    return document


def _remove(document: Any, matches: list, where: str) -> Any:
    by_index: list[tuple[list, int]] = []
    for match in matches:
        parent = match.context.value if match.context is not None else None
        step = match.path
        if parent is None or isinstance(step, Root | This):
            raise OverlayError(f"{where}: the document root cannot be removed")
        if isinstance(step, Fields) and isinstance(parent, MutableMapping):
            for name in step.fields:
                parent.pop(name, None)
        elif isinstance(step, Index) and isinstance(parent, list):
            by_index.extend((parent, i) for i in step.indices)
        else:
            raise OverlayError(f"{where}: cannot remove a node selected by {step}")
    # Remove from the back of each array, so earlier indices stay valid.
    for parent, position in sorted(by_index, key=lambda item: (id(item[0]), -item[1])):
        if -len(parent) <= position < len(parent):
            del parent[position]
    return document


def _merge(target: MutableMapping, update: Mapping) -> None:
    """Objects merge recursively, arrays are appended to, anything else is replaced."""
    for key, value in update.items():
        current = target.get(key)
        if isinstance(current, MutableMapping) and isinstance(value, Mapping):
            _merge(current, value)
        elif isinstance(current, list) and isinstance(value, list):
            current.extend(copy.deepcopy(value))
        else:
            target[key] = copy.deepcopy(value)


_COMPILED: dict[str, Any] = {}


def _compile(target: str, where: str) -> Any:
    if target not in _COMPILED:
        try:
            _COMPILED[target] = parse_jsonpath(target)
        # jsonpath-ng raises its lexer and parser errors, and plain exceptions for some
        # malformed queries; any of them means the target is not a query it can run.
        except Exception as exc:
            raise OverlayError(
                f"{where}: target {target!r} is not a JSONPath query: {exc}"
            ) from None
    return _COMPILED[target]
