"""Exit 2 means "could not run": an unreachable target, a suite that raises, anything unexpected.

A verdict of "not conformant" (exit 1) is a statement about the server; a
run that never reached it, or stopped inside the harness, must not make it.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.cli import main
from harness.results import Status
from harness.suites import SUITES
from tests.certify.support import certify_embedded

CLI = [sys.executable, "-m", "harness.cli"]


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def pki_here(tmp_path: Path) -> Path:
    assert main(["pki", "init", str(tmp_path / ".crr-pki")]) == 0
    return tmp_path


def _certify(cwd: Path, url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, "certify", "--target", url, "--reports", str(cwd / "reports")],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_nothing_listening_is_exit_2_with_one_line_naming_the_cause(pki_here: Path) -> None:
    port = _closed_port()
    done = _certify(pki_here, f"https://127.0.0.1:{port}")
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert lines == [
        f"crr-harness certify: cannot reach https://127.0.0.1:{port}: 127.0.0.1:{port} refused "
        f"the connection: nothing listens on port {port} there"
    ]
    assert not (pki_here / "reports").exists()


@pytest.fixture
def plain_tcp_server() -> Iterator[int]:
    """Accepts connections and answers every one in plain HTTP: not a TLS endpoint."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    stop = threading.Event()

    def serve() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            with conn:
                conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    server.close()


def test_a_port_that_does_not_speak_tls_is_exit_2(pki_here: Path, plain_tcp_server: int) -> None:
    done = _certify(pki_here, f"https://127.0.0.1:{plain_tcp_server}")
    assert done.returncode == 2
    [line] = done.stderr.strip().splitlines()
    assert "no participant completed a TLS handshake" in line
    assert "does not speak TLS" in line


def test_a_suite_that_raises_is_an_error_and_the_next_suite_still_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(_session: object) -> None:
        raise RuntimeError("planted failure in the suite")

    monkeypatch.setattr(SUITES["security"], "run", broken)
    report = certify_embedded(tmp_path, suites=("security", "connectivity"), options=None)
    [crash] = [r for r in report.results if r.id == "RUN-001"]
    assert crash.status is Status.ERROR and crash.suite == "security"
    assert "RuntimeError: planted failure in the suite" in crash.message
    assert "Traceback" in crash.message
    assert any(r.suite == "connectivity" and r.status is Status.PASS for r in report.results)
    assert str(report.verdict) == "FAIL"


def test_an_unexpected_exception_is_one_line_and_a_crash_log(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr("tempfile.tempdir", None)

    def explode(_args: object) -> int:
        raise KeyError("nowhere")

    monkeypatch.setattr("harness.commands.lint.run", explode)
    assert main(["lint"]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("crr-harness lint: internal error (KeyError: 'nowhere'); ")
    log = Path(line.rsplit("the traceback is in ", 1)[1])
    assert log.parent == tmp_path / "crr-harness"
    text = log.read_text(encoding="utf-8")
    assert "command: crr-harness lint" in text and "Traceback" in text
