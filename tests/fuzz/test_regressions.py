"""Defects the fuzzer found in the reference implementation, each kept as the request that showed it.

1. A bid curve whose MW x price overflows a double (schema-valid: ``mw`` is any
   number above zero, ``price`` any number) made the portfolio's required
   credit ``inf``; JSON cannot carry it, so getPortfolioRequiredCredit and
   every later getPortfolioList of the participant answered 500 SER0029
   (FUZ-001, found by the stateful portfolio chain). The credit is now stated
   as the largest finite amount, with the AUC0001 explanation, and submission
   is refused with AUC0001 as for any credit shortfall.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest

from crr_contract.error_catalog import ErrorCatalog
from crr_contract.operations import Operation, load_specs
from harness.checks import CheckContext, run_checks
from harness.client import Exchange, TargetClient
from harness.results import Status
from harness.target.config import TargetConfig
from harness.target.embedded import embedded_target


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TargetConfig]:
    with embedded_target(tmp_path_factory.mktemp("regressions")) as config:
        yield config


def _operations(config: TargetConfig) -> dict[str, Operation]:
    return {op.name: op for spec in load_specs(config.spec_files()) for op in spec.operations()}


def _judged(config: TargetConfig, exchange: Exchange) -> list[str]:
    context = CheckContext(
        config,
        ErrorCatalog.load(config.specs_dir / "errors" / "catalog.yaml"),
        config.specs_dir / "schemas",
    )
    return [
        f"{o.check.id}: {o.message}"
        for o in run_checks(exchange, context)
        if o.status is not Status.PASS
    ]


@pytest.mark.parametrize(
    ("mw", "price"), [(1e308, 1e308), (1.7976931348623157e308, 1.0), (1e200, 1e200)]
)
def test_an_overflowing_bid_curve_is_stated_not_crashed_on(
    target: TargetConfig, mw: float, price: float
) -> None:
    ops = _operations(target)
    name = f"OVERFLOW-{abs(hash((mw, price))) % 10_000}"
    reference = {
        "participantName": "ALPHA_LSE",
        "marketName": "AUC_MN_2025_M10",
        "portfolioName": name,
    }
    with TargetClient(target) as client:
        assert target.operator is not None
        client.call(
            target.operator, ops["simcontrol.openWindow"], body={"windowName": "AUC_MN_2025_M10"}
        )
        body = {
            **reference,
            "bids": [
                {
                    "source": "TH_NP15_GEN-APND",
                    "sink": "DLAP_PGAE-APND",
                    "timeOfUse": "ON",
                    "segments": [{"mw": mw, "price": price}],
                }
            ],
        }
        created = client.call("alpha_lse-rw", ops["auction.portfolioCreation"], body=body)
        assert created.status == 200, created.json()
        credit = client.call(
            "alpha_lse-rw", ops["auction.getPortfolioRequiredCredit"], params=reference
        )
        listed = client.call(
            "alpha_lse-rw", ops["auction.getPortfolioList"], params={"participantName": "ALPHA_LSE"}
        )
        submitted = client.call("alpha_lse-rw", ops["auction.portfolioSubmission"], body=reference)
    for exchange in (credit, listed, submitted):
        assert _judged(target, exchange) == []
    assert credit.status == 200 and listed.status == 200
    answer = credit.json()
    assert answer["requiredCredit"] == sys.float_info.max
    assert "AUC0001" in answer["errorMessage"]
    assert submitted.status == 400
    assert [d["errorCode"] for d in submitted.json()["errorDetails"]] == ["AUC0001"]
    mine = next(p for p in listed.json() if p["portfolioName"] == name)
    assert mine["requiredCredit"] == sys.float_info.max


def test_credit_amounts_are_finite_json_numbers() -> None:
    from reference_impl.engine.portfolios import LARGEST_AMOUNT, credit_amount

    assert credit_amount(float("inf")) == LARGEST_AMOUNT
    assert credit_amount(12.345) == 12.35
