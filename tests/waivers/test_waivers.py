"""Waivers: a pure function over a run's results; expired and stale waivers are reported."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
import yaml

from harness.cli import main
from harness.reports.html import render_html
from harness.reports.junit import render_junit
from harness.results import Status
from harness.waivers import Waiver, apply_waivers, load_waivers, waive_report
from tests.certify.support import certify_embedded, failures
from tests.mutants.catalog import BY_NAME
from tests.reports.sample import run_report

TODAY = date(2026, 6, 1)


def _waiver(check: str, expires: date = date(2026, 12, 31)) -> Waiver:
    return Waiver(check=check, reason="fix in 4.2", approved_by="J. Doe (CAISO)", expires=expires)


def _failing_keys(results: list) -> list[str]:
    return [r.key for r in results if r.status in (Status.FAIL, Status.ERROR)]


def test_a_waiver_turns_exactly_the_matching_failures_waived_and_keeps_the_evidence() -> None:
    report = run_report()
    target = _failing_keys(report.results)[0]
    results, uses = apply_waivers(report.results, [_waiver(target)], TODAY)
    waived = [r for r in results if r.status is Status.WAIVED]
    assert [r.key for r in waived] == [target]
    before = next(r for r in report.results if r.key == target)
    assert waived[0].evidence == before.evidence and waived[0].message == before.message
    assert waived[0].waiver is not None and waived[0].waiver["status"] == str(before.status)
    assert [use.state for use in uses] == ["applied"]
    # the input is untouched: waivers apply after the run
    assert next(r for r in report.results if r.key == target).status is before.status


def test_a_pattern_matches_check_keys_with_brackets_literally() -> None:
    report = run_report()
    failing = [r for r in report.results if r.status in (Status.FAIL, Status.ERROR)]
    first = failing[0]
    pattern = f"*[{first.id}]"
    results, _ = apply_waivers(report.results, [_waiver(pattern)], TODAY)
    waived = {r.key for r in results if r.status is Status.WAIVED}
    assert first.key in waived
    assert all(r.id == first.id for r in results if r.status is Status.WAIVED)
    # "[" is not a character class: a pattern naming another ID waives nothing
    results, uses = apply_waivers(report.results, [_waiver("*[X]")], TODAY)
    assert not any(r.status is Status.WAIVED for r in results)
    assert uses[0].state == "stale"


def test_an_expired_waiver_waives_nothing_and_is_reported() -> None:
    report = run_report()
    target = _failing_keys(report.results)[0]
    expired = _waiver(target, expires=date(2026, 5, 31))
    results, uses = apply_waivers(report.results, [expired], TODAY)
    assert not any(r.status is Status.WAIVED for r in results)
    assert uses[0].state == "expired" and uses[0].matched == (target,)
    # the expiry day itself still counts
    _, uses = apply_waivers(report.results, [_waiver(target, expires=TODAY)], TODAY)
    assert uses[0].state == "applied"


def test_every_report_format_shows_waived_as_its_own_status() -> None:
    report = run_report()
    keys = _failing_keys(report.results)
    waivers = [_waiver(key) for key in keys] + [_waiver("nothing matches this")]
    waive_report(report, waivers, TODAY)
    assert str(report.verdict) == "PASS"
    data = report.to_dict()
    assert data["summary"]["waived"] == len(keys) and data["summary"]["failed"] == 0
    assert [w["state"] for w in data["waivers"]][-1] == "stale"
    assert {c["key"] for c in data["checks"] if c["status"] == "WAIVED"} == set(keys)
    junit = render_junit(report).decode()
    assert junit.count('type="WAIVED"') == len(keys) and "<failure" not in junit
    page = render_html(report)
    assert page.count('<span class="badge waived">WAIVED</span>') == len(keys)
    assert 'id="count-waived">' + str(len(keys)) in page
    assert "stale" in page


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("waivers: [{check: X, reason: r, approved_by: a}]", "expires is required"),
        ("waivers: [{check: X, reason: r, approved_by: a, expires: soon}]", "not a date"),
        ("waivers: [{check: X, reason: r, approved_by: a, expires: 2026-01-01, x: 1}]", "'x'"),
        ("- just a list", "a list under 'waivers'"),
        ("waivers: [", "not YAML"),
    ],
)
def test_a_bad_waivers_file_is_one_line(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "waivers.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(Exception, match=message):
        load_waivers(path)


def _write_waivers(path: Path, checks: list[str], expires: str) -> Path:
    entries = [
        {"check": c, "reason": "known", "approved_by": "CAISO", "expires": expires} for c in checks
    ]
    path.write_text(yaml.safe_dump({"waivers": entries}), encoding="utf-8")
    return path


def test_certify_against_a_mutant_passes_only_while_its_failures_are_waived(
    tmp_path: Path,
) -> None:
    mutant = BY_NAME["retired-error-code"]
    broken = certify_embedded(tmp_path / "raw", wrap=mutant.wrap)
    keys = [r.key for r in failures(broken)]
    assert keys and str(broken.verdict) == "FAIL"

    current = _write_waivers(tmp_path / "current.yaml", keys, "2999-12-31")
    waived = certify_embedded(tmp_path / "waived", wrap=mutant.wrap, waivers=current)
    assert str(waived.verdict) == "PASS"
    assert sorted(r.key for r in waived.results if r.status is Status.WAIVED) == sorted(keys)
    on_disk = json.loads((tmp_path / "waived/reports/latest/report.json").read_text())
    assert on_disk["summary"]["waived"] == len(keys)

    old = _write_waivers(tmp_path / "old.yaml", keys, "2020-01-01")
    expired = certify_embedded(tmp_path / "expired", wrap=mutant.wrap, waivers=old)
    assert str(expired.verdict) == "FAIL"
    assert not any(r.status is Status.WAIVED for r in expired.results)
    assert {w["state"] for w in expired.waivers or []} == {"expired"}


def test_certify_waivers_option_reports_stale_and_exit_2_on_a_missing_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stale = _write_waivers(tmp_path / "w.yaml", ["no-such-case [X-1]"], "2999-12-31")
    reports = tmp_path / "reports"
    argv = ["certify", "--reports", str(reports), "-k", "getAppStatus"]
    assert main([*argv, "--waivers", str(stale)]) == 0
    assert "is stale: it matched no failure" in capsys.readouterr().err
    assert main([*argv, "--waivers", str(tmp_path / "none.yaml")]) == 2
    assert "no such waivers file" in capsys.readouterr().err


def test_target_yaml_declares_waivers_relative_to_itself(tmp_path: Path) -> None:
    from crr_contract.pki import init_pki
    from harness.target.config import load_target
    from harness.target.dev_pki import declaration_from_dev_pki

    pki = init_pki(tmp_path / "pki")
    declaration = declaration_from_dev_pki("https://127.0.0.1:1", pki.directory)
    (tmp_path / "conf").mkdir()
    _write_waivers(tmp_path / "conf" / "waivers.yaml", ["A [B]"], "2999-01-01")
    declaration["waivers"] = "waivers.yaml"
    path = tmp_path / "conf" / "target.yaml"
    path.write_text(yaml.safe_dump(declaration), encoding="utf-8")
    config = load_target(path)
    assert config.waivers is not None and config.waivers[0].check == "A [B]"
    assert config.summary()["waivers"].endswith("waivers.yaml")


def test_expired_and_stale_waivers_each_get_a_line_and_a_row() -> None:
    from harness.waivers import waiver_notes

    report = run_report()
    target = _failing_keys(report.results)[0]
    waive_report(report, [_waiver(target, date(2026, 1, 1)), _waiver("gone [X]")], TODAY)
    notes = waiver_notes(report.waivers or [])
    assert notes[0].startswith(f"waiver {target!r} expired on 2026-01-01 and no longer applies")
    assert "(1 failures it would cover)" in notes[0]
    assert notes[1] == "waiver 'gone [X]' is stale: it matched no failure"
    page = render_html(report)
    assert '<td class="state-expired">expired</td>' in page
    assert '<td class="state-stale">stale</td>' in page
