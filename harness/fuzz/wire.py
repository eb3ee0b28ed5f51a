"""A schemathesis ``Case`` on the wire through ``TargetClient``, and schemathesis' verdicts on it.

schemathesis generates and serializes (``Case.as_transport_kwargs``, then
``requests`` prepares the exact URL and body bytes); the harness client
sends, as one participant, over mutual TLS or with the client-certificate
header, and records the exchange as evidence like any other. The answer
then goes back to schemathesis' own checks (those ``UPSTREAM`` names), whose
failures are kept on the ``FuzzedExchange`` for the harness's checks to
confirm or overrule.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

import requests
from schemathesis import Case
from schemathesis.checks import CheckContext as StCheckContext
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure
from schemathesis.core.transport import Response as StResponse
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from crr_contract.operations import Operation
from harness.checks.fuzzing import UPSTREAM, FuzzedExchange, query_params
from harness.client import TargetClient
from harness.results import RecordedExchange
from harness.target.config import Participant

__all__ = ["UPSTREAM_CHECKS", "prepared", "send", "st_response", "upstream_verdicts"]

UPSTREAM_CHECKS = {
    "not_a_server_error": not_a_server_error,
    "negative_data_rejection": negative_data_rejection,
    "positive_data_acceptance": positive_data_acceptance,
}
"""The schemathesis checks the fuzzer runs on every answer, by name (see ``UPSTREAM``)."""
if set(UPSTREAM_CHECKS) != set(UPSTREAM.values()):  # pragma: no cover - a defect of this module
    raise RuntimeError("UPSTREAM_CHECKS must run exactly the checks UPSTREAM names")

_KEPT_HEADERS = ("content-type",)


def prepared(case: Case, base_url: str) -> requests.PreparedRequest:
    """The request schemathesis would send for ``case``: exact URL, headers and body bytes."""
    kwargs = case.as_transport_kwargs(base_url=base_url)
    kwargs.pop("cookies", None)
    headers = dict(case.headers or {})
    for name, value in (kwargs.get("headers") or {}).items():
        if name.lower() in _KEPT_HEADERS:
            headers[name] = value
    return requests.Request(
        method=kwargs["method"],
        url=kwargs["url"],
        params=kwargs.get("params"),
        headers=headers,
        json=kwargs.get("json"),
        data=kwargs.get("data"),
    ).prepare()


def send(
    client: TargetClient,
    participant: Participant,
    operation: Operation,
    case: Case,
    generation: str,
    *,
    st_context: StCheckContext | None,
) -> FuzzedExchange:
    """Send ``case`` as ``participant``; the exchange, with schemathesis' verdicts when asked
    (``st_context``). The harness's oracle runs later, when a check needs it."""
    request = prepared(case, client.config.base_url)
    body = request.body
    if isinstance(body, str):
        body = body.encode("utf-8")
    headers = {k: v for k, v in request.headers.items() if k.lower() != "content-length"}
    # httpx drops a query written into the path once it is given params, so the query
    # schemathesis serialized travels as params: a list value is a repeated parameter.
    exchange = client.request(
        participant,
        request.method or operation.method,
        urlsplit(request.path_url).path,
        operation=operation,
        params=query_params(request.url),
        content=body if body else None,
        headers=headers,
    )
    upstream: Mapping[str, str] = {}
    if st_context is not None and exchange.response is not None:
        upstream = upstream_verdicts(st_context, case, exchange.record)
    return FuzzedExchange(
        operation,
        participant,
        exchange.record,
        exchange.params,
        exchange.body,
        generation=generation,
        upstream=upstream,
    )


def st_response(record: RecordedExchange) -> StResponse:
    """The recorded answer as schemathesis' checks read it."""
    assert record.response is not None
    request = requests.Request(
        method=record.request.method,
        url=record.request.url,
        headers=dict(record.request.headers),
        data=record.request.body or None,
    ).prepare()
    return StResponse(
        status_code=record.response.status,
        headers={k: [v] for k, v in record.response.headers.items()},
        content=record.response.body,
        request=request,
        elapsed=record.elapsed_ms / 1000,
        verify=True,
    )


def upstream_verdicts(
    context: StCheckContext, case: Case, record: RecordedExchange
) -> dict[str, str]:
    """The failure text of each schemathesis check in ``UPSTREAM_CHECKS`` that fails."""
    response = st_response(record)
    failed: dict[str, str] = {}
    for name, function in UPSTREAM_CHECKS.items():
        try:
            function(context, response, case)
        except Failure as failure:
            failed[name] = f"{failure.title}: {failure.message}".strip()
        except Exception as exc:  # schemathesis' own defect: note it, judge with ours
            failed[name] = f"schemathesis check crashed: {type(exc).__name__}: {exc}"
    return failed
