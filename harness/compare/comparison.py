"""Two runs, check by check: what broke, what got fixed, what is flaky.

Checks are matched by their key (case and check ID), which is stable
across runs of the same harness. A run made with the same seed as the
other makes the same random choices, so an outcome that differs between
them did not come from the harness: unless the target changed in between,
it is flaky. Checks ``certify --repeat`` found flaky are listed as such
whatever the seeds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

__all__ = ["CATEGORIES", "Change", "Comparison", "RunInfo", "compare_runs"]

FAILING = frozenset({"FAIL", "ERROR"})

CATEGORIES: Mapping[str, str] = {
    "new_failures": "New failures",
    "fixed": "Fixed",
    "still_failing": "Still failing",
    "newly_skipped": "Newly skipped",
    "flaky": "Flaky",
}
"""Each list a comparison holds, with its heading, in the order reports show them."""


@dataclass(frozen=True, slots=True)
class Change:
    """One check whose outcome is worth a line: its status in each run (None: not run)."""

    key: str
    suite: str
    before: str | None
    after: str | None
    message: str = ""


@dataclass(frozen=True, slots=True)
class RunInfo:
    """What identifies a run in a comparison."""

    run_id: str
    verdict: str
    seed: int | None
    started_at: str | None
    target: str | None

    @classmethod
    def of(cls, report: Mapping[str, Any]) -> RunInfo:
        return cls(
            run_id=str(report.get("run_id")),
            verdict=str((report.get("summary") or {}).get("verdict")),
            seed=report.get("seed"),
            started_at=report.get("started_at"),
            target=(report.get("target") or {}).get("base_url"),
        )


@dataclass(frozen=True, slots=True)
class Comparison:
    """Run A (before) against run B (after)."""

    before: RunInfo
    after: RunInfo
    same_seed: bool
    new_failures: tuple[Change, ...] = ()
    fixed: tuple[Change, ...] = ()
    still_failing: tuple[Change, ...] = ()
    newly_skipped: tuple[Change, ...] = ()
    flaky: tuple[Change, ...] = ()

    def category(self, name: str) -> tuple[Change, ...]:
        return getattr(self, name)

    def to_dict(self) -> dict[str, Any]:
        return {
            "before": asdict(self.before),
            "after": asdict(self.after),
            "same_seed": self.same_seed,
            **{name: [asdict(c) for c in self.category(name)] for name in CATEGORIES},
        }


def _by_key(report: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    checks = {}
    for check in report.get("checks") or []:
        key = check.get("key") or f"{check.get('case')} [{check.get('id')}]"
        checks[str(key)] = check
    return checks


def compare_runs(before: Mapping[str, Any], after: Mapping[str, Any]) -> Comparison:
    """Sort every check of two loaded report.json files into the comparison's lists."""
    old, new = _by_key(before), _by_key(after)
    same_seed = before.get("seed") is not None and before.get("seed") == after.get("seed")
    lists: dict[str, list[Change]] = {name: [] for name in CATEGORIES}
    for key in list(dict.fromkeys([*new, *old])):
        was, now = old.get(key), new.get(key)
        status_was = str(was["status"]) if was else None
        status_now = str(now["status"]) if now else None
        check = now or was or {}
        change = Change(
            key,
            str(check.get("suite", "")),
            status_was,
            status_now,
            str(check.get("message") or ""),
        )
        if status_now in FAILING:
            lists["still_failing" if status_was in FAILING else "new_failures"].append(change)
        elif status_was in FAILING and status_now == "PASS":
            lists["fixed"].append(change)
        if status_now == "SKIP" and status_was != "SKIP":
            lists["newly_skipped"].append(change)
        marked = bool((now or {}).get("flaky") or (was or {}).get("flaky"))
        differs = was is not None and now is not None and status_was != status_now
        if marked or (same_seed and differs):
            lists["flaky"].append(change)
    return Comparison(
        before=RunInfo.of(before),
        after=RunInfo.of(after),
        same_seed=same_seed,
        **{name: tuple(items) for name, items in lists.items()},
    )
