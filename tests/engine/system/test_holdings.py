"""The CRR inventory: splitting on transfer, lineages, and held MW over a term."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from reference_impl.engine.errors import DomainError
from reference_impl.engine.holdings import CRR, Holdings, MarketTerm
from reference_impl.engine.identifiers import IdCounters

JAN = datetime(2026, 1, 1, 8, tzinfo=UTC)
APR = datetime(2026, 4, 1, 7, tzinfo=UTC)
JUL = datetime(2026, 7, 1, 7, tzinfo=UTC)
OCT = datetime(2026, 10, 1, 7, tzinfo=UTC)
NEXT = datetime(2027, 1, 1, 8, tzinfo=UTC)


@pytest.fixture
def book() -> Holdings:
    holdings = Holdings(IdCounters())
    holdings.add(
        CRR("A", "SELLER", "S", "K", 50.0, "ON", JAN, NEXT, "AUC_AN_2026", MarketTerm.SEASONAL)
    )
    return holdings


def test_taking_part_of_the_term_splits_the_crr(book):
    book.take("SELLER", "A", 20.0, APR, JUL)
    pieces = sorted((c.start, c.end, c.mw) for c in book.owned_by("SELLER"))
    assert pieces == [(JAN, APR, 50.0), (APR, JUL, 30.0), (JUL, NEXT, 50.0)]
    assert {c.origin_id for c in book.owned_by("SELLER")} == {"A"}


def test_the_original_id_still_names_the_lineage(book):
    book.take("SELLER", "A", 50.0, JAN, APR)
    assert book.get("A") is not None and book.get("A").start == APR
    book.take("SELLER", "A", 50.0, APR, JUL)
    assert book.held_mw("SELLER", "A", JUL, NEXT) == 50.0
    assert book.held_mw("SELLER", "A", JAN, NEXT) == 0.0
    assert book.peak_mw("SELLER", "A", JAN, NEXT) == 50.0


def test_taking_more_than_held_is_refused(book):
    with pytest.raises(DomainError) as caught:
        book.take("SELLER", "A", 50.5, APR, OCT)
    assert caught.value.code == "SMT0003"
    assert book.held_mw("SELLER", "A", JAN, NEXT) == 50.0


def test_another_owner_holds_nothing_of_the_crr(book):
    assert book.held_mw("BUYER", "A", JAN, NEXT) == 0.0
    assert book.lineage("BUYER", "A") == []


def test_engine_ids_continue_after_loaded_numeric_ids():
    holdings = Holdings(IdCounters())
    holdings.add(CRR("10000042", "X", "S", "K", 1, "ON", JAN, NEXT, "M", "SYSTEM"))
    made = holdings.create(
        owner="X",
        source="S",
        sink="K",
        mw=1,
        time_of_use="OFF",
        start=JAN,
        end=NEXT,
        market_name="SYSTEM",
        market_term=MarketTerm.SYSTEM,
    )
    assert made.crr_id == "10000043"


def test_a_crr_needs_positive_mw_and_distinct_ends():
    with pytest.raises(DomainError):
        CRR("B", "X", "S", "S", 1, "ON", JAN, NEXT, "M", "SYSTEM")
    with pytest.raises(DomainError):
        CRR("B", "X", "S", "K", 0, "ON", JAN, NEXT, "M", "SYSTEM")
