"""``certify --concurrency``: the same verdicts, in the same order, as a sequential run.

Independent cases may run on several workers, but a report for a given seed
must not depend on how many: the same check keys with the same statuses, and
the cases listed in the same order in report.json, junit.xml and report.html.
"""

from __future__ import annotations

import html
import io
import re
import threading
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from harness.case_pool import CURRENT_BUFFER, CasePool
from harness.certify.run import certify
from harness.cli import main
from harness.errors import InputError
from harness.results import RunReport
from harness.selection import Selection
from harness.target.config import dump_target, load_target
from harness.target.embedded import EMBEDDED_MAX_CONCURRENCY, embedded_target

SELECTION = "auction or app_status"
SUITES = ("connectivity", "security")


def _run(workdir: Path, concurrency: int) -> tuple[RunReport, Path]:
    with embedded_target(workdir / "target") as config:
        report = certify(
            config,
            suites=SUITES,
            reports_root=workdir / "reports",
            selection=Selection(SELECTION),
            seed=3,
            out=io.StringIO(),
            concurrency=concurrency,
        )
    return report, workdir / "reports" / report.run_id


def _junit_cases(run_dir: Path) -> list[str]:
    tree = ET.parse(run_dir / "junit.xml")
    return [case.get("name", "") for case in tree.iter("testcase")]


def _first_seen(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def test_a_concurrent_run_judges_the_same_checks_the_same_way_in_the_same_order(
    tmp_path: Path,
) -> None:
    sequential, sequential_dir = _run(tmp_path / "one", 1)
    concurrent, concurrent_dir = _run(tmp_path / "four", EMBEDDED_MAX_CONCURRENCY)
    keys = [(r.key, r.status) for r in sequential.results]
    assert len(keys) > 200, "the selection is large enough for workers to overlap"
    assert [(r.key, r.status) for r in concurrent.results] == keys
    assert _junit_cases(concurrent_dir) == _junit_cases(sequential_dir)
    cases = _first_seen([r.case for r in sequential.results])
    assert _html_cases(concurrent_dir, cases) == _html_cases(sequential_dir, cases) != []


def _html_cases(run_dir: Path, cases: list[str]) -> list[str]:
    """Every place report.html names a case, in page order."""
    page = (run_dir / "report.html").read_text(encoding="utf-8")
    names = sorted((html.escape(case) for case in cases), key=len, reverse=True)
    return re.findall("|".join(map(re.escape, names)), page)


def test_the_pool_hands_results_over_in_submission_order_and_keeps_each_lane_in_order() -> None:
    handed: list[str] = []
    ran: list[str] = []
    running: dict[str, int] = {"w": 0}
    overlap: list[str] = []
    lock = threading.Lock()

    def case(name: str, pause: float, lane: str | None) -> None:
        with lock:
            if lane == "w":
                running["w"] += 1
                if running["w"] > 1:
                    overlap.append(name)
        time.sleep(pause)
        with lock:
            ran.append(name)
            if lane == "w":
                running["w"] -= 1
        buffer = CURRENT_BUFFER.get()
        assert buffer is not None
        buffer.entries.append(lambda: handed.append(name))

    pool = CasePool(4)
    plan = [("slow read", 0.2, None), ("w1", 0.05, "w"), ("w2", 0.0, "w"), ("fast read", 0.0, None)]
    for name, pause, lane in plan:
        pool.submit(lambda n=name, p=pause, la=lane: case(n, p, la), lane=lane)
    pool.run(lambda buffer: buffer.replay())
    assert handed == ["slow read", "w1", "w2", "fast read"]
    assert ran.index("fast read") < ran.index("slow read"), "independent cases overlapped"
    assert ran.index("w1") < ran.index("w2")
    assert overlap == []


def test_a_case_that_raises_stops_the_pool_after_handing_over_the_cases_before_it() -> None:
    handed: list[str] = []

    def ok(name: str) -> None:
        buffer = CURRENT_BUFFER.get()
        assert buffer is not None
        buffer.entries.append(lambda: handed.append(name))

    def broken() -> None:
        raise RuntimeError("the target went away")

    pool = CasePool(2)
    pool.submit(lambda: ok("first"))
    pool.submit(broken, lane="alpha")
    pool.submit(lambda: ok("after"), lane="alpha")
    with pytest.raises(RuntimeError, match="went away"):
        pool.run(lambda buffer: buffer.replay())
    assert handed == ["first"]


@pytest.mark.parametrize(
    ("value", "said"),
    [
        ("0", "--concurrency 0: a whole number"),
        ("two", "--concurrency two: a whole number"),
        ("99", "declares it accepts at most"),
    ],
)
def test_a_bad_concurrency_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str, said: str
) -> None:
    code = main(
        [
            "certify",
            "--reports",
            str(tmp_path / "reports"),
            "--suite",
            "connectivity",
            "-k",
            "getAppStatus",
            "--concurrency",
            value,
        ]
    )
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert len(err) == 1 and said in err[0]


def test_max_concurrency_is_declared_in_target_yaml_and_read_back(tmp_path: Path) -> None:
    with embedded_target(tmp_path / "target") as config:
        assert config.max_concurrency == EMBEDDED_MAX_CONCURRENCY
        written = tmp_path / "target" / "target.yaml"
        assert f"max_concurrency: {EMBEDDED_MAX_CONCURRENCY}" in written.read_text()
        assert load_target(written).max_concurrency == EMBEDDED_MAX_CONCURRENCY
        text = written.read_text().replace(
            f"max_concurrency: {EMBEDDED_MAX_CONCURRENCY}", "max_concurrency: many"
        )
        broken = tmp_path / "target" / "broken.yaml"
        broken.write_text(text)
        with pytest.raises(InputError, match="max_concurrency is a whole number"):
            load_target(broken)
        undeclared = tmp_path / "target" / "undeclared.yaml"
        dump_target(config, undeclared)
        undeclared.write_text(
            "\n".join(
                line
                for line in undeclared.read_text().splitlines()
                if not line.startswith("max_concurrency")
            )
        )
        assert load_target(undeclared).max_concurrency == 1
