"""The role matrix: every role of specs/roles.yaml calls every served operation.

A role listed in the operation's ``x-roles`` is never refused for its role
(whatever else is wrong with the request, the answer is not 403); any other
role gets 403 with SEC0001, and only where the operation lists SEC0001. The
sim operator may call the sim-control API and nothing else.
"""

from __future__ import annotations

import pytest
import yaml

from crr_contract.examples import example_request
from crr_contract.operations import DEFAULT_SPECS_DIR, Operation, default_spec_files, load_specs
from tests.api.support import PARTICIPANT_OF, ROLE_CLIENT, Api, error_codes

ROLES = sorted(yaml.safe_load((DEFAULT_SPECS_DIR / "roles.yaml").read_text())["roles"])
OPERATIONS = [op for spec in load_specs(default_spec_files()) for op in spec.operations()]


def test_every_role_of_roles_yaml_has_a_credential() -> None:
    assert set(ROLES) == set(ROLE_CLIENT)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.name)
def test_role_matrix(api: Api, operation: Operation, role: str) -> None:
    credential = ROLE_CLIENT[role]
    params, body = example_request(operation, PARTICIPANT_OF[credential])
    response = api.call(credential, operation.name, params=params, json_body=body)
    if role in operation.roles:
        assert response.status_code != 403, response.text
    else:
        assert "SEC0001" in operation.error_codes
        assert response.status_code == 403
        assert error_codes(response) == ["SEC0001"]


def test_the_operator_may_call_only_the_sim_control_api() -> None:
    operator = "CRR SIM OPERATOR"
    allowed = {op.service for op in OPERATIONS if operator in op.roles}
    assert allowed == {"simcontrol"}
    assert all(op.roles == (operator,) for op in OPERATIONS if op.service == "simcontrol")
