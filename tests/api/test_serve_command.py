"""``crr-harness serve``: starts with no arguments, says where in one line, stops cleanly on Ctrl-C,
and refuses bad input with one line and exit 2."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from crr_contract.pki import PkiLayout, ensure_pki
from harness.cli import main
from reference_impl.security.tls import client_context_for


def one_line_error(capsys: pytest.CaptureFixture[str]) -> str:
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("crr-harness serve: ")
    return lines[0]


@pytest.mark.parametrize(
    "flags",
    [["--port", "http"], ["--port", "99999"], ["--bogus"], ["positional"]],
    ids=["port-not-a-number", "port-out-of-range", "unknown-flag", "stray-argument"],
)
def test_bad_flags_are_one_line_and_exit_2(
    flags: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["serve", *flags])
    assert stopped.value.code == 2
    one_line_error(capsys)


def test_a_database_in_a_missing_directory_is_exit_2(
    tmp_path: Path, pki: PkiLayout, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "missing" / "crr.sqlite3"
    code = main(["serve", "--port", "0", "--db", str(db), "--pki-dir", str(pki.directory)])
    assert code == 2
    assert "does not exist" in one_line_error(capsys)


def test_a_file_that_is_not_a_database_is_exit_2(
    tmp_path: Path, pki: PkiLayout, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "notes.txt"
    db.write_text("shopping list\n" * 200)
    code = main(["serve", "--port", "0", "--db", str(db), "--pki-dir", str(pki.directory)])
    assert code == 2
    assert "not a usable SQLite database" in one_line_error(capsys)


def test_a_port_in_use_is_exit_2(
    tmp_path: Path, pki: PkiLayout, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code = main(
            [
                "serve",
                "--port",
                str(port),
                "--db",
                str(tmp_path / "db"),
                "--pki-dir",
                str(pki.directory),
            ]
        )
    assert code == 2
    assert f"cannot listen on 127.0.0.1:{port}" in one_line_error(capsys)


def test_a_pki_dir_that_cannot_be_created_is_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    code = main(["serve", "--port", "0", "--pki-dir", str(blocker / "pki")])
    assert code == 2
    one_line_error(capsys)


def port_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@pytest.mark.slow
def test_serve_with_no_arguments_answers_and_stops_cleanly_on_ctrl_c(tmp_path: Path) -> None:
    if not port_free(8443):
        pytest.skip("port 8443 is taken on this machine")
    process = subprocess.Popen(
        [sys.executable, "-m", "harness.cli", "serve"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(Path.cwd())},
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert re.fullmatch(
            r"crr-harness serve: listening on https://127\.0\.0\.1:8443 \(mutual TLS\), "
            r"11 spec file\(s\), PKI \.crr-pki, database crr-reference\.sqlite3 "
            r"\(0 command\(s\) replayed\)\n",
            line,
        ), line
        assert (tmp_path / ".crr-pki" / "ca.pem").is_file()
        assert (tmp_path / "crr-reference.sqlite3").is_file()
        pki = ensure_pki(tmp_path / ".crr-pki")
        with httpx.Client(verify=client_context_for(pki, "echo_nda-nda"), timeout=10) as http:
            status = http.get("https://localhost:8443/appStatus/v1.0/status")
        assert status.status_code == 200
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=20) == 0
        assert "stopped" in process.stderr.read()  # type: ignore[union-attr]
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
