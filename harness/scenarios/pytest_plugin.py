"""Scenario files as pytest items: ``pytest scenarios/week2`` plays them on a target.

Each scenario file is one item; each of its steps is an allure step. The
target is the embedded reference implementation unless ``--crr-config
target.yaml`` names another; with sim control, outcomes are compared with a
second, private reference implementation. An item fails when any check of
any of its steps fails, and its failure text lists them with their IDs.

pytest loads this plugin in every run of the environment it is installed
in, so at load time it imports only pytest and the scenario file model;
the client, checks, runner and reference implementation are imported when
the first scenario runs.
"""

from __future__ import annotations

import contextlib
import io
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from harness.errors import USER_INPUT_ERRORS
from harness.scenarios.model import Scenario, load_scenario, looks_like_scenario

_RUNNER = pytest.StashKey["_Runtime"]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("crr-harness scenarios")
    group.addoption(
        "--crr-config",
        metavar="TARGET_YAML",
        help="the target to play scenarios on (default: an embedded reference implementation)",
    )
    group.addoption(
        "--crr-wait-timeout",
        type=float,
        default=600.0,
        help="seconds an operator step waits for a live market (no sim control)",
    )


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.Collector | None:
    if looks_like_scenario(file_path):
        return ScenarioFile.from_parent(parent, path=file_path)
    return None


class ScenarioFile(pytest.File):
    def collect(self) -> Iterator[pytest.Item]:
        try:
            scenario = load_scenario(self.path)
        except USER_INPUT_ERRORS as exc:
            raise self.CollectError(str(exc)) from None
        yield ScenarioItem.from_parent(self, name=scenario.id, scenario=scenario)


class ScenarioFailure(Exception):
    """The checks that failed in a scenario, one line each."""


class ScenarioItem(pytest.Item):
    def __init__(self, *, scenario: Scenario, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.scenario = scenario
        self.add_marker(pytest.mark.scenario)
        if scenario.week is not None:
            self.user_properties.append(("week", scenario.week))

    def runtest(self) -> None:
        from harness.results import Status

        runtime = _runtime(self.config)
        results = runtime.runner.run(self.scenario)
        bad = [r for r in results if r.status in (Status.FAIL, Status.ERROR)]
        undeclared = [r for r in results if r.status is Status.SKIP and not r.declared_skip]
        if bad or undeclared:
            raise ScenarioFailure(
                "\n".join(f"{r.status} {r.id} {r.case}: {r.message}" for r in [*bad, *undeclared])
            )
        skipped = [r for r in results if r.status is Status.SKIP]
        if results and len(skipped) == len(results):
            pytest.skip("; ".join(sorted({r.message for r in skipped})))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, ScenarioFailure):
            return f"scenario {self.scenario.id} ({self.path.name}) failed:\n{excinfo.value}"
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"scenario {self.scenario.id}: {self.scenario.title}"


class _Runtime:
    """The target, the reference and the session, started once per pytest run."""

    def __init__(self, config: pytest.Config) -> None:
        from crr_contract.error_catalog import ErrorCatalog
        from harness import __version__
        from harness.checks import CheckContext
        from harness.client import TargetClient
        from harness.results import RunReport
        from harness.scenarios.reference_side import reference_side
        from harness.scenarios.runner import ScenarioRunner
        from harness.selection import Selection
        from harness.session import Session

        self._stack = contextlib.ExitStack()
        target_yaml = config.getoption("--crr-config")
        if target_yaml:
            from harness.target.config import load_target

            target = load_target(Path(target_yaml))
        else:
            from harness.target.embedded import embedded_target

            workdir = Path(self._stack.enter_context(tempfile.TemporaryDirectory(prefix="crr-")))
            target = self._stack.enter_context(embedded_target(workdir / "target"))
        client = self._stack.enter_context(TargetClient(target))
        specs = target.load_specs()
        report = RunReport(
            run_id="pytest",
            command="pytest",
            harness_version=__version__,
            target=target.summary(),
            specs=[],
            started_at="",
            seed=0,
            suites=["scenarios"],
        )
        session = Session(
            config=target,
            client=client,
            checks=CheckContext(
                target,
                ErrorCatalog.load(target.specs_dir / "errors" / "catalog.yaml"),
                target.specs_dir / "schemas",
            ),
            specs=specs,
            report=report,
            selection=Selection(),
            rerun_base=["pytest"],
            out=io.StringIO(),
        )
        reference = self._stack.enter_context(reference_side()) if target.sim_control else None
        self.runner = ScenarioRunner(
            session,
            reference=reference,
            wait_timeout=config.getoption("--crr-wait-timeout"),
            wait_for_calendar=config.getoption("--crr-wait-timeout"),
        )

    def close(self) -> None:
        self._stack.close()


def _runtime(config: pytest.Config) -> _Runtime:
    if _RUNNER not in config.stash:
        config.stash[_RUNNER] = _Runtime(config)
    return config.stash[_RUNNER]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "scenario: a market-sim scenario script")


def pytest_unconfigure(config: pytest.Config) -> None:
    if _RUNNER in config.stash:
        config.stash[_RUNNER].close()
