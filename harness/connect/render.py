"""The doctor's plain-language output: one line per layer, cause and fix under a failure."""

from __future__ import annotations

import textwrap
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from harness.connect.outcome import Outcome
from harness.results import RunReport, Status

__all__ = ["Printer"]

_MARKS = {Status.PASS: "✔", Status.FAIL: "✖", Status.SKIP: "\u2013", Status.ERROR: "✖"}
_PLAIN = {Status.PASS: "+", Status.FAIL: "x", Status.SKIP: "-", Status.ERROR: "x"}
_WIDTH = 100


class Printer:
    """Writes outcomes to ``out`` as they arrive."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        encoding = getattr(out, "encoding", None) or "utf-8"
        try:
            "".join(_MARKS.values()).encode(encoding)
            self.marks = _MARKS
        except (UnicodeEncodeError, LookupError):
            self.marks = _PLAIN

    def _print(self, text: str = "") -> None:
        print(text, file=self.out, flush=True)

    def start(self, who: str, where: str) -> None:
        self._print(f"crr-harness connect: {who} → {where}")

    def outcome(self, outcome: Outcome) -> None:
        for line in self.lines(outcome):
            self._print(line)

    def lines(self, outcome: Outcome) -> Iterator[str]:
        mark = self.marks[outcome.status]
        title = outcome.layer.title
        if outcome.layer.per_service:
            service, _, rest = outcome.case.partition(":")
            title += " (every service)" if rest.strip() == "every service" else f" {service}"
        if outcome.status is Status.FAIL:
            yield f"{mark} {outcome.layer.id} {title}"
            yield from _wrapped("cause: ", outcome.cause or outcome.summary)
            if outcome.fix:
                yield from _wrapped("fix:   ", outcome.fix)
        else:
            yield from _wrapped(
                f"{mark} {outcome.layer.id} {title}: ", outcome.summary, indent="", hang=4
            )
        for warning in outcome.warnings:
            yield from _wrapped("warning: ", warning)
        for check in outcome.checks:
            if check.status in (Status.FAIL, Status.ERROR):
                yield from _wrapped(
                    f"{self.marks[check.status]} {check.id} ", f"{check.message} (spec check)"
                )

    def finish(self, report: RunReport, run_dir: Path) -> None:
        summary = report.summary()
        layers = Counter(r.status for r in report.results if r.id.startswith("CNX-"))
        spec = Counter(r.status for r in report.results if not r.id.startswith("CNX-"))
        text = (
            f"verdict {summary['verdict']}: layers {layers[Status.PASS]} passed, "
            f"{layers[Status.FAIL]} failed, {layers[Status.SKIP]} skipped"
        )
        if spec:
            text += (
                f"; spec checks on the calls {spec[Status.PASS]} passed, "
                f"{spec[Status.FAIL] + spec[Status.ERROR]} failed"
            )
        if report.interrupted:
            text += " (interrupted)"
        self._print(text)
        self._print(f"report: {run_dir / 'report.html'}")


def _wrapped(
    label: str, text: str, *, indent: str = "    ", hang: int | None = None
) -> Iterator[str]:
    """``text`` after ``label``, wrapped; continuation lines hang under the text (or ``hang``)."""
    subsequent = " " * (hang if hang is not None else len(indent) + len(label))
    yield from textwrap.wrap(
        text,
        width=_WIDTH,
        initial_indent=indent + label,
        subsequent_indent=subsequent,
        break_on_hyphens=False,
        break_long_words=False,
    ) or [indent + label]
