"""JSON pointers (RFC 6901): build, escape and read them."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import unquote


def escape(part: object) -> str:
    return str(part).replace("~", "~0").replace("/", "~1")


def unescape(part: str) -> str:
    return part.replace("~1", "/").replace("~0", "~")


def join(parts: Iterable[object]) -> str:
    """The pointer for ``parts``: ("paths", "/a", "get") -> "/paths/~1a/get"."""
    return "".join("/" + escape(part) for part in parts)


def split(pointer: str) -> list[str]:
    """The parts of a pointer or a URI fragment ("#/components/schemas/X")."""
    pointer = unquote(pointer.lstrip("#"))
    if not pointer:
        return []
    if not pointer.startswith("/"):
        raise ValueError(f"not a JSON pointer: {pointer!r}")
    return [unescape(part) for part in pointer[1:].split("/")]
