"""Wall time of ``certify`` against the reference behind 50 ms of added latency, sequential and concurrent.

    python -m benchmarks certify_latency [--delay-ms 50] [--concurrency 1,4]
        [--suite connectivity --suite security] [-k EXPR] [--seed 7]

A certifying vendor's target is across a network, and every request of a
sequential run pays the round trip. For each concurrency asked for, this
starts a fresh ``crr-harness serve`` (subprocess, mutual TLS, fresh SQLite
database, the dev PKI of the run) and, in front of it, a TCP proxy on
loopback that holds every chunk the client sends for ``--delay-ms`` before
passing it on (answers pass straight back), so each request waits that long
more, as over a slow link; TLS handshakes pay it once per flight. Then
``crr-harness certify --config target.yaml --concurrency N`` runs as a
subprocess against the proxy, and its wall time is measured. The target
declares ``max_concurrency`` as the largest N asked for, features
``market-sim-dataset`` (no ``reliability``: load through a slow link
measures the link).

A full certify makes a few thousand requests; at 50 ms that is minutes
per run, so ``--suite`` and ``-k`` choose a selection (default: the
connectivity and security suites, whose cases are independent), and the
output says what ran. Each run's check keys and statuses are compared with
the first run's: concurrency must not change a verdict. Results are printed
and written to ``benchmarks/out/certify_latency.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from benchmarks.api_rps import start_reference  # noqa: E402
from crr_contract.pki import init_pki  # noqa: E402
from harness.target.dev_pki import declaration_from_dev_pki  # noqa: E402

OUT = HERE / "out" / "certify_latency.json"
DEFAULT_SUITES = ("connectivity", "security")


@dataclass
class Run:
    """One certify run behind the slow link."""

    concurrency: int
    seconds: float
    exit_code: int
    checks: int
    statuses: dict[str, int]
    chunks_delayed: int
    not_passed: list[str]
    """Every check key that is not PASS or SKIP, with its status and message's start."""
    same_verdicts_as_first: bool | None = None
    differences: dict[str, int] | None = None
    """Per suite, how many check keys or statuses differ from the first run's."""


class SlowLink:
    """A loopback TCP proxy that delays every client-to-server chunk by ``delay`` seconds.

    Chunks keep their order and overlap in flight (a link with latency, not a
    queue that serialises the waits); server-to-client data is not delayed.
    """

    def __init__(self, upstream_host: str, upstream_port: int, delay: float) -> None:
        self.upstream = (upstream_host, upstream_port)
        self.delay = delay
        self.port = 0
        self.chunks = 0
        self._loop = asyncio.new_event_loop()
        self._started = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True, name="slow-link")

    def __enter__(self) -> SlowLink:
        self._thread.start()
        if not self._started.wait(10):
            raise RuntimeError("the slow-link proxy did not start")
        return self

    def __exit__(self, *_exc: object) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        server = self._loop.run_until_complete(
            asyncio.start_server(self._connection, "127.0.0.1", 0)
        )
        self.port = server.sockets[0].getsockname()[1]
        self._started.set()
        self._loop.run_forever()
        server.close()

    async def _connection(
        self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter
    ) -> None:
        try:
            server_reader, server_writer = await asyncio.open_connection(*self.upstream)
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(
            self._delayed(client_reader, server_writer),
            self._straight(server_reader, client_writer),
            return_exceptions=True,
        )

    async def _delayed(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()

        async def forward() -> None:
            while True:
                due, chunk = await queue.get()
                wait = due - self._loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
                if not chunk:
                    break
                writer.write(chunk)
                await writer.drain()
            with contextlib.suppress(OSError):
                writer.write_eof()

        sender = asyncio.ensure_future(forward())
        try:
            while True:
                chunk = await reader.read(65536)
                if chunk:
                    self.chunks += 1
                await queue.put((self._loop.time() + self.delay, chunk))
                if not chunk:
                    break
            await sender
        finally:
            sender.cancel()
            writer.close()

    async def _straight(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while chunk := await reader.read(65536):
                writer.write(chunk)
                await writer.drain()
        finally:
            writer.close()


@contextlib.contextmanager
def slow_reference(work: Path, pki_dir: Path, delay: float, name: str) -> Iterator[SlowLink]:
    """A fresh ``crr-harness serve`` and the slow link in front of it."""
    process, url = start_reference(work, pki_dir, False, name=name)
    try:
        host_port = url.split("://", 1)[1].rstrip("/")
        host, port = host_port.rsplit(":", 1)
        with SlowLink(host.strip("[]"), int(port), delay) as link:
            yield link
    finally:
        process.terminate()
        process.wait(timeout=20)


def certify_once(
    work: Path, pki_dir: Path, args: argparse.Namespace, concurrency: int, limit: int
) -> tuple[Run, list[tuple[str, str]]]:
    name = f"c{concurrency}"
    with slow_reference(work, pki_dir, args.delay_ms / 1000, name) as link:
        declaration = declaration_from_dev_pki(
            f"https://127.0.0.1:{link.port}",
            pki_dir,
            features=["market-sim-dataset"],
            description=f"crr-harness serve behind {args.delay_ms:g} ms",
            max_concurrency=limit,
        )
        target = work / f"{name}.target.yaml"
        target.write_text(yaml.safe_dump(declaration), encoding="utf-8")
        reports = work / f"{name}-reports"
        command = [
            sys.executable, "-m", "harness.cli", "certify", "--config", str(target),
            "--reports", str(reports), "--seed", str(args.seed),
            "--concurrency", str(concurrency),
        ]  # fmt: skip
        for suite in args.suite or DEFAULT_SUITES:
            command += ["--suite", suite]
        if args.k:
            command += ["-k", args.k]
        started = time.perf_counter()
        done = subprocess.run(
            command,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            check=False,
        )
        seconds = time.perf_counter() - started
        chunks = link.chunks
    report = json.loads((reports / "latest" / "report.json").read_text(encoding="utf-8"))
    checks = report.get("checks", [])
    statuses: dict[str, int] = {}
    for check in checks:
        statuses[check["status"]] = statuses.get(check["status"], 0) + 1
    keys = [(c["suite"], f"{c['case']} [{c['id']}]", c["status"]) for c in checks]
    not_passed = [
        f"{c['status']} {c['case']} [{c['id']}]: {str(c.get('message', ''))[:160]}"
        for c in checks
        if c["status"] not in ("PASS", "SKIP")
    ]
    run = Run(
        concurrency, round(seconds, 1), done.returncode, len(checks), statuses, chunks, not_passed
    )
    return run, keys


def _differences(
    first: list[tuple[str, str, str]], other: list[tuple[str, str, str]]
) -> dict[str, int]:
    """Per suite, the check keys (with status) one run has and the other has not."""
    counts: dict[str, int] = {}
    for suite, _key, _status in set(first) ^ set(other):
        counts[suite] = counts.get(suite, 0) + 1
    return counts


def _levels(text: str) -> list[int]:
    try:
        levels = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        levels = []
    if not levels or min(levels) < 1:
        raise SystemExit(f"certify_latency: --concurrency {text}: e.g. 1,4 (each 1 or more)")
    return levels


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--delay-ms", type=float, default=50.0, help="added per request")
    parser.add_argument("--concurrency", default="1,4", help="levels to run, in order")
    parser.add_argument(
        "--suite",
        action="append",
        help=f"suite to run (repeatable; default: {', '.join(DEFAULT_SUITES)})",
    )
    parser.add_argument("-k", help="certify's -k selection")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    levels = _levels(args.concurrency)
    runs: list[Run] = []
    first: list[tuple[str, str, str]] | None = None
    with tempfile.TemporaryDirectory(prefix="crr-latency-bench-") as tmp:
        work = Path(tmp)
        pki = init_pki(work / "pki")
        for level in levels:
            run, keys = certify_once(work, pki.directory, args, level, max(levels))
            if first is None:
                first = keys
            else:
                run.same_verdicts_as_first = keys == first
                run.differences = _differences(first, keys)
            runs.append(run)
            print(
                f"concurrency {run.concurrency}: {run.seconds:.1f} s, exit {run.exit_code}, "
                f"{run.checks} checks {run.statuses}, {run.chunks_delayed} chunks delayed"
                + (
                    ""
                    if run.same_verdicts_as_first is None
                    else f", same keys and statuses as concurrency {levels[0]}: "
                    f"{run.same_verdicts_as_first}"
                ),
                flush=True,
            )
            for line in run.not_passed[:10]:
                print(f"  {line}", flush=True)
            if run.differences:
                print(f"  differing keys per suite: {run.differences}", flush=True)
    base = runs[0].seconds
    result = {
        "delay_ms": args.delay_ms,
        "suites": list(args.suite or DEFAULT_SUITES),
        "k": args.k,
        "seed": args.seed,
        "load_average": os.getloadavg(),
        "runs": [asdict(run) for run in runs],
        "speedup_over_first": {
            str(run.concurrency): round(base / run.seconds, 2) for run in runs if run.seconds
        },
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"written to {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
