"""Running a hypothesis test the fuzzer's way: seeded, quiet, bounded, every failure shrunk.

A fuzz test body raises ``Found`` when an answer fails a check; hypothesis
then shrinks that failure (one exception class per check ID, so each
failing check is a distinct bug it shrinks on its own) and keeps looking for
others. The findings themselves are tallied as the requests are made
(``harness.fuzz.findings``), so what hypothesis raises at the end carries no
information of its own and is swallowed here; only an exception that is not
a finding (a defect of the harness) escapes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, Phase, Verbosity, seed, settings
from hypothesis.errors import Flaky, HypothesisException, Unsatisfiable

from harness.fuzz.budget import Budget

__all__ = [
    "Found",
    "OutOfTime",
    "derive_seed",
    "found",
    "fuzz_settings",
    "out_of_time",
    "run_seeded",
    "swallow_findings",
]


class Found(AssertionError):
    """An answer failed a check; hypothesis shrinks the input that produced it."""


_FOUND: dict[str, type[Found]] = {}


def found(check_id: str) -> type[Found]:
    """The ``Found`` subclass of ``check_id`` (hypothesis tells bugs apart by their type)."""
    cls = _FOUND.get(check_id)
    if cls is None:
        name = "Found_" + "".join(c if c.isalnum() else "_" for c in check_id)
        cls = _FOUND[check_id] = type(name, (Found,), {"__module__": __name__})
    return cls


def derive_seed(run_seed: int, *names: str) -> int:
    """A stable 32-bit seed for one hypothesis test of a run (same run seed, same test: same)."""
    digest = hashlib.sha256("\x00".join([str(run_seed), *names]).encode()).digest()
    return int.from_bytes(digest[:4], "big")


def fuzz_settings(max_examples: int, *, stateful_steps: int | None = None) -> settings:
    """Settings of every fuzz test: no database, no deadline, no health checks, quiet."""
    options: dict[str, Any] = {
        "max_examples": max_examples,
        "database": None,
        "deadline": None,
        "derandomize": False,
        "suppress_health_check": list(HealthCheck),
        "verbosity": Verbosity.quiet,
        "phases": (Phase.generate, Phase.shrink),
        "report_multiple_bugs": True,
        "print_blob": False,
    }
    if stateful_steps is not None:
        options["stateful_step_count"] = stateful_steps
    return settings(**options)


class OutOfTime(BaseException):
    """The test's budget (time slice, or chains) is spent: it stops hypothesis at once
    (hypothesis lets a ``BaseException`` through instead of retrying or shrinking on it)."""


def out_of_time(deadline: float | None) -> None:
    """Stop the hypothesis run when its deadline has passed."""
    if Budget.passed(deadline):
        raise OutOfTime


def _only_findings(error: BaseException) -> bool:
    if isinstance(error, (Found, Flaky, Unsatisfiable)):
        return True
    if isinstance(error, BaseExceptionGroup):
        return all(_only_findings(inner) for inner in error.exceptions)
    return False


def swallow_findings(test: Callable[[], None]) -> None:
    """Run a hypothesis test; what it raises for findings (already tallied) is dropped."""
    try:
        test()
    except OutOfTime:
        return
    except HypothesisException as exc:
        if not _only_findings(exc):
            raise
    except (AssertionError, BaseExceptionGroup) as exc:
        if not _only_findings(exc):
            raise


def run_seeded(test: Callable[[], None], run_seed: int, *names: str) -> None:
    """Run a ``@given`` test with the seed derived from ``run_seed`` and ``names``."""
    swallow_findings(seed(derive_seed(run_seed, *names))(test))
