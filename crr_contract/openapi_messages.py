"""Requests and responses in the shape openapi-core reads (its Request and Response protocols).

The reference server validates requests with openapi-core and the harness
validates answers with it; both hand it these records.
"""

from __future__ import annotations

from dataclasses import dataclass

from openapi_core.datatypes import RequestParameters
from werkzeug.datastructures import Headers

__all__ = ["OpenAPIRequest", "OpenAPIResponse"]


@dataclass(slots=True)
class OpenAPIRequest:
    host_url: str
    path: str
    method: str
    parameters: RequestParameters
    content_type: str
    body: bytes | None


@dataclass(slots=True)
class OpenAPIResponse:
    status_code: int
    content_type: str
    headers: Headers
    data: bytes
