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

Steps 3 to 5 run in a worker thread: validation and the engine are CPU
work, and a command waits for its journal row to reach the disk, none of
which may stall the event loop. Every failure leaves as a
``CRRServiceException`` (``errors.ErrorResponder``); an unexpected exception
is logged with its traceback and answered 500 SER0029 without one.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence

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

__all__ = ["Pipeline"]

logger = logging.getLogger(__name__)


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

    async def __call__(self, request: Request, methods: Mapping[str, BoundOperation]) -> Response:
        """The response to ``request`` on a spec path whose operations are ``methods``."""
        bound = methods.get(request.method)
        if bound is None:
            return self.responder.not_found(
                f"{request.method} {request.url.path} is not an operation of this server."
            )
        operation = bound.operation
        identity = (request.scope.get("state") or {}).get("identity")
        denied = role_check(operation.annotated, identity)
        if denied is not None:
            role = identity.role if isinstance(identity, Identity) else "none"
            return self.responder.respond(
                operation,
                [Problem(denied, f"Role {role!r} may not call {operation.operation_id}.")],
            )
        limit = body_limit(operation)
        body, size = await _read_body(request, limit)
        if body is None:
            return self.responder.respond(
                operation, oversized_body(operation, size, limit).problems
            )
        raw = RawRequest(
            method=request.method,
            path=request.url.path,
            query=request.query_params.multi_items(),
            content_type=request.headers.get("content-type"),
            body=body,
        )
        return await anyio.to_thread.run_sync(self._answer, bound, identity, raw)

    def _answer(self, bound: BoundOperation, identity: Identity, raw: RawRequest) -> Response:
        operation = bound.operation
        try:
            validated = self.validator.validate(operation, raw)
            participant = requested_participant(validated.query, validated.body)
            refused = participant_check(operation.annotated, identity, participant)
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
                engine=self.engine,
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
