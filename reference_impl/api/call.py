"""What a handler gets: one validated, authorized request and the engine to run it on.

Handlers are small synchronous functions ``(Call) -> body``: they translate
the validated request into a ``CRRSystem`` call and its result into the
response body of the spec. They never check roles, participant names or
schemas (that is done before they run) and never build error responses: an
engine rule broken is a ``DomainError`` and travels as such.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol, TypeVar

from crr_contract.identity import Identity
from crr_contract.operations import Operation, ServiceSpec
from reference_impl.engine.system import CRRSystem

__all__ = ["PORTFOLIO", "Call", "Engine", "Handler", "forward", "keyword"]

T = TypeVar("T")


class Engine(Protocol):
    """The engine as handlers see it (``store.durable.DurableSystem`` in the server)."""

    def run(self, method: str, /, **kwargs: Any) -> Any:
        """Call a ``CRRSystem`` method; commands are journaled before this returns."""
        ...

    def snapshot(self) -> dict[str, Any]:
        """The engine's full state."""
        ...

    def now(self) -> datetime:
        """The market clock."""
        ...


@dataclass(frozen=True, slots=True)
class Call:
    """One request on its way to the engine."""

    operation: Operation
    identity: Identity
    engine: Engine
    query: Mapping[str, Any] = field(default_factory=dict)
    body: Mapping[str, Any] = field(default_factory=dict)
    served: Sequence[ServiceSpec] = ()
    """Every spec the server implements (app status and download types describe them)."""

    def run(self, method: Callable[..., T], /, **kwargs: Any) -> T:
        """Run ``method(**kwargs)`` on the engine; ``method`` is a ``CRRSystem`` method.

        Handlers name the facade method by reference (``CRRSystem.get_market``),
        so a renamed or removed operation breaks at import time, not on the
        first request. The engine is told the method's name, which is what
        its journal records.
        """
        name = method.__name__
        if getattr(CRRSystem, name, None) is not method:
            raise TypeError(f"{method!r} is not an operation of CRRSystem")
        return self.engine.run(name, **kwargs)


Handler = Callable[[Call], Any]
"""A handler: the validated call in, the 200 response body out."""


PORTFOLIO = ("participantName", "marketName", "portfolioName")
"""The three fields that name a portfolio, in the query of a read and the body of a write.

Auction and nomination operations name a portfolio the same way."""


def keyword(field_name: str) -> str:
    """The engine keyword argument a request field is passed as (``participantName`` -> ``participant_name``)."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", field_name).lower()


def forward(
    method: Callable[..., Any],
    source: Literal["query", "body"],
    *fields: str,
    optional: tuple[str, ...] = (),
    **fixed: Any,
) -> Handler:
    """A handler that runs ``method`` with request fields as its keyword arguments.

    Each of ``fields`` (required) and ``optional`` (None when absent) is read
    from the request's ``source`` (the query of a read, the body of a write)
    and passed under its :func:`keyword` name; ``fixed`` arguments are passed
    as they are. Most operations are no more than this.
    """

    def handle(call: Call) -> Any:
        values = getattr(call, source)
        arguments = {keyword(name): values[name] for name in fields}
        arguments |= {keyword(name): values.get(name) for name in optional}
        return call.run(method, **arguments, **fixed)

    handle.__doc__ = method.__doc__
    return handle
