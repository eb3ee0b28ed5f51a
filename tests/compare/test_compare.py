"""``crr-harness compare``: a mutant's failures are exactly the new ones; same-seed
differences are flaky; the three output forms agree."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from harness.cli import main
from harness.compare import compare_runs
from harness.compare.html import render_compare_html
from harness.compare.render import render_text
from tests.certify.support import certify_embedded, failures
from tests.mutants.catalog import BY_NAME


def _check(key: str, status: str, **extra: object) -> dict:
    case, _, rest = key.partition(" [")
    return {
        "key": key,
        "case": case,
        "id": rest.rstrip("]"),
        "status": status,
        "suite": "s",
        "message": "",
        "evidence": [],
        **extra,
    }


def _run(seed: int, statuses: dict[str, str], **marks: dict) -> dict:
    checks = [_check(key, status, **marks.get(key, {})) for key, status in statuses.items()]
    return {
        "run_id": f"run-{seed}-{len(checks)}",
        "seed": seed,
        "summary": {"verdict": "FAIL"},
        "checks": checks,
    }


BEFORE = {"a [1]": "PASS", "b [1]": "FAIL", "c [1]": "FAIL", "d [1]": "PASS", "e [1]": "PASS"}
AFTER = {"a [1]": "FAIL", "b [1]": "PASS", "c [1]": "ERROR", "d [1]": "SKIP", "f [1]": "FAIL"}


def _keys(changes: tuple) -> list[str]:
    return sorted(change.key for change in changes)


def test_every_category_from_two_runs() -> None:
    comparison = compare_runs(_run(1, BEFORE), _run(2, AFTER))
    assert _keys(comparison.new_failures) == ["a [1]", "f [1]"]
    assert _keys(comparison.fixed) == ["b [1]"]
    assert _keys(comparison.still_failing) == ["c [1]"]
    assert _keys(comparison.newly_skipped) == ["d [1]"]
    assert comparison.flaky == ()  # different seeds: a change may come from the seed


def test_with_the_same_seed_a_different_outcome_is_flaky() -> None:
    comparison = compare_runs(_run(7, BEFORE), _run(7, AFTER))
    assert comparison.same_seed
    # c stays failing (FAIL -> ERROR is a different outcome too); e and f ran in one run only
    assert _keys(comparison.flaky) == ["a [1]", "b [1]", "c [1]", "d [1]"]
    assert "same seed (7)" in render_text(comparison)


def test_a_check_repeat_found_flaky_is_flaky_whatever_the_seeds() -> None:
    after = _run(2, {"a [1]": "FAIL"}, **{"a [1]": {"flaky": True, "reruns": ["PASS"]}})
    comparison = compare_runs(_run(1, {"a [1]": "FAIL"}), after)
    assert _keys(comparison.flaky) == ["a [1]"] and _keys(comparison.still_failing) == ["a [1]"]


def test_a_mutant_run_against_a_reference_run_lists_exactly_the_mutants_failures_as_new(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mutant = BY_NAME["retired-error-code"]
    reference = certify_embedded(tmp_path / "reference")
    broken = certify_embedded(tmp_path / "mutant", wrap=mutant.wrap)
    assert not failures(reference)
    expected = sorted(r.key for r in failures(broken))
    assert expected

    a, b = tmp_path / "reference/reports/latest", tmp_path / "mutant/reports/latest"
    page = tmp_path / "compare.html"
    capsys.readouterr()
    assert main(["compare", str(a), str(b), "--format", "json", "--html", str(page)]) == 1
    data = json.loads(capsys.readouterr().out)
    assert sorted(c["key"] for c in data["new_failures"]) == expected
    assert data["fixed"] == [] and data["still_failing"] == []
    html = page.read_text(encoding="utf-8")
    assert f'id="count-new_failures">{len(expected)}<' in html
    assert all(f'data-key="{key}"' in html for key in expected)

    # the other way round, the same checks are fixed; text lists them
    assert main(["compare", str(b), str(a)]) == 0
    text = capsys.readouterr().out
    assert f"Fixed: {len(expected)}" in text and "New failures: 0" in text


def test_a_package_is_a_run_to_compare_and_bad_input_is_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = _run(3, {"a [1]": "PASS"})
    package = tmp_path / "run.zip"
    with zipfile.ZipFile(package, "w") as archive:
        archive.writestr("report.json", json.dumps(report))
    (tmp_path / "dir").mkdir()
    (tmp_path / "dir" / "report.json").write_text(json.dumps(_run(3, {"a [1]": "FAIL"})))
    assert main(["compare", str(package), str(tmp_path / "dir")]) == 1
    capsys.readouterr()
    assert main(["compare", str(package), str(tmp_path / "missing")]) == 2
    assert "no such report directory or package" in capsys.readouterr().err


def test_the_page_escapes_what_the_target_sent() -> None:
    hostile = "<script>alert(1)</script>"
    before = _run(1, {"a [1]": "PASS"})
    after = _run(1, {"a [1]": "FAIL"}, **{"a [1]": {"message": hostile}})
    page = render_compare_html(compare_runs(before, after))
    assert hostile not in page and "&lt;script&gt;" in page
    assert "<script" not in page
