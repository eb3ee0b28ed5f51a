"""CRRSystem: the whole reference CRR system as one object, one method per business operation.

The facade is the engine's one command surface: it holds the state (every
book, :class:`~reference_impl.engine.state.EngineState`), the injected
:class:`Clock` and the request :class:`Limits`, and each method is marked
``@command`` (journaled, see ``dispatch`` for the replay contract) or
``@query``. The operator's simulation controls are inherited from
``simulation_control``; the work itself lives in modules with one job each:
the books, ``dataset_loading``, ``market_results`` (clearing and
publication), ``window_transitions``, ``market_setup``,
``notified_submissions``, ``query_arguments``. Participants' operations take the acting participant's
name first; every query of private data answers only with that
participant's records.
"""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any

from reference_impl.engine import notified_submissions, query_arguments, window_transitions
from reference_impl.engine.caps import CapParameters
from reference_impl.engine.clearing_runs import MarketClearing
from reference_impl.engine.clock import Clock, parse_optional_utc
from reference_impl.engine.dispatch import JOURNALED, command, query
from reference_impl.engine.limits import Limits
from reference_impl.engine.load import LoadRules
from reference_impl.engine.market_calendar import calendar_rows
from reference_impl.engine.markets import MarketType
from reference_impl.engine.messages import message_period
from reference_impl.engine.portfolios import credit_report
from reference_impl.engine.simulation_control import SimulationControl
from reference_impl.engine.state import EngineState

__all__ = ["COMMANDS", "CRRSystem"]


class CRRSystem(SimulationControl):
    """The reference CRR system's state and every operation on it (the operator's inherited)."""

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
        self._new_state = functools.partial(
            EngineState,
            clearing=clearing,
            cap_parameters=cap_parameters or CapParameters(),
            load_rules=load_rules or LoadRules(),
            limits=limits,
        )
        self._state = self._new_state()
        self._command_time = clock.now()
        """The clock reading the running operation's window transitions were applied at."""

    def _sync(self) -> datetime:
        """Apply every window transition due at the clock's reading; only the dispatcher calls this."""
        now = self.now()
        window_transitions.apply_due(self._state, now)
        return now

    # ------------------------------------------------------------ market info

    @query
    def get_market(self, market_name: str) -> dict:
        """One market (Market Info ``Market``); MKT0001 when unknown."""
        return self._state.markets.get(market_name).to_dict()

    @query
    def active_markets(self, market_type: str, period: str | None = None) -> list[dict]:
        """Allocation or auction markets in PREP, OPEN or CLOSED."""
        kind = query_arguments.market_type(market_type)
        chosen = self._state.markets.active(kind, query_arguments.period(period))
        return [m.to_dict() for m in chosen]

    @query
    def market_status(self, market_name: str, market_type: str) -> dict:
        """``MarketStatusDetail`` of an auction or allocation market (MKT0001 when not one)."""
        kind = query_arguments.market_type(market_type)
        return self._state.markets.get_of_type(market_name, kind).status_detail()

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
        participant = self._state.participants.get(participant_name)
        return self._state.caps.seq(participant, query_arguments.year(year))

    @query
    def get_upper_bound_results(self, participant_name: str, year: int) -> list[dict]:
        """The participant's own Tier 1 upper bounds (CRRUpperBoundResult rows)."""
        participant = self._state.participants.get(participant_name)
        return self._state.caps.upper_bound(participant, query_arguments.year(year))

    @query
    def get_meq_results(self, participant_name: str, year: int, month: int) -> list[dict]:
        """The participant's own monthly eligible quantities (CRRMEQResult rows)."""
        checked_month = query_arguments.month(month)
        participant = self._state.participants.get(participant_name)
        return self._state.caps.meq(participant, query_arguments.year(year), checked_month)

    # -------------------------------------------------------------------- load

    @query
    def open_load_windows(
        self, load_types: list[str], market_name: str | None = None
    ) -> list[dict]:
        """The load windows of the given types open now, optionally feeding one market."""
        return [w.to_dict() for w in self._state.load.open_windows(load_types, market_name)]

    @command()
    def submit_load_data(
        self, participant_name: str, window_name: str, load_type: str, records: list
    ) -> dict:
        """Submit load records; the per-sink result comes back (and as a private message)."""
        return notified_submissions.submit_load_data(
            self._state, participant_name, window_name, load_type, records, self._command_time
        )

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
        return notified_submissions.submit_offer(
            self._state,
            participant_name,
            crr_id,
            mw,
            start_date,
            end_date,
            time_of_use,
            targets,
            self._command_time,
        )

    @command()
    def respond_offer(
        self, participant_name: str, request_id: str, action: str, price: float
    ) -> dict:
        """A target accepts or rejects an offer at its offered price."""
        return notified_submissions.respond_offer(
            self._state, participant_name, request_id, action, price, self._command_time
        )

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
        return notified_submissions.approve_conversions(
            self._state, participant_name, window_name, records, self._command_time
        )

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
