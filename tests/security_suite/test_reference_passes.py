"""The intact reference implementation passes the security suite, and each part had work to do."""

from __future__ import annotations

import dataclasses
from collections import Counter
from pathlib import Path

import pytest

from harness.results import Status, Verdict
from harness.suites.security import mtls
from harness.suites.security.mtls import legacy_tls_unavailable
from harness.target.embedded import embedded_target
from tests.security_suite.support import failures, results, run_suites


@pytest.mark.slow
def test_the_reference_passes_the_whole_security_suite(tmp_path: Path) -> None:
    with embedded_target(tmp_path / "target") as config:
        assert config.pki_dir is not None and (config.pki_dir / "manifest.yaml").is_file()
        report = run_suites(config, tmp_path, ["security"])
    assert failures(report) == [], [(r.id, r.case, r.message) for r in failures(report)]
    assert report.verdict is Verdict.PASS
    passed = Counter(r.id for r in report.results if r.status is Status.PASS)
    for check_id in [f"TLS-00{n}" for n in range(1, 8)] + ["TLS-009"]:
        assert passed[check_id] == 1, check_id
    if legacy_tls_unavailable() is None:
        assert passed["TLS-008"] == 1
    # the role matrix: every role present called every operation
    assert passed["SEC-001"] > 100 and passed["SEC-002"] > 100 and passed["SEC-003"] > 30
    # records were planted and every other participant's reads were checked for them
    planted = results(report, "PRV-002")
    assert len(planted) > 20
    assert all("auction portfolio PRV_" in r.message for r in planted)
    assert all("load submission" in r.message for r in planted)
    assert passed["PRV-001"] > 10
    # every kind of malformed input, each followed by a health read
    robustness = {r.case.split(": ", 1)[1].split(" in ")[0] for r in results(report, "ROB-001")}
    assert {"501 records", "21 segments", "invalid UTF-8", "content type text/plain"} <= robustness
    assert any("nested" in case for case in robustness)
    assert any("byte body" in case for case in robustness)
    assert passed["ROB-002"] == passed["ROB-001"] > 40
    segments = next(r for r in results(report, "ROB-001") if "21 segments" in r.case)
    assert "POR0003" in segments.message and "20 segments was answered HTTP 200" in segments.message


def test_tls_results_say_how_the_target_refused(tmp_path: Path) -> None:
    with embedded_target(tmp_path / "target") as config:
        report = run_suites(config, tmp_path, ["security"], "mTLS or TLS:")
    assert report.verdict is Verdict.PASS
    for result in report.results:
        if result.id in {f"TLS-00{n}" for n in range(1, 8)}:
            assert "refused at the TLS layer" in result.message, result.message
    certificate = results(report, "TLS-009")[0]
    assert "expires" in certificate.message and "hostname 127.0.0.1" in certificate.message


def test_behind_a_proxy_bad_certificates_get_403_sec0001(tmp_path: Path) -> None:
    with embedded_target(tmp_path / "target", client_cert_header=True) as config:
        report = run_suites(config, tmp_path, ["security"], "mTLS or TLS:")
    assert report.verdict is Verdict.PASS, [(r.id, r.message) for r in failures(report)]
    refused = [r for r in report.results if r.id in {f"TLS-00{n}" for n in range(1, 8)}]
    assert len(refused) == 7
    assert all("refused with HTTP 403 SEC0001" in r.message for r in refused)
    skipped = {r.id: r for r in report.results if r.status is Status.SKIP}
    assert set(skipped) == {"TLS-008", "TLS-009"}
    assert all(r.declared_skip and "proxy" in r.message for r in skipped.values())


def test_without_a_pki_dir_the_bad_certificates_are_a_declared_skip(tmp_path: Path) -> None:
    with embedded_target(tmp_path / "target") as config:
        bare = dataclasses.replace(config, pki_dir=None)
        report = run_suites(bare, tmp_path, ["security"], "mTLS")
    assert report.verdict is Verdict.PASS
    by_id = {r.id: r for r in report.results}
    assert by_id["TLS-001"].status is Status.PASS  # no certificate needs no PKI
    for n in range(2, 8):
        skip = by_id[f"TLS-00{n}"]
        assert skip.status is Status.SKIP and skip.declared_skip
        assert "pki_dir" in skip.message


def test_revocation_is_judged_only_when_declared(tmp_path: Path) -> None:
    with embedded_target(tmp_path / "target", features=frozenset()) as config:
        report = run_suites(config, tmp_path, ["security"], "revoked")
    (skip,) = report.results
    assert skip.id == "TLS-007" and skip.status is Status.SKIP and skip.declared_skip
    assert "revocation" in skip.message


def test_tls_1_1_untestable_here_is_an_honest_skip(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(mtls, "legacy_tls_unavailable", lambda: "no TLS 1.1 in this OpenSSL")
    with embedded_target(tmp_path / "target") as config:
        report = run_suites(config, tmp_path, ["security"], "protocol")
    (skip,) = report.results
    assert skip.id == "TLS-008" and skip.status is Status.SKIP and not skip.declared_skip
    assert "no TLS 1.1 in this OpenSSL" in skip.message
    assert report.verdict is Verdict.FAIL  # not tested is not conformant
