"""Certify a stub build that answers the auction spec's examples and keeps no state.

Run to the end with verdict FAIL, and every FAIL one a stub deserves: it refuses no
one, validates nothing and remembers nothing. No ERROR: the harness judged
everything it ran.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from crr_contract.operations import load_specs
from crr_contract.pki import init_pki
from harness.certify.run import certify
from harness.results import Status
from harness.target.dev_pki import target_from_dev_pki
from reference_impl.security.asgi_tls import running_server
from tests.certify.example_stub import example_stub_app

AUCTION = "1.1.1"

pytestmark = pytest.mark.slow


TRUE_FAILURES = {
    # The example of getPortfolio holds BRAVO_TRADING's records, and the stub gives it to
    # everyone: another participant's private data.
    "PRV-001",
    # It refuses no one: a role outside x-roles is answered 200, not 403 SEC0001 ...
    "SEC-001",
    # ... and a participant naming another participant too, not 403 SEC0002.
    "SEC-003",
    # It validates nothing: 501 records where the spec's maxItems is 500 are accepted ...
    "ROB-001",
    # ... and so is a request that breaks the spec (a body that is not JSON) ...
    "FUZ-002",
    # ... and a request missing a required field gets 200, not SER0001 (the error-code oracle).
    "ERR-006",
}
"""The FAILs a stateless stub deserves, each for a reason the stub really has."""


def test_a_stub_of_the_auction_spec_fails_truly_and_never_crashes(tmp_path: Path) -> None:
    pki = init_pki(tmp_path / "pki")
    declared = target_from_dev_pki(
        "https://127.0.0.1:1", pki.directory, services={"auction": AUCTION}
    )
    [spec] = [s for s in load_specs(declared.spec_files()) if s.service == "auction"]
    with running_server(example_stub_app(spec), pki, "mtls") as server:
        config = target_from_dev_pki(
            server.url,
            pki.directory,
            services={"auction": AUCTION},
            sim_control=False,
            write_to=tmp_path / "target.yaml",
        )
        report = certify(
            config,
            suites=("connectivity", "scenarios", "security", "fuzzing", "reliability"),
            reports_root=tmp_path / "reports",
            seed=1,
            out=io.StringIO(),
        )
    errors = [
        f"{r.id} {r.case}: {r.message[:200]}" for r in report.results if r.status is Status.ERROR
    ]
    assert errors == []
    failed = {r.id for r in report.results if r.status is Status.FAIL}
    assert failed == TRUE_FAILURES
    # Every suite ran to its end and said why for what it could not run.
    assert {r.suite for r in report.results} == {
        "connectivity",
        "scenarios",
        "security",
        "fuzzing",
        "reliability",
    }
    skips = [r for r in report.results if r.status is Status.SKIP]
    assert skips and all(r.message for r in skips)
    assert str(report.verdict) == "FAIL"
