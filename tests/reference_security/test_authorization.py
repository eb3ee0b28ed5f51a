"""SEC0001 and SEC0002 decisions, driven only by an operation's ``x-roles`` and ``x-error-codes``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from crr_contract.identity import Identity
from crr_contract.pki import (
    DEFAULT_CLIENTS,
    ROLE_NDA_REPORTS,
    ROLE_OPERATOR,
    ROLE_READ,
    ROLE_READ_WRITE,
)
from reference_impl.security.authorization import (
    authorization_code,
    authorize,
    participant_check,
    requested_participant,
    role_check,
)

ALPHA_RW = Identity("ALPHA_LSE", "alpha.rw", ROLE_READ_WRITE)
BRAVO_READ = Identity("BRAVO_TRADING", "bravo.read", ROLE_READ)
ECHO_NDA = Identity("ECHO_NDA", "echo.nda", ROLE_NDA_REPORTS)
OPERATOR = Identity("CRR_SIM", "sim.operator", ROLE_OPERATOR)

READ_OWN = {
    "operationId": "getPortfolio",
    "tags": ["read"],
    "x-roles": [ROLE_READ_WRITE, ROLE_READ],
    "x-error-codes": ["SEC0001", "SEC0002", "SER0001", "SER0028"],
}
WRITE = {
    "operationId": "portfolioCreation",
    "tags": ["write"],
    "x-roles": [ROLE_READ_WRITE],
    "x-error-codes": ["SEC0001", "SEC0002", "SER0001"],
}
NDA_DOWNLOAD = {
    "operationId": "getRestrictedModel",
    "tags": ["read"],
    "x-roles": [ROLE_NDA_REPORTS],
    "x-error-codes": ["SEC0001", "SER0029"],
}
SIM_CONTROL = {
    "operationId": "advanceClock",
    "x-roles": [ROLE_OPERATOR],
    "x-error-codes": ["SEC0001", "SER0028"],
}
OLD_WRITE = {  # a 1.0.0 file: authorization failures were ATH0002, SEC0002 did not exist
    "operationId": "portfolioCreation",
    "x-roles": [ROLE_READ_WRITE],
    "x-error-codes": ["ATH0002", "SER0001"],
}
NOVEMBER_READ = {  # a 1.1.0 file: SEC0001 but not yet SEC0002
    "operationId": "getPortfolio",
    "x-roles": [ROLE_READ_WRITE, ROLE_READ],
    "x-error-codes": ["SEC0001", "SER0001"],
}


@pytest.mark.parametrize(
    ("operation", "identity", "expected"),
    [
        (READ_OWN, ALPHA_RW, None),
        (READ_OWN, BRAVO_READ, None),
        (READ_OWN, ECHO_NDA, "SEC0001"),
        (READ_OWN, OPERATOR, "SEC0001"),
        (WRITE, ALPHA_RW, None),
        (WRITE, BRAVO_READ, "SEC0001"),
        (WRITE, ECHO_NDA, "SEC0001"),
        (NDA_DOWNLOAD, ECHO_NDA, None),
        (NDA_DOWNLOAD, ALPHA_RW, "SEC0001"),
        (SIM_CONTROL, OPERATOR, None),
        (SIM_CONTROL, ALPHA_RW, "SEC0001"),
        (OLD_WRITE, BRAVO_READ, "ATH0002"),
        (OLD_WRITE, ALPHA_RW, None),
        (WRITE, None, "SEC0001"),
    ],
)
def test_role_check(operation: dict, identity: Identity | None, expected: str | None) -> None:
    assert role_check(operation, identity) == expected


@pytest.mark.parametrize(
    "operation",
    [{}, {"x-roles": []}, {"x-roles": "EXTERNAL CRR HOLDER READ ACCESS"}, {"x-roles": None}],
)
def test_an_operation_without_roles_admits_nobody(operation: dict) -> None:
    for spec in DEFAULT_CLIENTS:
        assert role_check(operation, spec.identity) == "SEC0001"


@pytest.mark.parametrize(
    ("operation", "identity", "name", "expected"),
    [
        (READ_OWN, ALPHA_RW, "ALPHA_LSE", None),
        (READ_OWN, ALPHA_RW, "BRAVO_TRADING", "SEC0002"),
        (READ_OWN, ALPHA_RW, "alpha_lse", "SEC0002"),
        (READ_OWN, ALPHA_RW, "", "SEC0002"),
        (READ_OWN, ALPHA_RW, None, None),
        (NOVEMBER_READ, ALPHA_RW, "BRAVO_TRADING", "SEC0001"),
        (OLD_WRITE, ALPHA_RW, "BRAVO_TRADING", "ATH0002"),
        (READ_OWN, None, "ALPHA_LSE", "SEC0002"),
    ],
)
def test_participant_check(
    operation: dict, identity: Identity | None, name: str | None, expected: str | None
) -> None:
    assert participant_check(operation, identity, name) == expected


def test_authorize_checks_the_role_before_the_participant() -> None:
    assert authorize(WRITE, BRAVO_READ, "ALPHA_LSE") == "SEC0001"
    assert authorize(WRITE, ALPHA_RW, "BRAVO_TRADING") == "SEC0002"
    assert authorize(WRITE, ALPHA_RW, "ALPHA_LSE") is None
    assert authorize(READ_OWN, BRAVO_READ) is None


def test_authorization_code_follows_the_spec_version() -> None:
    assert authorization_code(READ_OWN) == "SEC0001"
    assert authorization_code(OLD_WRITE) == "ATH0002"
    assert authorization_code({"x-error-codes": ["ATH0002", "SEC0001"]}) == "SEC0001"
    assert authorization_code({}) == "SEC0001"


def test_requested_participant_reads_the_body_of_a_write_and_the_query_of_a_read() -> None:
    assert requested_participant({"participantName": "ALPHA_LSE"}) == "ALPHA_LSE"
    assert requested_participant({}, {"participantName": "BRAVO_TRADING"}) == "BRAVO_TRADING"
    assert requested_participant({"participantName": "X"}, {"participantName": "Y"}) == "Y"
    assert requested_participant(None, None) is None
    assert requested_participant({"marketName": "AUC_MN_2025_M08"}, [1, 2]) is None
    assert requested_participant(None, {"participantName": ["ALPHA_LSE"]}) is None


def operations(path: Path) -> dict[str, dict[str, Any]]:
    document = yaml.safe_load(path.read_text("utf-8"))
    return {
        op["operationId"]: op
        for item in document["paths"].values()
        for method, op in item.items()
        if method in ("get", "post")
    }


def test_real_spec_operations_drive_the_decisions(specs_dir: Path) -> None:
    auction = specs_dir / "openapi" / "auction"
    current = operations(auction / "caiso_crr_auction_v1.1.1_openapi.yaml")
    first = operations(auction / "caiso_crr_auction_v1.0.0_openapi.yaml")
    assert authorize(current["getPortfolio"], BRAVO_READ, "BRAVO_TRADING") is None
    assert authorize(current["getPortfolio"], BRAVO_READ, "ALPHA_LSE") == "SEC0002"
    assert authorize(current["portfolioCreation"], BRAVO_READ, "BRAVO_TRADING") == "SEC0001"
    assert authorize(current["portfolioCreation"], OPERATOR, None) == "SEC0001"
    assert authorize(first["portfolioCreation"], BRAVO_READ, "BRAVO_TRADING") == "ATH0002"
    simcontrol = next((specs_dir / "simcontrol").glob("*.yaml"))
    for operation in operations(simcontrol).values():
        assert authorize(operation, OPERATOR) is None
        assert authorize(operation, ALPHA_RW) == "SEC0001"
