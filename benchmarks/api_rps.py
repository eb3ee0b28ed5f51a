"""Requests per second of the reference server, side by side with a Prism mock of the same spec.

    npm install --prefix benchmarks --no-save @stoplight/prism-cli
    python -m benchmarks.api_rps [--seconds 5] [--connections 4] [--warm-up 2] [--rounds 4]
    python -m benchmarks.api_rps --list-scaling [--seconds 5] [--connections 4]

One read (``getPortfolioList``) and one write (``portfolioCreation``) of the
latest auction spec, against three servers started as subprocesses on
loopback, each on a fresh temporary directory:

* ``crr-harness serve`` with mutual TLS (the default): the client
  certificate is checked in the handshake, the role and participant name
  against the spec, the request validated against the spec (validators
  built once per operation), the engine runs, and every write is journaled
  to SQLite with ``synchronous=FULL`` before it is acknowledged (one fsync
  covers the writes that queued while the previous one was on its way);
* ``crr-harness serve --tls-terminated-by-proxy``: the same without TLS, the
  certificate forwarded in ``X-Client-Cert`` (parsed and validated against
  the CA on every request), which is what Prism is compared with most
  fairly;
* ``prism mock`` (Stoplight): validates the request against the same spec
  file and answers with the spec's example; it keeps no state and writes
  nothing, and it serves plain HTTP only.

Load: ``--connections`` worker processes, each with one keep-alive
connection, send requests back to back for ``--seconds`` after
``--warm-up`` seconds of the same load that are not counted (Prism, on
Node, answers several times faster once its JIT has seen a few thousand
requests; every server gets the same warm-up); every request is bounded by
a 10 s timeout and the run by the duration. The measured seconds of each
case are taken in ``--rounds`` slices, the servers taking turns in a
rotated order, because this machine's speed drifts over a minute: each
server sees the same spread of conditions, and the ratios are printed for
the whole and for each slice.

``--list-scaling`` measures instead what a portfolio list costs as data
grows, on one mutual-TLS server: ``getPortfolioList`` for a participant
with 10 portfolios, then after other participants have created 2,000, then
with 1,000 of its own. With the per-participant index the second rate is
the first (others' data is not walked), and the third is bounded by the
1,000 summaries it returns. Everything runs on this machine (2 cores): the servers and the
load generator share the CPUs, so the figures compare servers under the
same conditions rather than measure capacity. Results are printed and
written to ``benchmarks/out/api_rps.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections import Counter
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from crr_contract.operations import default_spec_files  # noqa: E402
from crr_contract.pki import ensure_pki, init_pki  # noqa: E402
from reference_impl.security.tls import client_context_for  # noqa: E402

PRISM = HERE / "node_modules" / ".bin" / "prism"
OUT = HERE / "out" / "api_rps.json"
MARKET = "AUC_MN_2025_M10"
READ_PATH = "/auction/v1.0/portfolioList"
WRITE_PATH = "/auction/v1.0/portfolioCreation"
WARM_UP = 2.0


@dataclass(frozen=True)
class Target:
    """A server to measure: where it is and how a client identifies itself to it."""

    name: str
    url: str
    pki_dir: str | None
    mtls: bool


@dataclass
class Result:
    """One server and operation: requests answered, rate and latency."""

    server: str
    operation: str
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p99_ms: float
    statuses: dict[str, int]


# ------------------------------------------------------------------ servers


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_reference(
    work: Path,
    pki_dir: Path,
    proxy: bool,
    *,
    name: str | None = None,
    options: tuple[str, ...] = (),
) -> tuple[subprocess.Popen[str], str]:
    """``crr-harness serve`` (with ``options``) on a free port, its database
    ``<name>.sqlite3`` in ``work``; returns the process and its URL."""
    db = work / f"{name or ('proxy' if proxy else 'mtls')}.sqlite3"
    command = [
        sys.executable, "-m", "harness.cli", "serve", "--port", "0",
        "--db", str(db), "--pki-dir", str(pki_dir), *options,
    ]  # fmt: skip
    if proxy:
        command.append("--tls-terminated-by-proxy")
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    found = re.search(r"listening on (\S+) ", line)
    if found is None:
        process.kill()
        raise RuntimeError(f"crr-harness serve did not start: {line!r}")
    return process, found.group(1)


def start_prism(spec: Path) -> tuple[subprocess.Popen[bytes], str]:
    """``prism mock`` of ``spec`` on a free port, once it answers."""
    port = free_port()
    process = subprocess.Popen(
        [str(PRISM), "mock", "-h", "127.0.0.1", "-p", str(port), str(spec)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{url}{READ_PATH}", params={"participantName": "ALPHA_LSE"}, timeout=2)
            return process, url
        except httpx.TransportError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("prism mock did not start within 60 s")


# ------------------------------------------------------------------ load


def _client(target: Target, credential: str) -> httpx.Client:
    if target.pki_dir is None:
        return httpx.Client(base_url=target.url, timeout=10)
    pki = ensure_pki(Path(target.pki_dir))
    if target.mtls:
        return httpx.Client(
            base_url=target.url, verify=client_context_for(pki, credential), timeout=10
        )
    pem = pki.client(credential).cert.read_text("ascii")
    return httpx.Client(
        base_url=target.url,
        headers={"X-Client-Cert": urllib.parse.quote(pem, safe="")},
        timeout=10,
    )


def _worker(
    target: Target,
    operation: str,
    worker: int,
    seconds: float,
    warm_up: float = WARM_UP,
    tag: str = "",
) -> tuple[list[float], dict]:
    """Requests back to back for ``seconds`` after a warm-up: latencies and status counts."""
    credential = "alpha_lse-rw" if operation == "read" else "bravo_trading-rw"
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    with _client(target, credential) as client:
        count = 0
        warm_until = time.perf_counter() + warm_up
        end = warm_until + seconds
        while True:
            now = time.perf_counter()
            if now >= end:
                break
            if operation == "read":
                response = client.get(READ_PATH, params={"participantName": "ALPHA_LSE"})
            else:
                count += 1
                response = client.post(
                    WRITE_PATH,
                    json={
                        "participantName": "BRAVO_TRADING",
                        "marketName": MARKET,
                        "portfolioName": f"BENCH{tag}_{worker}_{count}",
                        "bids": [
                            {
                                "source": "TH_NP15_GEN-APND",
                                "sink": "TH_SP15_GEN-APND",
                                "timeOfUse": "ON",
                                "segments": [{"mw": 10, "price": 5}, {"mw": 20, "price": 4}],
                            }
                        ],
                    },
                )
            done = time.perf_counter()
            if now >= warm_until:
                latencies.append(done - now)
                key = str(response.status_code)
                statuses[key] = statuses.get(key, 0) + 1
    return latencies, statuses


def _load(
    target: Target, operation: str, connections: int, seconds: float, warm_up: float
) -> tuple[list[float], Counter[str]]:
    """Latencies and status counts of ``connections`` concurrent clients over ``seconds``."""
    tag = os.urandom(4).hex().upper()  # portfolio names unique across slices and runs
    with ProcessPoolExecutor(connections) as pool:
        futures = [
            pool.submit(_worker, target, operation, n, seconds, warm_up, tag)
            for n in range(connections)
        ]
        outcomes = [f.result() for f in futures]
    statuses: Counter[str] = Counter()
    for _, counts in outcomes:
        statuses.update(counts)
    return [x for lat, _ in outcomes for x in lat], statuses


def _result(
    target: Target, operation: str, seconds: float, latencies: list[float], statuses: dict
) -> Result:
    latencies = sorted(latencies)
    requests = len(latencies)
    return Result(
        server=target.name,
        operation="getPortfolioList" if operation == "read" else "portfolioCreation",
        requests=requests,
        seconds=seconds,
        rps=requests / seconds,
        p50_ms=1000 * statistics.median(latencies) if latencies else 0.0,
        p99_ms=1000 * latencies[min(requests - 1, int(requests * 0.99))] if latencies else 0.0,
        statuses=dict(statuses),  # a plain dict: asdict would rebuild a Counter from pairs
    )


def measure(
    target: Target, operation: str, connections: int, seconds: float, warm_up: float = WARM_UP
) -> Result:
    """One server and operation under ``connections`` concurrent keep-alive clients."""
    latencies, statuses = _load(target, operation, connections, seconds, warm_up)
    return _result(target, operation, seconds, latencies, statuses)


def measure_interleaved(
    targets: list[Target],
    operation: str,
    connections: int,
    seconds: float,
    warm_up: float,
    rounds: int,
) -> tuple[list[Result], list[list[float]]]:
    """Every target for ``seconds`` in all, in ``rounds`` slices taken in turn.

    This machine's speed drifts by tens of percent over a minute (the other
    tenants of its host, its clock); a server measured in one block while
    another is measured in the next gets the drift as its result. In
    slices, taken in a rotated order each round, every server sees the same
    spread of conditions. Each server is warmed up first. Returns the
    merged result of each target, and each round's rates (for the spread).
    """
    for target in targets:
        if warm_up > 0:
            _load(target, operation, connections, warm_up, 0.0)
    slice_seconds = seconds / rounds
    merged: dict[str, tuple[list[float], Counter[str]]] = {t.name: ([], Counter()) for t in targets}
    per_round: list[list[float]] = []
    for round_number in range(rounds):
        shift = round_number % len(targets)
        order = targets[shift:] + targets[:shift]
        rates: dict[str, float] = {}
        for target in order:
            latencies, statuses = _load(target, operation, connections, slice_seconds, 0.0)
            kept, counts = merged[target.name]
            kept += latencies
            counts.update(statuses)
            rates[target.name] = len(latencies) / slice_seconds
        per_round.append([rates[t.name] for t in targets])
    results = [_result(target, operation, seconds, *merged[target.name]) for target in targets]
    return results, per_round


# ------------------------------------------------------------------ run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="measured seconds per case")
    parser.add_argument("--connections", type=int, default=4, help="concurrent clients")
    parser.add_argument(
        "--warm-up", type=float, default=WARM_UP, help="uncounted seconds of load before each case"
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=4,
        help="slices each case's seconds are measured in, the servers taking turns",
    )
    parser.add_argument(
        "--list-scaling",
        action="store_true",
        help="measure getPortfolioList as portfolios accumulate, instead of the comparison",
    )
    args = parser.parse_args(argv)
    if not 0 < args.seconds <= 60 or not 0 < args.connections <= 16:
        parser.error("--seconds must be in (0, 60] and --connections in 1..16")
    if not 0 <= args.warm_up <= 30:
        parser.error("--warm-up must be in [0, 30]")
    if not 1 <= args.rounds <= 20:
        parser.error("--rounds must be in 1..20")
    if args.list_scaling:
        return list_scaling(args)
    spec = next(p for p in default_spec_files() if p.name.startswith("caiso_crr_auction_"))
    results: list[Result] = []
    rounds: dict[str, list[list[float]]] = {}
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="crr-api-rps-") as tmp:
        work = Path(tmp)
        pki_dir = work / "pki"
        init_pki(pki_dir)
        targets: list[tuple[Target, subprocess.Popen]] = []
        try:
            for proxy in (False, True):
                process, url = start_reference(work, pki_dir, proxy)
                name = (
                    "crr-harness serve (HTTP, X-Client-Cert)"
                    if proxy
                    else "crr-harness serve (mTLS)"
                )
                target = Target(name, url, str(pki_dir), mtls=not proxy)
                targets.append((target, process))
                with _client(Target(name, url, str(pki_dir), not proxy), "operator") as operator:
                    operator.post("/simcontrol/v1.0/windowOpening", json={"windowName": MARKET})
            if PRISM.exists():
                process, url = start_prism(spec)
                targets.append((Target("prism mock (HTTP)", url, None, mtls=False), process))
            else:
                notes.append(
                    f"prism not installed ({PRISM}); run: npm install --prefix benchmarks "
                    "--no-save @stoplight/prism-cli"
                )
            for operation in ("read", "write"):
                measured, per_round = measure_interleaved(
                    [target for target, _process in targets],
                    operation,
                    args.connections,
                    args.seconds,
                    args.warm_up,
                    args.rounds,
                )
                results += measured
                rounds[operation] = per_round
        finally:
            for _target, process in targets:
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
    report(results, rounds, notes, spec, args)
    return 0


def _seed(target: Target, credential: str, participant: str, prefix: str, count: int) -> None:
    """``count`` portfolios of ``participant`` created through the API, four at a time."""

    def create(names: list[str]) -> None:
        with _client(target, credential) as client:
            for name in names:
                response = client.post(
                    WRITE_PATH,
                    json={
                        "participantName": participant,
                        "marketName": MARKET,
                        "portfolioName": name,
                        "bids": [
                            {
                                "source": "TH_NP15_GEN-APND",
                                "sink": "TH_SP15_GEN-APND",
                                "timeOfUse": "ON",
                                "segments": [{"mw": 10, "price": 5}],
                            }
                        ],
                    },
                )
                response.raise_for_status()

    names = [f"{prefix}{n:05d}" for n in range(count)]
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(create, [names[k::4] for k in range(4)]))


def list_scaling(args: argparse.Namespace) -> int:
    """getPortfolioList of ALPHA_LSE: 10 own portfolios, + 2,000 of others, then 1,000 own."""
    stages = (
        ("10 own", ("alpha_lse-rw", "ALPHA_LSE", "OWN_A_", 10)),
        (
            "10 own + 2,000 of other participants",
            ("bravo_trading-rw", "BRAVO_TRADING", "OTHER_", 2000),
        ),
        ("1,000 own + 2,000 of others", ("alpha_lse-rw", "ALPHA_LSE", "OWN_B_", 990)),
    )
    rows = []
    with tempfile.TemporaryDirectory(prefix="crr-list-scaling-") as tmp:
        work = Path(tmp)
        pki_dir = work / "pki"
        init_pki(pki_dir)
        process, url = start_reference(work, pki_dir, proxy=False)
        try:
            target = Target("crr-harness serve (mTLS)", url, str(pki_dir), mtls=True)
            with _client(target, "operator") as operator:
                operator.post("/simcontrol/v1.0/windowOpening", json={"windowName": MARKET})
            for label, seed in stages:
                _seed(target, *seed)
                result = measure(target, "read", args.connections, args.seconds, args.warm_up)
                rows.append((label, result))
        finally:
            process.terminate()
            process.wait(timeout=10)
    print(f"getPortfolioList of ALPHA_LSE; {args.connections} connections, {args.seconds:g} s")
    print()
    print("| portfolios | req/s | p50 ms | p99 ms | statuses |")
    print("|---|---:|---:|---:|---|")
    for label, r in rows:
        statuses = ", ".join(f"{k}: {v}" for k, v in sorted(r.statuses.items()))
        print(f"| {label} | {r.rps:.0f} | {r.p50_ms:.1f} | {r.p99_ms:.1f} | {statuses} |")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.with_name("api_rps_list_scaling.json").write_text(
        json.dumps([{"portfolios": label, **asdict(r)} for label, r in rows], indent=2)
    )
    return 0


def report(
    results: list[Result],
    rounds: dict[str, list[list[float]]],
    notes: list[str],
    spec: Path,
    args: argparse.Namespace,
) -> None:
    print(
        f"spec: {spec.name}; {args.connections} connections, {args.seconds:g} s per case "
        f"in {args.rounds} interleaved slices, after {args.warm_up:g} s of warm-up"
    )
    print()
    print("| server | operation | requests | req/s | p50 ms | p99 ms | statuses |")
    print("|---|---|---:|---:|---:|---:|---|")
    for r in results:
        print(
            f"| {r.server} | {r.operation} | {r.requests} | {r.rps:.0f} | {r.p50_ms:.1f} | "
            f"{r.p99_ms:.1f} | {', '.join(f'{k}: {v}' for k, v in sorted(r.statuses.items()))} |"
        )
    ratios = {}
    round_ratios: dict[str, list[float]] = {}
    for key, operation in (("read", "getPortfolioList"), ("write", "portfolioCreation")):
        measured = [r for r in results if r.operation == operation]
        prism_at = next((i for i, r in enumerate(measured) if r.server.startswith("prism")), None)
        if prism_at is None or measured[prism_at].rps == 0:
            continue
        for index, r in enumerate(measured):
            if index == prism_at:
                continue
            label = f"{r.server} / prism, {operation}"
            ratios[label] = r.rps / measured[prism_at].rps
            round_ratios[label] = [
                rates[index] / rates[prism_at] for rates in rounds.get(key, []) if rates[prism_at]
            ]
    if ratios:
        print()
        for label, ratio in ratios.items():
            spread = ", ".join(f"{x:.2f}" for x in round_ratios.get(label, []))
            print(f"ratio {label}: {ratio:.2f} (by slice: {spread})")
    for note in notes:
        print(f"note: {note}")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(
        json.dumps(
            {
                "spec": spec.name,
                "connections": args.connections,
                "seconds": args.seconds,
                "results": [asdict(r) for r in results],
                "rounds": args.rounds,
                "ratios": ratios,
                "ratios_by_slice": round_ratios,
                "notes": notes,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    sys.exit(main())
