"""Time `crr-harness diff` side by side with @azure/oad and @useoptic/optic, and
compare what each classifies as breaking on tests/diff/corpus.

    npm install --prefix benchmarks/diff          # the peers, pinned in benchmarks/diff/package.json
    python benchmarks/diff_compare.py [--operations 2000] [--repeat 1] [--skip-corpus]

One run: generates (or reuses) the large pair (benchmarks/diff_generate.py),
times each tool on it, then runs each tool over every OpenAPI case of the
corpus. Writes benchmarks/out/diff/report.json and prints a Markdown report.

`oad compare` reads Swagger 2.0 only, so it gets the pair converted by
benchmarks/diff_swagger2.py (conversion not timed); it also needs the .NET 6
runtime (`dotnet`) for its OpenApiDiff.dll. When a peer cannot run, the
report says why instead of a time.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))
from diff_generate import OUT, generate  # noqa: E402
from diff_swagger2 import convert_file  # noqa: E402

from crr_contract import files as spec_files  # noqa: E402
from harness.diff import diff_files  # noqa: E402
from harness.diff import run as diff_run  # noqa: E402

BIN = HERE / "diff" / "node_modules" / ".bin"
CORPUS = ROOT / "tests" / "diff" / "corpus"
PYTHON = sys.executable
_OPTIC_FAILED = re.compile(r"^\s*x \[(?P<rule>[^\]]+)\]", re.MULTILINE)


# ---------------------------------------------------------------- running the tools
def run(cmd: list[str], timeout: float = 900) -> tuple[float, int, str, str]:
    """(seconds, exit code, stdout, stderr) of one command."""
    start = time.perf_counter()
    proc = subprocess.run(
        cmd, capture_output=True, text=True, timeout=timeout, cwd=ROOT, check=False
    )
    return time.perf_counter() - start, proc.returncode, proc.stdout, proc.stderr


def ours_cmd(old: Path, new: Path) -> list[str]:
    return [
        PYTHON,
        "-m",
        "harness.cli",
        "diff",
        str(old),
        str(new),
        "--format",
        "json",
        "--no-catalog",
    ]


def optic_cmd(old: Path, new: Path) -> list[str]:
    return [str(BIN / "optic"), "diff", str(old), str(new), "--check"]


def oad_cmd(old: Path, new: Path) -> list[str]:
    log = OUT / "oad.log"  # oad writes a log file into the working directory unless told where
    log.parent.mkdir(parents=True, exist_ok=True)
    return [str(BIN / "oad"), "compare", str(old), str(new), "--logFilepath", str(log)]


def peer_problem(name: str, code: int, out: str, err: str) -> str | None:
    """Why a peer did not produce a result, or None when it did."""
    text = out + err
    if name == "oad":
        if "spawn dotnet ENOENT" in text:
            return "oad needs the .NET 6 runtime (`dotnet`) to run its OpenApiDiff.dll; none is installed"
        if "not a valid OpenAPI 2.0 definition" in text:
            return "oad reads Swagger 2.0 only"
        if code not in (0, 1) or "Error:" in err:
            return f"oad failed (exit {code}): {_last_line(err or out)}"
    if name == "optic" and code not in (0, 1):
        return f"optic failed (exit {code}): {_last_line(err or out)}"
    return None


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:200] if lines else "no output"


def installed(name: str) -> bool:
    return (BIN / name).exists()


# ---------------------------------------------------------------- timing
def time_tools(old: Path, new: Path, repeat: int, skip_peers: bool = False) -> dict:
    swagger_old = old.parent / "bench_v1.0.0.swagger.json"
    swagger_new = old.parent / "bench_v1.1.0.swagger.json"
    tools = {
        "crr-harness diff (CLI, as shipped)": ("ours", ours_cmd(old, new)),
        "optic diff --check": ("optic", optic_cmd(old, new)),
        "oad compare (Swagger 2.0 form)": ("oad", oad_cmd(swagger_old, swagger_new)),
    }
    results = {}
    for label, (name, cmd) in tools.items():
        if name != "ours" and skip_peers:
            continue
        if name != "ours" and not installed(name):
            results[label] = {
                "error": f"{name} is not installed: npm install --prefix benchmarks/diff"
            }
            continue
        times, problem, seconds = [], None, 0.0
        for _ in range(repeat):
            seconds, code, out, err = run(cmd)
            problem = peer_problem(name, code, out, err)
            if problem:
                break
            times.append(seconds)
        if problem:
            results[label] = {"error": problem, "seconds_until_failure": seconds}
        else:
            results[label] = {"seconds": statistics.median(times), "runs": times}
    results["crr-harness diff (in process)"] = in_process(old, new)
    return results


def in_process(old: Path, new: Path) -> dict:
    """Our time split into YAML parsing (ours, and PyYAML's safe loader for scale) and the diff."""
    out: dict = {}
    start = time.perf_counter()
    for path in (old, new):
        spec_files.load_document(path)
    out["parse_seconds"] = time.perf_counter() - start
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    start = time.perf_counter()
    loaded = {str(p): yaml.load(p.read_text(encoding="utf-8"), Loader=loader) for p in (old, new)}
    out["parse_safe_loader_seconds"] = time.perf_counter() - start
    original = diff_run.load_document
    diff_run.load_document = lambda path: loaded.get(str(path)) or original(path)
    try:
        start = time.perf_counter()
        result = diff_files(old, new, catalog=None)
        out["diff_only_seconds"] = time.perf_counter() - start
    finally:
        diff_run.load_document = original
    out["changes"] = len(result.changes)
    out["counts"] = result.counts()
    out["verdict"] = result.verdict.value
    return out


# ---------------------------------------------------------------- corpus
def corpus_cases() -> list[tuple[str, Path, Path]]:
    cases = []
    for folder in sorted(CORPUS.iterdir()):
        old = next((p for p in (folder / "old").glob("*_openapi.yaml")), None)
        new = next((p for p in (folder / "new").glob("*_openapi.yaml")), None)
        if old and new:
            cases.append((folder.name, old, new))
    return cases


def compare_corpus(workers: int) -> dict:
    cases = corpus_cases()
    rows = {}
    for name, old, new in cases:
        expected = yaml.safe_load((CORPUS / name / "expected.yaml").read_text())
        catalog = CORPUS / name / expected["catalog"] if expected.get("catalog") else None
        result = diff_files(old, new, catalog=catalog)
        rows[name] = {
            "ours_required_bump": result.required_bump,
            "ours_breaking": result.required_bump == "MAJOR",
            "ours_major_rules": sorted({c.rule for c in result.changes if c.bump == "MAJOR"}),
        }
    if installed("optic"):
        with ThreadPoolExecutor(workers) as pool:
            for name, verdict in zip(
                [c[0] for c in cases],
                pool.map(lambda c: optic_case(c[1], c[2]), cases),
                strict=True,
            ):
                rows[name].update(verdict)
    oad_reason = None
    if installed("oad"):
        tmp = Path(tempfile.mkdtemp(prefix="oad-corpus-"))
        try:
            for name, old, new in cases:
                if oad_reason:
                    rows[name]["oad"] = None
                    continue
                verdict, oad_reason = oad_case(old, new, tmp / name)
                rows[name]["oad"] = verdict
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return {"rows": rows, "oad_not_run": oad_reason, "optic_installed": installed("optic")}


def optic_case(old: Path, new: Path) -> dict:
    """Optic's verdict on a pair, with the new file's info.version set to the old one's.

    Optic turns its breaking-change checks off when info.version takes a major
    bump; giving both files one version makes it classify every pair.
    """
    with tempfile.TemporaryDirectory(prefix="optic-") as tmp:
        old_doc = yaml.safe_load(old.read_text(encoding="utf-8"))
        new_doc = yaml.safe_load(new.read_text(encoding="utf-8"))
        new_doc.setdefault("info", {})["version"] = (old_doc.get("info") or {}).get("version")
        same = Path(tmp) / new.name
        same.write_text(yaml.safe_dump(new_doc, sort_keys=False), encoding="utf-8")
        _, code, out, err = run(optic_cmd(old, same), timeout=300)
    problem = peer_problem("optic", code, out, err)
    if problem:
        return {"optic": None, "optic_error": problem}
    return {"optic": code == 1, "optic_rules": sorted(set(_OPTIC_FAILED.findall(out)))}


def oad_case(old: Path, new: Path, folder: Path) -> tuple[bool | None, str | None]:
    a = convert_file(old, folder / "old.json")
    b = convert_file(new, folder / "new.json")
    _, code, out, err = run(oad_cmd(a, b), timeout=300)
    problem = peer_problem("oad", code, out, err)
    if problem:
        return None, problem
    return '"type": "Error"' in out or "'type': 'Error'" in out, None


# ---------------------------------------------------------------- report
def markdown(timing: dict, corpus: dict | None, operations: int) -> str:
    lines = [
        f"# Diff benchmark: {operations} operations",
        "",
        "| tool | seconds | ratio to ours (CLI) |",
        "|---|---|---|",
    ]
    ours = timing.get("crr-harness diff (CLI, as shipped)", {}).get("seconds")
    for label, entry in timing.items():
        if label == "crr-harness diff (in process)":
            continue
        if "seconds" in entry:
            ratio = f"{entry['seconds'] / ours:.1f}x" if ours else "-"
            lines.append(f"| {label} | {entry['seconds']:.1f} | {ratio} |")
        else:
            failed = entry.get("seconds_until_failure")
            after = f" (stopped after {failed:.1f} s)" if failed else ""
            lines.append(f"| {label} | not run: {entry['error']}{after} | - |")
    inner = timing.get("crr-harness diff (in process)", {})
    if inner:
        lines += [
            "",
            f"Ours in process: YAML parsing {inner.get('parse_seconds', 0):.1f} s "
            "(crr_contract/yaml_reading.py, libyaml's events), "
            f"{inner.get('parse_safe_loader_seconds', 0):.1f} s with PyYAML's safe loader (libyaml); "
            f"the diff itself {inner.get('diff_only_seconds', 0):.1f} s; {inner.get('changes')} changes "
            f"({inner.get('counts')}), verdict {inner.get('verdict')}.",
        ]
    if corpus:
        rows = corpus["rows"]
        lines += [
            "",
            "## Breaking on the corpus",
            "",
            "| case | ours (required bump) | optic | oad |",
            "|---|---|---|---|",
        ]
        for name, row in rows.items():
            optic = _yes_no(row.get("optic"), row.get("optic_rules"))
            oad = _yes_no(row.get("oad"), None)
            lines.append(
                f"| {name} | {'breaking' if row['ours_breaking'] else 'not breaking'} ({row['ours_required_bump']}) | {optic} | {oad} |"
            )
        with_optic = [r for r in rows.values() if r.get("optic") is not None]
        both = sum(1 for r in with_optic if r["optic"] and r["ours_breaking"])
        only_ours = sum(1 for r in with_optic if r["ours_breaking"] and not r["optic"])
        only_optic = sum(1 for r in with_optic if r["optic"] and not r["ours_breaking"])
        lines += [
            "",
            f"{len(rows)} OpenAPI cases. Ours breaking: {sum(r['ours_breaking'] for r in rows.values())}. "
            f"Optic breaking: {sum(bool(r.get('optic')) for r in rows.values())}. "
            f"Both: {both}; only ours: {only_ours}; only optic: {only_optic}.",
        ]
        if corpus.get("oad_not_run"):
            lines.append(f"oad not run on the corpus: {corpus['oad_not_run']}.")
    return "\n".join(lines)


def _yes_no(value: bool | None, rules: list[str] | None) -> str:
    if value is None:
        return "n/a"
    text = "breaking" if value else "not breaking"
    return f"{text} ({', '.join(rules)})" if value and rules else text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--operations", type=int, default=2000)
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs per tool on the large pair (median reported)"
    )
    parser.add_argument("--workers", type=int, default=max(1, min(4, (os.cpu_count() or 2) // 2)))
    parser.add_argument("--skip-corpus", action="store_true")
    parser.add_argument("--skip-timing", action="store_true")
    parser.add_argument("--skip-peers", action="store_true", help="time only crr-harness")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    old = args.out / "caiso_crr_bench_v1.0.0_openapi.yaml"
    new = args.out / "caiso_crr_bench_v1.1.0_openapi.yaml"
    stamp = args.out / "operations.txt"
    if not (
        old.exists()
        and new.exists()
        and stamp.exists()
        and stamp.read_text().strip() == str(args.operations)
    ):
        generate(args.operations, args.out)
        stamp.write_text(str(args.operations))
    timing = {} if args.skip_timing else time_tools(old, new, args.repeat, args.skip_peers)
    corpus = None if args.skip_corpus else compare_corpus(args.workers)
    report = {"operations": args.operations, "timing": timing, "corpus": corpus}
    (args.out / "report.json").write_text(json.dumps(report, indent=2))
    text = markdown(timing, corpus, args.operations)
    (args.out / "report.md").write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
