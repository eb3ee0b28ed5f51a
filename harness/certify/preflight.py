"""The preflight: what each suite needs from the target, and whether the target has it.

The needs are data (``needs.yaml`` beside this module); this module only
knows how to judge each kind of need against the target's declared
participants and its learned state (``harness.market_state``). A missing
need is information, not a finding: the cases that depend on it SKIP with
a reason. ``certify --preflight`` prints the table and stops; every run
prints it at the start and keeps it in report.json.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TextIO

from crr_contract.files import load_document
from harness.errors import InputError
from harness.market_state import KIND_LABELS, TargetState
from harness.target.config import TargetConfig

__all__ = ["NEEDS_FILE", "Need", "PreflightRow", "evaluate", "load_needs", "print_table"]

NEEDS_FILE = Path(__file__).with_name("needs.yaml")


@dataclass(frozen=True, slots=True)
class Need:
    """One thing a suite needs: its kind and the arguments ``needs.yaml`` gives it."""

    suite: str
    kind: str
    arguments: Mapping[str, Any]

    @property
    def text(self) -> str:
        """How the table names the need."""
        args = self.arguments
        if self.kind == "participant":
            text = f"a participant with role {args['role']}"
        elif self.kind == "participants":
            text = f"{args['count']} distinct participants"
        elif self.kind == "open_window":
            text = "an open " + " or ".join(KIND_LABELS.get(k, k) for k in args["kinds"])
        elif self.kind == "holdings":
            text = f"held CRRs ({args['role']})"
        else:
            text = f"download type {args['type']}"
        return f"{text} ({args['why']})" if args.get("why") else text


@dataclass(frozen=True, slots=True)
class PreflightRow:
    """A need judged: found or missing, and what was found (or why not)."""

    suite: str
    need: str
    found: bool
    detail: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


_REQUIRED = {
    "participant": ("role",),
    "participants": ("count",),
    "open_window": ("kinds",),
    "holdings": ("role",),
    "download": ("type",),
}


def load_needs(path: Path = NEEDS_FILE) -> list[Need]:
    """Every need of ``path``, checked on load (an unknown kind is the file's error)."""
    data = load_document(path)
    if not isinstance(data, dict):
        raise InputError(f"{path}: expected a mapping of suite → list of needs")
    needs = []
    for suite, entries in data.items():
        for entry in entries or ():
            kind = entry.get("need") if isinstance(entry, dict) else None
            if kind not in _REQUIRED:
                raise InputError(
                    f"{path}: {suite}: {entry!r}: expected need: one of {', '.join(_REQUIRED)}"
                )
            if any(key not in entry for key in _REQUIRED[kind]):
                raise InputError(
                    f"{path}: {suite}: {entry!r}: need {kind} takes {', '.join(_REQUIRED[kind])}"
                )
            needs.append(Need(str(suite), kind, {k: v for k, v in entry.items() if k != "need"}))
    return needs


def _participant(need: Need, config: TargetConfig, _state: TargetState) -> tuple[bool, str]:
    found = [p.id for p in config.participants if p.role == need.arguments["role"]]
    return bool(found), ", ".join(found) or "no participant of target.yaml has this role"


def _participants(need: Need, config: TargetConfig, _state: TargetState) -> tuple[bool, str]:
    names = sorted({p.name for p in config.participants if p.id != config.operator})
    ok = len(names) >= int(need.arguments["count"])
    return ok, f"{len(names)}: {', '.join(names)}"


def _open_window(need: Need, _config: TargetConfig, state: TargetState) -> tuple[bool, str]:
    kinds = list(need.arguments["kinds"])
    for kind in kinds:
        window = state.open(kind)
        if window is not None:
            return True, window.describe()
    if _config.sim_control:
        coming = [w for w in map(state.next_opening, kinds) if w is not None]
        if coming:
            return True, f"none open; the operator can open {coming[0].name} ({coming[0].status})"
    return False, "; ".join(state.unmet(kind) for kind in kinds)


def _holdings(need: Need, config: TargetConfig, state: TargetState) -> tuple[bool, str]:
    names = [p.name for p in config.participants if p.role == need.arguments["role"]]
    held = state.held_by(dict.fromkeys(names))
    detail = ", ".join(f"{name} {count}" for name, count in held.items())
    return bool(held), detail or "no participant with this role holds a CRR"


def _download(need: Need, _config: TargetConfig, state: TargetState) -> tuple[bool, str]:
    ok = need.arguments["type"] in state.download_types
    return ok, "listed by getDownloadTypes" if ok else "not listed by getDownloadTypes"


_JUDGES: Mapping[str, Callable[[Need, TargetConfig, TargetState], tuple[bool, str]]] = {
    "participant": _participant,
    "participants": _participants,
    "open_window": _open_window,
    "holdings": _holdings,
    "download": _download,
}


def evaluate(
    config: TargetConfig,
    state: TargetState,
    suites: Sequence[str],
    needs: Iterable[Need] | None = None,
) -> list[PreflightRow]:
    """One row per need of each suite in ``suites``, in the order of ``needs.yaml``."""
    rows = []
    for need in load_needs() if needs is None else needs:
        if need.suite not in suites:
            continue
        found, detail = _JUDGES[need.kind](need, config, state)
        rows.append(PreflightRow(need.suite, need.text, found, detail))
    return rows


def print_table(rows: Sequence[PreflightRow], state: TargetState, out: TextIO) -> None:
    """The table, with where the state came from and the target's clock."""
    print(
        f"preflight: target state from {state.source}, target time {state.now or 'unknown'}",
        file=out,
    )
    width = max((len(r.need) for r in rows), default=4)
    print(f"  {'suite':<13} {'need':<{width}}  {'status':<7}  detail", file=out)
    for row in rows:
        mark = "found" if row.found else "MISSING"
        print(f"  {row.suite:<13} {row.need:<{width}}  {mark:<7}  {row.detail}", file=out)
    out.flush()


def run_preflight(config: TargetConfig, suites: Sequence[str], out: TextIO) -> list[PreflightRow]:
    """``certify --preflight``: learn the target's state, print the table, run nothing."""
    from crr_contract.operations import load_specs
    from harness.client import TargetClient
    from harness.market_state import learn

    operations = [op for spec in load_specs(config.spec_files()) for op in spec.operations()]
    with TargetClient(config) as client:
        state = learn(client, operations)
    rows = evaluate(config, state, suites)
    print_table(rows, state, out)
    return rows
