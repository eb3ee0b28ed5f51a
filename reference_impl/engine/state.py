"""The engine's books, wired together: everything the facade's operations act on.

:class:`~reference_impl.engine.system.CRRSystem` owns one :class:`EngineState`
and replaces it whole on a reset. The state is a plain holder: the books
(markets, participants, locations, load, portfolios, holdings, secondary
market, TOR conversion, load migration, messages, results) built once with
their cross-references, so the modules that carry out an operation (data set
loading, clearing and publication, window transitions) take the state and
need no reference to the facade.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from reference_impl.engine.caps import CapCalculator, CapParameters
from reference_impl.engine.clearing_runs import MarketClearing, MarketResults, NetworkClearing
from reference_impl.engine.clock import format_utc
from reference_impl.engine.credit import CreditMarginTable
from reference_impl.engine.downloads import Downloads, Resource
from reference_impl.engine.holdings import Holdings
from reference_impl.engine.identifiers import IdCounters
from reference_impl.engine.limits import Limits
from reference_impl.engine.load import LoadBook, LoadRules
from reference_impl.engine.load_migration import LoadMigration
from reference_impl.engine.locations import LocationBook
from reference_impl.engine.markets import Market, MarketBook, TimeOfUse
from reference_impl.engine.messages import MessageBoard
from reference_impl.engine.network import Network
from reference_impl.engine.nominations import NominationPortfolios
from reference_impl.engine.participants import Participant, ParticipantBook
from reference_impl.engine.portfolios import AuctionPortfolios
from reference_impl.engine.secondary_market import SecondaryMarket
from reference_impl.engine.tor_conversion import TorConversion
from reference_impl.engine.windows import Window

__all__ = ["EngineState"]


class EngineState:
    """Every book of the engine, built empty and wired to each other."""

    def __init__(
        self,
        *,
        clearing: MarketClearing | None,
        cap_parameters: CapParameters,
        load_rules: LoadRules,
        limits: Limits,
    ) -> None:
        self.cap_parameters = cap_parameters
        self.load_rules = load_rules
        self.limits = limits
        self.ids = IdCounters()
        self.participants = ParticipantBook()
        self.locations = LocationBook()
        self.markets = MarketBook()
        self.holdings = Holdings(self.ids)
        self.load = LoadBook(self.ids, load_rules, limits.load_records)
        self.migration = LoadMigration(
            self.participants, self.locations, self.holdings, self.ids, limits.migration_records
        )
        self.caps = CapCalculator(
            self.load, self.holdings, self.migration.net_migration, cap_parameters
        )
        self.auction = AuctionPortfolios(
            self.markets,
            self.participants,
            self.locations,
            self.holdings,
            self.ids,
            CreditMarginTable(default=0.0),
            limits,
        )
        self.nominations = NominationPortfolios(
            self.markets,
            self.participants,
            self.locations,
            self.ids,
            self.cap_lookup,
            limits.nomination_records,
        )
        self.secondary = SecondaryMarket(
            self.participants, self.holdings, self.ids, limits.offer_targets
        )
        self.tor = TorConversion(self.participants, self.locations, self.holdings, self.ids, limits)
        self.messages = MessageBoard(self.ids)
        self.results: dict[str, MarketResults] = {}
        self.resources: list[Resource] = []
        self.network_data: dict[str, dict] = {}
        self.networks: dict[str, Network] = {}
        self.clearing: MarketClearing = clearing or NetworkClearing(self.network_for)
        self.downloads = Downloads(
            self.markets,
            self.participants,
            self.locations,
            self.holdings,
            self.caps,
            self.load,
            self.results,
            self.secondary,
            self.tor,
            self.migration,
            self.resources,
        )

    def network_for(self, market_name: str) -> Network | None:
        """The market's own network model, else the data set's shared one (``*``)."""
        return self.networks.get(market_name) or self.networks.get("*")

    def cap_lookup(
        self, participant: Participant, market: Market
    ) -> dict[tuple[str, TimeOfUse], float | None]:
        """The participant's cap per sink and time of use in an allocation market."""
        return {
            (cap.sink, cap.time_of_use): cap.cap_mw
            for cap in self.caps.tier_caps(participant, market)
        }

    def windows(self) -> list[tuple[str, str, Window]]:
        """Every window as ``(kind, name, window)``: markets, load, TOR, load migration."""
        entries: list[tuple[str, str, Window]] = [
            ("market", name, m.window) for name, m in self.markets.named()
        ]
        entries += [("load", w.name, w.window) for w in self.load.windows()]
        entries += [("tor", w.name, w.window) for w in self.tor.windows()]
        entries += [("migration", m.name, m.window) for m in self.migration.all_markets()]
        return entries

    def snapshot(self, now: datetime) -> dict[str, Any]:
        """The full state as plain JSON-able data, read at ``now``."""
        return {
            "now": format_utc(now),
            "counters": self.ids.snapshot(),
            "parameters": {"caps": asdict(self.cap_parameters), "load": asdict(self.load_rules)},
            "participants": [p.to_dict() for p in self.participants],
            "locations": [loc.to_dict() for loc in self.locations],
            "markets": [m.to_dict() | {"window": m.window.to_dict()} for m in self.markets],
            "creditMargins": {
                "default": self.auction.margins.default,
                "paths": [
                    {"source": a, "sink": b, "margin": v}
                    for (a, b), v in self.auction.margins.paths.items()
                ],
            },
            "networks": self.network_data,
            "load": self.load.snapshot(),
            "auctionPortfolios": self.auction.snapshot(),
            "nominationPortfolios": self.nominations.snapshot(),
            "holdings": self.holdings.snapshot(),
            "secondaryMarket": self.secondary.snapshot(),
            "torConversion": self.tor.snapshot(),
            "loadMigration": self.migration.snapshot(),
            "messages": self.messages.snapshot(),
            "results": [self.results[k].to_dict() for k in sorted(self.results)],
        }
