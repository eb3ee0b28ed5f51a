"""Testing the tests: which suite of ``certify`` kills each deliberately broken reference.

Every mutant of ``tests/mutants/catalog.py`` is served (the reference with
one realistic defect) and certified once per suite, each suite alone and
whole (no ``-k``). A suite kills a mutant when its verdict is FAIL: the
intact reference passes every suite, so any failure is the defect's. The
table says, per mutant, which suites killed it and whether the check named
for the defect was among the failures; then the kill rate of each suite and
of all together, and every survivor.

    .venv/bin/python -m benchmarks.mutation_kill_rate [--suite NAME ...] [--mutant NAME ...]

Writes ``benchmarks/out/mutation_kill_rate.json``. Slow by nature (every
suite against every mutant): about half an hour on two cores.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from harness.certify.run import certify  # noqa: E402
from harness.results import Status, Verdict  # noqa: E402
from tests.mutants.catalog import MUTANTS, SCENARIO_MUTANTS, Mutant  # noqa: E402
from tests.security_suite.support import mutant_target  # noqa: E402

SUITES = ("connectivity", "scenarios", "security", "fuzzing", "reliability")
OUT = REPO / "benchmarks" / "out" / "mutation_kill_rate.json"


def certify_mutant(mutant: Mutant, suite: str) -> dict:
    """One suite against one mutant: the verdict and the checks that failed."""
    with tempfile.TemporaryDirectory(prefix="crr-mutant-") as workdir:
        started = time.perf_counter()
        with mutant_target(Path(workdir), mutant) as config:
            report = certify(
                config,
                suites=[suite],
                reports_root=Path(workdir) / "reports",
                seed=1,
                out=io.StringIO(),
            )
        failed = sorted({r.id for r in report.results if r.status in (Status.FAIL, Status.ERROR)})
        return {
            "killed": report.verdict is Verdict.FAIL,
            "failed_checks": failed,
            "named_check_failed": mutant.caught_by in failed,
            "seconds": round(time.perf_counter() - started, 1),
        }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suite", action="append", choices=SUITES)
    parser.add_argument("--mutant", action="append")
    args = parser.parse_args(argv)
    suites = args.suite or list(SUITES)
    mutants = [m for m in (*MUTANTS, *SCENARIO_MUTANTS) if not args.mutant or m.name in args.mutant]
    rows = []
    for mutant in mutants:
        row = {
            "mutant": mutant.name,
            "defect": mutant.defect,
            "caught_by": mutant.caught_by,
            "home_suites": list(mutant.suites),
            "suites": {},
        }
        for suite in suites:
            row["suites"][suite] = certify_mutant(mutant, suite)
            verdict = row["suites"][suite]
            print(
                f"{mutant.name:<34} {suite:<13} {'KILLED' if verdict['killed'] else 'survived':<9}"
                f" {verdict['seconds']:>6.1f} s  {','.join(verdict['failed_checks'])}",
                flush=True,
            )
        rows.append(row)
    summary = {suite: sum(r["suites"][suite]["killed"] for r in rows) for suite in suites}
    killed_by_any = [r for r in rows if any(v["killed"] for v in r["suites"].values())]
    named = [r for r in rows if any(v["named_check_failed"] for v in r["suites"].values())]
    survivors = [r["mutant"] for r in rows if r not in killed_by_any]
    print()
    for suite in suites:
        print(
            f"{suite:<13} kills {summary[suite]:>2}/{len(rows)} ({summary[suite] / len(rows):.0%})"
        )
    print(
        f"{'all suites':<13} kill {len(killed_by_any):>2}/{len(rows)} "
        f"({len(killed_by_any) / len(rows):.0%}); the named check failed for {len(named)}"
    )
    print("survivors:", ", ".join(survivors) or "none")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(
        json.dumps(
            {"suites": suites, "kills": summary, "survivors": survivors, "mutants": rows}, indent=2
        )
    )
    return 0 if not survivors else 1


if __name__ == "__main__":
    sys.exit(main())
