"""``-k`` expressions: which cases of a run to keep, in pytest's style.

An expression combines terms with ``and``, ``or``, ``not`` and
parentheses; a term matches when it is a case-insensitive substring of the
case's name or its suite's. A term with spaces is
quoted (``'auction.getPortfolio as alpha_lse-rw'``), which is how rerun
commands in reports name one case exactly.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Iterable

from harness.errors import InputError

__all__ = ["Selection", "compile_expression"]

Matcher = Callable[[str], bool]
_TOKEN = re.compile(r"\s*(?:(\()|(\))|'([^']*)'|\"([^\"]*)\"|([^\s()'\"]+))")


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    text = text.strip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if not match or match.end() == position:
            raise InputError(f"-k {text!r}: cannot read the expression at {text[position:]!r}")
        position = match.end()
        opened, closed, single, double, word = match.groups()
        if opened:
            tokens.append(("(", "("))
        elif closed:
            tokens.append((")", ")"))
        elif single is not None or double is not None:
            tokens.append(("term", single if single is not None else double))
        elif word in ("and", "or", "not"):
            tokens.append((word, word))
        else:
            tokens.append(("term", word))
    return tokens


def compile_expression(text: str) -> Callable[[Iterable[str]], bool]:
    """Compile ``text``; the result tells whether any of a case's names matches it."""
    tokens = _tokens(text)
    if not tokens:
        raise InputError("-k: empty expression")
    position = 0

    def peek() -> str | None:
        return tokens[position][0] if position < len(tokens) else None

    def take(kind: str) -> str:
        nonlocal position
        if peek() != kind:
            found = tokens[position][1] if position < len(tokens) else "the end"
            raise InputError(f"-k {text!r}: expected {kind}, found {found!r}")
        value = tokens[position][1]
        position += 1
        return value

    def parse_or() -> Callable[[str], bool]:
        left = parse_and()
        while peek() == "or":
            take("or")
            right = parse_and()
            left = (lambda a, b: lambda s: a(s) or b(s))(left, right)
        return left

    def parse_and() -> Callable[[str], bool]:
        left = parse_not()
        while peek() == "and":
            take("and")
            right = parse_not()
            left = (lambda a, b: lambda s: a(s) and b(s))(left, right)
        return left

    def parse_not() -> Callable[[str], bool]:
        if peek() == "not":
            take("not")
            inner = parse_not()
            return lambda s: not inner(s)
        if peek() == "(":
            take("(")
            inner = parse_or()
            take(")")
            return inner
        term = take("term").lower()
        return lambda s: term in s

    matcher = parse_or()
    if position != len(tokens):
        raise InputError(f"-k {text!r}: unexpected {tokens[position][1]!r}")

    def matches(names: Iterable[str]) -> bool:
        return matcher(" | ".join(names).lower())

    return matches


class Selection:
    """Which cases to run: a ``-k`` expression and/or the failed cases of an earlier report."""

    def __init__(self, expression: str | None = None, cases: Iterable[str] | None = None) -> None:
        self.expression = expression
        self._matches = compile_expression(expression) if expression else None
        self.cases = frozenset(cases) if cases is not None else None

    def wants(self, suite: str, case: str) -> bool:
        if self.cases is not None and case not in self.cases:
            return False
        return self._matches is None or self._matches([suite, case])

    def wants_group(self, suite: str, group: str, title: str = "") -> bool:
        """For suites whose cases come in groups (a scenario's steps): is any case of the
        group ``<group>: ...`` selected?"""
        if self.cases is not None and not any(
            c == group or c.startswith(f"{group}:") for c in self.cases
        ):
            return False
        return self._matches is None or self._matches([suite, f"{group}: {title}"])

    @staticmethod
    def exact(case: str) -> str:
        """The ``-k`` argument, shell-quoted, that selects exactly ``case``."""
        return shlex.quote(f'"{case}"')
