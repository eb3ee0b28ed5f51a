"""Stateful chains that reach deep states: the auction portfolio lifecycle and a secondary-market trade.

CRR business flows are windowed and keyed by names the caller chooses, so
schemathesis' link inference (CRUD-shaped) does not get past the first
step. Each chain is a hypothesis ``RuleBasedStateMachine`` instead, whose
every request is drawn from schemathesis' strategy for that operation
(positive mode) and then tied to the chain: the participant, the open
market and its locations, the portfolio or offer a previous step created.
Generated numbers are kept but brought into the ranges the business rules
allow (monotone bid curves, MW within what is held), so that most chains
get past validation into the states behind it; one portfolio in
``EXTREME_ONE_IN`` keeps the generated magnitudes, however extreme (that is
how the fuzzer found credit amounts overflowing to ``inf``):

* portfolio: ``portfolioCreation`` → ``portfolioSubmission`` →
  ``getPortfolioStatus`` / ``getPortfolio`` / ``getPortfolioRequiredCredit``
  / ``getPortfolioList`` → ``postPortfolioRetraction`` → ``deletePortfolio``
  or submission again;
* offer: ``getCrrHoldings`` → ``submitOffer`` → ``getOffer`` /
  ``getResponse`` → ``submitResponse`` (ACCEPT transfers the CRR, REJECT
  declines) or ``withdrawOffer`` → ``getCrrHoldings`` of the target.

Every answer is judged by all the checks like any fuzzed one; a failure
keeps the chain's earlier requests as evidence, and hypothesis shrinks the
chain (fewer, simpler steps) before it is reported. Chains and steps are
bounded (``FuzzOptions.chains``, ``STEPS``).
"""

from __future__ import annotations

import copy
import itertools
import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    multiple,
    precondition,
    rule,
    run_state_machine_as_test,
)
from schemathesis import GenerationMode

from crr_contract.examples import body_schema, example_request, query_parameters, resolve
from harness.fuzz import wire
from harness.fuzz.context import FuzzRun
from harness.fuzz.hypo import (
    OutOfTime,
    derive_seed,
    found,
    fuzz_settings,
    out_of_time,
    swallow_findings,
)
from harness.fuzz.schemas import FuzzOperation
from harness.results import RecordedExchange
from harness.target.config import Participant

__all__ = ["CHAINS", "STEPS", "ChainStats", "available_chains", "chain_blocker", "run_chains"]

STEPS = 10
"""Steps per chain at most (hypothesis' ``stateful_step_count``)."""

SHRINK_ROOM = 10
"""Chains run beyond twice the budget at most: room to shrink a failing chain."""

MAX_STARTS = 2
"""Portfolios (offers) a chain creates at most, so that its steps go deep rather than wide."""


@dataclass(frozen=True, slots=True)
class PortfolioRef:
    participant: Participant
    market: str
    name: str


@dataclass(frozen=True, slots=True)
class OfferRef:
    owner: Participant
    request_id: str
    targets: tuple[tuple[str, float], ...]


class ChainStats:
    """How far chains got: answers per operation and status (a test reads it)."""

    def __init__(self) -> None:
        self.answers: Counter[tuple[str, int | None]] = Counter()

    def reached(self, operation: str, status: int = 200) -> int:
        return self.answers[(operation, status)]


# ------------------------------------------------------------------ shared


class _Chain(RuleBasedStateMachine):
    """A chain: every step a schemathesis case, sent, judged, remembered as evidence."""

    run: FuzzRun
    service: str
    deadline: float | None
    stats: ChainStats
    names: itertools.count
    machines: int = 0
    max_machines: int = 0

    def __init__(self) -> None:
        type(self).machines += 1
        if type(self).machines > self.max_machines:
            raise OutOfTime  # bounded: chains hypothesis discards (too much data) are not retried
        super().__init__()
        self.records: list[RecordedExchange] = []
        self.starts = 0
        """How many portfolios (offers) this chain began: the rest of its steps go deeper."""

    def op(self, operation_id: str) -> FuzzOperation:
        return self.run.operations[f"{self.service}.{operation_id}"]

    def draw_case(self, data: st.DataObject, operation_id: str, **fixed: Any):
        """schemathesis' positive case for the operation, with ``fixed`` query or body."""
        fop = self.op(operation_id)
        strategy = (
            fop.api.as_strategy(generation_mode=GenerationMode.POSITIVE, **fixed)
            if fixed
            else fop.strategy(GenerationMode.POSITIVE)
        )
        return data.draw(strategy, label=operation_id)

    def send(self, participant: Participant, operation_id: str, case) -> Any:
        out_of_time(self.deadline)
        fop = self.op(operation_id)
        exchange = wire.send(
            self.run.client,
            participant,
            fop.operation,
            case,
            "stateful",
            st_context=fop.checks,
        )
        self.stats.answers[(fop.name, exchange.status)] += 1
        failing = self.run.findings.judge(exchange, tuple(self.records))
        self.records.append(exchange.record)
        if failing:
            first = failing[0]
            raise found(first.check.id)(f"{first.check.id}: {first.message}")
        return exchange

    def writers(self, operation_id: str) -> list[Participant]:
        roles = self.op(operation_id).operation.roles
        return [p for p in self.run.config.participants if p.role in roles]


def _bounded(value: Any, low: float, high: float, *, places: int = 2) -> float:
    """A generated number brought into [low, high] (its magnitude kept where it fits)."""
    number = float(value) if isinstance(value, (int, float)) else low
    if number != number or number in (float("inf"), float("-inf")):
        number = low
    span = high - low
    if not low <= number <= high:
        number = low + (abs(number) % span if span else 0)
    return round(min(max(number, low), high), places)


def _details(exchange: Any) -> list[dict[str, Any]]:
    body = exchange.json()
    details = body.get("errorDetails") if isinstance(body, dict) else None
    return [d for d in details or () if isinstance(d, dict)]


def _pattern_ok(schema: dict, value: str) -> bool:
    pattern = schema.get("pattern")
    return pattern is None or re.search(pattern, value) is not None


# ------------------------------------------------------------------ portfolio


def _portfolio_market(run: FuzzRun, fop: FuzzOperation) -> str | None:
    schema = resolve(fop.operation.spec.document, body_schema(fop.operation).get("properties", {}))
    market_schema = resolve(fop.operation.spec.document, schema.get("marketName") or {})
    for market in run.state.open_markets:
        if _pattern_ok(market_schema, market):
            return market
    return None


def _curve(segments: list[Any], *, buying: bool, max_mw: float | None) -> list[dict[str, float]]:
    """Generated segments as a monotone curve: MW rising, price falling (buy) or rising (sell).

    ``max_mw`` None keeps the generated magnitudes (schema-valid, however extreme); otherwise
    MW and prices are brought into ranges a participant's credit covers.
    """
    rows = [s for s in segments if isinstance(s, dict)]
    if max_mw is None:
        mws = sorted({float(s["mw"]) for s in rows if _number(s.get("mw")) and s["mw"] > 0})
        prices = sorted(
            (float(s["price"]) for s in rows if _number(s.get("price"))), reverse=buying
        )
    else:
        mws = sorted({_bounded(s.get("mw"), 0.1, max_mw, places=1) for s in rows})
        prices = sorted((_bounded(s.get("price"), -200.0, 500.0) for s in rows), reverse=buying)
    return [{"mw": mw, "price": price} for mw, price in zip(mws, prices, strict=False)] or [
        {"mw": 1.0, "price": 1.0}
    ]


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


EXTREME_ONE_IN = 4
"""One portfolio in this many keeps the generated bid magnitudes (however large or small)."""

READS = ("getPortfolioStatus", "getPortfolio", "getPortfolioRequiredCredit", "getPortfolioList")
"""The portfolio reads a chain makes between its steps."""


class PortfolioChain(_Chain):
    """create → submit → status → retract → delete (or submit again), on the open auction market.

    Portfolios move between bundles as their status does (created, submitted,
    retracted), so that each step meets a portfolio in the status it acts on:
    the chain reaches the deep states instead of bouncing off AUC0005/AUC0037,
    and the reads go to portfolios that exist.
    """

    market: str | None
    created = Bundle("created")
    submitted = Bundle("submitted")
    retracted = Bundle("retracted")

    def _learn_unusable(self, exchange: Any, locations: list[str]) -> None:
        """Locations a POR0010 refusal names (islanded or retired here) are not drawn again."""
        codes = {d.get("errorCode") for d in _details(exchange)}
        if "POR0010" not in codes or self.market is None:
            return
        text = " ".join(str(d.get("errorDescription")) for d in _details(exchange))
        found = {name for name in locations if name in text}
        self.run.state.unusable.setdefault(self.market, set()).update(found)

    def _body(self, ref: PortfolioRef) -> dict[str, str]:
        return {
            "participantName": ref.participant.name,
            "marketName": ref.market,
            "portfolioName": ref.name,
        }

    @precondition(lambda self: self.starts < MAX_STARTS or not self.bundle("created"))
    @rule(target=created, data=st.data())
    def create(self, data: st.DataObject):
        self.starts += 1
        writers = self.writers("portfolioCreation")
        if not writers or self.market is None:
            return multiple()
        participant = data.draw(st.sampled_from(writers), label="caller")
        case = self.draw_case(data, "portfolioCreation")
        body = copy.deepcopy(case.body) if isinstance(case.body, dict) else {}
        body["participantName"] = participant.name
        body["marketName"] = self.market
        name = re.sub(r"[^A-Za-z0-9_-]", "", str(body.get("portfolioName") or "P"))[:40] or "P"
        body["portfolioName"] = f"{name}-{next(self.names)}"
        state = self.run.state
        unusable = state.unusable.get(self.market, set())
        sources = [s for s in state.sources.get(self.market, []) if s not in unusable] or ["SOURCE"]
        sinks = [s for s in state.sinks.get(self.market, []) if s not in unusable] or ["SINK"]
        times = state.market_times_of_use.get(self.market) or ["ON", "OFF"]
        generated = [b for b in (body.get("bids") or []) if isinstance(b, dict)][:3]
        if not generated:  # the spec's example bids, so that the chain can go on
            _params, example = example_request(self.op("portfolioCreation").operation, "X")
            generated = [b for b in (example or {}).get("bids") or [] if isinstance(b, dict)][:3]
        extreme = data.draw(st.integers(0, EXTREME_ONE_IN - 1), label="magnitudes") == 0
        max_mw = None if extreme else 50.0
        bids = []
        for bid in generated:
            if not isinstance(bid, dict):
                continue
            source = data.draw(st.sampled_from(sources), label="source")
            sink = data.draw(
                st.sampled_from([s for s in sinks if s != source] or sinks), label="sink"
            )
            bid.update(source=source, sink=sink)
            if bid.get("timeOfUse") not in times:
                bid["timeOfUse"] = times[0]
            bid["segments"] = _curve(bid.get("segments") or [], buying=True, max_mw=max_mw)
            bids.append(bid)
        offers = []
        held = state.holdings.get(participant.name) or []
        for offer in (body.get("offers") or [])[:1]:
            if not held or not isinstance(offer, dict):
                break
            crr = data.draw(st.sampled_from(held), label="crr offered")
            offer.update(crrId=crr.get("crrId"), timeOfUse=crr.get("timeOfUse", times[0]))
            offer.pop("source", None)
            offer.pop("sink", None)
            top = max(0.1, float(crr.get("mw") or 1.0))
            offer["segments"] = _curve(offer.get("segments") or [], buying=False, max_mw=top)
            offers.append(offer)
        body["bids"] = bids
        if offers:
            body["offers"] = offers
        else:
            body.pop("offers", None)
        case.body = body
        exchange = self.send(participant, "portfolioCreation", case)
        if exchange.status != 200:
            self._learn_unusable(exchange, [*sources, *sinks])
            return multiple()
        return PortfolioRef(participant, self.market, body["portfolioName"])

    def _step(self, data: st.DataObject, ref: PortfolioRef, operation_id: str):
        fop = self.op(operation_id)
        if fop.operation.takes_body:
            case = self.draw_case(data, operation_id, body=self._body(ref))
        else:
            names = {p["name"] for p in query_parameters(fop.operation)}
            query = {k: v for k, v in self._body(ref).items() if k in names}
            case = self.draw_case(data, operation_id, query=query)
        return self.send(ref.participant, operation_id, case)

    @rule(target=submitted, ref=consumes(created), data=st.data())
    def submit(self, ref: PortfolioRef, data: st.DataObject):
        exchange = self._step(data, ref, "portfolioSubmission")
        return ref if exchange.status == 200 else multiple()

    @rule(target=retracted, ref=consumes(submitted), data=st.data())
    def retract(self, ref: PortfolioRef, data: st.DataObject):
        exchange = self._step(data, ref, "postPortfolioRetraction")
        return ref if exchange.status == 200 else multiple()

    @rule(target=submitted, ref=consumes(retracted), data=st.data())
    def resubmit(self, ref: PortfolioRef, data: st.DataObject):
        return self.submit(ref, data)

    @rule(ref=consumes(retracted), data=st.data())
    def delete(self, ref: PortfolioRef, data: st.DataObject) -> None:
        self._step(data, ref, "deletePortfolio")

    @rule(ref=created, data=st.data())
    def read(self, ref: PortfolioRef, data: st.DataObject) -> None:
        """One of the reads of a portfolio (one rule, so that reads do not crowd out steps)."""
        operation_id = data.draw(st.sampled_from(READS), label="read")
        self._step(data, ref, operation_id)

    @rule(ref=submitted, data=st.data())
    def read_submitted(self, ref: PortfolioRef, data: st.DataObject) -> None:
        """A read of a submitted portfolio."""
        self.read(ref, data)


# ------------------------------------------------------------------ offer


def _term(crr: dict[str, Any]) -> tuple[str, str] | None:
    start, end = crr.get("startDate"), crr.get("endDate")
    if not isinstance(start, str) or not isinstance(end, str):
        return None
    return start, end


class OfferChain(_Chain):
    """holdings → offer → read → respond (ACCEPT transfers) or withdraw → holdings."""

    offers = Bundle("offers")

    def holdings(self, participant: Participant, data: st.DataObject) -> list[dict[str, Any]]:
        case = self.draw_case(data, "getCrrHoldings", query={"participantName": participant.name})
        exchange = self.send(participant, "getCrrHoldings", case)
        body = exchange.json() if exchange.status == 200 else None
        return [h for h in body if isinstance(h, dict)] if isinstance(body, list) else []

    @precondition(lambda self: self.starts < MAX_STARTS or not self.bundle("offers"))
    @rule(target=offers, data=st.data())
    def offer(self, data: st.DataObject):
        self.starts += 1
        writers = self.writers("submitOffer")
        owners = [p for p in writers if self.run.state.holdings.get(p.name)] or writers
        if not owners:
            return multiple()
        owner = data.draw(st.sampled_from(owners), label="owner")
        held = [h for h in self.holdings(owner, data) if _term(h) and h.get("mw")]
        others = sorted({p.name for p in writers if p.name != owner.name})
        if not held or not others:
            return multiple()
        crr = data.draw(st.sampled_from(held), label="crr")
        case = self.draw_case(data, "submitOffer")
        body = copy.deepcopy(case.body) if isinstance(case.body, dict) else {}
        start, end = _term(crr)  # type: ignore[misc]
        body.update(
            participantName=owner.name,
            crrId=crr["crrId"],
            startDate=start,
            endDate=end,
            timeOfUse=crr.get("timeOfUse", body.get("timeOfUse")),
            mw=_bounded(body.get("mw"), 0.1, min(2.0, float(crr["mw"])), places=1),
        )
        targets = []
        for target, entry in zip(others, body.get("targetRespondingMps") or [], strict=False):
            price = _bounded(entry.get("price") if isinstance(entry, dict) else None, 0.0, 50.0)
            targets.append({"participantName": target, "price": price})
        body["targetRespondingMps"] = targets or [{"participantName": others[0], "price": 1.0}]
        case.body = body
        exchange = self.send(owner, "submitOffer", case)
        answer = exchange.json() if exchange.status == 200 else None
        request_id = answer.get("requestId") if isinstance(answer, dict) else None
        if not isinstance(request_id, str):
            return multiple()
        return OfferRef(
            owner,
            request_id,
            tuple((t["participantName"], t["price"]) for t in body["targetRespondingMps"]),
        )

    def _participant(self, name: str, operation_id: str) -> Participant | None:
        return next((p for p in self.writers(operation_id) if p.name == name), None)

    @rule(ref=offers, data=st.data())
    def read(self, ref: OfferRef, data: st.DataObject) -> None:
        query = {"participantName": ref.owner.name, "requestId": ref.request_id}
        for operation_id in ("getOffer", "getResponse"):
            self.send(ref.owner, operation_id, self.draw_case(data, operation_id, query=query))

    @rule(ref=consumes(offers), data=st.data())
    def respond(self, ref: OfferRef, data: st.DataObject) -> None:
        target_name, price = data.draw(st.sampled_from(ref.targets), label="target")
        target = self._participant(target_name, "submitResponse")
        if target is None:
            return
        case = self.draw_case(data, "submitResponse")
        body = copy.deepcopy(case.body) if isinstance(case.body, dict) else {}
        body.update(participantName=target.name, requestId=ref.request_id, price=price)
        case.body = body
        exchange = self.send(target, "submitResponse", case)
        if exchange.status == 200 and body.get("action") == "ACCEPT":
            self.holdings(target, data)

    @rule(ref=consumes(offers), data=st.data())
    def withdraw(self, ref: OfferRef, data: st.DataObject) -> None:
        case = self.draw_case(
            data,
            "withdrawOffer",
            body={"participantName": ref.owner.name, "requestId": ref.request_id},
        )
        self.send(ref.owner, "withdrawOffer", case)


# ------------------------------------------------------------------ running

CHAINS: dict[str, tuple[str, type[_Chain], tuple[str, ...]]] = {
    "portfolio": (
        "auction",
        PortfolioChain,
        (
            "portfolioCreation",
            "portfolioSubmission",
            "getPortfolioStatus",
            "getPortfolio",
            "getPortfolioRequiredCredit",
            "postPortfolioRetraction",
            "deletePortfolio",
        ),
    ),
    "offer": (
        "secondary_market",
        OfferChain,
        (
            "getCrrHoldings",
            "submitOffer",
            "getOffer",
            "getResponse",
            "submitResponse",
            "withdrawOffer",
        ),
    ),
}
"""Chain name → (service, machine, the operations it needs)."""


def available_chains(run: FuzzRun) -> list[str]:
    """The chains whose operations the target declares."""
    return [
        name
        for name, (service, _machine, needed) in CHAINS.items()
        if all(f"{service}.{op}" in run.operations for op in needed)
    ]


def chain_blocker(run: FuzzRun, name: str, unmet: Callable[[str], str]) -> str | None:
    """Why chain ``name`` cannot start on the target as it is now (None: it can).

    The portfolio chain needs an open auction market whose name the spec
    accepts; the offer chain needs a participant allowed to offer that holds
    a CRR. ``unmet`` says why no window of a kind is open (``TargetState.unmet``).
    """
    service, _machine, _needed = CHAINS[name]
    if name == "portfolio":
        if _portfolio_market(run, run.operations[f"{service}.portfolioCreation"]) is None:
            return unmet("AUCTION_MARKET")
        return None
    if name == "offer":
        writers = [
            p.name
            for p in run.client.config.participants
            if p.role in run.operations[f"{service}.submitOffer"].operation.roles
        ]
        if not any(run.state.holdings.get(w) for w in writers):
            return "no participant allowed to submit offers holds a CRR (getCrrHoldings)"
    return None


def run_chains(
    run: FuzzRun,
    name: str,
    deadline: float | None,
    stats: ChainStats,
) -> None:
    """Run ``FuzzOptions.chains`` chains of machine ``name`` (each at most ``STEPS`` steps)."""
    service, machine, _needed = CHAINS[name]
    attributes: dict[str, Any] = {
        "run": run,
        "service": service,
        "deadline": deadline,
        "stats": stats,
        "names": itertools.count(1),
        "machines": 0,
        "max_machines": run.options.chains * 2 + SHRINK_ROOM,
    }
    if machine is PortfolioChain:
        attributes["market"] = _portfolio_market(
            run, run.operations[f"{service}.portfolioCreation"]
        )
    bound = type(f"{machine.__name__}Run", (machine,), attributes)
    bound._hypothesis_internal_use_seed = derive_seed(run.seed, "stateful", name)  # type: ignore[attr-defined]
    swallow_findings(
        lambda: run_state_machine_as_test(
            bound, settings=fuzz_settings(run.options.chains, stateful_steps=STEPS)
        )
    )
