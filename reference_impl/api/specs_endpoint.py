"""``GET /specs`` and ``GET /specs/<file>``: the spec files this server implements.

A client (or the harness) can find out exactly which versions it is talking
to and fetch the very files, checking them by SHA-256, instead of trusting
documentation. Any authenticated caller may read them: they describe the
interface, not anybody's data.
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from crr_contract.operations import ServiceSpec
from reference_impl.api.errors import ErrorResponder
from reference_impl.api.routing import ANY_METHOD

__all__ = ["SPECS_PATH", "spec_routes"]

SPECS_PATH = "/specs"


def spec_routes(specs: Sequence[ServiceSpec], responder: ErrorResponder) -> list[Route]:
    """The two routes that list and serve the spec files."""
    by_file = {spec.file: spec for spec in specs}
    listing = [
        {"service": s.service, "version": s.version, "file": s.file, "sha256": s.sha256}
        for s in specs
    ]

    async def list_specs(request: Request) -> Response:
        if request.method != "GET":
            return responder.not_found(f"{request.method} {SPECS_PATH} is not an operation.")
        return JSONResponse(listing)

    async def get_spec(request: Request) -> Response:
        spec = by_file.get(request.path_params["file"])
        if spec is None or request.method != "GET":
            return responder.not_found(
                f"No served spec file is called {request.path_params['file']!r}."
            )
        return Response(spec.text, media_type="application/yaml")

    return [
        Route(SPECS_PATH, list_specs, methods=ANY_METHOD),
        Route(f"{SPECS_PATH}/{{file}}", get_spec, methods=ANY_METHOD),
    ]
