"""Auction: portfolios of bids and sell offers, their life cycle, credit and market status."""

from __future__ import annotations

from reference_impl.api.call import PORTFOLIO, Handler, forward
from reference_impl.engine.system import CRRSystem

HANDLERS: dict[str, Handler] = {
    "getPortfolio": forward(CRRSystem.get_auction_portfolio, "query", *PORTFOLIO),
    "getPortfolioList": forward(
        CRRSystem.list_auction_portfolios, "query", "participantName", optional=("marketName",)
    ),
    "getPortfolioRequiredCredit": forward(
        CRRSystem.get_portfolio_required_credit, "query", *PORTFOLIO
    ),
    "getPortfolioStatus": forward(CRRSystem.get_auction_portfolio_status, "query", *PORTFOLIO),
    "getStatus": forward(CRRSystem.market_status, "query", "marketName", market_type="AUCTION"),
    "portfolioCreation": forward(
        CRRSystem.create_auction_portfolio, "body", *PORTFOLIO, optional=("bids", "offers")
    ),
    "portfolioSubmission": forward(CRRSystem.submit_auction_portfolio, "body", *PORTFOLIO),
    "postPortfolioRetraction": forward(CRRSystem.retract_auction_portfolio, "body", *PORTFOLIO),
    "deletePortfolio": forward(CRRSystem.delete_auction_portfolio, "body", *PORTFOLIO),
}
