"""What auction and nomination portfolios share: names, statuses and the status rules.

A portfolio groups one participant's bids (auction) or nominations
(allocation) for one market under a name unique per participant and market
(POR0001). It is created complete, then submitted; a submitted portfolio can
be retracted and submitted again while the window is open; when the window
closes a SUBMITTED portfolio becomes CLOSED and takes part in the clearing.
There is no update: delete and create again.

Status rules (codes differ per service, so they are parameters):

- submit: only CREATED or RETRACTED (auction AUC0037, nomination NOM0128);
- retract: only SUBMITTED (auction AUC0005, nomination POR0013);
- delete: not SUBMITTED or CLOSED (POR0013);
- every change needs the market window OPEN (POR0012).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from reference_impl.engine.clock import format_utc
from reference_impl.engine.errors import DomainError, Finding
from reference_impl.engine.markets import Market, MarketBook, MarketType

if TYPE_CHECKING:
    from reference_impl.engine.identifiers import IdCounters
    from reference_impl.engine.participants import ParticipantBook

__all__ = [
    "PortfolioBase",
    "PortfolioBook",
    "PortfolioOperations",
    "PortfolioStatus",
    "check_portfolio_name",
    "check_record_count",
    "require_open_window",
    "require_status_for_delete",
    "require_status_for_retract",
    "require_status_for_submit",
]


_PORTFOLIO_NAME = re.compile(r"^[A-Za-z0-9_-]{1,50}$")


class PortfolioStatus(StrEnum):
    """Where a portfolio is in its lifecycle."""

    CREATED = "CREATED"
    SUBMITTED = "SUBMITTED"
    RETRACTED = "RETRACTED"
    INVALID = "INVALID"
    CLOSED = "CLOSED"


@dataclass(slots=True, kw_only=True)
class PortfolioBase:
    """The fields every portfolio has."""

    portfolio_id: str
    name: str
    market_name: str
    participant: str
    status: PortfolioStatus = PortfolioStatus.CREATED
    created_at: datetime
    updated_at: datetime
    status_time: datetime
    validation_errors: tuple[Finding, ...] = field(default=())

    def set_status(self, status: PortfolioStatus, at: datetime) -> None:
        """Move to ``status`` at ``at``."""
        self.status = status
        self.status_time = at
        self.updated_at = at

    def status_detail(self) -> dict:
        """The ``PortfolioStatusDetail`` schema."""
        detail: dict = {
            "portfolioName": self.name,
            "marketName": self.market_name,
            "status": str(self.status),
            "statusTime": format_utc(self.status_time),
        }
        if self.status is PortfolioStatus.INVALID and self.validation_errors:
            detail["validationErrors"] = [
                {"errorCode": f.code, "errorDescription": f.message} for f in self.validation_errors
            ]
        return detail

    def deletion_receipt(self, deleted_at: datetime) -> dict:
        """The ``PortfolioDeletion`` schema: what was deleted, and when."""
        return {
            "portfolioName": self.name,
            "marketName": self.market_name,
            "participantName": self.participant,
            "deletedAt": format_utc(deleted_at),
        }

    def header(self) -> dict:
        """The fields common to every portfolio body."""
        return {
            "portfolioName": self.name,
            "marketName": self.market_name,
            "participantName": self.participant,
            "status": str(self.status),
            "createdAt": format_utc(self.created_at),
            "updatedAt": format_utc(self.updated_at),
        }


P = TypeVar("P", bound=PortfolioBase)


def check_portfolio_name(name: object) -> str:
    """A valid portfolio name (1-50 of letters, digits, ``_`` and ``-``), else SER0002."""
    if not isinstance(name, str) or not _PORTFOLIO_NAME.match(name):
        raise DomainError("SER0002", f"Invalid portfolio name {name!r}.", "portfolioName")
    return name


def check_record_count(count: int, what: str, limit: int, *, one: str) -> None:
    """At least one and at most ``limit`` records (the spec's ``maxItems``, SER0030); ``what``
    is the field a finding points at, ``one`` the record named in the message ("bid or
    offer")."""
    if count == 0:
        raise DomainError("SER0001", f"A portfolio needs at least one {one}.", what)
    if count > limit:
        raise DomainError(
            "SER0030", f"A portfolio holds at most {limit} records; got {count}.", what
        )


def require_open_window(market: Market) -> None:
    """POR0012 unless the market's window is OPEN."""
    if not market.window.is_open:
        raise DomainError(
            "POR0012",
            f"The window of market {market.name} is {market.status}, not OPEN.",
            "marketName",
        )


class PortfolioBook(Generic[P]):
    """Portfolios of one kind, keyed by participant, market and name.

    Each participant's portfolios are also kept apart, by market and name, so
    that listing them costs what the list holds, however many portfolios the
    other participants have.
    """

    def __init__(self, kind: str) -> None:
        self._kind = kind
        self._portfolios: dict[tuple[str, str, str], P] = {}
        self._of_participant: dict[str, dict[str, dict[str, P]]] = {}

    def require_unused_name(self, participant: str, market_name: str, name: str) -> None:
        """POR0001 when the participant already has a portfolio of that name in the market."""
        if (participant, market_name, name) in self._portfolios:
            raise DomainError(
                "POR0001",
                f"{participant} already has a portfolio {name} in {market_name}.",
                "portfolioName",
            )

    def add(self, portfolio: P) -> None:
        """Store a new portfolio; POR0001 when the participant already has that name there."""
        self.require_unused_name(portfolio.participant, portfolio.market_name, portfolio.name)
        self._portfolios[(portfolio.participant, portfolio.market_name, portfolio.name)] = portfolio
        markets = self._of_participant.setdefault(portfolio.participant, {})
        markets.setdefault(portfolio.market_name, {})[portfolio.name] = portfolio

    def exists(self, participant: str, market_name: str, name: str) -> bool:
        """Whether that portfolio exists."""
        return (participant, market_name, name) in self._portfolios

    def get(self, participant: str, market_name: str, name: object) -> P:
        """The participant's own portfolio; anyone else's does not exist for it (SER0028)."""
        portfolio = (
            self._portfolios.get((participant, market_name, name))
            if isinstance(name, str)
            else None
        )
        if portfolio is None:
            raise DomainError(
                "SER0028",
                f"No {self._kind} portfolio {name!r} of {participant} in {market_name}.",
                "portfolioName",
            )
        return portfolio

    def remove(self, portfolio: P) -> None:
        """Delete a portfolio."""
        del self._portfolios[(portfolio.participant, portfolio.market_name, portfolio.name)]
        markets = self._of_participant[portfolio.participant]
        del markets[portfolio.market_name][portfolio.name]
        if not markets[portfolio.market_name]:
            del markets[portfolio.market_name]

    def of_participant(self, participant: str, market_name: str | None = None) -> list[P]:
        """The participant's portfolios, optionally of one market, by market and name."""
        markets = self._of_participant.get(participant, {})
        chosen = sorted(markets) if market_name is None else [market_name]
        return [
            by_name[name]
            for market in chosen
            for by_name in (markets.get(market, {}),)
            for name in sorted(by_name)
        ]

    def of_market(self, market_name: str, *statuses: PortfolioStatus) -> list[P]:
        """Every participant's portfolios of a market (for clearing), optionally by status."""
        return [
            p
            for key, p in sorted(self._portfolios.items())
            if key[1] == market_name and (not statuses or p.status in statuses)
        ]

    def __iter__(self) -> Iterator[P]:
        return iter(p for _key, p in sorted(self._portfolios.items()))

    def close_market(self, market_name: str, at: datetime) -> None:
        """The window closed: SUBMITTED portfolios become CLOSED and take part in the clearing."""
        for portfolio in self.of_market(market_name, PortfolioStatus.SUBMITTED):
            portfolio.set_status(PortfolioStatus.CLOSED, at)


class PortfolioOperations(Generic[P]):
    """The operations auction and nomination portfolios share; each scoped to the requesting participant.

    A subclass names its market type, the prefix of its portfolio IDs and the
    codes a submission and a retraction out of turn answer with.
    """

    market_type: ClassVar[MarketType]
    id_prefix: ClassVar[str]
    submit_code: ClassVar[str]
    retract_code: ClassVar[str]

    def __init__(
        self, markets: MarketBook, participants: ParticipantBook, ids: IdCounters, kind: str
    ) -> None:
        self._markets = markets
        self._participants = participants
        self._ids = ids
        self._kind = kind
        self.book: PortfolioBook[P] = PortfolioBook(kind)

    def _market(self, market_name: object) -> Market:
        return self._markets.get_of_type(market_name, self.market_type)

    def _unused_name(self, participant: str, market: Market, portfolio_name: object) -> str:
        """A new portfolio's name: valid, the window open, and not the participant's already."""
        name = check_portfolio_name(portfolio_name)
        require_open_window(market)
        self.book.require_unused_name(participant, market.name, name)
        return name

    def _add_new(
        self,
        portfolio_type: type[P],
        name: str,
        market: Market,
        participant: str,
        now: datetime,
        **orders: Any,
    ) -> P:
        """Store a new CREATED portfolio under the next ID of its kind."""
        portfolio = portfolio_type(
            portfolio_id=f"{self.id_prefix}{self._ids.next(f'{self._kind}_portfolio'):06d}",
            name=name,
            market_name=market.name,
            participant=participant,
            created_at=now,
            updated_at=now,
            status_time=now,
            **orders,
        )
        self.book.add(portfolio)
        return portfolio

    def get(self, participant_name: str, market_name: str, portfolio_name: object) -> P:
        """The participant's own portfolio (SER0028 when it has none of that name)."""
        market = self._market(market_name)
        return self.book.get(participant_name, market.name, portfolio_name)

    def _submittable(
        self, participant_name: str, market_name: str, portfolio_name: object
    ) -> tuple[P, Market]:
        """The portfolio to submit and its market: the window open, the portfolio not submitted."""
        portfolio = self.get(participant_name, market_name, portfolio_name)
        market = self._market(market_name)
        require_open_window(market)
        require_status_for_submit(portfolio, self.submit_code)
        return portfolio, market

    def retract(
        self, participant_name: str, market_name: str, portfolio_name: object, now: datetime
    ) -> P:
        """Take a submitted portfolio back while the window is open."""
        portfolio = self.get(participant_name, market_name, portfolio_name)
        require_open_window(self._market(market_name))
        require_status_for_retract(portfolio, self.retract_code)
        portfolio.set_status(PortfolioStatus.RETRACTED, now)
        return portfolio

    def delete(self, participant_name: str, market_name: str, portfolio_name: object) -> P:
        """Delete a portfolio that is not submitted, while the window is open."""
        portfolio = self.get(participant_name, market_name, portfolio_name)
        require_open_window(self._market(market_name))
        require_status_for_delete(portfolio)
        self.book.remove(portfolio)
        return portfolio

    def _of_participant(self, participant_name: str, market_name: str | None) -> list[P]:
        """The participant's portfolios, optionally of one market of this type."""
        participant = self._participants.get(participant_name)
        name = self._market(market_name).name if market_name is not None else None
        return self.book.of_participant(participant.name, name)

    def _snapshot_extra(self, portfolio: P) -> dict:
        """What a subclass keeps of a portfolio beyond its body, ID and status time."""
        return {}

    def snapshot(self) -> list[dict]:
        """Every portfolio of this kind as plain data."""
        return [
            p.to_dict()  # type: ignore[attr-defined]
            | {"portfolioId": p.portfolio_id, "statusTime": p.status_detail()["statusTime"]}
            | self._snapshot_extra(p)
            for p in self.book
        ]


def require_status_for_submit(portfolio: PortfolioBase, code: str) -> None:
    """Only CREATED or RETRACTED portfolios can be submitted."""
    if portfolio.status not in (PortfolioStatus.CREATED, PortfolioStatus.RETRACTED):
        raise DomainError(
            code,
            f"Portfolio {portfolio.name} is {portfolio.status}; only CREATED or RETRACTED "
            "portfolios can be submitted.",
            "portfolioName",
        )


def require_status_for_retract(portfolio: PortfolioBase, code: str) -> None:
    """Only SUBMITTED portfolios can be retracted."""
    if portfolio.status is not PortfolioStatus.SUBMITTED:
        raise DomainError(
            code,
            f"Portfolio {portfolio.name} is {portfolio.status}; only a SUBMITTED portfolio "
            "can be retracted.",
            "portfolioName",
        )


def require_status_for_delete(portfolio: PortfolioBase) -> None:
    """A SUBMITTED or CLOSED portfolio cannot be deleted (POR0013)."""
    if portfolio.status in (PortfolioStatus.SUBMITTED, PortfolioStatus.CLOSED):
        raise DomainError(
            "POR0013",
            f"Portfolio {portfolio.name} is {portfolio.status}; retract it before deleting it.",
            "portfolioName",
        )
