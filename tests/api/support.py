"""Helpers of the HTTP tests: a served reference system, clients per credential, conformance checks.

Every response an ``Api`` receives for a spec operation is checked on the
spot: a 200 against the operation's response schema (openapi-core), an
error against the catalog (the HTTP status the catalog gives the code) and
against the operation's ``x-error-codes`` (no code it does not list).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from openapi_core.datatypes import RequestParameters
from werkzeug.datastructures import Headers, ImmutableMultiDict

from crr_contract.error_catalog import ErrorCatalog
from crr_contract.openapi_messages import OpenAPIRequest, OpenAPIResponse
from crr_contract.operations import Operation, ServiceSpec
from crr_contract.pki import (
    ROLE_NDA_REPORTS,
    ROLE_OPERATOR,
    ROLE_READ,
    ROLE_READ_WRITE,
    PkiLayout,
)
from reference_impl.api.app import DEFAULT_CATALOG
from reference_impl.security.asgi_tls import Mode, RunningServer, running_server
from reference_impl.security.tls import client_context_for
from reference_impl.server import ReferenceSystem
from reference_impl.store.durable import InitialData

ROLE_CLIENT = {
    ROLE_READ_WRITE: "bravo_trading-rw",
    ROLE_READ: "bravo_trading-read",
    ROLE_NDA_REPORTS: "echo_nda-nda",
    ROLE_OPERATOR: "operator",
}
"""One credential per role of specs/roles.yaml."""

PARTICIPANT_OF = {
    "alpha_lse-rw": "ALPHA_LSE",
    "bravo_trading-rw": "BRAVO_TRADING",
    "bravo_trading-read": "BRAVO_TRADING",
    "charlie_udc-rw": "CHARLIE_UDC",
    "delta_tor-rw": "DELTA_TOR",
    "echo_nda-nda": "ECHO_NDA",
    "operator": "CRR_SIM",
}

CATALOG = ErrorCatalog.load(DEFAULT_CATALOG)


@dataclass(frozen=True, slots=True)
class Exchange:
    """One request to a spec operation and its response."""

    operation: Operation
    caller: str
    response: httpx.Response

    @property
    def codes(self) -> list[str]:
        """The error codes of an error response (empty for a success)."""
        if self.response.status_code < 400:
            return []
        return [d["errorCode"] for d in self.response.json()["errorDetails"]]


def error_codes(response: httpx.Response) -> list[str]:
    """The codes of a ``CRRServiceException`` body."""
    return [detail["errorCode"] for detail in response.json()["errorDetails"]]


def check_conformance(
    operation: Operation, request: httpx.Request, response: httpx.Response
) -> None:
    """The response is documented and valid for the operation (schema, catalog, x-error-codes)."""
    documented = {str(code) for code in operation.definition["responses"]}
    assert str(response.status_code) in documented, (
        f"{operation.name} answered undocumented status {response.status_code}: {response.text}"
    )
    core_request = OpenAPIRequest(
        host_url=operation.spec.base_url,
        path=request.url.path,
        method=request.method.lower(),
        parameters=RequestParameters(
            query=ImmutableMultiDict(list(request.url.params.multi_items())),
            header=Headers(),
            cookie=ImmutableMultiDict(),
        ),
        content_type="application/json",
        body=request.content or None,
    )
    core_response = OpenAPIResponse(
        status_code=response.status_code,
        content_type=response.headers.get("content-type", ""),
        headers=Headers(dict(response.headers)),
        data=response.content,
    )
    operation.spec.openapi.validate_response(core_request, core_response)
    if response.status_code >= 400:
        for code in error_codes(response):
            assert code in operation.error_codes, (
                f"{operation.name} answered {code}, not in its x-error-codes: {response.text}"
            )
            assert CATALOG.codes[code].http_status == response.status_code, response.text


@dataclass
class Api:
    """Clients per credential on one running reference server, checking every answer."""

    server: RunningServer
    pki: PkiLayout
    system: ReferenceSystem
    exchanges: list[Exchange] = field(default_factory=list)
    _clients: dict[str, httpx.Client] = field(default_factory=dict)

    @property
    def specs(self) -> Sequence[ServiceSpec]:
        """The served spec files."""
        return self.system.specs

    def operations(self) -> list[Operation]:
        """Every served operation."""
        return [op for spec in self.specs for op in spec.operations()]

    def operation(self, name: str) -> Operation:
        """The served operation ``service.operationId``."""
        return next(op for op in self.operations() if op.name == name)

    def client(self, credential: str) -> httpx.Client:
        """A keep-alive client presenting the dev PKI credential ``credential``."""
        if credential not in self._clients:
            self._clients[credential] = httpx.Client(
                base_url=self.server.url,
                verify=client_context_for(self.pki, credential),
                timeout=30,
            )
        return self._clients[credential]

    def call(
        self,
        credential: str,
        name: str,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        expect: int | None = None,
    ) -> httpx.Response:
        """Call operation ``name`` as ``credential``; the answer is checked for conformance."""
        operation = self.operation(name)
        body = content
        sent_headers = dict(headers or {})
        if json_body is not None:
            body = json.dumps(json_body).encode("utf-8")
            sent_headers.setdefault("content-type", "application/json")
        response = self.client(credential).request(
            operation.method, operation.path, params=params, content=body, headers=sent_headers
        )
        self.exchanges.append(Exchange(operation, credential, response))
        check_conformance(operation, response.request, response)
        if expect is not None:
            assert response.status_code == expect, f"{name}: {response.status_code} {response.text}"
        return response

    def close(self) -> None:
        """Close every client."""
        for client in self._clients.values():
            client.close()


@contextlib.contextmanager
def serving(
    db: Path,
    pki: PkiLayout,
    *,
    mode: Mode = "mtls",
    spec_files: Sequence[Path] | None = None,
    overlays: Sequence[Path] = (),
    initial: InitialData | None = None,
) -> Iterator[Api]:
    """A reference system on ``db`` served over TLS on a free loopback port."""
    system = ReferenceSystem(db, spec_files=spec_files, overlays=overlays, initial=initial)
    try:
        with running_server(system.app, pki, mode) as server:
            api = Api(server, pki, system)
            try:
                yield api
            finally:
                api.close()
    finally:
        system.close()
