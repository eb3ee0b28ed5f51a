"""CRRSystem: the whole reference CRR system as one object, one method per business operation.

The facade owns every book of the engine (markets, participants, locations,
load, portfolios, holdings, secondary market, TOR conversion, load
migration, messages, results) and the injected :class:`Clock`. Participants'
operations take the acting participant's name first; every query that
returns private data takes the requesting participant and answers only with
that participant's records. Operator methods drive the market simulation:
set or advance the clock, open and close windows, run the clearing, publish
results, load a data set, reset.

Replay contract (for the storage layer)
---------------------------------------
Every method named in :data:`COMMANDS` (those marked ``@command``) changes
state; all others only read.
A command's arguments are plain JSON values (str, int, float, bool, None,
lists and dicts of them), and its only other input is the clock reading when
it is called. A command that raises :class:`DomainError` changes
nothing but the clock-driven window transitions that were due anyway
(which depend only on the time), so it need not be journaled.

To persist, journal each command that returned normally as
``(clock time, method name, keyword arguments)``. To restore, build a
``CRRSystem`` on a :class:`SettableClock`, and for each entry in order set
the clock to its time and call the method with its arguments; then set the
clock to the current time. The same commands at the same clock times give
the same state and the same IDs (every ID comes from a counter in the
state), so :meth:`CRRSystem.snapshot` of the replayed system equals the
original's. ``snapshot()`` first applies the window transitions due at the
current clock reading, so two systems are compared at the same time.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from reference_impl.engine import dataset_loading, market_results, notices
from reference_impl.engine.caps import CapParameters
from reference_impl.engine.clearing_runs import MarketClearing
from reference_impl.engine.clock import (
    Clock,
    SettableClock,
    format_utc,
    parse_optional_utc,
    parse_utc,
)
from reference_impl.engine.dispatch import JOURNALED, command, query
from reference_impl.engine.errors import DomainError
from reference_impl.engine.limits import Limits
from reference_impl.engine.load import LoadRules
from reference_impl.engine.locations import Availability
from reference_impl.engine.market_calendar import calendar_rows
from reference_impl.engine.markets import MODEL_RELEASES, MarketType, Period
from reference_impl.engine.messages import Category, message_period
from reference_impl.engine.portfolios import credit_report
from reference_impl.engine.state import EngineState
from reference_impl.engine.window_transitions import apply_due, apply_transition, find_window

__all__ = ["COMMANDS", "CRRSystem"]


def _year(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1900 <= value <= 2999:
        raise DomainError("SER0002", f"Invalid year {value!r}.", "year")
    return value


class CRRSystem:
    """The reference CRR system's state and every operation on it."""

    def __init__(
        self,
        clock: Clock,
        *,
        limits: Limits,
        clearing: MarketClearing | None = None,
        cap_parameters: CapParameters | None = None,
        load_rules: LoadRules | None = None,
    ) -> None:
        self._clock = clock
        self._limits = limits
        self._clearing_override = clearing
        self._cap_parameters = cap_parameters or CapParameters()
        self._load_rules = load_rules or LoadRules()
        self._command_time = clock.now()
        """The clock reading the running operation's window transitions were applied at."""
        self._build()

    def _build(self) -> None:
        self._state = EngineState(
            clearing=self._clearing_override,
            cap_parameters=self._cap_parameters,
            load_rules=self._load_rules,
            limits=self._limits,
        )

    # ------------------------------------------------------------------ time

    def now(self) -> datetime:
        """The current time on the injected clock (UTC)."""
        return self._clock.now()

    def _sync(self) -> datetime:
        """Apply every window transition due at the clock's reading; only the dispatcher calls this."""
        now = self.now()
        apply_due(self._state, now)
        return now

    @command(sync="after")
    def set_clock(self, time: str) -> dict:
        """Operator: move the virtual clock to ``time`` (not backwards)."""
        self._settable().set(parse_utc(time, "time"))
        return {"now": format_utc(self.now())}

    @command(sync="after")
    def advance_clock(self, seconds: float) -> dict:
        """Operator: move the virtual clock forward by ``seconds``."""
        clock = self._settable()
        if isinstance(seconds, bool) or not isinstance(seconds, int | float):
            raise DomainError("SER0002", "seconds must be a number.", "seconds")
        clock.advance(timedelta(seconds=seconds))
        return {"now": format_utc(self.now())}

    def _settable(self) -> SettableClock:
        if not isinstance(self._clock, SettableClock):
            raise DomainError("SER0002", "This system's clock cannot be set.", "time")
        return self._clock

    # -------------------------------------------------------------- set-up

    @command(sync=None)
    def reset(self, clock_time: str | None = None) -> dict:
        """Operator: forget all state; optionally restart the virtual clock at ``clock_time``."""
        if clock_time is not None:
            self._settable().restart(parse_utc(clock_time, "clockTime"))
        self._build()
        return {"now": format_utc(self.now())}

    @command(sync="after")
    def load_dataset(self, data: dict) -> dict:
        """Operator: add a market-sim data set; nothing is added unless all of it is valid."""
        return dataset_loading.load_dataset(self._state, data)

    @command()
    def set_model_release(self, market_name: str, release: str) -> dict:
        """Operator: record the network model release (V0..V3) the market now uses."""
        market = self._state.markets.get(market_name)
        if release not in MODEL_RELEASES:
            raise DomainError(
                "SER0002",
                f"Model release {release!r} is not one of {', '.join(MODEL_RELEASES)}.",
                "release",
            )
        market.model_release = release
        return market.to_dict()

    @command()
    def mark_location_unavailable(self, location: str, market_name: str, reason: str) -> dict:
        """Operator: a source/sink list update islands or retires a location in a market.

        Submitted auction portfolios with a bid there become INVALID.
        """
        market = self._state.markets.get(market_name)
        if reason not in Availability.__members__:
            raise DomainError("SER0002", f"Invalid reason {reason!r}.", "reason")
        self._state.locations.mark_unavailable(location, market.name, Availability(reason))
        invalid = (
            self._state.auction.invalidate(market, self._command_time) if market.is_auction else []
        )
        return {"invalidatedPortfolios": [p.name for p in invalid]}

    @command()
    def post_message(
        self,
        subject: str,
        body: str,
        market_name: str | None = None,
        participant_name: str | None = None,
    ) -> dict:
        """Operator: post a GENERAL message, public or to one participant."""
        if participant_name is not None:
            self._state.participants.get(participant_name)
        if not isinstance(subject, str) or not isinstance(body, str) or not subject:
            raise DomainError("SER0002", "subject and body must be text.", "subject")
        message = self._state.messages.post(
            Category.GENERAL,
            subject,
            body,
            self._command_time,
            market_name=market_name,
            participant=participant_name,
        )
        return message.to_dict()

    # ------------------------------------------------------ windows (operator)

    @command()
    def open_window(self, name: str, close_time: str | None = None) -> dict:
        """Operator: open a market's (or load, TOR, load migration) window now."""
        kind, window = find_window(self._state, name)
        close_at = parse_optional_utc(close_time, "closeTime")
        transition = window.open_now(self._command_time, close_at)
        apply_transition(self._state, kind, name, transition)
        return {"name": name, **window.to_dict()}

    @command()
    def close_window(self, name: str) -> dict:
        """Operator: close a window now; submitted portfolios become CLOSED."""
        kind, window = find_window(self._state, name)
        transition = window.close_now(self._command_time)
        apply_transition(self._state, kind, name, transition)
        return {"name": name, **window.to_dict()}

    # -------------------------------------------------------- clearing (operator)

    @command()
    def run_clearing(self, market_name: str) -> dict:
        """Operator: clear a CLOSED market; results stay pending until published."""
        return market_results.run_clearing(self._state, market_name, self._command_time)

    @command()
    def publish_results(self, market_name: str) -> dict:
        """Operator: publish a cleared market (or post a load migration market's results)."""
        return market_results.publish_results(self._state, market_name, self._command_time)

    # ------------------------------------------------------------ market info

    @query
    def get_market(self, market_name: str) -> dict:
        """One market (Market Info ``Market``); MKT0001 when unknown."""
        return self._state.markets.get(market_name).to_dict()

    @query
    def active_markets(self, market_type: str, period: str | None = None) -> list[dict]:
        """Allocation or auction markets in PREP, OPEN or CLOSED."""
        if market_type not in MarketType.__members__:
            raise DomainError("SER0002", f"Invalid market type {market_type!r}.", "marketType")
        if period is not None and period not in Period.__members__:
            raise DomainError("SER0002", f"Invalid period {period!r}.", "period")
        chosen = self._state.markets.active(
            MarketType(market_type), Period(period) if period else None
        )
        return [m.to_dict() for m in chosen]

    @query
    def market_status(self, market_name: str, market_type: str) -> dict:
        """``MarketStatusDetail`` of an auction or allocation market (MKT0001 when not one)."""
        if market_type not in MarketType.__members__:
            raise DomainError("SER0002", f"Invalid market type {market_type!r}.", "marketType")
        market = self._state.markets.get_of_type(market_name, MarketType(market_type))
        return market.status_detail()

    @query
    def market_calendar(self, start: str | None = None, end: str | None = None) -> list[dict]:
        """Calendar entries (market and load windows) overlapping ``[start, end]``."""
        begin, finish = parse_optional_utc(start, "from"), parse_optional_utc(end, "to")
        return calendar_rows(self._state.markets, self._state.load, begin, finish)

    def source_sink_list(self) -> list[dict]:
        """The source and sink list (public)."""
        return [loc.to_dict() for loc in self._state.locations]

    # ----------------------------------------------------------------- auction

    @command()
    def create_auction_portfolio(
        self,
        participant_name: str,
        market_name: str,
        portfolio_name: str,
        bids: list | None = None,
        offers: list | None = None,
    ) -> dict:
        """Create an auction portfolio with its bids and sell offers (status CREATED)."""
        portfolio = self._state.auction.create(
            participant_name, market_name, portfolio_name, bids, offers, self._command_time
        )
        return portfolio.to_dict()

    @command()
    def submit_auction_portfolio(
        self, participant_name: str, market_name: str, portfolio_name: str
    ) -> dict:
        """Submit an auction portfolio (credit checked; short: AUC0001, nothing accepted)."""
        return self._state.auction.submit(
            participant_name, market_name, portfolio_name, self._command_time
        ).status_detail()

    @command()
    def retract_auction_portfolio(
        self, participant_name: str, market_name: str, portfolio_name: str
    ) -> dict:
        """Retract a submitted auction portfolio."""
        return self._state.auction.retract(
            participant_name, market_name, portfolio_name, self._command_time
        ).status_detail()

    @command()
    def delete_auction_portfolio(
        self, participant_name: str, market_name: str, portfolio_name: str
    ) -> dict:
        """Delete an auction portfolio that is not submitted."""
        portfolio = self._state.auction.delete(participant_name, market_name, portfolio_name)
        return portfolio.deletion_receipt(self._command_time)

    @query
    def get_auction_portfolio(
        self, participant_name: str, market_name: str, portfolio_name: str
    ) -> dict:
        """The participant's own auction portfolio."""
        return self._state.auction.get(participant_name, market_name, portfolio_name).to_dict()

    @query
    def get_auction_portfolio_status(
        self, participant_name: str, market_name: str, portfolio_name: str
    ) -> dict:
        """Status of the participant's own auction portfolio."""
        portfolio = self._state.auction.get(participant_name, market_name, portfolio_name)
        return portfolio.status_detail()

    @query
    def list_auction_portfolios(
        self, participant_name: str, market_name: str | None = None
    ) -> list[dict]:
        """The participant's auction portfolios."""
        return self._state.auction.summaries(participant_name, market_name)

    @query
    def get_portfolio_required_credit(
        self, participant_name: str, market_name: str, portfolio_name: str
    ) -> dict:
        """Required and available credit of the participant's own auction portfolio."""
        auction = self._state.auction
        portfolio = auction.get(participant_name, market_name, portfolio_name)
        credit, available = auction.credit(participant_name, market_name, portfolio_name)
        return credit_report(portfolio, credit, available)

    # -------------------------------------------------------------- nomination

    @command()
    def create_nomination_portfolio(
        self, participant_name: str, market_name: str, portfolio_name: str, nominations: list
    ) -> dict:
        """Create a nomination portfolio (status CREATED)."""
        portfolio = self._state.nominations.create(
            participant_name, market_name, portfolio_name, nominations, self._command_time
        )
        return portfolio.to_dict()

    @command()
    def submit_nomination_portfolio(
        self, participant_name: str, market_name: str, portfolio_name: str
    ) -> dict:
        """Submit a nomination portfolio (caps checked with the other submitted ones)."""
        return self._state.nominations.submit(
            participant_name, market_name, portfolio_name, self._command_time
        ).status_detail()

    @command()
    def retract_nomination_portfolio(
        self, participant_name: str, market_name: str, portfolio_name: str
    ) -> dict:
        """Retract a submitted nomination portfolio."""
        return self._state.nominations.retract(
            participant_name, market_name, portfolio_name, self._command_time
        ).status_detail()

    @command()
    def delete_nomination_portfolio(
        self, participant_name: str, market_name: str, portfolio_name: str
    ) -> dict:
        """Delete a nomination portfolio that is not submitted."""
        portfolio = self._state.nominations.delete(participant_name, market_name, portfolio_name)
        return portfolio.deletion_receipt(self._command_time)

    @query
    def get_nomination_portfolio(
        self, participant_name: str, market_name: str, portfolio_name: str
    ) -> dict:
        """The participant's own nomination portfolio."""
        portfolio = self._state.nominations.get(participant_name, market_name, portfolio_name)
        return portfolio.to_dict()

    @query
    def get_nomination_portfolio_status(
        self, participant_name: str, market_name: str, portfolio_name: str
    ) -> dict:
        """Status of the participant's own nomination portfolio."""
        portfolio = self._state.nominations.get(participant_name, market_name, portfolio_name)
        return portfolio.status_detail()

    @query
    def list_nomination_portfolios(
        self, participant_name: str, market_name: str | None = None
    ) -> list[dict]:
        """The participant's nomination portfolios."""
        return self._state.nominations.summaries(participant_name, market_name)

    @query
    def get_nomination_caps(self, participant_name: str, market_name: str) -> list[dict]:
        """The participant's own caps per sink and time of use in an allocation market."""
        participant = self._state.participants.get(participant_name)
        market = self._state.markets.get_of_type(market_name, MarketType.ALLOCATION)
        return [cap.to_dict() for cap in self._state.caps.tier_caps(participant, market)]

    @query
    def get_seq_results(self, participant_name: str, year: int) -> list[dict]:
        """The participant's own seasonal eligible quantities (CRRSEQResult rows)."""
        return self._state.caps.seq(self._state.participants.get(participant_name), _year(year))

    @query
    def get_upper_bound_results(self, participant_name: str, year: int) -> list[dict]:
        """The participant's own Tier 1 upper bounds (CRRUpperBoundResult rows)."""
        participant = self._state.participants.get(participant_name)
        return self._state.caps.upper_bound(participant, _year(year))

    @query
    def get_meq_results(self, participant_name: str, year: int, month: int) -> list[dict]:
        """The participant's own monthly eligible quantities (CRRMEQResult rows)."""
        if isinstance(month, bool) or not isinstance(month, int) or not 1 <= month <= 12:
            raise DomainError("SER0002", f"Invalid month {month!r}.", "month")
        participant = self._state.participants.get(participant_name)
        return self._state.caps.meq(participant, _year(year), month)

    # -------------------------------------------------------------------- load

    @query
    def open_load_windows(
        self, load_types: list[str], market_name: str | None = None
    ) -> list[dict]:
        """The load windows of the given types open now, optionally feeding one market."""
        return [
            w.to_dict()
            for w in self._state.load.windows()
            if w.window.is_open
            and str(w.load_type) in load_types
            and (market_name is None or w.market_name == market_name)
        ]

    @command()
    def submit_load_data(
        self, participant_name: str, window_name: str, load_type: str, records: list
    ) -> dict:
        """Submit load records; the per-sink result comes back (and as a private message)."""
        now, state = self._command_time, self._state
        participant = state.participants.get(participant_name)
        result = state.load.submit(
            participant, window_name, load_type, records, now, state.locations
        )
        window = state.load.window(window_name)
        notices.load_submission_checked(
            state.messages,
            participant.name,
            result.submission_id,
            result.status,
            window.name,
            window.market_name,
            now,
        )
        return result.to_dict()

    @query
    def get_load_data(self, participant_name: str, window_name: str) -> dict:
        """The participant's own stored load in a window and its latest result."""
        participant = self._state.participants.get(participant_name)
        return self._state.load.load_data(participant.name, window_name)

    # ---------------------------------------------------------- load migration

    @command()
    def submit_load_migration(self, participant_name: str, market_name: str, records: list) -> dict:
        """A UDC submits load migration records."""
        return self._state.migration.submit(
            participant_name, market_name, records, self._command_time
        ).status_view()

    @query
    def get_load_migration_submission(self, participant_name: str, submission_id: str) -> dict:
        """The UDC's own submission."""
        return self._state.migration.submission(participant_name, submission_id)

    @query
    def load_migration_markets(self, status: str | None = None) -> list[dict]:
        """Load migration markets, latest open first."""
        return [m.to_dict() for m in self._state.migration.markets(status)]

    @query
    def get_load_migration_result(self, participant_name: str, market_name: str) -> dict:
        """The posted results concerning the participant."""
        return self._state.migration.result(participant_name, market_name)

    # --------------------------------------------------------- secondary market

    @command()
    def submit_offer(
        self,
        participant_name: str,
        crr_id: str,
        mw: float,
        start_date: str,
        end_date: str,
        time_of_use: str,
        targets: list,
    ) -> dict:
        """Offer MW of a held CRR to target participants."""
        offer = self._state.secondary.submit_offer(
            participant_name,
            crr_id,
            mw,
            start_date,
            end_date,
            time_of_use,
            targets,
            self._command_time,
        )
        notices.offer_received(self._state.messages, offer, self._command_time)
        return offer.view(offer.offerer)

    @command()
    def respond_offer(
        self, participant_name: str, request_id: str, action: str, price: float
    ) -> dict:
        """A target accepts or rejects an offer at its offered price."""
        offer, target, _created = self._state.secondary.respond(
            participant_name, request_id, action, price, self._command_time
        )
        notices.offer_responded(self._state.messages, offer, target, self._command_time)
        return offer.response_view(target)

    @command()
    def withdraw_offer(self, participant_name: str, request_id: str) -> dict:
        """The offerer withdraws a pending offer."""
        offer = self._state.secondary.withdraw(participant_name, request_id, self._command_time)
        return offer.view(participant_name)

    @query
    def get_offer(self, participant_name: str, request_id: str) -> dict:
        """An offer the participant is party to."""
        return self._state.secondary.get_offer(participant_name, request_id)

    @query
    def list_offers(self, participant_name: str, status: str | None = None) -> list[dict]:
        """Offers the participant made or received, newest first."""
        return self._state.secondary.list_offers(participant_name, status)

    @query
    def get_offer_responses(self, participant_name: str, request_id: str) -> list[dict]:
        """Responses to an offer, as far as the participant may see them."""
        return self._state.secondary.responses(participant_name, request_id)

    @query
    def get_crr_holdings(self, participant_name: str) -> list[dict]:
        """The CRRs the participant holds now."""
        participant = self._state.participants.get(participant_name)
        return [crr.to_dict() for crr in self._state.holdings.owned_by(participant.name)]

    # ----------------------------------------------------------- TOR conversion

    @query
    def get_conversion_window(self, window_name: str) -> dict:
        """One TOR conversion window (TOR0016 when unknown)."""
        return self._state.tor.window(window_name).to_dict()

    @query
    def list_conversion_windows(self, status: str | None = None) -> list[dict]:
        """TOR conversion windows, latest open first."""
        return [w.to_dict() for w in self._state.tor.windows(status)]

    @command()
    def submit_conversion_request(
        self, participant_name: str, window_name: str, records: list
    ) -> dict:
        """A TOR holder's conversion request."""
        request = self._state.tor.submit_request(
            participant_name, window_name, records, self._command_time
        )
        return request.view(request.participant)

    @command()
    def submit_conversion_approval(
        self, participant_name: str, window_name: str, records: list
    ) -> dict:
        """An approver's decisions; approved records become TOR CRRs (market SYSTEM)."""
        now = self._command_time
        outcomes, _created, requests = self._state.tor.approve(
            participant_name, window_name, records, now
        )
        for request in requests:
            notices.conversion_decided(self._state.messages, request, now)
        return {
            "participantName": participant_name,
            "windowName": window_name,
            "submittedAt": format_utc(now),
            "records": outcomes,
        }

    @query
    def get_conversion_request(self, participant_name: str, request_id: str) -> dict:
        """A conversion request the participant submitted or approves."""
        return self._state.tor.get_request(participant_name, request_id)

    @query
    def list_conversion_requests(self, participant_name: str, window_name: str) -> list[dict]:
        """Conversion requests of a window visible to the participant."""
        return self._state.tor.list_requests(participant_name, window_name)

    # ----------------------------------------------------------------- messages

    @query
    def list_public_messages(
        self,
        start_time: str | None = None,
        end_time: str | None = None,
        market_name: str | None = None,
    ) -> list[dict]:
        """Public messages in a range of at most 31 days (MSG0001)."""
        period = message_period(start_time, end_time, self.now())
        return [m.to_dict() for m in self._state.messages.public(*period, market_name)]

    @query
    def list_private_messages(
        self,
        participant_name: str,
        start_time: str | None = None,
        end_time: str | None = None,
        market_name: str | None = None,
    ) -> list[dict]:
        """The participant's own private messages."""
        participant = self._state.participants.get(participant_name)
        period = message_period(start_time, end_time, self.now())
        found = self._state.messages.private(participant.name, *period, market_name)
        return [m.to_dict() for m in found]

    @query
    def list_messages(
        self,
        participant_name: str,
        start_time: str | None = None,
        end_time: str | None = None,
        market_name: str | None = None,
    ) -> list[dict]:
        """Public messages and the participant's own private ones."""
        participant = self._state.participants.get(participant_name)
        period = message_period(start_time, end_time, self.now())
        found = self._state.messages.visible_to(participant.name, *period, market_name)
        return [m.to_dict() for m in found]

    @query
    def get_message(self, message_id: str, participant_name: str | None = None) -> dict:
        """One message; a private one only for its own participant."""
        if participant_name is not None:
            self._state.participants.get(participant_name)
        return self._state.messages.get(message_id, participant_name).to_dict()

    # -------------------------------------------------------------- market data

    @query
    def download(
        self, download_type: str, market_name: str, participant_name: str | None = None
    ) -> dict:
        """A market data download's ``data`` (public, or the participant's private one)."""
        return self._state.downloads.build(download_type, market_name, participant_name, self.now())

    # ----------------------------------------------------------------- snapshot

    @query
    def snapshot(self) -> dict[str, Any]:
        """The full state as plain JSON-able data, after applying due window transitions."""
        return self._state.snapshot(self.now())


COMMANDS: frozenset[str] = frozenset(JOURNALED)
"""The state-changing methods: the ones a store journals and replays."""
