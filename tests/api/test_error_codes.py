"""Every error code the server sends for an operation is one its spec lists.

For each served operation, every role sends a battery of requests: the
spec's own example (whose market names, IDs and windows mostly do not exist
in the data set, so the engine's lookups fail), the example with each
required parameter or field removed, with a wrong value, with an unknown
field, with an unreadable body, and naming another participant. Each answer
is checked by ``support.check_conformance``: a documented status, a valid
body, and error codes that are all in the operation's ``x-error-codes``
with the catalog's HTTP status.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from crr_contract.examples import body_schema, example_request, query_parameters
from crr_contract.operations import Operation, default_spec_files, load_specs
from tests.api.support import PARTICIPANT_OF, ROLE_CLIENT, Api

OPERATIONS = [op for spec in load_specs(default_spec_files()) for op in spec.operations()]


def variants(operation: Operation, participant: str) -> list[dict[str, Any]]:
    """Requests to send: keyword arguments of ``Api.call``."""
    params, body = example_request(operation, participant)
    found: list[dict[str, Any]] = [{"params": params, "json_body": body}]
    for parameter in query_parameters(operation):
        name = parameter["name"]
        without = {k: v for k, v in params.items() if k != name}
        found.append({"params": without, "json_body": body})
        found.append({"params": {**params, name: "!!bad value!!"}, "json_body": body})
    if operation.takes_body and isinstance(body, dict):
        for name in body_schema(operation).get("properties", {}):
            changed = copy.deepcopy(body)
            changed.pop(name, None)
            found.append({"params": params, "json_body": changed})
            found.append({"params": params, "json_body": {**body, name: ["wrong", "type"]}})
        found.append({"params": params, "json_body": {**body, "unexpected": 1}})
        found.append(
            {"params": params, "content": b"{", "headers": {"content-type": "application/json"}}
        )
        found.append({"params": params, "content": b"[]", "headers": {"content-type": "text/csv"}})
    if "participantName" in params:
        found.append({"params": {**params, "participantName": "SOMEONE_ELSE"}, "json_body": body})
    if isinstance(body, dict) and "participantName" in body:
        found.append({"params": params, "json_body": {**body, "participantName": "SOMEONE_ELSE"}})
    return found


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.name)
def test_every_code_sent_is_listed(api: Api, operation: Operation) -> None:
    sent = 0
    for credential in ROLE_CLIENT.values():
        for request in variants(operation, PARTICIPANT_OF[credential]):
            api.call(credential, operation.name, **request)
            sent += 1
    assert sent >= len(ROLE_CLIENT)


def test_the_sweep_reached_engine_rules(api: Api) -> None:
    families = {
        code[:3]
        for exchange in api.exchanges
        for code in exchange.codes
        if not code.startswith(("SEC", "SER", "GEN"))
    }
    assert {"MKT", "TOR"} <= families
