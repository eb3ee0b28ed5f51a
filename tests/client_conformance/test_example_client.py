"""The example participant client against a real recording ``serve`` over mTLS on loopback.

Well behaved (even under injected 500s) it grades PASS; each misbehaviour
grades FAIL with the check that names it, and only with the checks it
deserves.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from crr_contract.pki import PkiLayout, init_pki
from harness.cli import main as harness_main
from harness.client_conformance import FaultRule, wrap_for_clients
from reference_impl.security.asgi_tls import running_server
from reference_impl.security.tls import client_context_for
from reference_impl.server import ReferenceSystem

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "participant_client.py"
_spec = importlib.util.spec_from_file_location("participant_client", EXAMPLE)
assert _spec is not None and _spec.loader is not None
participant_client = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = participant_client  # its dataclasses look their module up
_spec.loader.exec_module(participant_client)

MARKET = "AUC_MN_2025_M10"
CLIENT = "alpha_lse-rw"


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> PkiLayout:
    return init_pki(tmp_path_factory.mktemp("pki"))


@contextmanager
def recording_server(tmp: Path, pki: PkiLayout, faults: list[FaultRule]) -> Iterator[str]:
    """A fresh reference system, its app wrapped as ``serve --record --faults`` wraps it."""
    tmp.mkdir(parents=True, exist_ok=True)
    with ReferenceSystem(tmp / "crr.sqlite3") as system:
        app = wrap_for_clients(system.app, system.specs, record=tmp / "recorded", faults=faults)
        with running_server(app, pki) as server:
            with httpx.Client(verify=client_context_for(pki, "operator"), timeout=10) as operator:
                opened = operator.post(
                    f"{server.url}/simcontrol/v1.0/windowOpening", json={"windowName": MARKET}
                )
                assert opened.status_code == 200, opened.text
            yield server.url


def run_client(
    tmp: Path,
    pki: PkiLayout,
    misbehave: str | None,
    faults: list[FaultRule],
    extra: tuple[str, ...] = (),
) -> dict:
    credential = pki.client(CLIENT)
    with recording_server(tmp, pki, faults) as url:
        argv = ["--url", url, "--cert", str(credential.cert), "--key", str(credential.key)]
        argv += ["--ca", str(pki.ca_cert), "--first-wait", "0.03", *extra]
        if misbehave:
            argv += ["--misbehave", misbehave]
        participant_client.main(argv)
    code = harness_main(
        [
            "client-report",
            str(tmp / "recorded"),
            "--participant",
            "ALPHA_LSE",
            "--reports",
            str(tmp / "reports"),
        ]
    )
    report = json.loads((tmp / "reports" / "latest" / "report.json").read_text())
    failed = sorted({c["id"] for c in report["checks"] if c["status"] == "FAIL"})
    return {"code": code, "failed": failed, "report": report}


def five_hundreds(times: int = 3) -> list[FaultRule]:
    return [FaultRule("500", times=times, participant="ALPHA_LSE", operation="portfolioCreation")]


def test_a_well_behaved_client_passes_even_under_server_errors(
    tmp_path: Path, pki: PkiLayout
) -> None:
    graded = run_client(tmp_path, pki, None, five_hundreds())
    assert (graded["code"], graded["failed"]) == (0, [])
    recorded = [
        json.loads(line)
        for line in (tmp_path / "recorded" / "ALPHA_LSE.jsonl").read_text().splitlines()
    ]
    assert [line["fault"] for line in recorded[:4]] == ["500", "500", "500", None]
    assert [line["status"] for line in recorded] == [500, 500, 500, 200, 200, 200, 200]
    # injected answers are validated by the recording; what the reference accepted, by it
    assert [line["validated_by"] for line in recorded] == ["openapi-core"] * 3 + ["server"] * 4
    exercised = {
        c["operation"]
        for c in graded["report"]["checks"]
        if c["id"] == "CLI-008" and c["status"] == "PASS"
    }
    assert exercised == {
        "auction.portfolioCreation",
        "auction.portfolioSubmission",
        "auction.getPortfolioStatus",
        "auction.getPortfolio",
    }


def test_retrying_at_once_is_a_retry_storm(tmp_path: Path, pki: PkiLayout) -> None:
    graded = run_client(tmp_path, pki, "no-backoff", five_hundreds(times=4))
    assert (graded["code"], graded["failed"]) == (1, ["CLI-006"])


def test_too_many_retries_is_a_retry_storm_even_with_back_off(
    tmp_path: Path, pki: PkiLayout
) -> None:
    # six attempts (five retries) are within the default limit; eight are not
    within = run_client(tmp_path / "six", pki, None, five_hundreds(times=6))
    assert (within["code"], within["failed"]) == (0, [])
    graded = run_client(tmp_path / "eight", pki, None, five_hundreds(times=8), ("--attempts", "9"))
    assert (graded["code"], graded["failed"]) == (1, ["CLI-006"])
    storm = [c for c in graded["report"]["checks"] if c["id"] == "CLI-006"]
    assert storm[0]["message"] == "8 retries after a server error (at most 5)"


def test_twenty_one_segments_breaks_the_spec_and_its_limit(tmp_path: Path, pki: PkiLayout) -> None:
    graded = run_client(tmp_path, pki, "21-segments", [])
    assert (graded["code"], graded["failed"]) == (1, ["CLI-001", "CLI-004"])
    spec = [c for c in graded["report"]["checks"] if c["id"] == "CLI-001"]
    assert [c["case"] for c in spec] == [
        "ALPHA_LSE: auction.portfolioCreation: maxItems at bids[].segments"
    ]


def test_another_participants_name_is_refused_and_graded(tmp_path: Path, pki: PkiLayout) -> None:
    graded = run_client(tmp_path, pki, "other-participant-name", [])
    assert (graded["code"], graded["failed"]) == (1, ["CLI-002"])
