"""Scenario scripts: what a market-sim coordinator writes, read into plain records.

The format is documented in ``scenarios/README.md``. A scenario names its
actors (a participant and a role each), then lists steps: a call of a spec
operation as an actor, an operator action (open or close a window, set the
clock, clear, publish), or a market-wide invariant over values saved by
earlier steps. Every mistake in a file is reported as one line naming the
file and the step, before anything runs.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crr_contract.files import load_document
from harness.errors import InputError

__all__ = [
    "OPERATOR_ACTIONS",
    "Actor",
    "Expectation",
    "Scenario",
    "Step",
    "load_scenario",
    "looks_like_scenario",
]

OPERATOR_ACTIONS = ("open", "close", "clock", "clear", "publish")
"""What an operator step can do; see ``harness.scenarios.operator``."""

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


@dataclass(frozen=True, slots=True)
class Actor:
    """A participant acting with one role; the target config supplies the certificate."""

    name: str
    participant: str
    role: str


@dataclass(frozen=True, slots=True)
class Expectation:
    status: tuple[int, ...] = ()
    errors: tuple[str, ...] = ()
    fields: Mapping[str, Any] = field(default_factory=dict)
    outcome: Mapping[str, Any] | None = None
    """Compare the answer with the reference engine's: ``ignore`` paths, ``tolerance`` per field."""


@dataclass(frozen=True, slots=True)
class Step:
    index: int
    name: str
    requirement: str | None
    actor: str | None = None
    call: str | None = None
    """``service.operationId``."""
    params: Mapping[str, Any] = field(default_factory=dict)
    body: Any = None
    raw_body: str | None = None
    content_type: str | None = None
    expect: Expectation = field(default_factory=Expectation)
    save: Mapping[str, str] = field(default_factory=dict)
    operator: str | None = None
    """One of OPERATOR_ACTIONS."""
    arguments: Mapping[str, Any] = field(default_factory=dict)
    invariant: str | None = None
    timeout: float | None = None

    @property
    def kind(self) -> str:
        return "call" if self.call else "operator" if self.operator else "invariant"


@dataclass(frozen=True, slots=True)
class Scenario:
    id: str
    title: str
    week: int | None
    path: Path
    requirement: str | None
    description: str
    actors: Mapping[str, Actor]
    steps: tuple[Step, ...]
    dataset: str | None
    """The data set file loaded at the start (relative to the scenario); None: no reset."""
    tags: tuple[str, ...] = ()


def looks_like_scenario(path: Path) -> bool:
    """A YAML file with top-level ``steps`` and ``actors`` (data set files are not scenarios)."""
    if path.suffix not in (".yaml", ".yml"):
        return False
    text = path.read_text(encoding="utf-8", errors="replace")
    return bool(re.search(r"^steps:", text, re.M) and re.search(r"^actors:", text, re.M))


def load_scenario(path: Path) -> Scenario:
    """Read and validate one scenario file; any mistake is an ``InputError`` naming the spot."""
    path = Path(path)
    data = load_document(path)
    where = str(path)
    if not isinstance(data, Mapping):
        raise InputError(f"{where}: a scenario is a mapping with id, title, actors and steps")
    _only(
        data,
        {"id", "title", "week", "requirement", "description", "actors", "steps", "dataset", "tags"},
        where,
    )
    scenario_id = _text(data, "id", where)
    if not _ID.match(scenario_id):
        raise InputError(f"{where}: id {scenario_id!r}: letters, digits, - _ . only")
    actors = _actors(data.get("actors"), where)
    raw_steps = data.get("steps")
    if not isinstance(raw_steps, Sequence) or isinstance(raw_steps, str) or not raw_steps:
        raise InputError(f"{where}: steps must be a non-empty list")
    steps = tuple(
        _step(index, raw, actors, f"{where}: step {index}")
        for index, raw in enumerate(raw_steps, start=1)
    )
    dataset = data.get("dataset", "../datasets/market-sim-2025-10.yaml")
    if dataset is not None and not (path.parent / str(dataset)).is_file():
        raise InputError(f"{where}: dataset {dataset}: no such file beside the scenario")
    week = data.get("week")
    return Scenario(
        id=scenario_id,
        title=_text(data, "title", where),
        week=int(week) if week is not None else None,
        path=path,
        requirement=str(data["requirement"]) if data.get("requirement") else None,
        description=" ".join(str(data.get("description") or "").split()),
        actors=actors,
        steps=steps,
        dataset=str(dataset) if dataset is not None else None,
        tags=tuple(str(t) for t in data.get("tags") or ()),
    )


def _only(data: Mapping[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise InputError(
            f"{where}: unknown key {unknown[0]!r} (allowed: {', '.join(sorted(allowed))})"
        )


def _text(data: Mapping[str, Any], key: str, where: str) -> str:
    value = data.get(key)
    if not isinstance(value, str | int) or str(value).strip() == "":
        raise InputError(f"{where}: {key} is required")
    return str(value)


def _actors(raw: Any, where: str) -> dict[str, Actor]:
    if not isinstance(raw, Mapping) or not raw:
        raise InputError(f"{where}: actors maps a name to {{participant, role}}")
    actors = {}
    for name, entry in raw.items():
        if not isinstance(entry, Mapping) or not entry.get("participant") or not entry.get("role"):
            raise InputError(f"{where}: actor {name}: needs participant and role")
        _only(entry, {"participant", "role"}, f"{where}: actor {name}")
        actors[str(name)] = Actor(str(name), str(entry["participant"]), str(entry["role"]))
    return actors


_STEP_KEYS = {
    "name",
    "requirement",
    "as",
    "call",
    "params",
    "body",
    "raw_body",
    "content_type",
    "expect",
    "save",
    "operator",
    "invariant",
    "timeout",
    "window",
    "market",
    "now",
    "advance",
    "args",
}


def _step(index: int, raw: Any, actors: Mapping[str, Actor], where: str) -> Step:
    if not isinstance(raw, Mapping):
        raise InputError(f"{where}: a step is a mapping")
    _only(raw, _STEP_KEYS, where)
    kinds = [k for k in ("call", "operator", "invariant") if raw.get(k)]
    if len(kinds) != 1:
        raise InputError(f"{where}: a step has exactly one of call, operator, invariant")
    name = str(raw.get("name") or raw.get("call") or raw.get("operator") or raw.get("invariant"))
    common = {
        "index": index,
        "name": name,
        "requirement": str(raw["requirement"]) if raw.get("requirement") else None,
        "timeout": float(raw["timeout"]) if raw.get("timeout") is not None else None,
    }
    if kinds[0] == "call":
        actor = raw.get("as")
        if actor not in actors:
            raise InputError(f"{where}: 'as: {actor}' is not an actor ({', '.join(actors)})")
        if "." not in str(raw["call"]):
            raise InputError(f"{where}: call {raw['call']!r}: write service.operationId")
        params = raw.get("params") or {}
        if not isinstance(params, Mapping):
            raise InputError(f"{where}: params is a mapping")
        return Step(
            **common,
            actor=str(actor),
            call=str(raw["call"]),
            params=dict(params),
            body=raw.get("body"),
            raw_body=str(raw["raw_body"]) if raw.get("raw_body") is not None else None,
            content_type=raw.get("content_type"),
            expect=_expectation(raw.get("expect"), where),
            save={str(k): str(v) for k, v in (raw.get("save") or {}).items()},
        )
    if kinds[0] == "operator":
        action = str(raw["operator"])
        if action not in OPERATOR_ACTIONS:
            raise InputError(f"{where}: operator {action!r}: one of {', '.join(OPERATOR_ACTIONS)}")
        arguments = {k: raw[k] for k in ("window", "market", "now", "advance") if k in raw}
        needed = {"open": "window", "close": "window", "clear": "market", "publish": "market"}
        if action in needed and needed[action] not in arguments:
            raise InputError(f"{where}: operator {action} needs {needed[action]}")
        if action == "clock" and not ({"now", "advance"} & set(arguments)):
            raise InputError(f"{where}: operator clock needs now or advance (seconds)")
        return Step(**common, operator=action, arguments=arguments)
    args = raw.get("args") or {}
    if not isinstance(args, Mapping):
        raise InputError(f"{where}: args is a mapping")
    return Step(**common, invariant=str(raw["invariant"]), arguments=dict(args))


def _expectation(raw: Any, where: str) -> Expectation:
    if raw is None:
        return Expectation(status=(200,))
    if not isinstance(raw, Mapping):
        raise InputError(f"{where}: expect is a mapping (status, error, fields, outcome)")
    _only(raw, {"status", "error", "errors", "fields", "outcome"}, f"{where}: expect")
    status = raw.get("status", 200 if not (raw.get("error") or raw.get("errors")) else None)
    statuses = tuple(int(s) for s in (status if isinstance(status, list) else [status]) if s)
    errors = raw.get("errors") or ([raw["error"]] if raw.get("error") else [])
    fields = raw.get("fields") or {}
    if not isinstance(fields, Mapping):
        raise InputError(f"{where}: expect.fields maps a path to a value")
    outcome = raw.get("outcome")
    if outcome is True:
        outcome = {}
    if outcome is not None and not isinstance(outcome, Mapping):
        raise InputError(f"{where}: expect.outcome is true or a mapping (ignore, tolerance)")
    return Expectation(
        status=statuses,
        errors=tuple(str(e) for e in errors),
        fields=dict(fields),
        outcome=outcome,
    )
