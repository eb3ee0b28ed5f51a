"""Reading YAML text into Python values as ``yaml.safe_load`` does, several times faster.

A 2,000-operation spec pair spends most of a ``diff`` in PyYAML: even with
libyaml's parser, every node is resolved and constructed by Python classes
built for the general case. Spec files are plain mappings, sequences and
scalars, so ``read_yaml`` builds them straight from libyaml's event stream and
resolves only the plain scalars that can be something other than a string
(their first character says so), through PyYAML's own resolver and
constructors, so a value means exactly what it means to ``safe_load``.

Whatever falls outside that subset (a merge key, an explicit collection tag,
a mapping used as a key, a second document, ...) is read again by
``yaml.load`` with the safe loader, which gives its own result or its own
error: the fast path may decline, never disagree.
"""

from __future__ import annotations

from typing import Any

import yaml

try:  # libyaml's event parser; without it the safe loader reads everything
    from yaml._yaml import CParser
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    CParser = None
from yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)
from yaml.nodes import ScalarNode

_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_STR = "tag:yaml.org,2002:str"
_RESOLVER = yaml.resolver.Resolver()
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
# Plain scalars whose first character no implicit resolver looks at are strings.
_MAY_RESOLVE = frozenset(yaml.resolver.Resolver.yaml_implicit_resolvers)
# Tags the fast path constructs; anything else (merge, value, yaml) goes the long way.
_SCALAR_TAGS = frozenset(
    {
        "tag:yaml.org,2002:null",
        "tag:yaml.org,2002:bool",
        "tag:yaml.org,2002:int",
        "tag:yaml.org,2002:float",
        "tag:yaml.org,2002:timestamp",
        "tag:yaml.org,2002:binary",
        _STR,
    }
)


class _Decline(Exception):
    """The text uses something the fast path leaves to ``yaml.load``."""


def read_yaml(text: str | bytes) -> Any:
    """The value of one YAML document, equal to ``yaml.load(text, SafeLoader)``.

    Bytes are decoded as PyYAML decodes them (UTF-8, or UTF-16 by its byte order mark).

    Raises ``yaml.YAMLError`` for text the safe loader refuses.
    """
    try:
        return _read_events(text)
    except _Decline:
        return yaml.load(text, Loader=_SAFE_LOADER)


def _scalar(event: ScalarEvent) -> Any:
    value = event.value
    tag = event.tag
    if tag is None or tag == "!":
        if not event.implicit[0] or (value and value[0] not in _MAY_RESOLVE):
            return value  # quoted, or plain that no resolver could claim
        tag = _RESOLVER.resolve(ScalarNode, value, event.implicit)
        if tag == _STR:
            return value
    if tag not in _SCALAR_TAGS:
        raise _Decline
    node = ScalarNode(tag, value, style=event.style)
    return _CONSTRUCTOR.yaml_constructors[tag](_CONSTRUCTOR, node)


def _read_events(text: str | bytes) -> Any:
    if CParser is None:
        raise _Decline
    parser = CParser(text)
    try:
        return _build(parser)
    finally:
        parser.dispose()


def _build(parser: Any) -> Any:
    stack: list[Any] = []
    pending_key: list[Any] = []  # per open mapping: the key read, or _NO_KEY
    anchors: dict[str, Any] = {}
    documents = 0
    root: Any = None
    while (event := parser.get_event()) is not None:
        kind = type(event)
        if kind is ScalarEvent:
            value = _scalar(event)
            if event.anchor:
                anchors[event.anchor] = value
        elif kind is MappingStartEvent or kind is SequenceStartEvent:
            if event.tag is not None and event.tag != "!":
                raise _Decline  # explicit collection tags (!!set, !!omap, ...)
            if stack and type(stack[-1]) is dict and pending_key[-1] is _NO_KEY:
                raise _Decline  # a collection as a mapping key
            collection: Any = {} if kind is MappingStartEvent else []
            if event.anchor:
                anchors[event.anchor] = collection
            stack.append(collection)
            pending_key.append(_NO_KEY)
            continue
        elif kind is MappingEndEvent or kind is SequenceEndEvent:
            value = stack.pop()
            pending_key.pop()
        elif kind is AliasEvent:
            if event.anchor not in anchors:
                raise _Decline
            value = anchors[event.anchor]
            awaiting_key = stack and type(stack[-1]) is dict and pending_key[-1] is _NO_KEY
            if awaiting_key and isinstance(value, (dict, list)):
                raise _Decline  # an aliased collection as a mapping key
        elif kind is DocumentStartEvent:
            documents += 1
            if documents > 1:
                raise _Decline  # yaml.load says "expected a single document"
            continue
        else:
            continue  # stream and document ends
        if not stack:
            root = value
            continue
        top = stack[-1]
        if type(top) is list:
            top.append(value)
        elif pending_key[-1] is _NO_KEY:
            pending_key[-1] = value
        else:
            top[pending_key[-1]] = value
            pending_key[-1] = _NO_KEY
    return root


_NO_KEY = object()
