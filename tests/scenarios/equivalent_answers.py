"""ASGI layers that change the reference's JSON answers only in ways the specs allow, and
near-miss variants of them that change a value.

JSON has one number type (``-50`` and ``-50.0`` are the same number), RFC 3339
lets a UTC date-time end in ``Z`` or ``+00:00``, and a different LP solver
gives results a few 1e-7 away: a target that answers so is conformant, and
certify must say PASS. The near misses change a value beyond what the
specs allow (a second, a hundredth of a MW, one unit) and must FAIL, so the
tests built on these layers can fail.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from tests.mutants.rewrite import Answer, rewrite_answers

_DATE_TIME_Z = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")
_RESULT_DOWNLOADS = ("/publicDownload", "/privateDownload")


def _walk(value: Any, leaf: Callable[[Any], Any]) -> Any:
    if isinstance(value, dict):
        return {k: _walk(v, leaf) for k, v in value.items()}
    if isinstance(value, list):
        return [_walk(v, leaf) for v in value]
    return leaf(value)


def _json_rewrite(leaf: Callable[[Any], Any], *, downloads_only: bool = False):
    def rewrite(answer: Answer) -> None:
        if downloads_only and not answer.scope["path"].endswith(_RESULT_DOWNLOADS):
            return
        if answer.body[:1] not in (b"{", b"["):
            return
        body = answer.json()
        if downloads_only:
            if isinstance(body, dict) and "data" in body:
                body["data"] = _walk(body["data"], leaf)
        else:
            body = _walk(body, leaf)
        answer.body = json.dumps(body).encode("utf-8")

    return rewrite_answers("", rewrite)


def _is_float(value: Any) -> bool:
    return isinstance(value, float)


def _integral_as_int(shift: int) -> Callable[[Any], Any]:
    def leaf(value: Any) -> Any:
        if _is_float(value) and value.is_integer():
            return int(value) + shift
        return value

    return leaf


def _z_as_offset(shift: timedelta) -> Callable[[Any], Any]:
    def leaf(value: Any) -> Any:
        if isinstance(value, str) and _DATE_TIME_Z.match(value):
            moved = datetime.fromisoformat(value.replace("Z", "+00:00")) + shift
            return moved.isoformat()
        return value

    return leaf


def _float_plus(delta: float) -> Callable[[Any], Any]:
    def leaf(value: Any) -> Any:
        return value + delta if _is_float(value) else value

    return leaf


EQUIVALENT: dict[str, Callable[[Any], Any]] = {
    "integral-floats-as-integers": _json_rewrite(_integral_as_int(0)),
    "utc-as-plus-00-00": _json_rewrite(_z_as_offset(timedelta(0))),
    "results-plus-1e-7": _json_rewrite(_float_plus(1e-7), downloads_only=True),
}
"""Rewrites a conformant target may differ from the reference by: certify must PASS."""

NEAR_MISS: dict[str, Callable[[Any], Any]] = {
    "integral-floats-as-integers": _json_rewrite(_integral_as_int(1)),
    "utc-as-plus-00-00": _json_rewrite(_z_as_offset(timedelta(seconds=1))),
    "results-plus-1e-7": _json_rewrite(_float_plus(0.01), downloads_only=True),
}
"""The same rewrites, each also changing the value beyond the spec's allowance: must FAIL."""


def main(argv: list[str]) -> int:
    """Certify the whole scenarios suite behind each rewrite and count FAIL/ERROR per check:
    ``python -m tests.scenarios.equivalent_answers [--near-miss] [rewrite ...]``."""
    import collections
    import tempfile
    from pathlib import Path

    from tests.certify.support import certify_embedded, failures

    table = NEAR_MISS if "--near-miss" in argv else EQUIVALENT
    for name in [a for a in argv if not a.startswith("--")] or sorted(table):
        with tempfile.TemporaryDirectory() as workdir:
            report = certify_embedded(Path(workdir), suites=("scenarios",), wrap=table[name])
        failed = failures(report)
        counts = dict(collections.Counter(r.id for r in failed))
        print(f"{name}: {report.verdict.name}, {len(failed)} FAIL/ERROR {counts}", flush=True)
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv[1:]))
