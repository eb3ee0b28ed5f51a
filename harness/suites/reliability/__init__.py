"""The reliability suite: concurrent load, and a crash in the middle of it.

Runs only against a target that declares feature ``reliability`` (a
declared SKIP otherwise). Load: every participant name that may create and
list auction portfolios submits and reads concurrently, for ``LOAD_SECONDS``,
in the auction market the target lists as open or the operator opens;
afterwards each participant's list must hold every acknowledged portfolio
exactly once and complete (REL-002), with no 5xx and no request left
unanswered on the way (REL-001). The figures (throughput, latency
percentiles) are in the messages.

Crash (feature ``restart``: the harness may run and kill the reference
implementation itself): a fresh reference server is started as a process
(``python -m harness.cli serve --port 0 --db ... --pki-dir ...``), loaded,
killed with SIGKILL after ``CRASH_KILL_AFTER`` seconds and restarted on the
same database; every portfolio acknowledged before the kill must be there,
exactly once and with all its bids (REL-003).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import Any

from harness.results import Status
from harness.session import Session
from harness.suites.reliability import crash
from harness.suites.reliability.load import load_participants, run_load, verify
from harness.suites.target_calls import SimControl, open_window_or_reason, record

NAME = "reliability"
DESCRIPTION = "concurrent load from several participants; SIGKILL and restart under load"

CASE_CHECKS: tuple[str, ...] = ("REL-001", "REL-002", "REL-003")
"""The check IDs this suite judges itself (requirements.yaml names it as their suite)."""
JUDGES_EXCHANGES = False
"""Whether every per-exchange check runs on this suite's exchanges (``Session.judge``)."""

LOAD_SECONDS = 5.0
"""How long the load case runs (the benchmark runs longer: benchmarks/load_run.py)."""
WORKERS_PER_PARTICIPANT = 2
CRASH_SECONDS = 20.0
"""The crash case's load runs at most this long; the kill comes well before."""
CRASH_KILL_AFTER = 1.0
SHOWN_PROBLEMS = 10
"""A FAIL message lists this many problems at most, then says how many more."""

LOAD_CASE = "load: participants submitting and reading concurrently"
CRASH_CASE = "crash: SIGKILL under load, then restart"


def run(session: Session) -> None:
    config = session.config
    if "reliability" not in config.features:
        for check_id, case in (
            ("REL-001", LOAD_CASE),
            ("REL-002", LOAD_CASE),
            ("REL-003", CRASH_CASE),
        ):
            if session.wants(NAME, case):
                session.skip(
                    NAME,
                    case,
                    check_id,
                    "the target does not declare feature 'reliability'",
                    declared=True,
                )
        return
    if session.wants(NAME, LOAD_CASE):
        _load(session)
    if session.wants(NAME, CRASH_CASE):
        _crash(session)


def _load(session: Session) -> None:
    participants = load_participants(session)
    market, why = (
        open_window_or_reason(session, SimControl(session), "AUCTION_MARKET")
        if participants
        else (None, "no participant of the config may both create and list auction portfolios")
    )
    if market is None:
        # a target nobody drives may rightly have no market open now: the target said so
        declared = bool(participants) and not session.config.sim_control
        for check_id in ("REL-001", "REL-002"):
            session.skip(NAME, LOAD_CASE, check_id, f"not run: {why}", declared=declared)
        return
    prefix = f"LOAD_{secrets.token_hex(2).upper()}_"
    run = run_load(
        session,
        market,
        prefix,
        seconds=LOAD_SECONDS,
        workers_per_participant=WORKERS_PER_PARTICIPANT,
    )
    figures = run.figures()
    statuses = ", ".join(f"{k}: {n}" for k, n in sorted(run.statuses.items()))
    _judged(
        session,
        LOAD_CASE,
        "REL-001",
        (
            f"{run.failure_count} request(s) answered 5xx or not at all; "
            if run.failure_count
            else "no 5xx, every request answered; "
        )
        + f"{figures} (answers: {statuses})",
        failed=bool(run.failure_count),
        evidence=run.failures,
    )
    problems, present = verify(session, run)
    _judged(
        session,
        LOAD_CASE,
        "REL-002",
        (
            f"{len(run.acknowledged)} acknowledged, {present} present: {_listed(problems)}"
            if problems
            else f"all {len(run.acknowledged)} acknowledged portfolios present exactly once "
            f"and complete in {market} ({present} present)"
        ),
        failed=bool(problems),
    )


def _crash(session: Session) -> None:
    if "restart" not in session.config.features:
        session.skip(
            NAME,
            CRASH_CASE,
            "REL-003",
            "the target does not declare feature 'restart' (only the reference implementation, "
            "run by the harness itself, can be killed and restarted)",
            declared=True,
        )
        return
    outcome = crash.crash_and_restart(kill_after=CRASH_KILL_AFTER, seconds=CRASH_SECONDS)
    _judged(
        session,
        CRASH_CASE,
        "REL-003",
        f"{outcome.message}: {_listed(outcome.problems)}"
        if outcome.problems
        else f"{outcome.message}: every acknowledged portfolio exactly once and complete",
        failed=bool(outcome.problems),
    )


def _judged(
    session: Session, case: str, check_id: str, message: str, *, failed: bool, **details: Any
) -> None:
    """Record a check this suite judged over a whole case: FAIL when ``failed``, else PASS."""
    status = Status.FAIL if failed else Status.PASS
    record(session, NAME, case, check_id, status, message, **details)


def _listed(problems: Sequence[str]) -> str:
    """The first problems, and how many more there are: a run can find thousands."""
    shown = "; ".join(problems[:SHOWN_PROBLEMS])
    if len(problems) > SHOWN_PROBLEMS:
        shown += f" (and {len(problems) - SHOWN_PROBLEMS} more)"
    return shown
