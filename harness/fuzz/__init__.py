"""Property-based and stateful fuzzing of a target, with schemathesis and hypothesis.

schemathesis generates every request from the declared spec files and
hypothesis drives and shrinks; the harness sends each request through its
own client (mutual TLS per participant, or the client-certificate header)
and judges each answer with every registered check, schemathesis' own
verdicts confirmed by the harness's oracle (``harness.checks.fuzzing``).
Only this package imports schemathesis.

Public surface: ``FuzzOptions`` and ``using`` (the budget of a run),
``fuzz_session`` (the fuzzing suite's body), ``replay_finding`` (re-send the
evidence of one finding and judge it again).
"""

from __future__ import annotations

from harness.fuzz.options import DEFAULT, FuzzOptions, current, using

__all__ = ["DEFAULT", "FuzzOptions", "current", "fuzz_session", "replay_finding", "using"]


def __getattr__(name: str):  # schemathesis loads only when fuzzing is used
    if name == "fuzz_session":
        from harness.fuzz.engine import fuzz_session

        return fuzz_session
    if name == "replay_finding":
        from harness.fuzz.replay import replay_finding

        return replay_finding
    raise AttributeError(name)
