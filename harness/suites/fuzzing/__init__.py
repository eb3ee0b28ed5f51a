"""The fuzzing suite: schemathesis-generated and stateful input, judged by every check.

Each declared operation (sim control excepted) gets schemathesis' positive
and negative examples, sent as participants whose role may call it and, in
a share of the calls, as one whose role may not; then stateful chains drive
the auction portfolio lifecycle and a secondary-market trade into their
deep states, after the operator opened the windows they need (targets with
sim control). Findings are one result per operation and check, with the
number of requests that failed it, the smallest failing request as
evidence, and a command that replays it. Budgets come from ``crr-harness
fuzz`` (``--max-examples``, ``--time-budget``); ``certify`` uses the
defaults of ``harness.fuzz.options``.
"""

from __future__ import annotations

from harness.session import Session

NAME = "fuzzing"
DESCRIPTION = (
    "schemathesis positive and negative examples per operation and stateful chains, "
    "as allowed and forbidden roles, judged by every check"
)

CASE_CHECKS: tuple[str, ...] = ()
"""The check IDs this suite judges itself (requirements.yaml names it as their suite)."""
JUDGES_EXCHANGES = True
"""Whether every per-exchange check runs on this suite's exchanges (``Session.judge``)."""


def run(session: Session) -> None:
    from harness.fuzz import options
    from harness.fuzz.engine import fuzz_session

    fuzz_session(session, options.current(), suite=NAME)
