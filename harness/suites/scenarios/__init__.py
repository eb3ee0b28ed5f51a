"""The scenarios suite: the market-sim weeks, scripted in ``scenarios/``, played on the target.

With sim control the suite also plays every scenario, in lockstep, on a
reference implementation of its own (embedded, loopback, fresh database)
so that business outcomes are compared with the reference engine's.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from crr_contract.shipped import SCENARIOS_DIR
from harness.errors import InputError
from harness.scenarios.model import load_scenario
from harness.scenarios.reference_side import reference_side
from harness.scenarios.runner import ScenarioRunner, scenario_files
from harness.session import Session

NAME = "scenarios"
DESCRIPTION = "the market-sim weeks 1-3 (scenarios/), outcomes compared with the reference engine"

CASE_CHECKS: tuple[str, ...] = ("SCN-001", "SCN-002", "SCN-003", "OUT-001", "INV-001", "INV-002")
"""The check IDs this suite judges itself (requirements.yaml names it as their suite)."""
JUDGES_EXCHANGES = True
"""Whether every per-exchange check runs on this suite's exchanges (``Session.judge``)."""

DEFAULT_SCENARIOS = SCENARIOS_DIR


def run(session: Session) -> None:
    root = Path(session.options.get("scenarios_dir") or DEFAULT_SCENARIOS)
    if not root.exists():
        raise InputError(f"{root}: no such scenarios directory")
    scenarios = [load_scenario(path) for path in scenario_files(root)]
    chosen = [s for s in scenarios if session.selection.wants_group(NAME, s.id, s.title)]
    if not chosen:
        return
    with contextlib.ExitStack() as stack:
        reference = None
        if session.config.sim_control and not session.options.get("no_reference"):
            reference = stack.enter_context(reference_side())
        runner = ScenarioRunner(
            session,
            reference=reference,
            suite=NAME,
            wait_timeout=float(session.options.get("wait_timeout", 600.0)),
            wait_for_calendar=float(session.options.get("wait_for_calendar", 0.0)),
        )
        for scenario in chosen:
            runner.run(scenario)
