"""Run a scenario against a target, step by step, judging every answer.

Each step's answer goes through every registered check (schema, error
codes, roles, private data) and through the step's own expectation
(SCN-001). When a reference is available, the runner plays the same
scenario on it in lockstep (each side with its own saved values, since
identifiers differ) and compares the answers of steps that ask for it
(OUT-001), so a target's business outcomes are checked against the
reference engine's from the same data set. Invariant steps check
market-wide rules over saved values (INV-*).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import allure

from crr_contract.examples import query_parameters
from crr_contract.files import load_document
from crr_contract.operations import Operation
from harness.checks.error_codes import error_codes_of
from harness.checks.registry import REGISTRY, CheckFailed, case_check
from harness.client import Exchange, TargetClient
from harness.market_state import TargetState, learn
from harness.results import CheckResult, RecordedExchange, Status
from harness.scenarios.answer_schema import answer_schema
from harness.scenarios.calendar_wait import seconds_until
from harness.scenarios.invariants import INVARIANTS
from harness.scenarios.model import Actor, Scenario, Step
from harness.scenarios.operator import apply_operator_step, window_probe
from harness.scenarios.outcomes import compare_outcomes
from harness.scenarios.preconditions import Unmet, unmet_before
from harness.scenarios.values import PathError, interpolate, match, path_keys, resolve
from harness.session import Session
from harness.target.config import Participant, TargetConfig

__all__ = ["ScenarioRunner", "Side"]

POLL_SECONDS = 30.0
"""How often a step waiting for the calendar reads the target's state again."""
GRACE_SECONDS = 60.0
"""How long past the calendar's time a waiting step still waits for the target to show it."""
STATE_TTL_SECONDS = 15.0
"""How long a learned target state is reused between steps (it changes with time only)."""

STEP_AS_EXPECTED = case_check("SCN-001")
OPERATOR_STEP = case_check("SCN-002")
RUNNABLE = case_check("SCN-003")
SAME_OUTCOME = case_check("OUT-001")


@dataclass
class Side:
    """One system the scenario runs on: the target, or the reference it is compared with."""

    client: TargetClient
    config: TargetConfig
    operations: Mapping[str, Operation]
    saved: dict[str, Any] = field(default_factory=dict)

    def participant(self, actor: Actor) -> Participant | None:
        for participant in self.config.participants:
            if participant.name == actor.participant and participant.role == actor.role:
                return participant
        return None

    def operator(self) -> Participant | None:
        return self.config.participant(self.config.operator) if self.config.operator else None

    def call_simcontrol(self, operation_id: str, body: dict) -> Exchange:
        operator = self.operator()
        assert operator is not None
        return self.client.call(operator, self.operations[f"simcontrol.{operation_id}"], body=body)


class ScenarioRunner:
    """Plays scenarios on a session's target (and on ``reference``, when given)."""

    def __init__(
        self,
        session: Session,
        *,
        reference: Side | None = None,
        suite: str = "scenarios",
        wait_timeout: float = 600.0,
        wait_for_calendar: float = 0.0,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.session = session
        self.reference = reference
        self.suite = suite
        self.wait_timeout = wait_timeout
        """How long an operator step with its own ``timeout`` waits without sim control."""
        self.wait_for_calendar = wait_for_calendar
        """How far ahead (seconds) a step waits for a window the calendar opens."""
        self.sleep = sleep
        self.monotonic = monotonic
        self.operations = {op.name: op for op in session.operations()}
        self._state: tuple[float, TargetState] | None = None

    # ------------------------------------------------------------------ scenario

    def run(self, scenario: Scenario) -> list[CheckResult]:
        """Every result of the scenario, recorded in the session as it goes."""
        start = len(self.session.report.results)
        target = Side(self.session.client, self.session.config, self.operations)
        reference = None
        if self.reference is not None:
            reference = Side(
                self.reference.client, self.reference.config, self.reference.operations
            )
        dataset = self._dataset(scenario)
        if self._runnable(scenario, target, dataset) and self._prelude(
            scenario, target, reference, dataset
        ):
            for step in scenario.steps:
                with allure.step(f"{step.index}. {step.name}"):
                    if not self._ready(scenario, step, target):
                        break
                    self._step(scenario, step, target, reference, dataset)
        return self.session.report.results[start:]

    def _case(self, scenario: Scenario, step: Step | None, name: str = "") -> str:
        if step is None:
            return f"{scenario.id}: {name}"
        return f"{scenario.id}: {step.index:02d} {step.name}"

    def _result(
        self,
        check: str,
        case: str,
        status: Status,
        message: str,
        *,
        requirement: str | None = None,
        evidence: tuple[RecordedExchange, ...] = (),
        operation: str | None = None,
        declared_skip: bool = False,
    ) -> CheckResult:
        entry = REGISTRY[check]
        return CheckResult.of(
            entry,
            self.suite,
            case,
            status,
            message,
            f"{requirement}: {entry.requirement}" if requirement else None,
            operation=operation,
            clause=None,
            evidence=evidence,
            rerun=self.session.rerun(self.suite, case.split(":")[0]),
            declared_skip=declared_skip,
        )

    def _as_expected(
        self, step: Step, case: str, status: Status, message: str, **details: Any
    ) -> CheckResult:
        """The step's own verdict (did the answer meet the scenario's expectation)."""
        return self._result(
            STEP_AS_EXPECTED.id, case, status, message, requirement=step.requirement, **details
        )

    def _dataset(self, scenario: Scenario) -> dict[str, Any] | None:
        if scenario.dataset is None:
            return None
        return load_document(scenario.path.parent / scenario.dataset)

    def _runnable(self, scenario: Scenario, target: Side, dataset: dict | None) -> bool:
        case = self._case(scenario, None, "runnable")
        missing = [a for a in scenario.actors.values() if target.participant(a) is None]
        problem, declared = None, False
        if missing:
            problem = "target.yaml has no certificate for " + ", ".join(
                f"{a.participant} ({a.role})" for a in missing
            )
        elif (
            dataset is not None
            and not target.config.sim_control
            and ("market-sim-dataset" not in target.config.features)
        ):
            problem = "the target neither offers sim control nor declares market-sim-dataset"
            declared = True
        if problem is None:
            return True
        self.session.record_case(
            self.suite,
            case,
            [self._result(RUNNABLE.id, case, Status.SKIP, problem, declared_skip=declared)],
        )
        return False

    def _prelude(
        self, scenario: Scenario, target: Side, reference: Side | None, dataset: dict | None
    ) -> bool:
        """Erase the systems and load the scenario's data set through the operator API."""
        if dataset is None or not target.config.sim_control:
            return True
        case = self._case(scenario, None, "00 load the data set")
        exchanges = []
        for side in (target, reference):
            if side is None:
                continue
            reset = side.call_simcontrol("resetSystem", {"confirm": True, "now": dataset["clock"]})
            loaded = side.call_simcontrol(
                "loadDataset", {"name": dataset["name"], "dataset": dataset["dataset"]}
            )
            if side is target:
                exchanges = [reset, loaded]
        results = self.session.judge(self.suite, case, exchanges, record=False)
        ok = all(e.status == 200 for e in exchanges)
        outcome = self._result(
            OPERATOR_STEP.id,
            case,
            Status.PASS if ok else Status.FAIL,
            f"reset and loaded {dataset['name']}" if ok else "the data set could not be loaded",
            evidence=tuple(e.record for e in exchanges),
        )
        self.session.record_case(self.suite, case, [*results, outcome])
        return ok

    # ------------------------------------------------------------------ preconditions

    def _target_state(self, side: Side, *, fresh: bool = False) -> TargetState:
        """The target's state as its CAISO APIs show it (reused for a few seconds)."""
        now = self.monotonic()
        if fresh or self._state is None or now - self._state[0] > STATE_TTL_SECONDS:
            self._state = (now, learn(side.client, side.operations.values(), holdings=False))
        return self._state[1]

    def _unmet(self, step: Step, side: Side, *, fresh: bool = False) -> Unmet | None:
        operation = self.operations.get(step.call or "")
        return unmet_before(step, operation, self._target_state(side, fresh=fresh), side.saved)

    def _ready(self, scenario: Scenario, step: Step, target: Side) -> bool:
        """Whether ``step`` may act now on a target nobody drives; waits for the calendar
        when the state it needs comes within ``wait_for_calendar``, else records the
        scenario as not runnable now (a SKIP the target's declaration explains)."""
        if target.config.sim_control or step.kind == "invariant":
            return True
        if step.kind == "operator" and step.timeout is not None:
            return True  # the step's own timeout says how long to wait for it
        unmet = self._unmet(step, target, fresh=step.kind == "operator")
        if unmet is None:
            return True
        bound = self.wait_for_calendar
        wait = seconds_until(unmet.ready_at, self._target_state(target).now)
        if wait is not None and bound > 0 and wait <= bound:
            deadline = self.monotonic() + max(wait, 0.0) + GRACE_SECONDS
            print(
                f"[scen] {scenario.id}: waiting up to {max(wait, 0.0) + GRACE_SECONDS:.0f} s: "
                f"{unmet.reason}",
                file=self.session.out,
                flush=True,
            )
            while unmet is not None and self.monotonic() < deadline:
                self.sleep(min(POLL_SECONDS, max(0.0, deadline - self.monotonic())))
                unmet = self._unmet(step, target, fresh=True)
            if unmet is None:
                return True
        reason = f"not runnable now: {unmet.reason}"
        if unmet.ready_at is not None and wait is not None and wait > bound:
            reason += f" (beyond --wait-for-calendar {bound:g} s)"
        case = self._case(scenario, None, "runnable")
        self.session.record_case(
            self.suite,
            case,
            [
                self._result(
                    RUNNABLE.id,
                    case,
                    Status.SKIP,
                    f"{reason}; stopped before step {step.index:02d} {step.name}",
                    requirement=step.requirement,
                    declared_skip=True,
                )
            ],
        )
        return False

    # ------------------------------------------------------------------ steps

    def _step(
        self,
        scenario: Scenario,
        step: Step,
        target: Side,
        reference: Side | None,
        dataset: dict | None,
    ) -> None:
        if step.kind == "call":
            self._call_step(scenario, step, target, reference)
        elif step.kind == "operator":
            self._operator_step(scenario, step, target, reference)
        else:
            self._invariant_step(scenario, step, target, dataset)

    def _send(self, side: Side, scenario: Scenario, step: Step) -> Exchange:
        actor = side.participant(scenario.actors[step.actor or ""])
        assert actor is not None
        operation = side.operations[step.call or ""]
        params = interpolate(step.params, side.saved)
        headers = {"content-type": step.content_type} if step.content_type else None
        if step.raw_body is not None:
            return side.client.call(
                actor,
                operation,
                params=params,
                content=interpolate(step.raw_body, side.saved).encode("utf-8"),
                headers=headers or {"content-type": "application/json"},
            )
        body = interpolate(step.body, side.saved)
        return side.client.call(actor, operation, params=params, body=body, headers=headers)

    def _call_step(
        self, scenario: Scenario, step: Step, target: Side, reference: Side | None
    ) -> None:
        case = self._case(scenario, step)
        if step.call not in self.operations:
            skipped = self._as_expected(
                step,
                case,
                Status.SKIP,
                f"{step.call} is not an operation of the declared spec versions",
                declared_skip=True,
            )
            self.session.record_case(self.suite, case, [skipped])
            return
        try:
            exchange = self._send(target, scenario, step)
        except PathError as exc:
            failed = self._as_expected(step, case, Status.ERROR, str(exc), operation=step.call)
            self.session.record_case(self.suite, case, [failed])
            return
        expected: Exchange | None = None
        if reference is not None:
            try:
                expected = self._send(reference, scenario, step)
            except PathError:
                expected = None
        checked = self.session.judge(self.suite, case, [exchange], record=False)
        problems = self._expectation_problems(step, exchange)
        problems += self._save(step, target, exchange)
        if expected is not None:
            self._save(step, reference, expected)  # type: ignore[arg-type]
        results = [
            *checked,
            self._as_expected(
                step,
                case,
                Status.FAIL if problems else Status.PASS,
                "; ".join(problems),
                evidence=(exchange.record,),
                operation=step.call,
            ),
        ]
        if step.expect.outcome is not None:
            results.append(self._outcome(case, step, exchange, expected))
        self.session.record_case(self.suite, case, results)

    def _expectation_problems(self, step: Step, exchange: Exchange) -> list[str]:
        expect = step.expect
        if exchange.status is None:
            return [f"no answer: {exchange.record.transport_error}"]
        problems = []
        if expect.status and exchange.status not in expect.status:
            body = exchange.record.response.body[:300].decode("utf-8", "replace")  # type: ignore[union-attr]
            problems.append(
                f"status {exchange.status}, expected {' or '.join(map(str, expect.status))}: {body}"
            )
        if expect.errors:
            codes = error_codes_of(exchange.json()) or []
            missing = [code for code in expect.errors if code not in codes]
            if missing:
                problems.append(
                    f"error code(s) {', '.join(missing)} expected, got {', '.join(codes) or 'none'}"
                )
        document = exchange.json()
        schema = answer_schema(exchange, self.session.checks.schemas_dir)
        for path, wanted in expect.fields.items():
            absent_wanted = isinstance(wanted, Mapping) and (
                wanted.get("absent") is True or wanted.get("exists") is False
            )
            try:
                actual = resolve(document, path)
            except PathError as exc:
                if not absent_wanted:
                    problems.append(f"{path}: {exc}")
                continue
            if absent_wanted:
                problems.append(f"{path}: present ({actual!r}), expected absent")
                continue
            problem = match(actual, wanted, schema.descend(path_keys(path)))
            if problem:
                problems.append(f"{path}: {problem}")
        return problems

    def _save(self, step: Step, side: Side, exchange: Exchange) -> list[str]:
        problems = []
        document = exchange.json()
        for name, path in step.save.items():
            try:
                side.saved[name] = resolve(document, path)
            except PathError as exc:
                problems.append(f"cannot save {name} from {path}: {exc}")
        return problems

    def _outcome(
        self, case: str, step: Step, exchange: Exchange, expected: Exchange | None
    ) -> CheckResult:
        outcome = step.expect.outcome or {}
        if expected is None:
            return self._result(
                SAME_OUTCOME.id,
                case,
                Status.SKIP,
                "no reference run to compare with (the target does not run the market-sim "
                "data set under sim control)",
                requirement=step.requirement,
                operation=step.call,
                declared_skip=True,
            )
        evidence = (exchange.record, expected.record)
        if exchange.status != expected.status:
            return self._result(
                SAME_OUTCOME.id,
                case,
                Status.FAIL,
                f"the target answered {exchange.status}, the reference {expected.status}",
                requirement=step.requirement,
                evidence=evidence,
                operation=step.call,
            )
        actual, wanted = exchange.json(), expected.json()
        if "path" in outcome:
            try:
                actual, wanted = resolve(actual, outcome["path"]), resolve(wanted, outcome["path"])
            except PathError as exc:
                return self._result(
                    SAME_OUTCOME.id,
                    case,
                    Status.FAIL,
                    str(exc),
                    requirement=step.requirement,
                    evidence=evidence,
                    operation=step.call,
                )
        differences = compare_outcomes(
            actual,
            wanted,
            ignore=list(outcome.get("ignore") or ()),
            tolerance=outcome.get("tolerance"),
            ignore_order=bool(outcome.get("ignore_order", False)),
            schema=answer_schema(exchange, self.session.checks.schemas_dir).descend(
                path_keys(str(outcome.get("path", "")))
            ),
        )
        return self._result(
            SAME_OUTCOME.id,
            case,
            Status.FAIL if differences else Status.PASS,
            "; ".join(differences[:8])
            + (f" (+{len(differences) - 8} more)" if len(differences) > 8 else ""),
            requirement=step.requirement,
            evidence=evidence,
            operation=step.call,
        )

    def _operator_step(
        self, scenario: Scenario, step: Step, target: Side, reference: Side | None
    ) -> None:
        case = self._case(scenario, step)
        if not target.config.sim_control and step.timeout is None:
            # ``_ready`` saw the state this step would produce: record what it saw
            self._observed(case, step, target)
            return
        outcome = apply_operator_step(
            step,
            call_simcontrol=target.call_simcontrol if target.config.sim_control else None,
            read_status=lambda name: self._window_status(target, name),
            timeout=step.timeout if step.timeout is not None else self.wait_timeout,
        )
        if reference is not None and target.config.sim_control:
            apply_operator_step(
                step, call_simcontrol=reference.call_simcontrol, read_status=None, timeout=0
            )
        checked = []
        if outcome.exchanges and not outcome.waited:
            checked = self.session.judge(self.suite, case, list(outcome.exchanges), record=False)
        status = (
            Status.PASS
            if outcome.ok
            else (Status.ERROR if outcome.waited or not target.config.sim_control else Status.FAIL)
        )
        self.session.record_case(
            self.suite,
            case,
            [
                *checked,
                self._result(
                    OPERATOR_STEP.id,
                    case,
                    status,
                    outcome.message,
                    requirement=step.requirement,
                    evidence=tuple(e.record for e in outcome.exchanges),
                ),
            ],
        )

    def _observed(self, case: str, step: Step, target: Side) -> None:
        state = self._target_state(target)
        name = str(step.arguments.get("window") or step.arguments.get("market") or "")
        window = state.window(name)
        if step.operator == "clock":
            message = f"no sim control: the target's clock says {state.now}"
        else:
            message = f"observed: {window.describe() if window else name}"
        self.session.record_case(
            self.suite,
            case,
            [
                self._result(
                    OPERATOR_STEP.id, case, Status.PASS, message, requirement=step.requirement
                )
            ],
        )

    def _window_status(self, side: Side, name: str) -> tuple[str | None, Exchange | None]:
        """A window's status as the CAISO APIs show it, for waiting without sim control."""
        probe = window_probe(name)
        operation = self.operations.get(probe.operation) if probe else None
        if probe is None or operation is None:
            return None, None
        reader = next((p for p in side.config.participants if p.role in operation.roles), None)
        if reader is None:
            return None, None
        params = dict(probe.params(name))
        if "participantName" in {p.get("name") for p in query_parameters(operation)}:
            params.setdefault("participantName", reader.name)
        exchange = side.client.call(reader, operation, params=params)
        try:
            status = resolve(exchange.json(), probe.status_path(name))
        except PathError:
            status = "CLOSED" if probe.listed_only_when_open and exchange.status == 200 else None
        return (str(status) if status is not None else None), exchange

    def _invariant_step(
        self, scenario: Scenario, step: Step, target: Side, dataset: dict | None
    ) -> None:
        case = self._case(scenario, step)
        invariant = INVARIANTS.get(step.invariant or "")
        if invariant is None:
            known = ", ".join(sorted(INVARIANTS))
            result = self._result(
                STEP_AS_EXPECTED.id,
                case,
                Status.ERROR,
                f"unknown invariant {step.invariant!r} (known: {known})",
            )
        else:
            try:
                message = invariant.function(
                    step.arguments, target.saved, (dataset or {}).get("dataset", {})
                )
                status = Status.PASS
            except CheckFailed as failure:
                message, status = failure.message, Status.FAIL
            except (KeyError, TypeError, ValueError) as exc:
                message, status = f"cannot evaluate: {type(exc).__name__}: {exc}", Status.ERROR
            result = self._result(
                invariant.check_id, case, status, message, requirement=step.requirement
            )
        self.session.record_case(self.suite, case, [result])


def scenario_files(root: Path) -> list[Path]:
    """Every scenario file under ``root`` (or ``root`` itself), in name order."""
    from harness.scenarios.model import looks_like_scenario

    if root.is_file():
        return [root]
    return sorted(p for p in root.rglob("*.y*ml") if looks_like_scenario(p))
