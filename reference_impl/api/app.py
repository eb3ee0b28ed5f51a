"""The HTTP application of the reference CRR system, composed from its parts.

``create_app`` takes the served spec files, the engine and the error
catalog, binds every operation to its handler (refusing to build when one
is missing), and returns a Starlette app: the spec routes, the ``/specs``
routes, 404 SER0028 for anything else and 500 SER0029 as the last resort.
Client identity is not its concern: the server wraps it in
``ClientIdentityMiddleware`` (``reference_impl.server``), and tests may wrap
it in a fixed-identity resolver instead.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from crr_contract.error_catalog import ErrorCatalog
from crr_contract.operations import DEFAULT_SPECS_DIR, ServiceSpec
from reference_impl.api.call import Engine, Handler
from reference_impl.api.errors import ErrorResponder
from reference_impl.api.handlers import REGISTRY
from reference_impl.api.pipeline import Pipeline
from reference_impl.api.routing import bind, routes
from reference_impl.api.specs_endpoint import spec_routes
from reference_impl.api.validation import RequestValidator

__all__ = ["DEFAULT_CATALOG", "create_app"]

logger = logging.getLogger(__name__)

DEFAULT_CATALOG = DEFAULT_SPECS_DIR / "errors" / "catalog.yaml"


def create_app(
    specs: Sequence[ServiceSpec],
    engine: Engine,
    *,
    catalog: ErrorCatalog | Path = DEFAULT_CATALOG,
    registry: Mapping[str, Mapping[str, Handler]] = REGISTRY,
) -> Starlette:
    """The ASGI app serving ``specs`` on ``engine``; ``MissingHandlersError`` if one has no handler."""
    if not isinstance(catalog, ErrorCatalog):
        catalog = ErrorCatalog.load(Path(catalog))
    responder = ErrorResponder(catalog)
    bound = bind(specs, registry)
    pipeline = Pipeline(engine, RequestValidator(specs), responder, specs)

    async def not_found(request: Request, _exc: Exception) -> Response:
        return responder.not_found(f"{request.method} {request.url.path} is not served here.")

    async def internal_error(request: Request, exc: Exception) -> Response:
        logger.error("%s %s failed", request.method, request.url.path, exc_info=exc)
        return responder.internal_error()

    async def http_error(request: Request, exc: Exception) -> Response:
        if isinstance(exc, HTTPException) and exc.status_code in (404, 405):
            return await not_found(request, exc)
        return await internal_error(request, exc)

    return Starlette(
        routes=[*routes(bound, pipeline), *spec_routes(specs, responder)],
        exception_handlers={HTTPException: http_error, Exception: internal_error},
    )
