"""``crr-harness certify`` on the command line: selection, reruns, interruption, exit codes."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from harness.cli import main
from harness.reports.writer import load_report
from tests.certify.support import certify_embedded, failures
from tests.mutants.catalog import BY_NAME

CLI = [sys.executable, "-m", "harness.cli"]


def _report(reports: Path) -> dict:
    return load_report(reports / "latest" / "report.json")


def test_k_selects_cases_and_the_report_says_only_those(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    code = main(
        ["certify", "--reports", str(reports), "-k", "app_status and not 'role not allowed'"]
    )
    assert code == 0
    cases = {c["case"] for c in _report(reports)["checks"]}
    assert cases and all(c.startswith("app_status.") for c in cases)
    assert not any("role not allowed" in c for c in cases)


def test_a_rerun_command_in_the_report_reruns_exactly_that_case(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    assert main(["certify", "--reports", str(reports), "-k", "getAppStatus"]) == 0
    first = _report(reports)["checks"][0]
    argv = re.findall(r"'[^']*'|\S+", first["rerun"])[1:]
    argv = [a[1:-1] if a.startswith("'") else a for a in argv]
    assert main(argv) == 0
    assert {c["case"] for c in _report(reports)["checks"]} == {first["case"]}


@pytest.mark.slow
def test_rerun_failed_runs_only_what_failed_last_time(tmp_path: Path) -> None:
    mutant = BY_NAME["retired-error-code"]
    broken = certify_embedded(tmp_path, wrap=mutant.wrap)
    failed_cases = {r.case for r in failures(broken)}
    assert failed_cases
    # the same cases against the intact reference implementation now pass
    code = main(["certify", "--rerun-failed", "--reports", str(tmp_path / "reports")])
    assert code == 0
    assert {c["case"] for c in _report(tmp_path / "reports")["checks"]} == failed_cases


@pytest.mark.slow
def test_client_cert_header_mode_certifies_behind_a_proxy(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    code = main(["certify", "--client-cert-header", "--reports", str(reports), "-k", "auction"])
    assert code == 0
    report = _report(reports)
    assert report["target"]["base_url"].startswith("http://")
    assert report["target"]["client_cert_header"] is True
    headers = report["checks"][0]["evidence"][0]["request"]["headers"]
    assert any(name.lower() == "x-client-cert" for name in headers)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--suite", "nonsense"], "unknown suite 'nonsense'"),
        (["-k", "auction and"], "-k"),
        (["-k", "no-case-has-this-name"], "no case matched"),
        (["--rerun-failed"], "no report at"),
    ],
)
def test_unusable_arguments_are_one_line_and_exit_2(
    tmp_path: Path, argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["certify", "--reports", str(tmp_path / "reports"), *argv])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert message in err[-1] and "Traceback" not in "\n".join(err)


@pytest.mark.slow
def test_sigterm_leaves_a_partial_report_and_exit_2(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    process = subprocess.Popen(
        [*CLI, "certify", "--reports", str(reports)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stderr is not None
    lines = 0
    deadline = time.monotonic() + 60
    while lines < 20 and time.monotonic() < deadline:
        if process.stderr.readline().startswith("["):
            lines += 1
    process.send_signal(signal.SIGTERM)
    process.stderr.read()
    assert process.wait(timeout=60) == 2
    report = _report(reports)
    assert report["summary"]["interrupted"] is True
    assert report["summary"]["verdict"] == "FAIL"
    assert report["summary"]["passed"] >= 20
    assert (reports / "latest" / "junit.xml").is_file()
    assert (reports / "latest" / "report.html").is_file()


@pytest.mark.slow
def test_certify_target_url_against_crr_harness_serve(tmp_path: Path) -> None:
    pki = tmp_path / "pki"
    server = subprocess.Popen(
        [*CLI, "serve", "--port", "0", "--db", str(tmp_path / "db.sqlite3"), "--pki-dir", str(pki)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        announced = server.stdout.readline()
        url = re.search(r"listening on (\S+)", announced)
        assert url, announced
        reports = tmp_path / "reports"
        code = main(
            [
                "certify",
                "--target",
                url[1],
                "--pki-dir",
                str(pki),
                "--reports",
                str(reports),
                "-k",
                "market_info",
            ]
        )
        assert code == 0
        assert _report(reports)["target"]["base_url"] == url[1]
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)
