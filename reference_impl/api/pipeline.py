"""What happens to one request of a spec operation, in the order the security model needs.

1. identity: already resolved from the client certificate by
   ``ClientIdentityMiddleware`` (``scope["state"]["identity"]``);
2. role: the identity's role must be in the operation's ``x-roles``
   (SEC0001), checked before anything of the request is read, so that a
   caller without the role learns nothing about the operation;
3. validation against the served spec (SER0001, SER0002, GEN0003, ...), a body
   over the operation's size limit refused unread (GEN0003);
4. participant: a ``participantName`` in the query or body must be the
   certificate's participant (SEC0002);
5. the handler, on the engine.

Steps 3 to 5 are short CPU work for almost every request, so they run on
the event loop itself: the engine is called only if its lock is free that
instant (``DurableSystem.try_apply``), and the answer is sent once the
journal commit covering what the engine did (or showed) has returned, which
the loop awaits without blocking (``Applied.settled``). A request goes to a
worker thread instead, where it may wait for the lock and the disk, when
the engine is busy (an operator command running a clearing, say), when its
body is large, or when it is an operator (sim-control) operation, which may
run a whole clearing. Every failure leaves as a ``CRRServiceException``
(``errors.ErrorResponder``); an unexpected exception is logged with its
traceback and answered 500 SER0029 without one.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import Response

from crr_contract.identity import Identity
from crr_contract.operations import ServiceSpec
from reference_impl.api.call import Call, Engine
from reference_impl.api.errors import ErrorResponder, Problem, problems_from
from reference_impl.api.routing import BoundOperation
from reference_impl.api.validation import (
    InvalidRequest,
    RawRequest,
    RequestValidator,
    body_limit,
    oversized_body,
)
from reference_impl.engine.errors import DomainError
from reference_impl.security.authorization import (
    participant_check,
    requested_participant,
    role_check,
)
from reference_impl.store.durable import Applied, DurableSystem
from reference_impl.store.journal import StoreError

__all__ = ["INLINE_BODY_BYTES", "THREADED_SERVICES", "Pipeline"]

logger = logging.getLogger(__name__)

INLINE_BODY_BYTES = 64 * 1024
"""Requests with a larger body are validated and run in a worker thread, off the event loop."""

THREADED_SERVICES = frozenset({"simcontrol"})
"""Services whose operations always run in a worker thread: moving the market clock may run
every clearing that falls due, which takes seconds."""


@dataclass(frozen=True, slots=True)
class _Prepared:
    """What the pipeline reads of an operation on every request, worked out once."""

    annotated: Mapping[str, Any]
    body_limit: int
    inline: bool


class _EngineBusy(Exception):
    """The engine's lock was taken when a request on the event loop first needed it."""


class _OnTheLoop:
    """The engine as a handler on the event loop sees it: never waits for the disk.

    The first engine call of the request only takes the lock if it is free
    (else ``_EngineBusy``, nothing having run, and the request moves to a
    worker thread); what each call applied is kept, to be awaited before
    the answer is sent.
    """

    def __init__(self, engine: DurableSystem) -> None:
        self.engine = engine
        self.applied: list[Applied[Any]] = []

    def run(self, method: str, /, **kwargs: Any) -> Any:
        if self.applied:
            applied = self.engine.apply(method, **kwargs)
        else:
            found = self.engine.try_apply(method, **kwargs)
            if found is None:
                raise _EngineBusy
            applied = found
        self.applied.append(applied)
        return applied.value()

    def snapshot(self) -> dict[str, Any]:
        applied = self.engine.observe(lambda system, _clock: system.snapshot())
        self.applied.append(applied)
        return applied.value()

    def now(self) -> Any:
        applied = self.engine.observe(lambda _system, clock: clock.now())
        self.applied.append(applied)
        return applied.value()

    async def settled(self) -> None:
        """Return once every commit covering what the engine did or showed is on disk."""
        if self.applied:
            await max(self.applied, key=lambda a: a.ticket).settled()


class Pipeline:
    """Answers requests to the served operations: authorize, validate, run, respond."""

    def __init__(
        self,
        engine: Engine,
        validator: RequestValidator,
        responder: ErrorResponder,
        served: Sequence[ServiceSpec],
    ) -> None:
        self.engine = engine
        self.validator = validator
        self.responder = responder
        self.served = tuple(served)
        self._prepared: dict[int, _Prepared] = {}
        self._on_the_loop = isinstance(engine, DurableSystem)

    def _prepare(self, bound: BoundOperation) -> _Prepared:
        prepared = self._prepared.get(id(bound))
        if prepared is None:
            operation = bound.operation
            prepared = _Prepared(
                annotated=operation.annotated,
                body_limit=body_limit(operation),
                inline=self._on_the_loop and operation.service not in THREADED_SERVICES,
            )
            self._prepared[id(bound)] = prepared
        return prepared

    async def __call__(self, request: Request, methods: Mapping[str, BoundOperation]) -> Response:
        """The response to ``request`` on a spec path whose operations are ``methods``."""
        bound = methods.get(request.method)
        if bound is None:
            return self.responder.not_found(
                f"{request.method} {request.scope['path']} is not an operation of this server."
            )
        operation = bound.operation
        prepared = self._prepare(bound)
        identity = (request.scope.get("state") or {}).get("identity")
        denied = role_check(prepared.annotated, identity)
        if denied is not None:
            role = identity.role if isinstance(identity, Identity) else "none"
            return self.responder.respond(
                operation,
                [Problem(denied, f"Role {role!r} may not call {operation.operation_id}.")],
            )
        limit = prepared.body_limit
        body, size = await _read_body(request, limit)
        if body is None:
            return self.responder.respond(
                operation, oversized_body(operation, size, limit).problems
            )
        raw = RawRequest(
            method=request.method,
            path=request.scope["path"],
            query=request.query_params.multi_items(),
            content_type=request.headers.get("content-type"),
            body=body,
        )
        if prepared.inline and len(body) <= INLINE_BODY_BYTES:
            assert isinstance(self.engine, DurableSystem)
            engine = _OnTheLoop(self.engine)
            try:
                response = self._answer(bound, prepared, identity, raw, engine)
            except _EngineBusy:
                pass
            else:
                try:
                    await engine.settled()
                except StoreError:
                    logger.exception("%s %s not recorded", operation.method, operation.path)
                    return self.responder.internal_error()
                return response
        return await anyio.to_thread.run_sync(
            self._answer, bound, prepared, identity, raw, self.engine
        )

    def _answer(
        self,
        bound: BoundOperation,
        prepared: _Prepared,
        identity: Identity,
        raw: RawRequest,
        engine: Engine,
    ) -> Response:
        operation = bound.operation
        try:
            validated = self.validator.validate(operation, raw)
            participant = requested_participant(validated.query, validated.body)
            refused = participant_check(prepared.annotated, identity, participant)
            if refused is not None:
                return self.responder.respond(
                    operation,
                    [
                        Problem(
                            refused,
                            f"participantName {participant!r} is not the participant of the "
                            f"caller's certificate.",
                        )
                    ],
                )
            call = Call(
                operation=operation,
                identity=identity,
                engine=engine,
                query=validated.query,
                body=validated.body or {},
                served=self.served,
            )
            result = bound.handler(call)
            body = json.dumps(result, separators=(",", ":"), allow_nan=False).encode("utf-8")
        except InvalidRequest as invalid:
            return self.responder.respond(operation, invalid.problems)
        except DomainError as error:
            return self.responder.respond(operation, problems_from(error))
        except _EngineBusy:
            raise
        except Exception:
            logger.exception("%s %s failed", operation.method, operation.path)
            return self.responder.internal_error()
        return Response(body, 200, media_type="application/json")


async def _read_body(request: Request, limit: int) -> tuple[bytes | None, int]:
    """The body, or None with its size when it is over ``limit`` bytes.

    Past the limit the rest is read and dropped rather than kept: memory
    stays bounded, and the client, still sending, gets its 400 instead of a
    connection closed under it.
    """
    kept = bytearray()
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size <= limit:
            kept += chunk
    return (bytes(kept), size) if size <= limit else (None, size)
