"""``crr-harness serve --record DIR --faults FILE`` as a user runs it: a process, stopped by Ctrl-C.

Every exchange is on disk when the server stops (flushed per exchange),
under the participant the certificate names, with injected faults marked:
a dropped connection breaks the client's read, a delay holds the answer.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from crr_contract.pki import init_pki
from reference_impl.security.tls import client_context_for

ROOT = Path(__file__).resolve().parents[2]


def test_recorded_faults_survive_ctrl_c(tmp_path: Path) -> None:
    pki = init_pki(tmp_path / "pki")
    faults = tmp_path / "faults.yaml"
    faults.write_text(
        "faults:\n"
        "  - {participant: ALPHA_LSE, operation: app_status.getAppStatus, answer: drop}\n"
        "  - {participant: ALPHA_LSE, operation: app_status.getAppStatus, answer: delay, seconds: 0.3}\n"
    )
    command = [sys.executable, "-m", "harness.cli", "serve", "--port", "0"]
    command += ["--pki-dir", str(pki.directory), "--db", str(tmp_path / "crr.sqlite3")]
    command += ["--record", str(tmp_path / "recorded"), "--faults", str(faults)]
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
        found = re.search(r"listening on (https://127\.0\.0\.1:\d+) ", announced)
        assert found, announced
        assert "recording to" in announced and "2 fault rule(s)" in announced
        url = found.group(1)
        with httpx.Client(verify=client_context_for(pki, "alpha_lse-rw"), timeout=10) as alpha:
            with pytest.raises(httpx.RemoteProtocolError):
                alpha.get(f"{url}/appStatus/v1.0/status")
            started = time.monotonic()
            delayed = alpha.get(f"{url}/appStatus/v1.0/status")
            assert delayed.status_code == 200 and time.monotonic() - started >= 0.3
            assert alpha.get(f"{url}/appStatus/v1.0/status").status_code == 200
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=20) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    recorded = [
        json.loads(text)
        for text in (tmp_path / "recorded" / "ALPHA_LSE.jsonl").read_text().splitlines()
    ]
    assert [(r["operation"], r["fault"], r["dropped"], r["status"]) for r in recorded] == [
        ("app_status.getAppStatus", "drop", True, 200),
        ("app_status.getAppStatus", "delay", False, 200),
        ("app_status.getAppStatus", None, False, 200),
    ]
    assert recorded[0]["user"] == "alpha.rw" and recorded[0]["violations"] == []
    served = json.loads((tmp_path / "recorded" / "served.json").read_text())
    assert "app_status.getAppStatus" in served["operations"]
