"""Waivers: failures a target declares known and accepted, each with a reason, an approver
and an expiry date.

A vendor certifies many times while it fixes things; a known defect that
CAISO has accepted for now should not hide every other finding behind a
FAIL verdict. ``waivers.yaml`` (named by ``waivers:`` in target.yaml, or
``certify --waivers``) lists them::

    waivers:
      - check: "auction.getPortfolio as * [ERR-004]"   # a check key, or a pattern (* and ?)
        reason: "error code 2002 lands in release 4.2"
        approved_by: "J. Doe, CAISO market systems"
        expires: 2027-03-31

Waivers apply after the run, as a pure function over its results: the
checks ran and recorded their evidence exactly as without waivers, and a
waived FAIL or ERROR only changes status to WAIVED and says which waiver
and which status it had. A waiver past its expiry date waives nothing and
is reported as expired; one that matched no failure is reported as stale,
so the file does not quietly outlive the defects it was written for.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from harness.errors import InputError
from harness.results import CheckResult, RunReport, Status

__all__ = [
    "WAIVABLE",
    "Waiver",
    "WaiverUse",
    "apply_waivers",
    "load_waivers",
    "waive_report",
    "waived_text",
    "waiver_notes",
]

WAIVABLE = (Status.FAIL, Status.ERROR)
"""The statuses a waiver can turn into WAIVED."""

_FIELDS = ("check", "reason", "approved_by", "expires")


def _glob(pattern: str) -> re.Pattern[str]:
    """``*`` and ``?`` as wildcards, everything else literal (check keys contain ``[ID]``)."""
    escaped = re.escape(pattern).replace(r"\*", ".*").replace(r"\?", ".")
    return re.compile(f"^{escaped}$", re.DOTALL)


@dataclass(frozen=True, slots=True)
class Waiver:
    """One accepted failure: which checks it covers, why, who approved it, until when."""

    check: str
    """A check key (``case [ID]``), a check ID, or a pattern over either with ``*`` and ``?``."""
    reason: str
    approved_by: str
    expires: date
    """The last day the waiver applies (UTC)."""

    def matches(self, result: CheckResult) -> bool:
        pattern = _glob(self.check)
        return bool(pattern.match(result.key) or pattern.match(result.id))

    def expired(self, today: date) -> bool:
        return today > self.expires

    def to_dict(self) -> dict[str, str]:
        return {
            "check": self.check,
            "reason": self.reason,
            "approved_by": self.approved_by,
            "expires": self.expires.isoformat(),
        }


@dataclass(frozen=True, slots=True)
class WaiverUse:
    """What one waiver did in a run: ``applied`` to failures, ``expired``, or ``stale``."""

    waiver: Waiver
    state: str
    matched: tuple[str, ...]
    """The keys of the failures it waived (applied) or would have waived (expired)."""

    def to_dict(self) -> dict[str, Any]:
        return {**self.waiver.to_dict(), "state": self.state, "matched": list(self.matched)}


def _expiry(value: Any, where: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise InputError(f"{where}: expires {value!r} is not a date (YYYY-MM-DD)") from None


def parse_waivers(data: Any, where: str) -> tuple[Waiver, ...]:
    """Validate a waivers document already read from YAML."""
    if not isinstance(data, Mapping) or not isinstance(data.get("waivers"), Sequence):
        raise InputError(f"{where}: expected a mapping with a list under 'waivers'")
    found: list[Waiver] = []
    for index, entry in enumerate(data["waivers"]):
        at = f"{where}: waivers[{index}]"
        if not isinstance(entry, Mapping):
            raise InputError(f"{at} is not a mapping ({', '.join(_FIELDS)})")
        unknown = sorted(set(entry) - set(_FIELDS))
        if unknown:
            raise InputError(f"{at}: unknown key {unknown[0]!r} (known: {', '.join(_FIELDS)})")
        for name in _FIELDS:
            if entry.get(name) in (None, ""):
                raise InputError(f"{at}: {name} is required")
        found.append(
            Waiver(
                check=str(entry["check"]),
                reason=" ".join(str(entry["reason"]).split()),
                approved_by=str(entry["approved_by"]),
                expires=_expiry(entry["expires"], at),
            )
        )
    return tuple(found)


def load_waivers(path: Path) -> tuple[Waiver, ...]:
    """Read and validate a waivers file; any problem is one ``InputError`` line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: no such waivers file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read waivers file ({type(exc).__name__})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" (line {mark.line + 1})" if mark is not None else ""
        raise InputError(f"{path}: not YAML{line}") from None
    return parse_waivers(data, str(path))


def apply_waivers(
    results: Iterable[CheckResult], waivers: Sequence[Waiver], today: date
) -> tuple[list[CheckResult], tuple[WaiverUse, ...]]:
    """The results with every FAIL or ERROR an unexpired waiver covers turned WAIVED.

    The first waiver in file order that matches a failure is the one that
    waives it. Returns the new results (evidence untouched) and what each
    waiver did.
    """
    matched: dict[int, list[str]] = {index: [] for index in range(len(waivers))}
    out: list[CheckResult] = []
    for result in results:
        chosen = None
        if result.status in WAIVABLE:
            for index, waiver in enumerate(waivers):
                if waiver.matches(result):
                    matched[index].append(result.key)
                    if chosen is None and not waiver.expired(today):
                        chosen = waiver
        if chosen is None:
            out.append(result)
            continue
        record = {**chosen.to_dict(), "status": str(result.status)}
        out.append(dataclasses.replace(result, status=Status.WAIVED, waiver=record))
    uses = []
    for index, waiver in enumerate(waivers):
        keys = tuple(matched[index])
        state = "expired" if waiver.expired(today) else ("applied" if keys else "stale")
        uses.append(WaiverUse(waiver, state, keys))
    return out, tuple(uses)


def waive_report(report: RunReport, waivers: Sequence[Waiver] | None, today: date) -> None:
    """Apply ``waivers`` to ``report`` in place (None: the target declared no waivers file)."""
    if waivers is None:
        return
    report.results, uses = apply_waivers(report.results, waivers, today)
    report.waivers = [use.to_dict() for use in uses]


def waiver_notes(review: Iterable[Mapping[str, Any]]) -> list[str]:
    """One line per waiver that needs attention: expired, or matching nothing."""
    notes = []
    for use in review:
        if use["state"] == "expired":
            notes.append(
                f"waiver {use['check']!r} expired on {use['expires']} and no longer applies "
                f"({len(use['matched'])} failures it would cover)"
            )
        elif use["state"] == "stale":
            notes.append(f"waiver {use['check']!r} is stale: it matched no failure")
    return notes


def waived_text(result: CheckResult) -> str:
    """A waived check in one line: its own status, the waiver, and what the check said."""
    waiver = result.waiver or {}
    return (
        f"WAIVED ({waiver.get('status', '?')}): {waiver.get('reason', '')}; approved by "
        f"{waiver.get('approved_by', '?')} until {waiver.get('expires', '?')}; {result.message}"
    )
