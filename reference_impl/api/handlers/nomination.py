"""Nomination: allocation portfolios of nominations, their life cycle and market status."""

from __future__ import annotations

from reference_impl.api.call import PORTFOLIO, Handler, forward
from reference_impl.engine.system import CRRSystem

HANDLERS: dict[str, Handler] = {
    "getPortfolio": forward(CRRSystem.get_nomination_portfolio, "query", *PORTFOLIO),
    "getPortfolioList": forward(
        CRRSystem.list_nomination_portfolios, "query", "participantName", optional=("marketName",)
    ),
    "getPortfolioStatus": forward(CRRSystem.get_nomination_portfolio_status, "query", *PORTFOLIO),
    "getStatus": forward(CRRSystem.market_status, "query", "marketName", market_type="ALLOCATION"),
    "portfolioCreation": forward(
        CRRSystem.create_nomination_portfolio, "body", *PORTFOLIO, "nominations"
    ),
    "portfolioSubmission": forward(CRRSystem.submit_nomination_portfolio, "body", *PORTFOLIO),
    "postPortfolioRetraction": forward(CRRSystem.retract_nomination_portfolio, "body", *PORTFOLIO),
    "deletePortfolio": forward(CRRSystem.delete_nomination_portfolio, "body", *PORTFOLIO),
}
