"""Auction: portfolios of bids and sell offers, their life cycle, credit and market status."""

from __future__ import annotations

from reference_impl.api.call import Call, Handler, portfolio_reference
from reference_impl.engine.system import CRRSystem


def get_portfolio(call: Call) -> dict:
    """The participant's own portfolio."""
    return call.run(CRRSystem.get_auction_portfolio, **portfolio_reference(call.query))


def get_portfolio_list(call: Call) -> list[dict]:
    """The participant's portfolios, optionally of one market."""
    return call.run(
        CRRSystem.list_auction_portfolios,
        participant_name=call.query["participantName"],
        market_name=call.query.get("marketName"),
    )


def get_portfolio_required_credit(call: Call) -> dict:
    """Required and available credit of the participant's portfolio."""
    return call.run(CRRSystem.get_portfolio_required_credit, **portfolio_reference(call.query))


def get_portfolio_status(call: Call) -> dict:
    """Status of the participant's portfolio."""
    return call.run(CRRSystem.get_auction_portfolio_status, **portfolio_reference(call.query))


def get_status(call: Call) -> dict:
    """Status of an auction market."""
    return call.run(
        CRRSystem.market_status, market_name=call.query["marketName"], market_type="AUCTION"
    )


def portfolio_creation(call: Call) -> dict:
    """Create a portfolio with its bids and sell offers."""
    return call.run(
        CRRSystem.create_auction_portfolio,
        **portfolio_reference(call.body),
        bids=call.body.get("bids"),
        offers=call.body.get("offers"),
    )


def portfolio_submission(call: Call) -> dict:
    """Submit a portfolio (credit checked)."""
    return call.run(CRRSystem.submit_auction_portfolio, **portfolio_reference(call.body))


def portfolio_retraction(call: Call) -> dict:
    """Retract a submitted portfolio."""
    return call.run(CRRSystem.retract_auction_portfolio, **portfolio_reference(call.body))


def delete_portfolio(call: Call) -> dict:
    """Delete a portfolio that is not submitted."""
    return call.run(CRRSystem.delete_auction_portfolio, **portfolio_reference(call.body))


HANDLERS: dict[str, Handler] = {
    "getPortfolio": get_portfolio,
    "getPortfolioList": get_portfolio_list,
    "getPortfolioRequiredCredit": get_portfolio_required_credit,
    "getPortfolioStatus": get_portfolio_status,
    "getStatus": get_status,
    "portfolioCreation": portfolio_creation,
    "portfolioSubmission": portfolio_submission,
    "postPortfolioRetraction": portfolio_retraction,
    "deletePortfolio": delete_portfolio,
}
