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
Every method named in :data:`COMMANDS` changes state; all others only read.
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

import copy
from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

from reference_impl.engine.caps import CapCalculator, CapParameters
from reference_impl.engine.clearing_runs import (
    MarketClearing,
    MarketResults,
    NetworkClearing,
    clear_allocation_market,
    clear_auction_market,
    publish_allocation,
    publish_auction,
)
from reference_impl.engine.clock import Clock, SettableClock, format_utc, parse_utc
from reference_impl.engine.credit import CreditMarginTable
from reference_impl.engine.dataset import (
    expand_calendar,
    read_credit_margins,
    read_existing_crr,
    read_load_migration_market,
    read_load_window,
    read_location,
    read_market,
    read_network,
    read_participant,
    read_section,
    read_tor_contract,
    read_tor_window,
)
from reference_impl.engine.downloads import Downloads, Resource, read_resource
from reference_impl.engine.errors import DomainError
from reference_impl.engine.holdings import Holdings
from reference_impl.engine.identifiers import IdCounters
from reference_impl.engine.load import LoadBook, LoadRules, LoadType
from reference_impl.engine.load_migration import LoadMigration
from reference_impl.engine.locations import Availability, LocationBook
from reference_impl.engine.markets import (
    ANNUAL_TIERS,
    MODEL_RELEASES,
    MONTHLY_TIERS,
    Market,
    MarketBook,
    MarketKey,
    MarketType,
    Period,
    TimeOfUse,
)
from reference_impl.engine.messages import Category, MessageBoard
from reference_impl.engine.network import Network
from reference_impl.engine.nominations import NominationPortfolios
from reference_impl.engine.participants import Participant, ParticipantBook
from reference_impl.engine.portfolio_lifecycle import PortfolioStatus
from reference_impl.engine.portfolios import AuctionPortfolios, credit_report
from reference_impl.engine.secondary_market import SecondaryMarket
from reference_impl.engine.tor_conversion import TorConversion
from reference_impl.engine.windows import Transition, Window, WindowStatus

__all__ = ["COMMANDS", "CRRSystem"]

COMMANDS: frozenset[str] = frozenset(
    {
        "reset",
        "load_dataset",
        "set_clock",
        "advance_clock",
        "open_window",
        "close_window",
        "run_clearing",
        "publish_results",
        "set_model_release",
        "mark_location_unavailable",
        "post_message",
        "create_auction_portfolio",
        "submit_auction_portfolio",
        "retract_auction_portfolio",
        "delete_auction_portfolio",
        "create_nomination_portfolio",
        "submit_nomination_portfolio",
        "retract_nomination_portfolio",
        "delete_nomination_portfolio",
        "submit_load_data",
        "submit_load_migration",
        "submit_offer",
        "respond_offer",
        "withdraw_offer",
        "submit_conversion_request",
        "submit_conversion_approval",
    }
)
"""The state-changing methods: the ones a store journals and replays."""

_WINDOW_TYPES = {
    LoadType.HISTORICAL: "HISTORICAL_LOAD",
    LoadType.FORECAST: "FORECAST_LOAD",
    LoadType.CEC_FORECAST: "CEC_FORECAST_LOAD",
}


DEFAULT_MESSAGE_PERIOD = timedelta(days=7)
"""How far back a message list reaches when the request gives no startTime."""


def _optional_time(value: str | None, field: str) -> datetime | None:
    return None if value is None else parse_utc(value, field)


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
        clearing: MarketClearing | None = None,
        cap_parameters: CapParameters | None = None,
        load_rules: LoadRules | None = None,
    ) -> None:
        self._clock = clock
        self._clearing_override = clearing
        self._cap_parameters = cap_parameters or CapParameters()
        self._load_rules = load_rules or LoadRules()
        self._build()

    def _build(self) -> None:
        self._ids = IdCounters()
        self._participants = ParticipantBook()
        self._locations = LocationBook()
        self._markets = MarketBook()
        self._holdings = Holdings(self._ids)
        self._load = LoadBook(self._ids, self._load_rules)
        self._migration = LoadMigration(
            self._participants, self._locations, self._holdings, self._ids
        )
        self._caps = CapCalculator(
            self._load, self._holdings, self._migration.net_migration, self._cap_parameters
        )
        self._auction = AuctionPortfolios(
            self._markets,
            self._participants,
            self._locations,
            self._holdings,
            self._ids,
            CreditMarginTable(default=0.0),
        )
        self._nominations = NominationPortfolios(
            self._markets, self._participants, self._locations, self._ids, self._cap_lookup
        )
        self._secondary = SecondaryMarket(self._participants, self._holdings, self._ids)
        self._tor = TorConversion(self._participants, self._locations, self._holdings, self._ids)
        self._messages = MessageBoard(self._ids)
        self._results: dict[str, MarketResults] = {}
        self._resources: list[Resource] = []
        self._network_data: dict[str, dict] = {}
        self._networks: dict[str, Network] = {}
        self._clearing: MarketClearing = self._clearing_override or NetworkClearing(
            self._network_for
        )
        self._downloads = Downloads(
            self._markets,
            self._participants,
            self._locations,
            self._holdings,
            self._caps,
            self._load,
            self._results,
            self._secondary,
            self._tor,
            self._migration,
            self._resources,
        )

    # ------------------------------------------------------------------ time

    def now(self) -> datetime:
        """The current time on the injected clock (UTC)."""
        return self._clock.now()

    def _windows(self) -> list[tuple[str, str, Window]]:
        entries: list[tuple[str, str, Window]] = [
            ("market", m.name, m.window) for m in self._markets
        ]
        entries += [("load", w.name, w.window) for w in self._load.windows()]
        entries += [("tor", w.name, w.window) for w in self._tor.windows()]
        entries += [("migration", m.name, m.window) for m in self._migration.all_markets()]
        return entries

    def _sync(self) -> datetime:
        """Apply every window transition due at the clock's reading, in time order."""
        now = self.now()
        due: list[tuple[datetime, int, str, str, Transition]] = []
        for kind, name, window in self._windows():
            for transition in window.sync(now):
                order = 0 if transition.status is WindowStatus.OPEN else 1
                due.append((transition.at, order, kind, name, transition))
        due.sort(key=lambda item: item[:4])
        for _at, _order, kind, name, transition in due:
            self._on_transition(kind, name, transition)
        return now

    def _on_transition(self, kind: str, name: str, transition: Transition) -> None:
        label = {"market": "Market", "load": "Load window", "tor": "TOR conversion window"}.get(
            kind, "Load migration market"
        )
        market_name = {"market": name, "migration": name, "tor": None}.get(kind)
        if kind == "load":
            market_name = self._load.window(name).market_name
        if transition.status is WindowStatus.OPEN:
            self._messages.post(
                Category.WINDOW_OPENED,
                f"{name} window opened",
                f"{label} {name} is open for submissions.",
                transition.at,
                market_name=market_name,
            )
        elif transition.status is WindowStatus.CLOSED:
            if kind == "market":
                self._auction.book.close_market(name, transition.at)
                self._nominations.book.close_market(name, transition.at)
            elif kind == "migration":
                self._migration.close(name)
            self._messages.post(
                Category.WINDOW_CLOSED,
                f"{name} window closed",
                f"{label} {name} is closed; no more submissions are accepted.",
                transition.at,
                market_name=market_name,
            )

    def set_clock(self, time: str) -> dict:
        """Operator: move the virtual clock to ``time`` (not backwards)."""
        clock = self._settable()
        clock.set(parse_utc(time, "time"))
        return {"now": format_utc(self._sync())}

    def advance_clock(self, seconds: float) -> dict:
        """Operator: move the virtual clock forward by ``seconds``."""
        clock = self._settable()
        if isinstance(seconds, bool) or not isinstance(seconds, int | float):
            raise DomainError("SER0002", "seconds must be a number.", "seconds")
        clock.advance(timedelta(seconds=seconds))
        return {"now": format_utc(self._sync())}

    def _settable(self) -> SettableClock:
        if not isinstance(self._clock, SettableClock):
            raise DomainError("SER0002", "This system's clock cannot be set.", "time")
        return self._clock

    # -------------------------------------------------------------- set-up

    def reset(self, clock_time: str | None = None) -> dict:
        """Operator: forget all state; optionally restart the virtual clock at ``clock_time``."""
        if clock_time is not None:
            self._settable().restart(parse_utc(clock_time, "clockTime"))
        self._build()
        return {"now": format_utc(self.now())}

    def load_dataset(self, data: dict) -> dict:
        """Operator: add a market-sim data set (see :mod:`~reference_impl.engine.dataset`).

        Everything is read and checked first; nothing is added unless all of it is valid.
        """
        if not isinstance(data, dict):
            raise DomainError("SER0002", "A data set must be an object.", "data")
        data = expand_calendar(copy.deepcopy(data))
        participants = read_section(data, "participants", read_participant)
        locations = read_section(data, "locations", read_location)
        markets = read_section(data, "markets", read_market)
        load_windows = read_section(data, "loadWindows", read_load_window)
        tor_windows = read_section(data, "torWindows", read_tor_window)
        migration_markets = read_section(data, "loadMigrationMarkets", read_load_migration_market)
        contracts = read_section(data, "torContracts", read_tor_contract)
        crrs = read_section(data, "existingCrrs", read_existing_crr)
        resources = read_section(data, "resources", read_resource)
        margins = read_credit_margins(data["creditMargins"]) if "creditMargins" in data else None
        networks: dict[str, dict] = {}
        if "network" in data:
            networks["*"] = data["network"]
        networks.update(data.get("marketNetworks", {}))
        built = {name: read_network(network) for name, network in networks.items()}
        self._check_new(
            participants,
            locations,
            markets,
            load_windows,
            tor_windows,
            migration_markets,
            contracts,
            crrs,
        )
        for participant in participants:
            self._participants.add(participant)
        for location in locations:
            self._locations.add(location)
        for market in markets:
            self._markets.add(market)
        for window in load_windows:
            self._load.add_window(window)
        for window in tor_windows:
            self._tor.add_window(window)
        for market in migration_markets:
            self._migration.add_market(market)
        for contract in contracts:
            self._tor.add_contract(contract)
        for crr in crrs:
            self._holdings.add(crr)
        self._resources.extend(resources)
        if margins is not None:
            self._auction.margins = margins
        self._network_data.update(networks)
        self._networks.update(built)
        self._mark_islanded_locations()
        self._sync()
        return {
            "participants": len(participants),
            "locations": len(locations),
            "markets": len(markets),
            "loadWindows": len(load_windows),
            "torWindows": len(tor_windows),
            "loadMigrationMarkets": len(migration_markets),
            "torContracts": len(contracts),
            "existingCrrs": len(crrs),
            "networks": len(networks),
            "resources": len(resources),
        }

    def _check_new(
        self,
        participants,
        locations,
        markets,
        load_windows,
        tor_windows,
        migration_markets,
        contracts,
        crrs,
    ) -> None:
        def unique(names: list[str], existing: Callable[[str], bool], what: str) -> None:
            seen: set[str] = set()
            for name in names:
                if name in seen or existing(name):
                    raise DomainError("SER0002", f"{what} {name} is defined twice.", what)
                seen.add(name)

        unique([p.name for p in participants], self._participants.__contains__, "participant")
        unique([loc.name for loc in locations], self._locations.__contains__, "location")
        unique([m.name for m in markets], self._markets.__contains__, "market")
        known_load = {w.name for w in self._load.windows()}
        unique([w.name for w in load_windows], known_load.__contains__, "loadWindow")
        known_tor = {w.name for w in self._tor.windows()}
        unique([w.name for w in tor_windows], known_tor.__contains__, "torWindow")
        known_lm = {m.name for m in self._migration.all_markets()}
        unique([m.name for m in migration_markets], known_lm.__contains__, "loadMigrationMarket")
        known_contracts = {c.contract_id for c in self._tor.contracts()}
        unique([c.contract_id for c in contracts], known_contracts.__contains__, "torContract")
        unique([c.crr_id for c in crrs], lambda i: self._holdings.get(i) is not None, "crr")
        registered = {p.name for p in participants} | {p.name for p in self._participants}
        for contract in contracts:
            for who in (contract.holder, contract.approver):
                if who not in registered:
                    raise DomainError(
                        "SER0002",
                        f"TOR contract {contract.contract_id} names unknown participant {who}.",
                        "torContracts",
                    )
        for crr in crrs:
            if crr.owner not in registered:
                raise DomainError(
                    "SER0002", f"CRR {crr.crr_id} names unknown owner {crr.owner}.", "existingCrrs"
                )

    def _mark_islanded_locations(self) -> None:
        """Locations islanded by a market's network outages are not biddable there (POR0010)."""
        for market in self._markets:
            network = self._network_for(market.name)
            if network is None:
                continue
            for name in network.islanded_locations():
                location = self._locations.find(name)
                if location is not None and market.name not in location.unavailable:
                    self._locations.mark_unavailable(name, market.name, Availability.ISLANDED)

    def _network_for(self, market_name: str) -> Network | None:
        return self._networks.get(market_name) or self._networks.get("*")

    def set_model_release(self, market_name: str, release: str) -> dict:
        """Operator: record the network model release (V0..V3) the market now uses."""
        self._sync()
        market = self._markets.get(market_name)
        if release not in MODEL_RELEASES:
            raise DomainError(
                "SER0002",
                f"Model release {release!r} is not one of {', '.join(MODEL_RELEASES)}.",
                "release",
            )
        market.model_release = release
        return market.to_dict()

    def mark_location_unavailable(self, location: str, market_name: str, reason: str) -> dict:
        """Operator: a source/sink list update islands or retires a location in a market.

        Submitted auction portfolios with a bid there become INVALID.
        """
        now = self._sync()
        market = self._markets.get(market_name)
        if reason not in Availability.__members__:
            raise DomainError("SER0002", f"Invalid reason {reason!r}.", "reason")
        self._locations.mark_unavailable(location, market.name, Availability(reason))
        invalid = self._auction.invalidate(market, now) if market.is_auction else []
        return {"invalidatedPortfolios": [p.name for p in invalid]}

    def post_message(
        self,
        subject: str,
        body: str,
        market_name: str | None = None,
        participant_name: str | None = None,
    ) -> dict:
        """Operator: post a GENERAL message, public or to one participant."""
        now = self._sync()
        if participant_name is not None:
            self._participants.get(participant_name)
        if not isinstance(subject, str) or not isinstance(body, str) or not subject:
            raise DomainError("SER0002", "subject and body must be text.", "subject")
        message = self._messages.post(
            Category.GENERAL,
            subject,
            body,
            now,
            market_name=market_name,
            participant=participant_name,
        )
        return message.to_dict()

    # ------------------------------------------------------ windows (operator)

    def _window(self, name: str) -> tuple[str, Window]:
        if name in self._markets:
            return "market", self._markets.get(name).window
        for kind, window_name, window in self._windows():
            if window_name == name:
                return kind, window
        raise DomainError("SER0028", f"No market or window is called {name!r}.", "name")

    def open_window(self, name: str, close_time: str | None = None) -> dict:
        """Operator: open a market's (or load, TOR, load migration) window now."""
        now = self._sync()
        kind, window = self._window(name)
        transition = window.open_now(now, _optional_time(close_time, "closeTime"))
        self._on_transition(kind, name, transition)
        return {"name": name, **window.to_dict()}

    def close_window(self, name: str) -> dict:
        """Operator: close a window now; submitted portfolios become CLOSED."""
        now = self._sync()
        kind, window = self._window(name)
        transition = window.close_now(now)
        self._on_transition(kind, name, transition)
        return {"name": name, **window.to_dict()}

    # -------------------------------------------------------- clearing (operator)

    def run_clearing(self, market_name: str) -> dict:
        """Operator: clear a CLOSED market; results stay pending until published."""
        now = self._sync()
        market = self._markets.get(market_name)
        if market.status is not WindowStatus.CLOSED:
            raise DomainError(
                "SER0002",
                f"Market {market.name} is {market.status}; only a CLOSED market can be cleared.",
                "marketName",
            )
        if market.is_auction:
            portfolios = self._auction.book.of_market(market.name, PortfolioStatus.CLOSED)
            results = clear_auction_market(market, portfolios, self._holdings, self._clearing, now)
        else:
            earlier = self._unpublished_earlier_tiers(market)
            if earlier:
                raise DomainError(
                    "SER0002",
                    f"Publish {', '.join(earlier)} before clearing "
                    f"{market.name}: tiers clear in sequence.",
                    "marketName",
                )
            portfolios = self._nominations.book.of_market(market.name, PortfolioStatus.CLOSED)
            results = clear_allocation_market(
                market, portfolios, self._holdings, self._clearing, now
            )
        self._results[market.name] = results
        return self._result_summary(results)

    def _unpublished_earlier_tiers(self, market: Market) -> list[str]:
        order = ANNUAL_TIERS if market.key.period is Period.ANNUAL else MONTHLY_TIERS
        position = order.index(market.key.tier) if market.key.tier in order else 0
        earlier = []
        for tier in order[:position]:
            key = MarketKey(
                MarketType.ALLOCATION, market.key.period, market.key.year, market.key.month, tier
            )
            if key.name in self._markets and (
                self._markets.get(key.name).status is not WindowStatus.PUBLISHED
            ):
                earlier.append(key.name)
        return earlier

    @staticmethod
    def _result_summary(results: MarketResults) -> dict:
        awarded = "awardedMw" if any("awardedMw" in a for a in results.awards) else "allocatedMw"
        return {
            "marketName": results.market_name,
            "clearedAt": format_utc(results.cleared_at),
            "publishedAt": format_utc(results.published_at) if results.published_at else None,
            "awardCount": len(results.awards),
            "awardedMw": round(sum(a.get(awarded, 0.0) for a in results.awards), 6),
            "bindingConstraints": len(results.binding),
        }

    def publish_results(self, market_name: str) -> dict:
        """Operator: publish a cleared market (or post a load migration market's results)."""
        now = self._sync()
        if isinstance(market_name, str) and market_name.startswith("LM_"):
            return self._post_migration(market_name, now)
        market = self._markets.get(market_name)
        results = self._results.get(market.name)
        if market.status is not WindowStatus.CLOSED or results is None:
            raise DomainError(
                "SER0002", f"Market {market.name} has no cleared results to publish.", "marketName"
            )
        if market.is_auction:
            portfolios = self._auction.book.of_market(market.name)
            publish_auction(market, results, portfolios, self._holdings)
        else:
            portfolios = self._nominations.book.of_market(market.name)
            publish_allocation(market, results, portfolios, self._holdings)
        results.published_at = now
        market.window.publish(now)
        self._messages.post(
            Category.RESULTS_PUBLISHED,
            f"{market.name} results published",
            f"The results of market {market.name} are published.",
            now,
            market_name=market.name,
        )
        for participant in sorted({a["participantName"] for a in results.awards}):
            self._messages.post(
                Category.RESULTS_PUBLISHED,
                f"Your {market.name} results",
                f"Your awards in market {market.name} are available.",
                now,
                market_name=market.name,
                participant=participant,
            )
        return self._result_summary(results)

    def _post_migration(self, market_name: str, now: datetime) -> dict:
        market = self._migration.market(market_name)
        if market.window.status is not WindowStatus.CLOSED:
            raise DomainError(
                "SER0002",
                f"Load migration market {market.name} is "
                f"{market.window.status}; results are posted after it closes.",
                "marketName",
            )

        def metric(lse: str, sink: str, tou: TimeOfUse, process: MarketKey) -> float:
            return self._load.load_metric(lse, sink, tou, process)

        adjustments = self._migration.post_results(market.name, metric)
        market.window.publish(now)
        self._messages.post(
            Category.RESULTS_PUBLISHED,
            f"{market.name} results posted",
            f"The load migration results of {market.name} are posted.",
            now,
            market_name=market.name,
        )
        return {
            "marketName": market.name,
            "crrAdjustments": len(adjustments),
            "postedAt": format_utc(now),
        }

    # ------------------------------------------------------------ market info

    def get_market(self, market_name: str) -> dict:
        """One market (Market Info ``Market``); MKT0001 when unknown."""
        self._sync()
        return self._markets.get(market_name).to_dict()

    def active_markets(self, market_type: str, period: str | None = None) -> list[dict]:
        """Allocation or auction markets in PREP, OPEN or CLOSED."""
        self._sync()
        if market_type not in MarketType.__members__:
            raise DomainError("SER0002", f"Invalid market type {market_type!r}.", "marketType")
        if period is not None and period not in Period.__members__:
            raise DomainError("SER0002", f"Invalid period {period!r}.", "period")
        chosen = self._markets.active(MarketType(market_type), Period(period) if period else None)
        return [m.to_dict() for m in chosen]

    def market_status(self, market_name: str, market_type: str) -> dict:
        """``MarketStatusDetail`` of an auction or allocation market (MKT0001 when not one)."""
        self._sync()
        if market_type not in MarketType.__members__:
            raise DomainError("SER0002", f"Invalid market type {market_type!r}.", "marketType")
        market = self._markets.get_of_type(market_name, MarketType(market_type))
        body = market.to_dict()
        return {
            k: body[k]
            for k in ("marketName", "status", "windowOpenTime", "windowCloseTime", "timesOfUse")
        }

    def market_calendar(self, start: str | None = None, end: str | None = None) -> list[dict]:
        """Calendar entries (market and load windows) overlapping ``[start, end]``."""
        self._sync()
        begin, finish = _optional_time(start, "from"), _optional_time(end, "to")
        if begin is not None and finish is not None and begin > finish:
            raise DomainError("SER0002", "from must not be after to.", "from")
        entries = [
            (m.name, "BID" if m.is_auction else "NOMINATION", m.window) for m in self._markets
        ]
        entries += [
            (w.market_name, _WINDOW_TYPES[w.load_type], w.window) for w in self._load.windows()
        ]
        rows = [
            {
                "marketName": name,
                "windowType": kind,
                "openTime": format_utc(w.open_time),
                "closeTime": format_utc(w.close_time),
            }
            for name, kind, w in entries
            if (begin is None or w.close_time >= begin)
            and (finish is None or w.open_time <= finish)
        ]
        return sorted(rows, key=lambda r: (r["openTime"], r["marketName"], r["windowType"]))

    def source_sink_list(self) -> list[dict]:
        """The source and sink list (public)."""
        return [loc.to_dict() for loc in self._locations]

    # ----------------------------------------------------------------- auction

    def create_auction_portfolio(
        self,
        participant_name: str,
        market_name: str,
        portfolio_name: str,
        bids: list | None = None,
        offers: list | None = None,
    ) -> dict:
        """Create an auction portfolio with its bids and sell offers (status CREATED)."""
        now = self._sync()
        portfolio = self._auction.create(
            participant_name, market_name, portfolio_name, bids, offers, now
        )
        return portfolio.to_dict()

    def submit_auction_portfolio(
        self, participant_name: str, market_name: str, portfolio_name: str
    ) -> dict:
        """Submit an auction portfolio (credit checked; short: AUC0001, nothing accepted)."""
        now = self._sync()
        portfolio = self._auction.submit(participant_name, market_name, portfolio_name, now)
        return portfolio.status_detail()

    def retract_auction_portfolio(
        self, participant_name: str, market_name: str, portfolio_name: str
    ) -> dict:
        """Retract a submitted auction portfolio."""
        now = self._sync()
        portfolio = self._auction.retract(participant_name, market_name, portfolio_name, now)
        return portfolio.status_detail()

    def delete_auction_portfolio(
        self, participant_name: str, market_name: str, portfolio_name: str
    ) -> dict:
        """Delete an auction portfolio that is not submitted."""
        now = self._sync()
        portfolio = self._auction.delete(participant_name, market_name, portfolio_name)
        return portfolio.deletion_receipt(now)

    def get_auction_portfolio(
        self, participant_name: str, market_name: str, portfolio_name: str
    ) -> dict:
        """The participant's own auction portfolio."""
        self._sync()
        return self._auction.get(participant_name, market_name, portfolio_name).to_dict()

    def get_auction_portfolio_status(
        self, participant_name: str, market_name: str, portfolio_name: str
    ) -> dict:
        """Status of the participant's own auction portfolio."""
        self._sync()
        return self._auction.get(participant_name, market_name, portfolio_name).status_detail()

    def list_auction_portfolios(
        self, participant_name: str, market_name: str | None = None
    ) -> list[dict]:
        """The participant's auction portfolios."""
        self._sync()
        return self._auction.summaries(participant_name, market_name)

    def get_portfolio_required_credit(
        self, participant_name: str, market_name: str, portfolio_name: str
    ) -> dict:
        """Required and available credit of the participant's own auction portfolio."""
        self._sync()
        portfolio = self._auction.get(participant_name, market_name, portfolio_name)
        credit, available = self._auction.credit(participant_name, market_name, portfolio_name)
        return credit_report(portfolio, credit, available)

    # -------------------------------------------------------------- nomination

    def _cap_lookup(
        self, participant: Participant, market: Market
    ) -> dict[tuple[str, TimeOfUse], float | None]:
        return {
            (cap.sink, cap.time_of_use): cap.cap_mw
            for cap in self._caps.tier_caps(participant, market)
        }

    def create_nomination_portfolio(
        self, participant_name: str, market_name: str, portfolio_name: str, nominations: list
    ) -> dict:
        """Create a nomination portfolio (status CREATED)."""
        now = self._sync()
        portfolio = self._nominations.create(
            participant_name, market_name, portfolio_name, nominations, now
        )
        return portfolio.to_dict()

    def submit_nomination_portfolio(
        self, participant_name: str, market_name: str, portfolio_name: str
    ) -> dict:
        """Submit a nomination portfolio (caps checked with the other submitted ones)."""
        now = self._sync()
        return self._nominations.submit(
            participant_name, market_name, portfolio_name, now
        ).status_detail()

    def retract_nomination_portfolio(
        self, participant_name: str, market_name: str, portfolio_name: str
    ) -> dict:
        """Retract a submitted nomination portfolio."""
        now = self._sync()
        return self._nominations.retract(
            participant_name, market_name, portfolio_name, now
        ).status_detail()

    def delete_nomination_portfolio(
        self, participant_name: str, market_name: str, portfolio_name: str
    ) -> dict:
        """Delete a nomination portfolio that is not submitted."""
        now = self._sync()
        portfolio = self._nominations.delete(participant_name, market_name, portfolio_name)
        return portfolio.deletion_receipt(now)

    def get_nomination_portfolio(
        self, participant_name: str, market_name: str, portfolio_name: str
    ) -> dict:
        """The participant's own nomination portfolio."""
        self._sync()
        return self._nominations.get(participant_name, market_name, portfolio_name).to_dict()

    def get_nomination_portfolio_status(
        self, participant_name: str, market_name: str, portfolio_name: str
    ) -> dict:
        """Status of the participant's own nomination portfolio."""
        self._sync()
        return self._nominations.get(participant_name, market_name, portfolio_name).status_detail()

    def list_nomination_portfolios(
        self, participant_name: str, market_name: str | None = None
    ) -> list[dict]:
        """The participant's nomination portfolios."""
        self._sync()
        return self._nominations.summaries(participant_name, market_name)

    def get_nomination_caps(self, participant_name: str, market_name: str) -> list[dict]:
        """The participant's own caps per sink and time of use in an allocation market."""
        self._sync()
        participant = self._participants.get(participant_name)
        market = self._markets.get_of_type(market_name, MarketType.ALLOCATION)
        return [cap.to_dict() for cap in self._caps.tier_caps(participant, market)]

    def get_seq_results(self, participant_name: str, year: int) -> list[dict]:
        """The participant's own seasonal eligible quantities (CRRSEQResult rows)."""
        self._sync()
        return self._caps.seq(self._participants.get(participant_name), _year(year))

    def get_upper_bound_results(self, participant_name: str, year: int) -> list[dict]:
        """The participant's own Tier 1 upper bounds (CRRUpperBoundResult rows)."""
        self._sync()
        return self._caps.upper_bound(self._participants.get(participant_name), _year(year))

    def get_meq_results(self, participant_name: str, year: int, month: int) -> list[dict]:
        """The participant's own monthly eligible quantities (CRRMEQResult rows)."""
        self._sync()
        if isinstance(month, bool) or not isinstance(month, int) or not 1 <= month <= 12:
            raise DomainError("SER0002", f"Invalid month {month!r}.", "month")
        return self._caps.meq(self._participants.get(participant_name), _year(year), month)

    # -------------------------------------------------------------------- load

    def open_load_windows(
        self, load_types: list[str], market_name: str | None = None
    ) -> list[dict]:
        """The load windows of the given types open now, optionally feeding one market."""
        self._sync()
        return [
            w.to_dict()
            for w in self._load.windows()
            if w.window.is_open
            and str(w.load_type) in load_types
            and (market_name is None or w.market_name == market_name)
        ]

    def submit_load_data(
        self, participant_name: str, window_name: str, load_type: str, records: list
    ) -> dict:
        """Submit load records; the per-sink result comes back (and as a private message)."""
        now = self._sync()
        participant = self._participants.get(participant_name)
        result = self._load.submit(
            participant, window_name, load_type, records, now, self._locations
        )
        window = self._load.window(window_name)
        self._messages.post(
            Category.SUBMISSION_RESULT,
            f"Load submission {result.submission_id}: {result.status}",
            f"Your load submission to {window.name} was {result.status.lower()}.",
            now,
            market_name=window.market_name,
            participant=participant.name,
        )
        return result.to_dict()

    def get_load_data(self, participant_name: str, window_name: str) -> dict:
        """The participant's own stored load in a window and its latest result."""
        self._sync()
        participant = self._participants.get(participant_name)
        return self._load.load_data(participant.name, window_name)

    # ---------------------------------------------------------- load migration

    def submit_load_migration(self, participant_name: str, market_name: str, records: list) -> dict:
        """A UDC submits load migration records."""
        now = self._sync()
        return self._migration.submit(participant_name, market_name, records, now).status_view()

    def get_load_migration_submission(self, participant_name: str, submission_id: str) -> dict:
        """The UDC's own submission."""
        self._sync()
        return self._migration.submission(participant_name, submission_id)

    def load_migration_markets(self, status: str | None = None) -> list[dict]:
        """Load migration markets, latest open first."""
        self._sync()
        return [m.to_dict() for m in self._migration.markets(status)]

    def get_load_migration_result(self, participant_name: str, market_name: str) -> dict:
        """The posted results concerning the participant."""
        self._sync()
        return self._migration.result(participant_name, market_name)

    # --------------------------------------------------------- secondary market

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
        now = self._sync()
        offer = self._secondary.submit_offer(
            participant_name, crr_id, mw, start_date, end_date, time_of_use, targets, now
        )
        for target in offer.targets:
            self._messages.post(
                Category.OFFER_RECEIVED,
                f"Secondary market offer {offer.request_id}",
                f"{offer.offerer} offers {offer.mw:g} MW of {offer.source} to {offer.sink} "
                f"{offer.time_of_use} at {target.price:g} $/MW.",
                now,
                participant=target.participant,
            )
        return offer.view(offer.offerer)

    def respond_offer(
        self, participant_name: str, request_id: str, action: str, price: float
    ) -> dict:
        """A target accepts or rejects an offer at its offered price."""
        now = self._sync()
        offer, target, _created = self._secondary.respond(
            participant_name, request_id, action, price, now
        )
        self._messages.post(
            Category.OFFER_RESPONDED,
            f"Secondary market offer {offer.request_id}",
            f"{target.participant} {str(target.status).lower()} your offer {offer.request_id}.",
            now,
            participant=offer.offerer,
        )
        return offer.response_view(target)

    def withdraw_offer(self, participant_name: str, request_id: str) -> dict:
        """The offerer withdraws a pending offer."""
        now = self._sync()
        return self._secondary.withdraw(participant_name, request_id, now).view(participant_name)

    def get_offer(self, participant_name: str, request_id: str) -> dict:
        """An offer the participant is party to."""
        self._sync()
        return self._secondary.get_offer(participant_name, request_id)

    def list_offers(self, participant_name: str, status: str | None = None) -> list[dict]:
        """Offers the participant made or received, newest first."""
        self._sync()
        return self._secondary.list_offers(participant_name, status)

    def get_offer_responses(self, participant_name: str, request_id: str) -> list[dict]:
        """Responses to an offer, as far as the participant may see them."""
        self._sync()
        return self._secondary.responses(participant_name, request_id)

    def get_crr_holdings(self, participant_name: str) -> list[dict]:
        """The CRRs the participant holds now."""
        self._sync()
        participant = self._participants.get(participant_name)
        return [crr.to_dict() for crr in self._holdings.owned_by(participant.name)]

    # ----------------------------------------------------------- TOR conversion

    def get_conversion_window(self, window_name: str) -> dict:
        """One TOR conversion window (TOR0016 when unknown)."""
        self._sync()
        return self._tor.window(window_name).to_dict()

    def list_conversion_windows(self, status: str | None = None) -> list[dict]:
        """TOR conversion windows, latest open first."""
        self._sync()
        return [w.to_dict() for w in self._tor.windows(status)]

    def submit_conversion_request(
        self, participant_name: str, window_name: str, records: list
    ) -> dict:
        """A TOR holder's conversion request."""
        now = self._sync()
        request = self._tor.submit_request(participant_name, window_name, records, now)
        return request.view(request.participant)

    def submit_conversion_approval(
        self, participant_name: str, window_name: str, records: list
    ) -> dict:
        """An approver's decisions; approved records become TOR CRRs (market SYSTEM)."""
        now = self._sync()
        outcomes, _created, requests = self._tor.approve(
            participant_name, window_name, records, now
        )
        for request in requests:
            self._messages.post(
                Category.SUBMISSION_RESULT,
                f"TOR conversion request {request.request_id}",
                f"Records of your request {request.request_id} were decided; the request is "
                f"{str(request.status).lower()}.",
                now,
                participant=request.participant,
            )
        return {
            "participantName": participant_name,
            "windowName": window_name,
            "submittedAt": format_utc(now),
            "records": outcomes,
        }

    def get_conversion_request(self, participant_name: str, request_id: str) -> dict:
        """A conversion request the participant submitted or approves."""
        self._sync()
        return self._tor.get_request(participant_name, request_id)

    def list_conversion_requests(self, participant_name: str, window_name: str) -> list[dict]:
        """Conversion requests of a window visible to the participant."""
        self._sync()
        return self._tor.list_requests(participant_name, window_name)

    # ----------------------------------------------------------------- messages

    def _message_period(
        self, start_time: str | None, end_time: str | None
    ) -> tuple[datetime, datetime]:
        """The messages spec's period: without endTime it ends now, without startTime it
        starts DEFAULT_MESSAGE_PERIOD before endTime."""
        end = _optional_time(end_time, "endTime") or self._clock.now()
        start = _optional_time(start_time, "startTime")
        if start is None:
            # an endTime in the first week of year 1 has no date seven days before it
            earliest = datetime.min.replace(tzinfo=end.tzinfo)
            start = (
                end - DEFAULT_MESSAGE_PERIOD
                if end - earliest > DEFAULT_MESSAGE_PERIOD
                else earliest
            )
        return start, end

    def list_public_messages(
        self,
        start_time: str | None = None,
        end_time: str | None = None,
        market_name: str | None = None,
    ) -> list[dict]:
        """Public messages in a range of at most 31 days (MSG0001)."""
        self._sync()
        found = self._messages.public(*self._message_period(start_time, end_time), market_name)
        return [m.to_dict() for m in found]

    def list_private_messages(
        self,
        participant_name: str,
        start_time: str | None = None,
        end_time: str | None = None,
        market_name: str | None = None,
    ) -> list[dict]:
        """The participant's own private messages."""
        self._sync()
        participant = self._participants.get(participant_name)
        found = self._messages.private(
            participant.name, *self._message_period(start_time, end_time), market_name
        )
        return [m.to_dict() for m in found]

    def list_messages(
        self,
        participant_name: str,
        start_time: str | None = None,
        end_time: str | None = None,
        market_name: str | None = None,
    ) -> list[dict]:
        """Public messages and the participant's own private ones."""
        self._sync()
        participant = self._participants.get(participant_name)
        found = self._messages.visible_to(
            participant.name, *self._message_period(start_time, end_time), market_name
        )
        return [m.to_dict() for m in found]

    def get_message(self, message_id: str, participant_name: str | None = None) -> dict:
        """One message; a private one only for its own participant."""
        self._sync()
        if participant_name is not None:
            self._participants.get(participant_name)
        return self._messages.get(message_id, participant_name).to_dict()

    # -------------------------------------------------------------- market data

    def download(
        self, download_type: str, market_name: str, participant_name: str | None = None
    ) -> dict:
        """A market data download's ``data`` (public, or the participant's private one)."""
        self._sync()
        return self._downloads.build(download_type, market_name, participant_name, self.now())

    # ----------------------------------------------------------------- snapshot

    def snapshot(self) -> dict[str, Any]:
        """The full state as plain JSON-able data, after applying due window transitions."""
        self._sync()
        return {
            "now": format_utc(self.now()),
            "counters": self._ids.snapshot(),
            "parameters": {"caps": asdict(self._cap_parameters), "load": asdict(self._load_rules)},
            "participants": [p.to_dict() for p in self._participants],
            "locations": [loc.to_dict() for loc in self._locations],
            "markets": [m.to_dict() | {"window": m.window.to_dict()} for m in self._markets],
            "creditMargins": {
                "default": self._auction.margins.default,
                "paths": [
                    {"source": a, "sink": b, "margin": v}
                    for (a, b), v in self._auction.margins.paths.items()
                ],
            },
            "networks": self._network_data,
            "load": self._load.snapshot(),
            "auctionPortfolios": self._auction.snapshot(),
            "nominationPortfolios": self._nominations.snapshot(),
            "holdings": self._holdings.snapshot(),
            "secondaryMarket": self._secondary.snapshot(),
            "torConversion": self._tor.snapshot(),
            "loadMigration": self._migration.snapshot(),
            "messages": self._messages.snapshot(),
            "results": [self._results[k].to_dict() for k in sorted(self._results)],
        }
