"""PortfolioBook's per-participant index lists exactly what a scan of every portfolio would."""

from __future__ import annotations

import random
from dataclasses import dataclass

from reference_impl.engine.portfolio_lifecycle import PortfolioBook


@dataclass
class Kept:
    """The three fields a book keys a portfolio by."""

    participant: str
    market_name: str
    name: str


def scanned(book: PortfolioBook, participant: str, market: str | None) -> list[Kept]:
    return [
        p
        for p in book
        if p.participant == participant and (market is None or p.market_name == market)
    ]


def test_listing_by_participant_matches_a_scan_through_adds_and_removes() -> None:
    rng = random.Random(7)
    book: PortfolioBook = PortfolioBook("auction")
    kept: list[Kept] = []
    participants = ["ALPHA", "BRAVO", "CHARLIE"]
    markets = ["M_2025_10", "M_2025_11", "Q_2025_4"]
    for step in range(600):
        if kept and rng.random() < 0.3:
            book.remove(kept.pop(rng.randrange(len(kept))))
        else:
            portfolio = Kept(rng.choice(participants), rng.choice(markets), f"P{step:04d}")
            book.add(portfolio)
            kept.append(portfolio)
        if step % 50 == 0:
            for participant in [*participants, "NOBODY"]:
                for market in [None, *markets, "NO_MARKET"]:
                    listed = book.of_participant(participant, market)
                    assert listed == scanned(book, participant, market)
    assert sum(len(book.of_participant(p)) for p in participants) == len(kept)


def test_a_listing_is_ordered_by_market_then_name() -> None:
    book: PortfolioBook = PortfolioBook("auction")
    for market, name in [("M2", "A"), ("M1", "B"), ("M1", "A"), ("M2", "0")]:
        book.add(Kept("ALPHA", market, name))
    book.add(Kept("BRAVO", "M1", "AA"))
    listed = [(p.market_name, p.name) for p in book.of_participant("ALPHA")]
    assert listed == [("M1", "A"), ("M1", "B"), ("M2", "0"), ("M2", "A")]
