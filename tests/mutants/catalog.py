"""Deliberately broken variants of the reference implementation, one realistic defect each.

Every mutant names the check that must catch it: the self-test runs
``certify`` against the mutant and expects verdict FAIL with that check
among the failures. A mutant nobody catches is a hole in the harness.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from harness.target.config import TargetConfig
from tests.fuzz import broken as fuzz_broken
from tests.mutants.rewrite import Answer, replace_code, rewrite_answers
from tests.reliability import broken as reliability_broken
from tests.security_suite import broken as security_broken


@dataclass(frozen=True)
class Mutant:
    name: str
    defect: str
    caught_by: str
    """The check ID that must FAIL against this mutant."""
    wrap: Callable[[Any], Any]
    suites: tuple[str, ...] = ("connectivity",)
    target: Callable[..., AbstractContextManager[TargetConfig]] | None = None
    """For a defect no ASGI layer can make (a TLS setting, the server process itself): a
    context manager ``target(workdir)`` that runs the mutant and yields its target config;
    None: the embedded reference with ``wrap``."""


def _unchanged(app: Any) -> Any:
    return app


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


def _unknown_resource_as_bad_request(answer: Answer) -> None:
    """A resource not found is answered as a bad request: 400 SER0002 instead of 404 SER0028."""
    if answer.status == 404:
        answer.status = 400
        replace_code("SER0028", "SER0002")(answer)


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
    Mutant(
        "role-unchecked-on-deletion",
        "auction deletePortfolio skips the role check: read-only and NDA-reports users may "
        "delete portfolios",
        "SEC-001",
        security_broken.role_unchecked("/auction/v1.0/portfolioDeletion"),
        suites=("security",),
    ),
    Mutant(
        "sim-state-open-to-participants",
        "the operator API's getSimState skips its role check: any participant reads every "
        "window and the market clock",
        "SEC-001",
        security_broken.role_unchecked("/simcontrol/v1.0/state", security_broken.ROLE_OPERATOR),
        suites=("security",),
    ),
    Mutant(
        "other-participant-name-accepted",
        "nomination getPortfolioList skips the participant-name check: a caller reads the "
        "portfolio list of whichever participant it names",
        "SEC-003",
        security_broken.participant_unchecked("/nomination/v1.0/portfolioList"),
        suites=("security",),
    ),
    Mutant(
        "portfolio-list-leak",
        "auction getPortfolioList forgets its participant filter: every participant's "
        "portfolios come back (the rows name no owner, so only the planted records show it)",
        "PRV-002",
        security_broken.list_without_participant_filter("/auction/v1.0/portfolioList"),
        suites=("security",),
    ),
    Mutant(
        "revoked-certificate-accepted",
        "the server's TLS context was never given the CRL although the target declares "
        "revocation: a revoked certificate is served",
        "TLS-007",
        _unchanged,
        suites=("security",),
        target=security_broken.crl_less_target,
    ),
    Mutant(
        "tls-1.1-accepted",
        "the server's TLS context was opened up for old clients: TLS 1.0 and 1.1 handshakes "
        "complete",
        "TLS-008",
        _unchanged,
        suites=("security",),
        target=security_broken.legacy_tls_target,
    ),
    Mutant(
        "21-segments-accepted",
        "auction portfolioCreation checks the segment limit off by one and silently drops a "
        "21st segment instead of refusing the bid (POR0003)",
        "ROB-001",
        security_broken.segments_off_by_one(),
        suites=("security",),
    ),
    Mutant(
        "oversized-body-500",
        "a request body over 1 MiB exhausts the request buffer: HTTP 500 SER0029 instead of a "
        "400 with a catalog code",
        "ROB-001",
        security_broken.large_body_crashes(),
        suites=("security",),
    ),
    Mutant(
        "deep-nesting-wedges-server",
        "a body nested thousands deep overflows a parser stack and wedges the worker: every "
        "later request is answered 500 until a restart",
        "ROB-002",
        security_broken.deep_nesting_wedges(),
        suites=("security",),
    ),
    Mutant(
        "ser0002-for-missing-field",
        "auction getPortfolioStatus answers a missing required parameter with SER0002 (an "
        "invalid value) instead of SER0001",
        "ERR-006",
        rewrite_answers("/auction/v1.0/portfolioStatus", replace_code("SER0001", "SER0002")),
        suites=("security",),
    ),
    Mutant(
        "400-for-unknown-resource",
        "a resource the server does not have is answered 400 SER0002 instead of 404 SER0028, "
        "on every path",
        "ERR-006",
        rewrite_answers("", _unknown_resource_as_bad_request),
        suites=("security",),
    ),
    Mutant(
        "ser0002-for-malformed-json",
        "nomination portfolioCreation answers a body that is not JSON with SER0002 instead of "
        "GEN0003",
        "ERR-006",
        rewrite_answers("/nomination/v1.0/portfolioCreation", replace_code("GEN0003", "SER0002")),
        suites=("security",),
    ),
    Mutant(
        "por0005-for-por0006",
        "auction portfolioCreation answers a bid whose source is its sink with POR0005 (not a "
        "valid location) instead of POR0006 (source and sink must differ)",
        "ERR-006",
        rewrite_answers("/auction/v1.0/portfolioCreation", replace_code("POR0006", "POR0005")),
        suites=("security",),
    ),
    Mutant(
        "server-error-under-load",
        "a connection pool of 3: a request arriving while it is exhausted is answered 500",
        "REL-001",
        reliability_broken.errors_under_concurrency(),
        suites=("reliability",),
    ),
    Mutant(
        "acknowledged-write-dropped",
        "a write-behind cache acknowledges every portfolio creation but loses every 10th",
        "REL-002",
        reliability_broken.drops_every_nth_write(),
        suites=("reliability",),
    ),
    Mutant(
        "data-lost-on-restart",
        "the journal acknowledges before it commits (group commit every 0.5 s): portfolios "
        "acknowledged just before a SIGKILL are gone after the restart",
        "REL-003",
        _unchanged,
        suites=("reliability",),
        target=reliability_broken.lossy_restart_target,
    ),
    Mutant(
        "fuzz-500-on-malformed-input",
        "portfolioCreation crashes (HTTP 500 SER0029) on a body it cannot read or a field of "
        "the wrong type, instead of refusing it with GEN0003/SER0002",
        "FUZ-001",
        fuzz_broken.crashes_on_malformed_portfolio,
        suites=("fuzzing",),
    ),
    Mutant(
        "fuzz-undocumented-error-code",
        "submitOffer refuses an invalid value with SMT0999, a code in no catalog and not in its "
        "x-error-codes",
        "ERR-003",
        fuzz_broken.undocumented_code_on_bad_offer,
        suites=("fuzzing",),
    ),
    Mutant(
        "fuzz-2xx-on-negative-example",
        "getOfferList answers a request with a missing or invalid parameter with HTTP 200 and an "
        "empty list instead of refusing it",
        "FUZ-002",
        fuzz_broken.accepts_invalid_offer_filter,
        suites=("fuzzing",),
    ),
    Mutant(
        "fuzz-missing-required-property",
        "getPortfolioStatus leaves out the required statusTime: only a portfolio that exists "
        "(a stateful chain created it) shows it",
        "RSP-003",
        fuzz_broken.drops_status_time,
        suites=("fuzzing",),
    ),
)


def _late_submission_accepted(answer: Answer) -> None:
    """The window check is skipped: a submission after close is taken."""
    if answer.status == 400 and b"POR0012" in answer.body:
        answer.status = 200
        answer.set_json({"status": "CREATED"})


def _seller_keeps_transferred_mw(answer: Answer) -> None:
    """The buyer gets the CRR but the seller's holding is not reduced: MW created."""
    if answer.status == 200 and b"10000001" in answer.body and b"BRAVO_TRADING" in answer.body:
        holdings = answer.json()
        for holding in holdings:
            if holding.get("crrId") == "10000001":
                holding["mw"] = 40.0
        answer.set_json(holdings)


def _awarded_mw_plus_one(answer: Answer) -> None:
    if answer.status == 200 and b"AwardedBids" in answer.body:
        body = answer.json()
        for bid in body["data"]["AwardedBids"]:
            bid["AwardedMW"] = bid["AwardedMW"] + 1.0
        answer.set_json(body)


def _meq_cap_too_low(answer: Answer) -> None:
    if answer.status == 200 and b"MEQResults" in answer.body:
        body = answer.json()
        for row in body["data"]["MEQResults"]:
            for key, value in row.items():
                if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
                    row[key] = round(value * 0.9, 3)
        answer.set_json(body)


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
    Mutant(
        "window-not-enforced",
        "auction and nomination portfolios are taken after their window closed",
        "SCN-001",
        rewrite_answers("", _late_submission_accepted),
        suites=("scenarios",),
    ),
    Mutant(
        "transfer-creates-mw",
        "an accepted secondary-market offer gives the buyer the MW without taking them from "
        "the seller",
        "INV-001",
        rewrite_answers("/secondaryMarket/v1.0/crrHoldings", _seller_keeps_transferred_mw),
        suites=("scenarios",),
    ),
    Mutant(
        "wrong-awarded-mw",
        "private auction results report 1 MW more for every awarded bid than was cleared",
        "OUT-001",
        rewrite_answers("/marketData/v1.0/privateDownload", _awarded_mw_plus_one),
        suites=("scenarios",),
    ),
    Mutant(
        "meq-cap-too-low",
        "the monthly eligible quantities (MEQ) are posted 10% below what the load data gives",
        "OUT-001",
        rewrite_answers("/marketData/v1.0/privateDownload", _meq_cap_too_low),
        suites=("scenarios",),
    ),
)

BY_NAME = {mutant.name: mutant for mutant in (*MUTANTS, *SCENARIO_MUTANTS)}
