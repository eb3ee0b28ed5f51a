"""The business limits the spec files state as ``maxItems`` on request arrays.

A submission holds at most so many records and a bid at most so many
segments because the request schema says so (``specs/README.md``). The
number therefore lives in one place, the spec file a server implements:
:data:`REQUEST_LIMITS` only says *where* each limit is stated (service,
operation, array in the request body) and which catalog code a request
beyond it answers, and :func:`declared_limits` reads the numbers from the
loaded files. A file that states no ``maxItems`` where a limit belongs is
refused (:class:`LimitError`) rather than given a number the spec never
said.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from crr_contract.errors import SpecError
from crr_contract.operations import Operation, ServiceSpec
from crr_contract.pointer import split

__all__ = [
    "REQUEST_LIMITS",
    "LimitError",
    "RequestLimit",
    "array_path",
    "declared_limit",
    "declared_limits",
    "limit_code",
]

ITEM = "[]"
"""In an array path, the step from an array to each of its items: ``bids[].segments``."""


class LimitError(SpecError):
    """A spec file does not state a limit its operation is known to have."""


@dataclass(frozen=True, slots=True)
class RequestLimit:
    """Where one business limit is stated: an array of an operation's request body."""

    name: str
    """The limit's name; several arrays may share one (bids and offers of a portfolio)."""
    service: str
    operation_id: str
    array: str
    """The array's path in the request body, ``[]`` stepping into each item."""
    code: str
    """The catalog code a request with more items than the limit answers."""


REQUEST_LIMITS: tuple[RequestLimit, ...] = (
    RequestLimit("auction_records", "auction", "portfolioCreation", "bids", "SER0030"),
    RequestLimit("auction_records", "auction", "portfolioCreation", "offers", "SER0030"),
    RequestLimit("segments", "auction", "portfolioCreation", "bids[].segments", "POR0003"),
    RequestLimit("segments", "auction", "portfolioCreation", "offers[].segments", "POR0003"),
    RequestLimit("nomination_records", "nomination", "portfolioCreation", "nominations", "SER0030"),
    RequestLimit(
        "load_records", "historical_forecasted_load", "submitLoadData", "records", "SER0030"
    ),
    RequestLimit(
        "migration_records", "load_migration", "submitLoadMigration", "records", "SER0030"
    ),
    RequestLimit(
        "offer_targets", "secondary_market", "submitOffer", "targetRespondingMps", "SER0030"
    ),
    RequestLimit(
        "conversion_records", "tor_conversion", "submitConversionRequest", "records", "SER0030"
    ),
    RequestLimit(
        "approval_records", "tor_conversion", "submitConversionApproval", "records", "SER0030"
    ),
)
"""Every business limit on a request array, by where the spec files state it."""


def array_path(parts: Iterable[object]) -> str:
    """The array path of a location in a request body: ``("bids", 3, "segments")`` ->
    ``bids[].segments``, the notation of :attr:`RequestLimit.array`."""
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += ITEM
        else:
            text += f".{part}" if text else str(part)
    return text


def limit_code(service: str, operation_id: str, array: str) -> str | None:
    """The code a request answers with more items in ``array`` than its spec allows, when the
    array carries a business limit; None for any other array."""
    for limit in REQUEST_LIMITS:
        if (limit.service, limit.operation_id, limit.array) == (service, operation_id, array):
            return limit.code
    return None


def array_schema(spec: ServiceSpec, limit: RequestLimit) -> Mapping[str, Any]:
    """The schema of ``limit``'s array in ``spec`` (``$ref`` followed), or :class:`LimitError`."""
    operation = _operation(spec, limit.operation_id)
    if operation is None:
        raise LimitError(
            f"{spec.file}: no operation {limit.operation_id} (needed for {limit.name})"
        )
    schema = _request_schema(operation)
    for step in _steps(limit.array):
        schema = _resolve(spec.document, schema)
        if step == ITEM:
            schema = schema.get("items") if _is_array(schema) else None
        else:
            schema = (schema.get("properties") or {}).get(step)
        if not isinstance(schema, Mapping):
            raise LimitError(
                f"{spec.file}: {limit.operation_id} request has no array {limit.array}"
            )
    return _resolve(spec.document, schema)


def declared_limit(spec: ServiceSpec, limit: RequestLimit) -> int:
    """The ``maxItems`` ``spec`` states for ``limit``'s array, or :class:`LimitError`."""
    where = f"{spec.file}: {limit.operation_id} request {limit.array}"
    value = array_schema(spec, limit).get("maxItems")
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise LimitError(
            f"{where}: expected a positive maxItems (the {limit.name} limit) but got {value!r}"
        )
    return value


def declared_limits(specs: Sequence[ServiceSpec]) -> dict[str, int]:
    """Each limit of the services among ``specs`` by name, read from their files.

    Arrays sharing a name must state the same number: the one limit applies
    to all of them. Limits of services not among ``specs`` are left out.
    """
    by_service = {spec.service: spec for spec in specs}
    found: dict[str, tuple[int, str]] = {}
    for limit in REQUEST_LIMITS:
        spec = by_service.get(limit.service)
        if spec is None:
            continue
        value = declared_limit(spec, limit)
        earlier = found.get(limit.name)
        if earlier is not None and earlier[0] != value:
            raise LimitError(
                f"{spec.file}: {limit.operation_id} states maxItems {earlier[0]} for "
                f"{earlier[1]} but {value} for {limit.array}; both are the {limit.name} limit"
            )
        found.setdefault(limit.name, (value, limit.array))
    return {name: value for name, (value, _array) in found.items()}


def _operation(spec: ServiceSpec, operation_id: str) -> Operation | None:
    return next((op for op in spec.operations() if op.operation_id == operation_id), None)


def _request_schema(operation: Operation) -> Any:
    body = _resolve(operation.spec.document, operation.definition.get("requestBody") or {})
    content = body.get("content") or {}
    return (content.get("application/json") or {}).get("schema") or {}


def _steps(array: str) -> list[str]:
    steps: list[str] = []
    for name in array.split("."):
        base = name.removesuffix(ITEM * name.count(ITEM))
        steps.append(base)
        steps += [ITEM] * name.count(ITEM)
    return steps


def _is_array(schema: Mapping[str, Any]) -> bool:
    return schema.get("type") == "array" or "items" in schema


def _resolve(document: Mapping[str, Any], node: Any) -> Any:
    """Follow local ``$ref`` pointers (``#/components/...``) to the node they name."""
    for _ in range(32):
        if not (isinstance(node, Mapping) and "$ref" in node):
            return node
        target: Any = document
        for part in split(str(node["$ref"])):
            target = target.get(part) if isinstance(target, Mapping) else None
        node = target
    return node
