"""The pure parts: what a probe or an answer means, the requests the suite builds, pki_dir."""

from __future__ import annotations

import dataclasses
import itertools
import json
from pathlib import Path

import pytest

from crr_contract.error_catalog import ErrorCatalog
from crr_contract.operations import default_spec_files, load_specs
from crr_contract.pki import init_pki
from harness.checks import REGISTRY, CheckContext
from harness.checks.private_records import planted_in
from harness.checks.robustness import DEFAULT_BODY_LIMIT, documented_body_limit, malformed_refused
from harness.checks.tls import DEFECT_CHECKS, refusal
from harness.client import Exchange
from harness.errors import InputError
from harness.results import RecordedExchange, RecordedRequest, RecordedResponse
from harness.suites.security.malformed import grow
from harness.suites.security.mtls import bad_credentials, legacy_tls_unavailable
from harness.target.config import Participant, dump_target, load_target, parse_target
from harness.target.dev_pki import declaration_from_dev_pki

SPECS = load_specs(default_spec_files())
OPERATIONS = {op.name: op for spec in SPECS for op in spec.operations()}
CATALOG = ErrorCatalog.load(Path(__file__).resolve().parents[2] / "specs/errors/catalog.yaml")
WHO = Participant("p", "BRAVO_TRADING", "EXTERNAL CRR HOLDER READ/WRITE ACCESS", Path(), Path())


def exchange(operation: str, status: int | None, body: object = None, error: str = "") -> Exchange:
    request = RecordedRequest("GET", "https://t/x", {})
    response = (
        RecordedResponse(status, {"content-type": "application/json"}, json.dumps(body).encode())
        if status is not None
        else None
    )
    record = RecordedExchange("p", request, response, 1.0, transport_error=error or None)
    return Exchange(OPERATIONS[operation], WHO, record, {})


@pytest.fixture(scope="module")
def context() -> CheckContext:
    return CheckContext(None, CATALOG, Path())  # type: ignore[arg-type]


def error(code: str) -> dict:
    return {"errorDetails": [{"severity": "ERROR", "errorCode": code, "errorDescription": "x"}]}


def test_every_certificate_defect_of_the_dev_pki_has_a_check(tmp_path: Path) -> None:
    credentials = bad_credentials(init_pki(tmp_path).directory)
    assert set(credentials) | {"no-certificate"} == set(DEFECT_CHECKS)
    for defect, credential in credentials.items():
        assert credential.certificate.is_file() and credential.key.is_file(), defect
        assert credential.participant and credential.role
    assert set(DEFECT_CHECKS.values()) <= set(REGISTRY)


def test_a_refusal_is_a_dropped_handshake_or_403_sec0001(context: CheckContext) -> None:
    dropped = refusal(exchange("app_status.getAppStatus", None, error="ConnectError: x"), context)
    assert dropped.refused and "TLS layer" in dropped.how
    forbidden = refusal(exchange("app_status.getAppStatus", 403, error("SEC0001")), context)
    assert forbidden.refused and "403 SEC0001" in forbidden.how
    served = refusal(exchange("app_status.getAppStatus", 200, {"status": "UP"}), context)
    assert not served.refused and "served" in served.how
    wrong_code = refusal(exchange("app_status.getAppStatus", 403, error("SEC0002")), context)
    assert not wrong_code.refused
    bad_request = refusal(exchange("auction.getPortfolio", 400, error("SER0002")), context)
    assert not bad_request.refused and "neither" in bad_request.how


def test_malformed_input_must_get_a_4xx_with_a_catalog_code(context: CheckContext) -> None:
    name = "auction.portfolioCreation"
    assert malformed_refused(exchange(name, 400, error("GEN0003")), context) is None
    assert "accepted" in malformed_refused(exchange(name, 200, {}), context)
    assert "server error" in malformed_refused(exchange(name, 500, error("SER0029")), context)
    assert "dropped" in malformed_refused(exchange(name, None, error="ReadError"), context)
    assert "without" in malformed_refused(exchange(name, 413, {"detail": "big"}), context)
    assert "not in the error catalog" in malformed_refused(
        exchange(name, 400, error("XYZ9999")), context
    )


def test_the_documented_body_size_comes_from_the_spec() -> None:
    operation = OPERATIONS["auction.portfolioCreation"]
    assert documented_body_limit(operation) == DEFAULT_BODY_LIMIT
    narrowed = dataclasses.replace(
        operation, definition={**operation.definition, "x-max-body-bytes": 2048}
    )
    assert documented_body_limit(narrowed) == 2048


def test_planted_keys_are_found_as_values_only() -> None:
    markers = {"PRV_1_AUC": "A's portfolio", "SM-1": "A's offer"}
    body = [{"portfolioName": "PRV_1_AUC"}, {"note": "mentions SM-1 in passing"}]
    assert planted_in(body, markers) == ["A's portfolio"]
    assert planted_in({"rows": [{"requestId": "SM-1"}]}, markers) == ["A's offer"]
    assert planted_in([], markers) == []


def test_grown_arrays_keep_ids_unique_and_segments_monotone() -> None:
    body = {
        "bids": [
            {
                "bidId": "B1",
                "segments": [{"mw": 10.0, "price": 450.0}, {"mw": 25.0, "price": 300.0}],
            }
        ]
    }
    grown = grow(body, ("bids", "[]", "segments"), 21)
    assert grown is not None
    segments = grown["bids"][0]["segments"]
    assert len(segments) == 21 and segments[:2] == body["bids"][0]["segments"]
    pairs = itertools.pairwise(segments)
    assert all(a["mw"] < b["mw"] and a["price"] >= b["price"] for a, b in pairs)
    bids = grow(body, ("bids",), 501)
    assert bids is not None and len({bid["bidId"] for bid in bids["bids"]}) == 501
    assert grow(body, ("offers",), 3) is None
    assert len(body["bids"][0]["segments"]) == 2  # the original is untouched


def test_this_machine_can_offer_tls_1_1_to_itself() -> None:
    # the existing server tests rely on it too (tests/reference_security/test_mtls.py)
    assert legacy_tls_unavailable() is None


def test_pki_dir_is_declared_resolved_and_round_tripped(tmp_path: Path) -> None:
    pki = init_pki(tmp_path / "pki")
    declaration = declaration_from_dev_pki("https://127.0.0.1:8443", pki.directory)
    assert declaration["pki_dir"] == str(pki.directory)
    relative = {**declaration, "pki_dir": "pki"}
    config = parse_target(relative, base=tmp_path)
    assert config.pki_dir == tmp_path / "pki"
    assert config.summary()["pki_dir"] == str(tmp_path / "pki")
    dump_target(config, tmp_path / "target.yaml")
    assert load_target(tmp_path / "target.yaml").pki_dir == tmp_path / "pki"
    without = {k: v for k, v in declaration.items() if k != "pki_dir"}
    assert parse_target(without, base=tmp_path).pki_dir is None
    with pytest.raises(InputError, match=r"pki_dir .*no such directory"):
        parse_target({**declaration, "pki_dir": "missing"}, base=tmp_path)
