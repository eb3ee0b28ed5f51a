"""TOR conversion: turning Transmission Ownership Rights into CRRs.

While a named conversion window (e.g. ``TOR_AN_2026``) is OPEN, a TOR holder
(TOR0001) submits a request with one record per block of capacity of a TOR
contract it holds (TOR0002): source, sink, MW, time of use and term. Each
contract has a registered approver (an LSE or CRR holder); the approver
approves or rejects the records of its contracts while the window is open.
An approved record becomes a CRR of the TOR holder with CRR type ``TOR``
and market name ``SYSTEM``. A request is APPROVED once every record is
decided and at least one was approved, REJECTED when all were rejected.

An unknown window name is TOR0016, a window that is not open TOR0003, and a
decision on a record no longer SUBMITTED SMT0146. A request can be read only
by its TOR holder and by the approvers of its records (each seeing only its
own records); for anyone else it does not exist (SER0028).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from reference_impl.engine.clock import format_utc, parse_utc
from reference_impl.engine.errors import DomainError, FindingCollector
from reference_impl.engine.holdings import CRR, CrrType, Holdings, IssueOrigin, MarketTerm
from reference_impl.engine.identifiers import IdCounters, by_id
from reference_impl.engine.limits import Limits, require_items
from reference_impl.engine.locations import LocationBook
from reference_impl.engine.markets import SUB_MARKETS, TimeOfUse
from reference_impl.engine.participants import ParticipantBook, ParticipantKind
from reference_impl.engine.quantities import is_finite_number
from reference_impl.engine.windows import Window, latest_first

__all__ = [
    "ConversionRecord",
    "ConversionRequest",
    "ConversionStatus",
    "TorContract",
    "TorConversion",
    "TorWindow",
]

SYSTEM_MARKET = "SYSTEM"
TOR_ORIGIN = IssueOrigin(SYSTEM_MARKET, MarketTerm.SYSTEM, CrrType.TOR)
"""An approved record becomes a TOR CRR of market ``SYSTEM``."""


class ConversionStatus(StrEnum):
    """Status of a conversion record, and of a request as a whole."""

    SUBMITTED = "SUBMITTED"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"


@dataclass(frozen=True, slots=True)
class TorContract:
    """A TOR contract: who holds it, who approves its conversion, and its capacity."""

    contract_id: str
    holder: str
    approver: str
    source: str
    sink: str
    mw: float
    start: datetime
    end: datetime

    def to_dict(self) -> dict:
        """The contract as plain data."""
        return {
            "torContractId": self.contract_id,
            "holder": self.holder,
            "approver": self.approver,
            "source": self.source,
            "sink": self.sink,
            "mw": self.mw,
            "startDate": format_utc(self.start),
            "endDate": format_utc(self.end),
        }


@dataclass(slots=True)
class TorWindow:
    """A named TOR conversion window."""

    name: str
    window: Window

    def to_dict(self) -> dict:
        """The ``ConversionWindow`` schema (PUBLISHED shows as CLOSED)."""
        return {"windowName": self.name} | self.window.shown()


@dataclass(slots=True)
class ConversionRecord:
    """One block of TOR capacity to convert, and its approval."""

    contract_id: str
    source: str
    sink: str
    mw: float
    time_of_use: TimeOfUse
    start: datetime
    end: datetime
    approver: str
    status: ConversionStatus = ConversionStatus.SUBMITTED
    comment: str | None = None
    crr_id: str | None = None

    def to_dict(self) -> dict:
        """The ``ConversionRecordStatus`` schema."""
        record: dict = {
            "torContractId": self.contract_id,
            "source": self.source,
            "sink": self.sink,
            "mw": self.mw,
            "timeOfUse": str(self.time_of_use),
            "startDate": format_utc(self.start),
            "endDate": format_utc(self.end),
            "status": str(self.status),
            "approverName": self.approver,
        }
        if self.comment is not None:
            record["comment"] = self.comment
        if self.crr_id is not None:
            record["crrId"] = self.crr_id
        return record


@dataclass(slots=True)
class ConversionRequest:
    """A TOR holder's request in one window."""

    request_id: str
    participant: str
    window_name: str
    submitted_at: datetime
    records: list[ConversionRecord] = field(default_factory=list)
    updated_at: datetime | None = None

    @property
    def status(self) -> ConversionStatus:
        """SUBMITTED while a record waits; then APPROVED if any was approved, else REJECTED."""
        statuses = {r.status for r in self.records}
        if ConversionStatus.SUBMITTED in statuses:
            return ConversionStatus.SUBMITTED
        if ConversionStatus.APPROVED in statuses:
            return ConversionStatus.APPROVED
        return ConversionStatus.REJECTED

    def visible_to(self, participant: str) -> bool:
        """Whether ``participant`` submitted the request or approves one of its records."""
        return participant == self.participant or any(
            r.approver == participant for r in self.records
        )

    def view(self, participant: str) -> dict:
        """The ``ConversionRequest`` schema as ``participant`` may see it."""
        records = [r for r in self.records if participant in (self.participant, r.approver)]
        body: dict = {
            "requestId": self.request_id,
            "participantName": self.participant,
            "windowName": self.window_name,
            "status": str(self.status),
            "submittedAt": format_utc(self.submitted_at),
            "records": [r.to_dict() for r in records],
        }
        if self.updated_at is not None:
            body["updatedAt"] = format_utc(self.updated_at)
        return body


class TorConversion:
    """Conversion windows, TOR contracts, requests and approvals."""

    def __init__(
        self,
        participants: ParticipantBook,
        locations: LocationBook,
        holdings: Holdings,
        ids: IdCounters,
        limits: Limits,
    ) -> None:
        self._participants = participants
        self._locations = locations
        self._holdings = holdings
        self._ids = ids
        self._limits = limits
        self._windows: dict[str, TorWindow] = {}
        self._contracts: dict[str, TorContract] = {}
        self._requests: dict[str, ConversionRequest] = {}

    # -- set-up ---------------------------------------------------------------------

    def add_window(self, window: TorWindow) -> None:
        """Set up a conversion window."""
        if window.name in self._windows:
            raise DomainError("SER0002", f"TOR window {window.name} exists.", "windowName")
        self._windows[window.name] = window

    def add_contract(self, contract: TorContract) -> None:
        """Register a TOR contract."""
        if contract.contract_id in self._contracts:
            raise DomainError(
                "SER0002", f"TOR contract {contract.contract_id} exists.", "torContractId"
            )
        for who in (contract.holder, contract.approver):
            self._participants.get(who, "torContracts")
        self._contracts[contract.contract_id] = contract

    def window(self, name: object) -> TorWindow:
        """The window called ``name``; TOR0016 when there is none."""
        window = self._windows.get(name) if isinstance(name, str) else None
        if window is None:
            raise DomainError(
                "TOR0016", f"TOR conversion window {name!r} does not exist.", "windowName"
            )
        return window

    def windows(self, status: str | None = None) -> list[TorWindow]:
        """Windows, latest open time first, optionally of one status."""
        return latest_first(self._windows.values(), status, "window")

    def _open(self, window_name: object) -> TorWindow:
        window = self.window(window_name)
        if not window.window.is_open:
            raise DomainError(
                "TOR0003",
                f"TOR conversion window {window.name} is {window.window.status}.",
                "windowName",
            )
        return window

    # -- requests -------------------------------------------------------------------

    def submit_request(
        self, participant_name: str, window_name: str, records: object, now: datetime
    ) -> ConversionRequest:
        """A TOR holder asks to convert capacity of its contracts."""
        participant = self._participants.get(participant_name)
        window = self.window(window_name)
        if not participant.is_a(ParticipantKind.TOR_HOLDER):
            raise DomainError(
                "TOR0001", f"{participant.name} is not a TOR holder.", "participantName"
            )
        window = self._open(window.name)
        records = require_items(records, "conversion_records", self._limits.conversion_records)
        found = FindingCollector()
        parsed: list[ConversionRecord] = []
        for i, raw in enumerate(records):
            where = f"records[{i}]"
            record = self._parse_record(participant.name, raw, where, found)
            if record is not None:
                parsed.append(record)
        found.raise_if_any()
        request = ConversionRequest(
            request_id=f"TORC-{now:%Y%m%d}-{self._ids.next('tor_request'):04d}",
            participant=participant.name,
            window_name=window.name,
            submitted_at=now,
            records=parsed,
        )
        self._requests[request.request_id] = request
        return request

    def _parse_record(
        self, holder: str, raw: object, where: str, found: FindingCollector
    ) -> ConversionRecord | None:
        keys = ("torContractId", "source", "sink", "mw", "timeOfUse", "startDate", "endDate")
        if not isinstance(raw, dict) or any(k not in raw for k in keys):
            found.add("SER0001", f"A record needs {', '.join(keys)}.", where)
            return None
        contract = self._contracts.get(raw["torContractId"])
        if contract is None or contract.holder != holder:
            found.add(
                "TOR0002",
                f"TOR contract {raw['torContractId']!r} is unknown or not held by {holder}.",
                f"{where}.torContractId",
            )
            return None
        try:
            start = parse_utc(raw["startDate"], f"{where}.startDate")
            end = parse_utc(raw["endDate"], f"{where}.endDate")
        except DomainError as error:
            found.add(error.code, error.message, error.field)
            return None
        problems = []
        if raw["source"] == raw["sink"]:
            problems.append("source and sink must differ")
        for name in (raw["source"], raw["sink"]):
            if name not in self._locations:
                problems.append(f"{name!r} is not a listed location")
        if not is_finite_number(raw["mw"]) or not 0 < raw["mw"] <= contract.mw + 1e-9:
            problems.append(f"mw must be above 0 and at most the contract's {contract.mw:g} MW")
        if raw["timeOfUse"] not in SUB_MARKETS:
            problems.append(f"invalid time of use {raw['timeOfUse']!r}")
        if end <= start or start < contract.start or end > contract.end:
            problems.append("the term must lie within the contract's term")
        if problems:
            found.add("SER0002", "; ".join(problems) + ".", where)
            return None
        return ConversionRecord(
            contract_id=contract.contract_id,
            source=raw["source"],
            sink=raw["sink"],
            mw=float(raw["mw"]),
            time_of_use=TimeOfUse.sub_market(raw["timeOfUse"]),
            start=start,
            end=end,
            approver=contract.approver,
        )

    def approve(
        self, participant_name: str, window_name: str, decisions: object, now: datetime
    ) -> tuple[list[dict], list[CRR], list[ConversionRequest]]:
        """An approver decides records; all decisions apply or none (returns outcomes, new CRRs)."""
        approver = self._participants.get(participant_name)
        window = self._open(window_name)
        decisions = require_items(decisions, "approval_records", self._limits.approval_records)
        found = FindingCollector()
        plan: list[tuple[ConversionRequest, list[ConversionRecord], bool, str | None]] = []
        for i, raw in enumerate(decisions):
            where = f"records[{i}]"
            if (
                not isinstance(raw, dict)
                or any(k not in raw for k in ("requestId", "torContractId", "approved"))
                or not isinstance(raw["approved"], bool)
            ):
                found.add(
                    "SER0001", "A decision needs requestId, torContractId and approved.", where
                )
                continue
            request = self._requests.get(raw["requestId"])
            if request is None or request.window_name != window.name:
                request = ConversionRequest("", "", window.name, now)
            targets = [
                r
                for r in request.records
                if r.contract_id == raw["torContractId"] and r.approver == approver.name
            ]
            if not targets:
                found.add(
                    "SER0002",
                    f"No record of contract {raw['torContractId']!r} in request "
                    f"{raw['requestId']!r} awaits approval by {approver.name} in {window.name}.",
                    where,
                )
                continue
            if any(r.status is not ConversionStatus.SUBMITTED for r in targets):
                found.add(
                    "SMT0146",
                    f"The records of contract {raw['torContractId']} in request "
                    f"{raw['requestId']} are already decided.",
                    where,
                )
                continue
            comment = raw.get("comment")
            if comment is not None and not isinstance(comment, str):
                found.add("SER0002", "comment must be a string.", f"{where}.comment")
                continue
            plan.append((request, targets, raw["approved"], comment))
        found.raise_if_any()
        outcomes: list[dict] = []
        created: list[CRR] = []
        touched: dict[str, ConversionRequest] = {}
        for request, targets, approved, comment in plan:
            for record in targets:
                record.status = ConversionStatus.APPROVED if approved else ConversionStatus.REJECTED
                record.comment = comment
                if approved:
                    crr = self._holdings.issue(request.participant, record, TOR_ORIGIN)
                    record.crr_id = crr.crr_id
                    created.append(crr)
            request.updated_at = now
            touched[request.request_id] = request
            outcomes.append(
                {
                    "requestId": request.request_id,
                    "torContractId": targets[0].contract_id,
                    "status": str(targets[0].status),
                    "requestStatus": str(request.status),
                }
            )
        return outcomes, created, by_id(touched)

    # -- queries --------------------------------------------------------------------

    def get_request(self, participant_name: str, request_id: object) -> dict:
        """The request as the participant may see it; SER0028 when it may not."""
        participant = self._participants.get(participant_name)
        request = self._requests.get(request_id) if isinstance(request_id, str) else None
        if request is None or not request.visible_to(participant.name):
            raise DomainError(
                "SER0028", f"Conversion request {request_id!r} was not found.", "requestId"
            )
        return request.view(participant.name)

    def list_requests(self, participant_name: str, window_name: str) -> list[dict]:
        """Requests of a window the participant submitted or approves records of, newest first."""
        participant = self._participants.get(participant_name)
        window = self.window(window_name)
        chosen = [
            r
            for r in self._requests.values()
            if r.window_name == window.name and r.visible_to(participant.name)
        ]
        chosen.sort(key=lambda r: (r.submitted_at, r.request_id), reverse=True)
        return [r.view(participant.name) for r in chosen]

    def requests_of(self, participant_name: str) -> list[ConversionRequest]:
        """Requests the participant submitted or approves records of, by request ID."""
        return [r for r in by_id(self._requests) if r.visible_to(participant_name)]

    def contracts(self) -> list[TorContract]:
        """Every TOR contract, by ID."""
        return by_id(self._contracts)

    def snapshot(self) -> dict:
        """Windows, contracts and requests as plain data."""
        return {
            "windows": [
                w.to_dict() | {"window": w.window.to_dict()}
                for w in sorted(self._windows.values(), key=lambda w: w.name)
            ],
            "contracts": [c.to_dict() for c in self.contracts()],
            "requests": [
                request.view(request.participant)
                | {"records": [r.to_dict() for r in request.records]}
                for request in by_id(self._requests)
            ],
        }
