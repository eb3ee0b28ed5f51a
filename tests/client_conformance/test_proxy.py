"""``crr-harness proxy``: a client's exchanges with a target recorded and graded like serve's."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from crr_contract.pki import init_pki
from harness.cli import main
from reference_impl.security.asgi_tls import running_server
from reference_impl.server import ReferenceSystem

ROOT = Path(__file__).resolve().parents[2]
MARKET = "AUC_MN_2025_M10"


def test_a_proxied_client_is_recorded_and_graded(tmp_path: Path) -> None:
    pki = init_pki(tmp_path / "pki")
    alpha = pki.client("alpha_lse-rw")
    with (
        ReferenceSystem(tmp_path / "crr.sqlite3") as system,
        running_server(system.app, pki) as server,
    ):
        command = [sys.executable, "-m", "harness.cli", "proxy", "--port", "0"]
        command += ["--target", server.url, "--record", str(tmp_path / "recorded")]
        command += ["--cert", str(alpha.cert), "--key", str(alpha.key), "--ca", str(pki.ca_cert)]
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(ROOT)},
        )
        try:
            assert process.stdout is not None
            announced = process.stdout.readline()
            found = re.search(r"listening on (http://127\.0\.0\.1:\d+),", announced)
            assert found, announced
            assert "as ALPHA_LSE" in announced
            body = {
                "participantName": "ALPHA_LSE",
                "marketName": MARKET,
                "portfolioName": "VIA_PROXY",
                "bids": [
                    {
                        "source": "TH_NP15_GEN-APND",
                        "sink": "TH_SP15_GEN-APND",
                        "timeOfUse": "ON",
                        "segments": [{"mw": 1.0 + k, "price": 30.0 - k} for k in range(21)],
                    }
                ],
            }
            with httpx.Client(base_url=found.group(1), timeout=10) as client:
                refused = client.post("/auction/v1.0/portfolioCreation", json=body)
                status = client.get("/appStatus/v1.0/status")
            assert refused.status_code == 400 and "POR0003" in refused.text
            assert status.status_code == 200
            process.send_signal(signal.SIGINT)
            assert process.wait(timeout=20) == 0
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    code = main(["client-report", str(tmp_path / "recorded"), "--reports", str(tmp_path / "r")])
    assert code == 1
    report = json.loads((tmp_path / "r" / "latest" / "report.json").read_text())
    assert sorted({c["id"] for c in report["checks"] if c["status"] == "FAIL"}) == [
        "CLI-001",
        "CLI-004",
    ]


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--target", "ftp://x"], "expected an http(s) URL"),
        (["--target", "https://x", "--cert", "/nonexistent.pem"], "--cert /nonexistent.pem"),
    ],
)
def test_bad_proxy_input_is_one_line_and_exit_2(
    tmp_path: Path, flags: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    base = {"--target": "https://x", "--record": str(tmp_path), "--cert": "c", "--key": "k"}
    for name, value in zip(flags[::2], flags[1::2], strict=True):
        base[name] = value
    argv = ["proxy", *[item for pair in base.items() for item in pair]]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0], err
