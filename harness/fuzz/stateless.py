"""Operation by operation: schemathesis' positive and negative examples, sent as a participant.

For each declared operation and each generation mode, one hypothesis test
draws a schemathesis ``Case`` and a caller: a participant whose role is in
the operation's ``x-roles`` most of the time, one whose role is not once in
``forbidden_share`` draws (SEC-001 must then hold). Positive cases are
steered onto values the target has. The answer is judged by every check;
a failing one raises so that hypothesis shrinks the input.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from schemathesis import GenerationMode

from harness.fuzz import wire
from harness.fuzz.context import FuzzRun
from harness.fuzz.hypo import found, fuzz_settings, out_of_time, run_seeded
from harness.fuzz.schemas import FuzzOperation
from harness.fuzz.steer import steer
from harness.target.config import Participant

__all__ = ["fuzz_operation"]

MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)


def callers(run: FuzzRun, fop: FuzzOperation) -> st.SearchStrategy[Participant] | None:
    """Allowed participants mostly, a forbidden one once in ``forbidden_share`` draws."""
    roles = fop.operation.roles
    allowed = [p for p in run.config.participants if p.role in roles]
    forbidden = [p for p in run.config.participants if p.role not in roles]
    if not allowed:
        return None
    allowed_strategy = st.sampled_from(allowed)
    if not forbidden:
        return allowed_strategy
    share = run.options.forbidden_share
    return st.integers(0, share - 1).flatmap(
        lambda i: allowed_strategy if i < share - 1 else st.sampled_from(forbidden)
    )


def fuzz_operation(
    run: FuzzRun, fop: FuzzOperation, mode: GenerationMode, deadline: float | None
) -> None:
    """Fuzz one operation in one generation mode until its examples or its deadline run out."""
    who = callers(run, fop)
    if who is None:
        return
    operation = fop.operation

    @fuzz_settings(run.options.examples(mode is GenerationMode.POSITIVE))
    @given(case=fop.strategy(mode), data=st.data())
    def example(case, data: st.DataObject) -> None:
        out_of_time(deadline)
        participant = data.draw(who, label="caller")
        if mode is GenerationMode.POSITIVE and participant.role in operation.roles:
            steer(case, participant, run.state, data)
        exchange = wire.send(
            run.client,
            participant,
            operation,
            case,
            str(mode.value),
            st_context=fop.checks,
        )
        failing = run.findings.judge(exchange)
        if failing:
            first = failing[0]
            raise found(first.check.id)(f"{first.check.id}: {first.message}")

    run_seeded(example, run.seed, "stateless", operation.name, str(mode.value))
