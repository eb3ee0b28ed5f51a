"""Findings, deduplicated: one per operation and check, with how often it held and failed.

Every fuzzed answer goes through the registered checks; a fuzz run makes
hundreds of requests per operation, so its results are tallied instead of
listed: for each (operation, check) the number of requests the check judged
and failed, by kind of input, and as evidence the *smallest* failing request
seen (hypothesis shrinks a failure towards it; a stateful failure keeps the
chain of requests that led to it). ``Findings.results`` turns the tallies
into one ``CheckResult`` each, whose ``rerun`` replays the evidence.

A finding is named ``<check>@<operation>`` (``FUZ-002@auction.portfolioCreation``):
the name ``crr-harness fuzz --replay`` takes.
"""

from __future__ import annotations

import shlex
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from harness.checks import REGISTRY, Check, CheckContext, CheckOutcome, run_checks
from harness.checks.fuzzing import UPSTREAM, FuzzedExchange
from harness.client import Exchange
from harness.results import CheckResult, RecordedExchange, Status
from harness.target.config import TargetConfig

__all__ = ["Findings", "Tally", "curl_command", "finding_id", "parse_finding_id"]

_SEPARATOR = "@"

_SKIP_ON_INVALID = frozenset({"SEC-003"})
"""Checks that judge a request only when it is otherwise valid: a request generated as
invalid, or found invalid by the oracle, may be refused for that first (400) instead of for
the participant it names."""


def finding_id(check_id: str, operation: str) -> str:
    """The name of the finding of ``check_id`` on ``operation``."""
    return f"{check_id}{_SEPARATOR}{operation}"


def parse_finding_id(text: str) -> tuple[str, str]:
    """``(check_id, operation)`` of a finding name; ``ValueError`` when it is not one."""
    check_id, separator, operation = text.partition(_SEPARATOR)
    if not separator or not check_id or not operation:
        raise ValueError(f"expected <check>{_SEPARATOR}<operation> but got {text!r}")
    return check_id, operation


def _size(records: Sequence[RecordedExchange]) -> tuple[int, int, int]:
    last = records[-1].request
    return len(records), len(last.body) + len(last.url), sum(len(r.request.body) for r in records)


def _label(exchange: Exchange) -> str:
    operation = exchange.operation
    if operation is not None and exchange.participant.role not in operation.roles:
        return "forbidden role"
    if isinstance(exchange, FuzzedExchange):
        return exchange.generation
    return "setup"


@dataclass(slots=True)
class Tally:
    """What one check found on one operation over a run."""

    check: Check
    operation: str
    judged: Counter[str] = field(default_factory=Counter)
    failed: Counter[str] = field(default_factory=Counter)
    status: Status = Status.PASS
    message: str = ""
    clause: str | None = None
    evidence: tuple[RecordedExchange, ...] = ()
    overruled: int = 0
    """Answers schemathesis' own check flagged and the harness's oracle found correct."""

    def add(self, outcome: CheckOutcome, label: str, chain: tuple[RecordedExchange, ...]) -> None:
        self.judged[label] += 1
        if outcome.status is Status.PASS:
            return
        self.failed[label] += 1
        worse = self.status is Status.PASS or (
            outcome.status is Status.FAIL and self.status is Status.ERROR
        )
        if worse or (outcome.status is self.status and _size(chain) < _size(self.evidence)):
            self.status = outcome.status
            self.message = outcome.message
            self.clause = outcome.clause
            self.evidence = chain


class Findings:
    """The tallies of a run, and the one place fuzzed exchanges are judged."""

    def __init__(self, context: CheckContext, *, run_checks_enabled: bool = True) -> None:
        self.context = context
        self.run_checks_enabled = run_checks_enabled
        self.tallies: dict[tuple[str, str], Tally] = {}
        self.requests: Counter[str] = Counter()

    def judge(
        self, exchange: Exchange, chain: Sequence[RecordedExchange] = ()
    ) -> list[CheckOutcome]:
        """Run the checks on ``exchange`` and tally them; the outcomes that did not pass.

        ``chain`` is the exchanges that led to this one (a stateful chain), kept with it
        as evidence.
        """
        operation = exchange.operation.name if exchange.operation else "(no operation)"
        self.requests[operation] += 1
        if not self.run_checks_enabled:
            return []
        outcomes = [
            outcome
            for outcome in run_checks(exchange, self.context)
            if not (
                outcome.check.id in _SKIP_ON_INVALID
                and outcome.status is not Status.PASS
                and isinstance(exchange, FuzzedExchange)
                and (not exchange.claims_valid() or exchange.request_problems())
            )
        ]
        label = _label(exchange)
        evidence = (*chain, exchange.record)
        failing = []
        seen = set()
        for outcome in outcomes:
            seen.add(outcome.check.id)
            key = (operation, outcome.check.id)
            tally = self.tallies.get(key)
            if tally is None:
                tally = self.tallies[key] = Tally(outcome.check, operation)
            tally.add(outcome, label, evidence)
            if outcome.status is not Status.PASS:
                failing.append(outcome)
        if isinstance(exchange, FuzzedExchange):
            failed_ids = {o.check.id for o in failing}
            for check_id, upstream in UPSTREAM.items():
                if upstream in exchange.upstream and check_id not in failed_ids:
                    key = (operation, check_id)
                    tally = self.tallies.get(key)
                    if tally is None:
                        tally = self.tallies[key] = Tally(REGISTRY[check_id], operation)
                    tally.overruled += 1
        return failing

    def failed(self) -> list[Tally]:
        """The tallies with a failure or an error, in operation and check order."""
        return [t for _, t in sorted(self.tallies.items()) if t.status is not Status.PASS]

    def results(
        self,
        *,
        suite: str,
        case: Callable[[str], str],
        seed: int,
        replay: Callable[[str], str],
        rerun: Callable[[str], str],
        config: TargetConfig,
        wanted: Callable[[str], bool] = lambda _operation: True,
    ) -> list[CheckResult]:
        """One ``CheckResult`` per (operation, check) judged, in operation and check order.

        Operations ``wanted`` rejects (called only to set the run up) are left out unless a
        check failed on them: a failure is never hidden.
        """
        results = []
        for (operation, check_id), tally in sorted(self.tallies.items()):
            if not tally.judged:
                continue  # only overruled upstream verdicts, nothing our check judged
            if tally.status is Status.PASS and not wanted(operation):
                continue
            total = sum(tally.judged.values())
            if tally.status is Status.PASS:
                message = f"held on {total} request(s) ({_breakdown(tally.judged)})"
                if tally.overruled:
                    message += (
                        f"; schemathesis {UPSTREAM.get(check_id)} flagged {tally.overruled} "
                        f"of them, which the harness's oracle finds correct"
                    )
                clause, evidence, again = None, (), rerun(operation)
            else:
                failures = sum(tally.failed.values())
                name = finding_id(check_id, operation)
                lines = [
                    tally.message,
                    f"failed on {failures} of {total} request(s) to {operation} "
                    f"({_breakdown(tally.failed)}); evidence: the smallest failing request"
                    + (
                        f" and the {len(tally.evidence) - 1} before it"
                        if len(tally.evidence) > 1
                        else ""
                    )
                    + f"; run seed {seed}",
                    f"finding {name}: {replay(name)}",
                    f"curl: {curl_command(tally.evidence[-1], config)}",
                ]
                message = "\n".join(lines)
                clause, evidence, again = tally.clause, tally.evidence, replay(name)
            results.append(
                CheckResult.of(
                    tally.check,
                    suite,
                    case(operation),
                    tally.status,
                    message,
                    operation=operation,
                    clause=clause,
                    evidence=evidence,
                    rerun=again,
                )
            )
        return results


def _breakdown(counter: Counter[str]) -> str:
    return ", ".join(f"{label} {count}" for label, count in sorted(counter.items()))


_SHOWN = frozenset({"content-type"})


def curl_command(record: RecordedExchange, config: TargetConfig) -> str:
    """A curl line that sends ``record``'s request again, as its participant, to ``config``."""
    request = record.request
    parts = ["curl", "-sS", "-X", request.method]
    try:
        participant = config.participant(record.participant)
    except KeyError:
        participant = None
    if config.client_cert_header:
        if participant is not None:
            encode = (
                "python3 -c 'import sys,urllib.parse;"
                'print(urllib.parse.quote(open(sys.argv[1]).read(),safe=""))\' '
                + shlex.quote(str(participant.certificate))
            )
            parts += ["-H", f'"X-Client-Cert: $({encode})"']
    else:
        if participant is not None:
            parts += [
                "--cert",
                shlex.quote(str(participant.certificate)),
                "--key",
                shlex.quote(str(participant.key)),
            ]
    if config.ca_bundle is not None:
        parts += ["--cacert", shlex.quote(str(config.ca_bundle))]
    for name, value in request.headers.items():
        if name.lower() in _SHOWN:
            parts += ["-H", shlex.quote(f"{name}: {value}")]
    if request.body:
        parts += ["--data-binary", _shell_bytes(request.body)]
    parts.append(shlex.quote(request.url))
    return " ".join(parts)


def _shell_bytes(body: bytes) -> str:
    """``body`` as one shell word: quoted text, or ``$'...'`` with escapes for other bytes."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None and text.isprintable():
        return shlex.quote(text)
    escaped = "".join(
        chr(b) if 0x20 <= b < 0x7F and chr(b) not in "\\'" else f"\\x{b:02x}" for b in body
    )
    return f"$'{escaped}'"
