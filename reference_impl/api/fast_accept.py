"""A compiled acceptor for request bodies: says "valid" fast, or nothing at all.

The body check of an operation (``compiled_requests``) runs the OpenAPI 3.0
dialect of ``jsonschema`` in Python, which was a third of what a write cost
the reference. :class:`FastAccept` runs the same schema in ``jsonschema-rs``
first. It can only *accept*: when it says a body is valid, the Python
validator would say so too, and the body is taken without walking it in
Python; when it says anything else (invalid, or it cannot read the value),
the Python validator runs as before and gives the problems in its own
words. So the codes and words of every refusal, and the verdict on every
body, stay the Python validator's.

What makes "rs valid implies Python valid" hold:

* every check on a string (``pattern``, ``format``) is the Python
  validator's own, called back from Rust as a custom format: the same
  regular-expression engine and the same format checker. ``jsonschema-rs``
  calls a format only for strings, and every Python format check accepts
  anything else, except ``int32``, which becomes number bounds (stricter
  than Python for floats, which is safe here), and ``int64``, whose bounds
  are beyond the numbers both compare exactly (no acceptor);
* the other keywords are translated only where the two agree: ``type``
  (one type, ``nullable`` made ``[type, "null"]``), ``properties``,
  ``required``, ``additionalProperties``, ``items`` (one schema),
  ``enum`` of strings, booleans and null, the length, size and number
  bounds (numbers at most 2**53 in size, where both compare exactly),
  ``allOf`` and ``anyOf``;
* anything else the Python dialect acts on (``oneOf``, ``not``,
  ``readOnly``, ``discriminator``, ``multipleOf``, ``uniqueItems``,
  ``patternProperties``, a ``$ref`` left in, ...) means no acceptor: every
  body of that operation is checked in Python. ``oneOf`` and ``not`` are
  refused because a stricter branch there makes the whole more lenient;
* keywords the Python dialect ignores are left out.

``tests/api/test_fast_accept.py`` holds the acceptor to the Python verdict on
the good and bad requests of every served operation and on generated ones.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import jsonschema_rs

__all__ = ["FastAccept"]

_EXACT_BOUND = 2**53
"""Numbers up to this size are exact as floats, so Rust and Python compare them alike."""

_ANNOTATIONS = frozenset({"description", "title", "default", "example", "examples"})
"""Keywords neither dialect checks anything with."""

_COUNTS = ("minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties")

_INTEGER_FORMATS = {"int32": 2**31}
"""Formats whose Python check applies to integers: the bound it enforces (``-b <= x < b``)."""

_NO_OP_FORMATS = frozenset({"float", "double"})
"""Formats whose Python check accepts every JSON value (a JSON number is an int or a float)."""


class _Declined(Exception):
    """The schema uses something the acceptor cannot reproduce exactly."""


class FastAccept:
    """``jsonschema-rs`` over a translation of one OpenAPI 3.0 schema; True only for valid bodies."""

    __slots__ = ("_is_valid",)

    def __init__(self, is_valid: Callable[[Any], bool]) -> None:
        self._is_valid = is_valid

    @classmethod
    def build(cls, schema: Any, python_validator: type) -> FastAccept | None:
        """The acceptor of ``schema`` (``$ref`` already inlined), or None when it cannot be exact.

        ``python_validator`` is the ``jsonschema`` validator class that judges
        the bodies (its keyword table says which keywords it acts on, and its
        format checker is the one called back for strings).
        """
        translation = _Translation(python_validator)
        try:
            translated = translation.schema(schema)
            validator = jsonschema_rs.Draft4Validator(
                translated,
                formats=translation.formats,
                validate_formats=True,
                ignore_unknown_formats=True,
            )
        except Exception:  # _Declined, or a schema jsonschema-rs will not build
            return None
        return cls(validator.is_valid)

    def __call__(self, body: Any) -> bool:
        """True when the body is valid; False when it is not, or Rust cannot read it."""
        try:
            return bool(self._is_valid(body))
        except Exception:  # a value Rust cannot hold (a lone surrogate, a key that is not str)
            return False


class _Translation:
    """One schema's translation, and the string checks it calls back into Python."""

    def __init__(self, python_validator: type) -> None:
        self.python_validator = python_validator
        self.keywords: Mapping[str, Any] = python_validator.VALIDATORS  # type: ignore[attr-defined]
        self.format_checker = python_validator.FORMAT_CHECKER  # type: ignore[attr-defined]
        self.formats: dict[str, Callable[[str], bool]] = {}

    def schema(self, node: Any) -> Any:
        if isinstance(node, bool):
            return node
        if not isinstance(node, Mapping) or "patternProperties" in node:
            raise _Declined  # patternProperties changes what additionalProperties sees in Python
        out: dict[str, Any] = {}
        checks: list[dict[str, Any]] = []
        for key, value in node.items():
            if key in _ANNOTATIONS or key == "nullable" or key.startswith("x-"):
                continue
            if key == "type":
                if not isinstance(value, str):
                    raise _Declined
                out["type"] = [value, "null"] if node.get("nullable") is True else value
            elif key == "properties":
                out[key] = {str(name): self.schema(sub) for name, sub in dict(value).items()}
            elif key == "required":
                out[key] = [str(name) for name in value]
            elif key == "additionalProperties":
                out[key] = value if isinstance(value, bool) else self.schema(value)
            elif key == "items":
                out[key] = self.schema(value)
            elif key == "enum":
                if not isinstance(value, list) or not all(_plain(v) for v in value):
                    raise _Declined
                out[key] = list(value)
            elif key in _COUNTS:
                out[key] = _count(value)
            elif key in ("minimum", "maximum"):
                out[key] = _bound(value)
            elif key in ("exclusiveMinimum", "exclusiveMaximum"):
                if not isinstance(value, bool):
                    raise _Declined
                out[key] = value
            elif key in ("allOf", "anyOf"):
                out[key] = [self.schema(sub) for sub in value]
            elif key == "pattern":
                checks.append({"format": self._python_check("pattern", value)})
            elif key == "format":
                checks.extend(self._format(value))
            elif key in self.keywords and not self._ignored_by_python(key):
                raise _Declined
        if checks:
            out["allOf"] = [*out.get("allOf", ()), *checks]
        return out

    def _ignored_by_python(self, key: str) -> bool:
        """Keywords of the Python dialect that check nothing (``writeOnly`` in a request, ...)."""
        if key == "discriminator":
            return False  # steers allOf/anyOf/oneOf in the Python dialect
        return getattr(self.keywords[key], "__name__", "") == "not_implemented"

    def _format(self, name: Any) -> list[dict[str, Any]]:
        name = str(name)
        if name in _NO_OP_FORMATS:
            return []
        if name in _INTEGER_FORMATS:
            bound = _INTEGER_FORMATS[name]
            return [{"minimum": -bound, "maximum": bound - 1}]
        if name == "int64":
            raise _Declined
        return [{"format": self._python_check("format", name)}]

    def _python_check(self, keyword: str, value: Any) -> str:
        """A custom format name whose check is the Python validator's ``{keyword: value}``.

        The keyword's own function is called, as the Python validator's
        ``iter_errors`` would call it on that one-keyword schema, without the
        walk around it.
        """
        name = f"crr-python-{keyword}:{value}"
        if name not in self.formats:
            self.formats[name] = _KeywordCheck(
                keyword,
                self.keywords[keyword],
                self.python_validator({}, format_checker=self.format_checker),
                value,
            )
        return name


class _KeywordCheck:
    """One keyword of the Python validator, applied to a string: True when it finds no error."""

    __slots__ = ("function", "schema", "validator", "value")

    def __init__(
        self, keyword: str, function: Callable[..., Any], validator: Any, value: Any
    ) -> None:
        self.function = function
        self.validator = validator
        self.value = value
        self.schema = {keyword: value}

    def __call__(self, text: str) -> bool:
        errors = self.function(self.validator, self.value, text, self.schema) or ()
        return next(iter(errors), None) is None


def _plain(value: Any) -> bool:
    """An enum value both compare alike: not a number (is ``1`` the same as ``1.0``?)."""
    return value is None or isinstance(value, str | bool)


def _count(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _Declined
    return value


def _bound(value: Any) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _Declined
    if not abs(value) <= _EXACT_BOUND:
        raise _Declined
    return value
