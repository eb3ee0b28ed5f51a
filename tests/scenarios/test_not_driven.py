"""Scenarios on a target nobody drives: preconditions from the steps, and the calendar bound.

The target is the reference served on loopback and declared without the
operator API. To let time pass on it the test keeps the operator's own
client aside and moves the reference's clock only when the runner sleeps,
as the real calendar would while a participant waits on the day of the
market sim.
"""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml

from crr_contract.error_catalog import ErrorCatalog
from crr_contract.operations import load_specs
from harness import __version__
from harness.checks import CheckContext
from harness.client import TargetClient
from harness.errors import InputError
from harness.results import CheckResult, RunReport, Status
from harness.scenarios.calendar_wait import parse_duration
from harness.scenarios.model import load_scenario
from harness.scenarios.runner import ScenarioRunner
from harness.selection import Selection
from harness.session import Session
from harness.target.config import TargetConfig
from harness.target.embedded import embedded_target

ALPHA = {"participant": "ALPHA_LSE", "role": "EXTERNAL CRR HOLDER READ/WRITE ACCESS"}
OPENS = "2025-09-18T08:00:00Z"
"""When the reference's calendar opens the October auction (its clock starts 2025-09-01)."""
CREATE = {
    "name": "ALPHA creates a portfolio",
    "as": "alpha",
    "call": "auction.portfolioCreation",
    "body": {
        "participantName": "ALPHA_LSE",
        "marketName": "AUC_MN_2025_M10",
        "portfolioName": "NOT-DRIVEN",
        "bids": [
            {
                "bidId": "B1",
                "source": "TH_NP15_GEN-APND",
                "sink": "TH_SP15_GEN-APND",
                "timeOfUse": "ON",
                "segments": [{"mw": 5, "price": 2.0}],
            }
        ],
    },
    "expect": {"status": [200], "fields": {"status": "CREATED"}},
}


@pytest.fixture
def live(tmp_path: Path) -> Iterator[tuple[TargetConfig, Callable[[str], None]]]:
    """The reference declared without sim control, and a way to set its clock behind its back."""
    with embedded_target(tmp_path / "target") as config, TargetClient(config) as operator:
        ops = {op.name: op for s in load_specs(config.spec_files()) for op in s.operations()}

        def set_clock(now: str) -> None:
            answer = operator.call("operator", ops["simcontrol.setClock"], body={"now": now})
            assert answer.status == 200, answer.record.response

        yield (
            dataclasses.replace(
                config,
                services={k: v for k, v in config.services.items() if k != "simcontrol"},
                operator=None,
                participants=[p for p in config.participants if p.id != "operator"],
            ),
            set_clock,
        )


def _scenario(tmp_path: Path, steps: list[dict]) -> Path:
    path = tmp_path / "s.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "id": "T-ND-01",
                "title": "not driven",
                "actors": {"alpha": ALPHA},
                "dataset": None,  # the live target's own data: nothing to reset
                "steps": steps,
            }
        )
    )
    return path


def _play(
    config: TargetConfig, scenario: Path, *, bound: float, sleep: Callable[[float], None]
) -> list[CheckResult]:
    specs = load_specs(config.spec_files())
    with TargetClient(config) as client:
        session = Session(
            config=config,
            client=client,
            checks=CheckContext(
                config,
                ErrorCatalog.load(config.specs_dir / "errors" / "catalog.yaml"),
                config.specs_dir / "schemas",
            ),
            specs=specs,
            report=RunReport("t", "test", __version__, config.summary(), [], "", 0, ["scenarios"]),
            selection=Selection(),
            rerun_base=["pytest"],
            out=io.StringIO(),
        )
        runner = ScenarioRunner(session, wait_for_calendar=bound, sleep=sleep)
        return runner.run(load_scenario(scenario))


def _by(results: list[CheckResult], check_id: str) -> list[CheckResult]:
    return [r for r in results if r.id == check_id]


def test_a_window_beyond_the_bound_is_a_skip_naming_when_it_opens(live, tmp_path: Path) -> None:
    config, _set_clock = live
    slept: list[float] = []
    results = _play(
        config,
        _scenario(tmp_path, [{"operator": "open", "window": "AUC_MN_2025_M10"}, CREATE]),
        bound=parse_duration("90m"),
        sleep=slept.append,
    )
    assert slept == []  # no waiting for a window days away
    (skip,) = _by(results, "SCN-003")
    assert skip.status is Status.SKIP and skip.declared_skip
    assert skip.message.startswith("not runnable now: AUC_MN_2025_M10 bid window is PREP")
    assert f"opens {OPENS}" in skip.message and "beyond --wait-for-calendar 5400 s" in skip.message
    assert not _by(results, "SCN-001")  # the write never went out


def test_a_write_into_a_closed_window_is_derived_from_the_call(live, tmp_path: Path) -> None:
    config, _set_clock = live
    results = _play(config, _scenario(tmp_path, [CREATE]), bound=0, sleep=lambda s: None)
    (skip,) = _by(results, "SCN-003")
    assert "AUC_MN_2025_M10 bid window is PREP" in skip.message
    assert "the step writes into it" in skip.message
    assert all(r.status is not Status.FAIL for r in results)


def test_a_window_within_the_bound_is_waited_for(live, tmp_path: Path) -> None:
    config, set_clock = live
    slept: list[float] = []

    def sleep(seconds: float) -> None:  # the calendar moves while the runner waits
        slept.append(seconds)
        set_clock(OPENS)

    results = _play(
        config,
        _scenario(tmp_path, [{"operator": "open", "window": "AUC_MN_2025_M10"}, CREATE]),
        bound=30 * 86400,
        sleep=sleep,
    )
    assert slept, "the step should have waited for the calendar"
    (opened,) = _by(results, "SCN-002")
    assert opened.status is Status.PASS
    assert "observed: AUC_MN_2025_M10 bid window is OPEN" in opened.message
    (created,) = _by(results, "SCN-001")
    assert created.status is Status.PASS, created.message
    assert not _by(results, "SCN-003")


@pytest.mark.parametrize(("text", "seconds"), [("90m", 5400), ("2h", 7200), ("1h30m", 5400)])
def test_durations(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "5x", "m", "90 minutes", "-1h"])
def test_bad_durations_are_the_users_error(text: str) -> None:
    with pytest.raises(InputError, match="--wait-for-calendar"):
        parse_duration(text)
