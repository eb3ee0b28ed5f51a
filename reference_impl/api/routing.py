"""The route table, built from the served specs: one route per path, one handler per operation.

Every operation of every served spec is bound to the handler registered
for its service and ``operationId``. A spec that defines an operation the
registry has no handler for makes :func:`bind` raise
:class:`MissingHandlersError` naming every missing one, so adding an
operation to a spec either gets it served or stops the server from starting;
it can never be silently absent.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from starlette.requests import Request
from starlette.routing import Route

from crr_contract.operations import Operation, ServiceSpec, SpecLoadError
from reference_impl.api.call import Handler

__all__ = ["ANY_METHOD", "BoundOperation", "MissingHandlersError", "bind", "routes"]

ANY_METHOD = ("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE")
"""Routes match every method; the endpoint answers an undefined one with SER0028."""


class MissingHandlersError(Exception):
    """Served specs define operations that have no handler; ``missing`` names them."""

    def __init__(self, missing: Sequence[Operation]) -> None:
        self.missing = tuple(missing)
        names = ", ".join(
            f"{op.name} ({op.method} {op.path} in {op.spec.file})" for op in self.missing
        )
        super().__init__(f"no handler for {len(self.missing)} operation(s): {names}")


@dataclass(frozen=True, slots=True)
class BoundOperation:
    """An operation of a served spec and the handler that implements it."""

    operation: Operation
    handler: Handler


def bind(
    specs: Sequence[ServiceSpec], registry: Mapping[str, Mapping[str, Handler]]
) -> list[BoundOperation]:
    """Every operation of ``specs`` with its handler; refuses if any has none or two share a route."""
    bound: list[BoundOperation] = []
    missing: list[Operation] = []
    seen: dict[tuple[str, str], Operation] = {}
    for spec in specs:
        for operation in spec.operations():
            key = (operation.path, operation.method)
            if key in seen:
                other = seen[key]
                raise SpecLoadError(
                    f"{operation.method} {operation.path} is defined by both "
                    f"{other.spec.file} and {spec.file}"
                )
            seen[key] = operation
            handler = registry.get(operation.service, {}).get(operation.operation_id)
            if handler is None:
                missing.append(operation)
            else:
                bound.append(BoundOperation(operation, handler))
    if missing:
        raise MissingHandlersError(missing)
    return bound


def routes(
    bound: Sequence[BoundOperation],
    endpoint: Callable[[Request, Mapping[str, BoundOperation]], object],
) -> list[Route]:
    """One route per spec path; ``endpoint(request, {METHOD: bound operation})`` answers it.

    Routes accept every method, so that a method the spec does not define
    for the path is answered by the endpoint in the CRR error format
    rather than by the framework.
    """
    by_path: dict[str, dict[str, BoundOperation]] = {}
    for item in bound:
        by_path.setdefault(item.operation.path, {})[item.operation.method] = item
    table = []
    for path, methods in by_path.items():

        async def answer(request: Request, _methods: Mapping[str, BoundOperation] = methods):
            return await endpoint(request, _methods)  # type: ignore[misc]

        table.append(Route(path, answer, methods=ANY_METHOD, name=path))
    return table
