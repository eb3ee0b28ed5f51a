"""Deliberately broken variants of the reference implementation, one realistic defect each.

Every mutant names the check that must catch it: the self-test runs
``certify`` against the mutant and expects verdict FAIL with that check
among the failures. A mutant nobody catches is a hole in the harness.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.mutants.rewrite import Answer, replace_code, rewrite_answers


@dataclass(frozen=True)
class Mutant:
    name: str
    defect: str
    caught_by: str
    """The check ID that must FAIL against this mutant."""
    wrap: Callable[[Any], Any]
    suites: tuple[str, ...] = ("connectivity",)


def _undocumented_status(answer: Answer) -> None:
    if answer.status == 400:
        answer.status = 422


def _drop_market_status(answer: Answer) -> None:
    if answer.status == 200:
        body = answer.json()
        for market in body:
            market.pop("status", None)
        answer.set_json(body)


def _accept_refusals(answer: Answer) -> None:
    """Whatever the reference would refuse for a business or access reason, accept."""
    if answer.status in (400, 403, 404) and answer.body.startswith(b"{"):
        answer.status = 200
        answer.set_json({})


def _raise_clearing_prices(answer: Answer) -> None:
    if answer.status == 200 and b"ClearingPrices" in answer.body:
        body = answer.json()
        for row in body["data"]["ClearingPrices"]:
            row["ClearingPrice"] = round(row["ClearingPrice"] * 1.1 + 0.5, 2)
        answer.set_json(body)


MUTANTS: tuple[Mutant, ...] = (
    Mutant(
        "undocumented-status",
        "market_info getMarket answers a bad request (unknown market) with HTTP 422, which the "
        "spec does not document",
        "RSP-001",
        rewrite_answers("/marketInfo/v1.0/market", _undocumented_status),
    ),
    Mutant(
        "wrong-error-code",
        "auction operations answer an unknown market with SMT0016 (a secondary-market code) "
        "instead of MKT0001",
        "ERR-003",
        rewrite_answers("/auction/v1.0/portfolio", replace_code("MKT0001", "SMT0016")),
    ),
    Mutant(
        "retired-error-code",
        "nomination refuses a forbidden role with ATH0002, retired since nomination 1.1.0 "
        "(replaced by SEC0001)",
        "ERR-004",
        rewrite_answers("/nomination/v1.0/portfolioList", replace_code("SEC0001", "ATH0002")),
    ),
    Mutant(
        "missing-required-property",
        "getActiveAuctionMarkets leaves out each market's required status",
        "RSP-003",
        rewrite_answers("/activeAuctionMarkets", _drop_market_status),
    ),
)

SCENARIO_MUTANTS: tuple[Mutant, ...] = (
    Mutant(
        "accepts-refusals",
        "every request the reference refuses (window closed, 21 segments, credit short, unknown "
        "names, wrong role, another participant's name, ...) is answered 200 instead",
        "SCN-001",
        rewrite_answers("", _accept_refusals),
        suites=("scenarios",),
    ),
    Mutant(
        "wrong-clearing-price",
        "public auction results carry clearing prices 10% (+$0.50) above the cleared ones",
        "OUT-001",
        rewrite_answers("/marketData/v1.0/publicDownload", _raise_clearing_prices),
        suites=("scenarios",),
    ),
)

BY_NAME = {mutant.name: mutant for mutant in (*MUTANTS, *SCENARIO_MUTANTS)}
