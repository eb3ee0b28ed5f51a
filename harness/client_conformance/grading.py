"""Grading recorded exchanges: the CLI checks of ``requirements.yaml``, per participant.

Each check reads the recording of one participant in time order and
yields ``CheckResult``s: a FAIL per distinct finding (an operation and a
rule, an operation refused, a repeated request), or one PASS saying what
was judged. The coverage section (CLI-008) is a PASS per operation the
client called and a declared SKIP per served operation it did not: it
informs, it does not fail the verdict. Answers the fault schedule made are
not held against the client as refusals; how it reacted to them is.
"""

from __future__ import annotations

import itertools
import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crr_contract.limits import REQUEST_LIMITS
from harness.checks.registry import case_check
from harness.client_conformance.recording import SERVED_FILE
from harness.errors import InputError
from harness.results import (
    CheckResult,
    RecordedExchange,
    RecordedRequest,
    RecordedResponse,
    Status,
)

__all__ = [
    "CASE_CHECKS",
    "JUDGES_EXCHANGES",
    "SUITE",
    "GradingPolicy",
    "Recordings",
    "grade",
    "load_recordings",
]

SUITE = "client-report"
JUDGES_EXCHANGES = False
"""The client checks judge recordings, not exchanges the harness sent."""

SPEC, NAME, ROLE, LIMITS, RETRY_4XX, STORM, DUPLICATE, COVERAGE = (
    case_check(f"CLI-00{n}") for n in range(1, 9)
)
CASE_CHECKS: tuple[str, ...] = tuple(
    c.id for c in (SPEC, NAME, ROLE, LIMITS, RETRY_4XX, STORM, DUPLICATE, COVERAGE)
)

LIMIT_CODES = frozenset(limit.code for limit in REQUEST_LIMITS)
"""The codes that mean a request limit was exceeded (SER0030 records, POR0003 segments)."""
CREATING_OPERATIONS = frozenset({"auction.portfolioCreation"})
"""Operations whose accepted body creates a portfolio: the same body twice is a duplicate."""


@dataclass(frozen=True, slots=True)
class GradingPolicy:
    """How strict the retry checks are."""

    max_retries: int = 5
    """More identical attempts than this after a 5xx is a retry storm."""


@dataclass(frozen=True, slots=True)
class Recordings:
    """What ``serve --record`` left in a directory: lines per participant and what was served."""

    directory: Path
    participants: Mapping[str, list[dict[str, Any]]]
    served: Mapping[str, Any]


_REQUIRED = ("t", "participant", "method", "path", "status", "body_sha256", "violations")


def load_recordings(directory: Path, participant: str | None = None) -> Recordings:
    """Every participant's recorded exchanges in time order, or ``InputError`` saying why not."""
    if not directory.is_dir():
        raise InputError(f"{directory}: no such directory (a serve --record DIR)")
    served: Mapping[str, Any] = {}
    served_file = directory / SERVED_FILE
    if served_file.is_file():
        try:
            served = json.loads(served_file.read_text(encoding="utf-8"))
        except ValueError as exc:
            raise InputError(f"{served_file}: not JSON ({exc})") from None
    found: dict[str, list[dict[str, Any]]] = {}
    for path in sorted(directory.glob("*.jsonl")):
        lines = []
        for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not text.strip():
                continue
            try:
                line = json.loads(text)
            except ValueError:
                raise InputError(f"{path}:{number}: not a JSON line") from None
            if not isinstance(line, dict) or any(key not in line for key in _REQUIRED):
                raise InputError(f"{path}:{number}: not a recorded exchange")
            lines.append(line)
        for line in sorted(lines, key=lambda item: item["t"]):
            found.setdefault(str(line["participant"]), []).append(line)
    if participant is not None:
        if participant not in found:
            known = ", ".join(sorted(found)) or "none"
            raise InputError(f"--participant {participant}: not recorded (recorded: {known})")
        found = {participant: found[participant]}
    if not found:
        raise InputError(f"{directory}: no recorded exchanges (*.jsonl)")
    return Recordings(directory, found, served)


def _exchange(line: Mapping[str, Any]) -> RecordedExchange:
    query = "&".join(f"{k}={v}" for k, v in line.get("query") or ())
    headers = {"content-type": line["content_type"]} if line.get("content_type") else {}
    response = None
    if line["status"] is not None and not line.get("dropped"):
        response = RecordedResponse(
            int(line["status"]), {}, str(line.get("response_body", "")).encode("utf-8")
        )
    return RecordedExchange(
        participant=str(line["participant"]),
        request=RecordedRequest(
            line["method"],
            line["path"] + (f"?{query}" if query else ""),
            headers,
            str(line.get("body", "")).encode("utf-8"),
        ),
        response=response,
        elapsed_ms=float(line.get("elapsed_ms") or 0),
        transport_error="connection dropped (fault schedule)" if line.get("dropped") else None,
    )


def _key(line: Mapping[str, Any]) -> tuple[str, str, str, str]:
    """Two requests are the same request when method, path, query and body are."""
    return (line["method"], line["path"], json.dumps(line.get("query")), line["body_sha256"])


def _label(line: Mapping[str, Any]) -> str:
    return line.get("operation") or f"{line['method']} {line['path']}"


def _wait(earlier: Mapping[str, Any], later: Mapping[str, Any]) -> float:
    """How long the client waited: from the end of one answer to the next attempt, so the
    server's own time does not pass for back-off."""
    ended = earlier["t"] + float(earlier.get("elapsed_ms") or 0) / 1000
    return max(0.0, later["t"] - ended)


def _is_server_fault(line: Mapping[str, Any]) -> bool:
    return bool(line.get("dropped")) or (line["status"] is not None and line["status"] >= 500)


class _Judge:
    """Builds the results of one participant's recording."""

    def __init__(self, participant: str, lines: list[dict[str, Any]], rerun: str) -> None:
        self.participant = participant
        self.lines = lines
        self.rerun = rerun

    def result(
        self,
        check: Any,
        case: str,
        status: Status,
        message: str,
        evidence: Sequence[Mapping[str, Any]] = (),
        operation: str | None = None,
        declared_skip: bool = False,
    ) -> CheckResult:
        return CheckResult.of(
            check,
            SUITE,
            f"{self.participant}: {case}",
            status,
            message,
            operation=operation,
            evidence=tuple(_exchange(line) for line in evidence[:3]),
            rerun=self.rerun,
            declared_skip=declared_skip,
        )

    def grouped(
        self,
        check: Any,
        groups: Mapping[str, list[dict[str, Any]]],
        describe: Callable[[str, list[dict[str, Any]]], str],
        passed: str,
    ) -> Iterator[CheckResult]:
        """A FAIL per group, or one PASS saying what held."""
        for case, lines in sorted(groups.items()):
            yield self.result(
                check, case, Status.FAIL, describe(case, lines), lines, lines[0].get("operation")
            )
        if not groups:
            yield self.result(check, check.title, Status.PASS, passed)

    def spec(self) -> Iterator[CheckResult]:
        groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
        examples: dict[str, str] = {}
        for line in self.lines:
            for violation in line["violations"]:
                where = re.sub(r"\[\d+\]", "[]", violation["where"])
                case = f"{_label(line)}: {violation['rule']} at {where}"
                groups[case].append(line)
                examples.setdefault(case, violation["message"])
        yield from self.grouped(
            SPEC,
            groups,
            lambda case, lines: f"{len(lines)} request(s) break the rule; e.g. {examples[case]}",
            f"all {len(self.lines)} request(s) satisfy the served spec files",
        )

    def refused(self, check: Any, codes: frozenset[str], what: str) -> Iterator[CheckResult]:
        groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for line in self.lines:
            if line.get("fault") is None and codes & set(line.get("codes") or ()):
                found = sorted(codes & set(line["codes"]))
                groups[f"{_label(line)}: {', '.join(found)}"].append(line)
        yield from self.grouped(
            check,
            groups,
            lambda case, lines: (
                f"{len(lines)} request(s) answered {case.rsplit(': ', 1)[-1]}: {what}"
            ),
            f"no request answered {' or '.join(sorted(codes))}",
        )

    def retried_4xx(self) -> Iterator[CheckResult]:
        refused: dict[tuple[str, str, str, str], dict[str, Any]] = {}
        groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for line in self.lines:
            key = _key(line)
            if key in refused:
                groups[f"{_label(line)}: {line['method']} {line['path']}"] += [refused[key], line]
            status = line["status"]
            if status is not None and 400 <= status < 500:
                refused[key] = line
        yield from self.grouped(
            RETRY_4XX,
            groups,
            lambda case, lines: (
                f"the same request was sent again after a {lines[0]['status']} "
                f"answer ({len(lines) // 2} time(s)); a 4xx will not change on retry"
            ),
            "no request was repeated after a 4xx answer",
        )

    def storms(self, policy: GradingPolicy) -> Iterator[CheckResult]:
        chains: list[list[dict[str, Any]]] = []
        open_chain: dict[tuple[str, str, str, str], list[dict[str, Any]]] = {}
        for line in self.lines:
            key = _key(line)
            chain = open_chain.get(key)
            if chain is not None and _is_server_fault(chain[-1]):
                chain.append(line)
            elif _is_server_fault(line):
                chain = [line]
                chains.append(chain)
                open_chain[key] = chain
            else:
                open_chain.pop(key, None)
        groups: dict[str, list[dict[str, Any]]] = {}
        reasons: dict[str, str] = {}
        for chain in chains:
            retries = len(chain) - 1
            gaps = [_wait(earlier, later) for earlier, later in itertools.pairwise(chain)]
            case = f"{_label(chain[0])}: retries from {chain[0]['t']:.3f}"
            shrinking = [i for i in range(1, len(gaps)) if gaps[i] < gaps[i - 1]]
            if retries > policy.max_retries:
                reasons[case] = (
                    f"{retries} retries after a server error (at most {policy.max_retries})"
                )
            elif shrinking:
                shown = ", ".join(f"{gap * 1000:.0f} ms" for gap in gaps)
                reasons[case] = f"no back-off: the gaps between retries do not grow ({shown})"
            else:
                continue
            groups[case] = chain
        yield from self.grouped(
            STORM,
            groups,
            lambda case, lines: reasons[case],
            f"{len(chains)} server error(s) answered; retries backed off and stayed within "
            f"{policy.max_retries}",
        )

    def duplicates(self) -> Iterator[CheckResult]:
        created: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        for line in self.lines:
            status = line["status"]
            accepted = bool(status) and 200 <= status < 300 and not line.get("dropped")
            if line.get("operation") in CREATING_OPERATIONS and accepted:
                created[(line["operation"], line["body_sha256"])].append(line)
        groups = {
            f"{operation}: body {digest[:12]}": lines
            for (operation, digest), lines in created.items()
            if len(lines) > 1
        }
        yield from self.grouped(
            DUPLICATE,
            groups,
            lambda case, lines: f"the same portfolio was created {len(lines)} times",
            "no portfolio body was created twice",
        )

    def coverage(self, served: Sequence[str]) -> Iterator[CheckResult]:
        calls: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for line in self.lines:
            if line.get("operation"):
                calls[line["operation"]].append(line)
        names = [n for n in served if not n.startswith("simcontrol.")] or sorted(calls)
        for name in sorted(set(names) | set(calls)):
            lines = calls.get(name, [])
            if lines:
                statuses = sorted({str(line["status"]) for line in lines})
                yield self.result(
                    COVERAGE,
                    name,
                    Status.PASS,
                    f"exercised {len(lines)} time(s), answered {', '.join(statuses)}",
                    lines[:1],
                    name,
                )
            else:
                yield self.result(
                    COVERAGE, name, Status.SKIP, "not exercised by the client", (), name, True
                )


def grade(
    recordings: Recordings, policy: GradingPolicy = GradingPolicy(), rerun: str = ""
) -> list[CheckResult]:
    """Every client check over every participant's recording, in check order."""
    served = [str(name) for name in recordings.served.get("operations") or ()]
    results: list[CheckResult] = []
    for participant, lines in sorted(recordings.participants.items()):
        judge = _Judge(participant, lines, rerun)
        results += judge.spec()
        results += judge.refused(
            NAME,
            frozenset({"SEC0002"}),
            "a participant name the certificate is not provisioned for",
        )
        results += judge.refused(
            ROLE, frozenset({"SEC0001"}), "an operation the certificate's role may not call"
        )
        results += judge.refused(LIMITS, LIMIT_CODES, "a request limit of the spec was exceeded")
        results += judge.retried_4xx()
        results += judge.storms(policy)
        results += judge.duplicates()
        results += judge.coverage(served)
    return results
