"""No answer to a participant carries another participant's private records (PRV-001).

Which fields name a record's owner and which name other parties allowed to
see it is data, in ``private_data.yaml`` beside this module, so a reader
can see (and a target's users can extend) what counts as a leak.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from crr_contract.examples import takes_participant
from harness.checks.access import named_participant
from harness.checks.registry import (
    CheckContext,
    CheckFailed,
    NotApplicable,
    check,
    operation_clause,
)
from harness.client import Exchange

_RULES = yaml.safe_load(Path(__file__).with_name("private_data.yaml").read_text(encoding="utf-8"))
OWNER_FIELDS: tuple[str, ...] = tuple(_RULES["owner_fields"])
PARTY_FIELDS: tuple[str, ...] = tuple(_RULES["party_fields"])
EXEMPT: dict[str, str] = dict(_RULES.get("exempt") or {})


def records(body: Any) -> Iterator[tuple[dict[str, Any], dict[str, Any] | None]]:
    """The records of an answer, each with the record it sits in (None at the top): the
    answer or its list items, their list items, and the same inside a download's data."""
    top = body if isinstance(body, list) else [body]
    for record in top:
        if not isinstance(record, dict):
            continue
        yield record, None
        for value in record.values():
            if isinstance(value, list):
                yield from ((item, record) for item in value if isinstance(item, dict))
        if isinstance(record.get("data"), dict):
            yield from records(record["data"])


def _values(record: Any, path: str) -> Iterator[str]:
    head, _, rest = path.partition(".")
    many = head.endswith("[]")
    key = head[:-2] if many else head
    if not isinstance(record, dict) or key not in record:
        return
    found = record[key]
    items = found if many and isinstance(found, list) else [found]
    for item in items:
        if rest:
            yield from _values(item, rest)
        elif isinstance(item, str):
            yield item


def _names(record: dict[str, Any], fields: tuple[str, ...]) -> set[str]:
    return {v for field in fields for v in _values(record, field)}


def leaks(body: Any, caller: str) -> list[str]:
    """Each owner other than ``caller`` of a record that does not name ``caller`` as a party.

    Items listed inside a record the caller may see (the targets of its own
    offer, the requests it approves) are part of that record, not records of
    their own.
    """
    found = []
    for record, parent in records(body):
        if parent is not None and caller in _names(parent, OWNER_FIELDS + PARTY_FIELDS):
            continue
        owners = _names(record, OWNER_FIELDS)
        if not owners or caller in owners:
            continue
        if caller not in _names(record, PARTY_FIELDS):
            found.extend(sorted(owners))
    return found


@check("PRV-001")
def no_private_data_of_others(exchange: Exchange, context: CheckContext) -> None:
    operation = exchange.operation
    if operation is None or exchange.status is None or exchange.status >= 300:
        raise NotApplicable
    if operation.name in EXEMPT or not takes_participant(operation):
        raise NotApplicable
    caller = exchange.participant.name
    if named_participant(exchange) not in (None, caller):
        raise NotApplicable  # SEC-003 judges a request naming someone else
    others = leaks(exchange.json(), caller)
    if others:
        raise CheckFailed(
            f"{operation.name} answered {caller} with private records of "
            f"{', '.join(sorted(set(others)))} ({len(others)} record(s))",
            operation_clause(operation, "responses", str(exchange.status)),
        )
