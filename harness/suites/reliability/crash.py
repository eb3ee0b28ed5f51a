"""The crash case: the reference implementation as a process, killed with SIGKILL under load.

``ServerProcess`` runs ``SERVE_COMMAND`` (``python -m harness.cli serve``)
with ``--port 0``, a database and a dev PKI of its own, and reads the
address from the line ``serve`` announces. ``crash_and_restart`` opens the
auction market, loads the server, kills it mid-load, restarts it on the
same database and verifies that every portfolio acknowledged before the
kill is there exactly once and complete.
"""

from __future__ import annotations

import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from harness.suites.reliability.load import LoadRun, run_load, verify
from harness.suites.target_calls import SimControl, Target, open_market
from harness.target.dev_pki import target_from_dev_pki

__all__ = ["SERVE_COMMAND", "CrashOutcome", "ServerProcess", "crash_and_restart"]

SERVE_COMMAND: Sequence[str] = (sys.executable, "-m", "harness.cli", "serve")
"""How the crash case starts the reference implementation (``--port``, ``--db`` and
``--pki-dir`` are appended)."""

STARTUP_TIMEOUT = 60.0
_LISTENING = re.compile(r"listening on (https?://\S+)")


class ServerStartError(Exception):
    """The server process did not announce where it listens."""


@dataclass
class ServerProcess:
    """One run of the reference server as a child process."""

    db: Path
    pki_dir: Path
    log: Path
    command: Sequence[str] = field(default_factory=lambda: tuple(SERVE_COMMAND))
    process: subprocess.Popen[str] | None = None
    url: str = ""
    announced: str = ""

    def start(self) -> str:
        """Start it; returns its base URL once it listens."""
        with self.log.open("a", encoding="utf-8") as errors:
            self.process = subprocess.Popen(
                [
                    *self.command,
                    "--port",
                    "0",
                    "--db",
                    str(self.db),
                    "--pki-dir",
                    str(self.pki_dir),
                ],
                stdout=subprocess.PIPE,
                stderr=errors,
                text=True,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )
        lines: queue.Queue[str | None] = queue.Queue()

        def pump() -> None:
            assert self.process is not None and self.process.stdout is not None
            for line in self.process.stdout:
                lines.put(line)
            lines.put(None)

        threading.Thread(target=pump, daemon=True, name="serve-stdout").start()
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            try:
                line = lines.get(timeout=0.2)
            except queue.Empty:
                continue
            if line is None:
                break
            found = _LISTENING.search(line)
            if found:
                self.url = found.group(1)
                self.announced = line.strip()
                return self.url
        self.kill()
        tail = self.log.read_text(encoding="utf-8", errors="replace")[-500:]
        raise ServerStartError(f"{' '.join(self.command)} did not start: {tail.strip()}")

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs, whatever was not on disk is gone."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it does not end in time."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


@dataclass
class CrashOutcome:
    """What the crash case found."""

    problems: list[str]
    message: str
    load: LoadRun | None = None


def crash_and_restart(
    *, kill_after: float, seconds: float, command: Sequence[str] | None = None
) -> CrashOutcome:
    """Load a fresh reference server, SIGKILL it after ``kill_after`` s, restart, verify."""
    workdir = Path(tempfile.mkdtemp(prefix="crr-crash-"))
    server = ServerProcess(
        workdir / "crash.sqlite3",
        workdir / "pki",
        workdir / "server.log",
        tuple(command or SERVE_COMMAND),
    )
    try:
        return _crash(server, kill_after=kill_after, seconds=seconds)
    except ServerStartError as exc:
        return CrashOutcome([str(exc)], str(exc))
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def _target(server: ServerProcess) -> Target:
    return Target(target_from_dev_pki(server.url, server.pki_dir))


def _crash(server: ServerProcess, *, kill_after: float, seconds: float) -> CrashOutcome:
    server.start()
    first = _target(server)
    try:
        market = open_market(first, SimControl(first), "AUCTION_MARKET")
        if market is None:
            return CrashOutcome(["no auction market could be opened"], "no auction market")
        stop, started = threading.Event(), threading.Event()
        outcome: dict[str, LoadRun] = {}
        loader = threading.Thread(
            target=lambda: outcome.setdefault(
                "run",
                run_load(first, market, "CRASH_", seconds=seconds, stop=stop, started=started),
            ),
            daemon=True,
        )
        loader.start()
        started.wait(timeout=seconds)
        time.sleep(kill_after)
        server.kill()
        stop.set()
        loader.join(timeout=seconds + 30)
    finally:
        first.close()
    run = outcome.get("run")
    if run is None:
        return CrashOutcome(["the load run did not finish"], "the load run did not finish")
    began = time.monotonic()
    server.start()
    restart = time.monotonic() - began
    second = _target(server)
    try:
        problems, present = verify(second, run, read_each=True)
    finally:
        second.close()
    unacknowledged = len(run.attempted) - len(run.acknowledged)
    replayed = re.search(r"\((\d+) command\(s\) replayed\)", server.announced)
    message = (
        f"SIGKILL after {kill_after:.1f} s of load: {len(run.acknowledged)} portfolios "
        f"acknowledged before it, {unacknowledged} sent without an answer; after a restart on "
        f"the same database ({restart:.1f} s, "
        f"{replayed.group(1) if replayed else '?'} journaled commands replayed) "
        f"{present} are present"
    )
    return CrashOutcome(problems, message, run)
