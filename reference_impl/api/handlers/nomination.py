"""Nomination: allocation portfolios of nominations, their life cycle and market status."""

from __future__ import annotations

from reference_impl.api.call import Call, Handler, portfolio_reference
from reference_impl.engine.system import CRRSystem


def get_portfolio(call: Call) -> dict:
    """The participant's own nomination portfolio."""
    return call.run(CRRSystem.get_nomination_portfolio, **portfolio_reference(call.query))


def get_portfolio_list(call: Call) -> list[dict]:
    """The participant's nomination portfolios, optionally of one market."""
    return call.run(
        CRRSystem.list_nomination_portfolios,
        participant_name=call.query["participantName"],
        market_name=call.query.get("marketName"),
    )


def get_portfolio_status(call: Call) -> dict:
    """Status of the participant's nomination portfolio."""
    return call.run(CRRSystem.get_nomination_portfolio_status, **portfolio_reference(call.query))


def get_status(call: Call) -> dict:
    """Status of an allocation market."""
    return call.run(
        CRRSystem.market_status, market_name=call.query["marketName"], market_type="ALLOCATION"
    )


def portfolio_creation(call: Call) -> dict:
    """Create a nomination portfolio."""
    return call.run(
        CRRSystem.create_nomination_portfolio,
        **portfolio_reference(call.body),
        nominations=call.body["nominations"],
    )


def portfolio_submission(call: Call) -> dict:
    """Submit a nomination portfolio (caps checked)."""
    return call.run(CRRSystem.submit_nomination_portfolio, **portfolio_reference(call.body))


def portfolio_retraction(call: Call) -> dict:
    """Retract a submitted nomination portfolio."""
    return call.run(CRRSystem.retract_nomination_portfolio, **portfolio_reference(call.body))


def delete_portfolio(call: Call) -> dict:
    """Delete a nomination portfolio that is not submitted."""
    return call.run(CRRSystem.delete_nomination_portfolio, **portfolio_reference(call.body))


HANDLERS: dict[str, Handler] = {
    "getPortfolio": get_portfolio,
    "getPortfolioList": get_portfolio_list,
    "getPortfolioStatus": get_portfolio_status,
    "getStatus": get_status,
    "portfolioCreation": portfolio_creation,
    "portfolioSubmission": portfolio_submission,
    "postPortfolioRetraction": portfolio_retraction,
    "deletePortfolio": delete_portfolio,
}
