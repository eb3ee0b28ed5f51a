"""SEC0002: a participantName that is not the certificate's participant is refused.

Every served operation that takes a ``participantName`` (query parameter or
body field) is called by a role it allows with an otherwise valid request
naming another participant: 403 with SEC0002 every time.
"""

from __future__ import annotations

import pytest

from crr_contract.examples import example_request, takes_participant
from crr_contract.operations import Operation, default_spec_files, load_specs
from crr_contract.pki import ROLE_NDA_REPORTS, ROLE_READ, ROLE_READ_WRITE
from tests.api.support import PARTICIPANT_OF, ROLE_CLIENT, Api, error_codes

OPERATIONS = [
    op
    for spec in load_specs(default_spec_files())
    for op in spec.operations()
    if takes_participant(op)
]


def test_every_caiso_service_but_app_status_takes_participant_names() -> None:
    services = {op.service for op in OPERATIONS}
    assert services == {
        "market_info",
        "messages",
        "market_data",
        "historical_forecasted_load",
        "auction",
        "nomination",
        "load_migration",
        "secondary_market",
        "tor_conversion",
    }


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.name)
def test_another_participants_name_is_sec0002(api: Api, operation: Operation) -> None:
    role = next(r for r in (ROLE_READ_WRITE, ROLE_READ, ROLE_NDA_REPORTS) if r in operation.roles)
    credential = ROLE_CLIENT[role]
    other = "DELTA_TOR" if PARTICIPANT_OF[credential] != "DELTA_TOR" else "ALPHA_LSE"
    params, body = example_request(operation, other)
    if "participantName" not in params and not (body and "participantName" in body):
        params["participantName"] = other
    response = api.call(credential, operation.name, params=params, json_body=body)
    assert response.status_code == 403, response.text
    assert error_codes(response) == ["SEC0002"]


def test_the_own_participant_name_passes_the_check(api: Api) -> None:
    response = api.call(
        "bravo_trading-read",
        "auction.getPortfolioList",
        params={"participantName": "BRAVO_TRADING"},
    )
    assert response.status_code == 200
