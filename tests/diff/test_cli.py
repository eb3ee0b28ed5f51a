"""``crr-harness diff`` end to end: exit codes, formats, one-line errors, --history."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from harness import cli

CORPUS = Path(__file__).parent / "corpus"


@pytest.fixture(autouse=True)
def diff_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "COMMANDS", ("diff",))


def pair(case: str) -> list[str]:
    return [str(next((CORPUS / case / side).iterdir())) for side in ("old", "new")]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(["diff", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_right_bump_exits_0_in_every_format(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, *pair("doc-description-mini"))
    assert code == 0
    assert "Verdict: OK" in out
    assert "doc.description.changed" in out

    code, out, _ = run(capsys, *pair("doc-description-mini"), "--format", "json")
    assert code == 0
    report = json.loads(out)
    assert {
        "old_version",
        "new_version",
        "changes",
        "required_bump",
        "actual_bump",
        "verdict",
    } <= set(report)
    assert (report["old_version"], report["new_version"], report["verdict"]) == (
        "1.0.0",
        "1.0.1",
        "OK",
    )
    change = report["changes"][0]
    assert {"kind", "location", "bump", "message", "operationId", "rationale"} <= set(change)

    code, out, _ = run(capsys, *pair("doc-description-mini"), "--format", "markdown")
    assert code == 0
    assert out.startswith("# auction 1.0.1: release notes draft")
    assert "## Documentation (MINI)" in out
    assert "- version: 1.0.1" in out


def test_broken_rule_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, *pair("tor-conversion-mini-removes-properties"))
    assert code == 1
    assert "Verdict: UNDER_BUMPED" in out
    assert "property 'startDate' of ConversionApprovalRecord removed" in out

    code, out, _ = run(capsys, *pair("reset-rule-broken"), "--format", "json")
    assert code == 1
    report = json.loads(out)
    assert report["verdict"] == "INVALID"
    assert any("reset rule" in p for p in report["problems"])

    code, out, _ = run(
        capsys, *pair("tor-conversion-mini-removes-properties"), "--format", "markdown"
    )
    assert code == 1
    assert "## Breaking changes (MAJOR)" in out


def test_over_bump_is_a_warning_and_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, *pair("over-bumped-doc-only-minor"))
    assert code == 0
    assert "Verdict: OVER_BUMPED" in out
    assert "warning: over-bumped" in out


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda tmp: [str(tmp / "missing.yaml"), str(tmp / "missing.yaml")], "no such file"),
        (lambda tmp: _write(tmp, "bad.yaml", "openapi: [unclosed\n"), "not valid YAML"),
        (lambda tmp: _write(tmp, "list.yaml", "- just\n- a list\n"), "not an OpenAPI file"),
        (
            lambda tmp: _write(tmp, "swagger.yaml", "swagger: '2.0'\n"),
            "Swagger 2.0 is not supported",
        ),
        (
            lambda tmp: [
                pair("doc-description-mini")[0],
                str(CORPUS / "catalog-code-added-minor/new/catalog.yaml"),
            ],
            "cannot compare",
        ),
        (
            lambda tmp: _write(
                tmp,
                "ref.yaml",
                "openapi: 3.0.3\npaths:\n  /a:\n    get:\n      responses:\n        '200':\n          $ref: '#/nowhere'\n",
            ),
            "cannot resolve $ref",
        ),
    ],
)
def test_unreadable_input_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, make, message: str
) -> None:
    code, out, err = run(capsys, *make(tmp_path))
    assert code == 2
    assert out == ""
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_wrong_arguments_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys)
    assert code == 2 and "give OLD and NEW" in err
    code, _, err = run(capsys, *pair("doc-description-mini"), "--history", str(tmp_path))
    assert code == 2 and "not both" in err
    code, _, err = run(capsys, "--history", str(tmp_path))
    assert code == 2 and "no versioned spec files" in err


def _history_dir(tmp_path: Path) -> Path:
    root = tmp_path / "openapi"
    for case, service in (
        ("operation-added-new-service-major", "auction"),
        ("tor-conversion-mini-removes-properties", "tor_conversion"),
    ):
        target = root / service
        target.mkdir(parents=True)
        for side in ("old", "new"):
            source = next((CORPUS / case / side).iterdir())
            shutil.copy(source, target / source.name)
    return root


def test_history_prints_a_table_and_flags_under_bumped_releases(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    root = _history_dir(tmp_path)
    code, out, _ = run(capsys, "--history", str(root))
    assert code == 1
    lines = out.splitlines()
    assert lines[0].split()[:6] == ["name", "old", "new", "required", "actual", "verdict"]
    rows = {line.split()[0]: line.split()[1:6] for line in lines[1:3]}
    assert rows["auction"] == ["1.0.0", "2.0.0", "MAJOR", "MAJOR", "OK"]
    assert rows["tor_conversion"] == ["1.2.0", "1.2.1", "MAJOR", "MINI", "UNDER_BUMPED"]
    assert "2 pairs, 1 break the bump rule" in out

    code, out, _ = run(capsys, "--history", str(root / "auction"), "--format", "json")
    assert code == 0
    assert [r["verdict"] for r in json.loads(out)["results"]] == ["OK"]

    code, out, _ = run(capsys, "--history", str(root), "--format", "markdown")
    assert "| tor_conversion | 1.2.0 | 1.2.1 | MAJOR | MINI | UNDER_BUMPED |" in out


def test_two_catalog_directories_report_an_added_service(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    old, new = tmp_path / "old", tmp_path / "new"
    old.mkdir()
    new.mkdir()
    auction_old, auction_new = pair("operation-added-new-service-major")
    shutil.copy(auction_old, old)
    shutil.copy(auction_new, new)
    tor = next((CORPUS / "tor-conversion-mini-removes-properties" / "old").iterdir())
    shutil.copy(tor, new / tor.name.replace("1.2.0", "1.0.0"))
    code, out, _ = run(capsys, str(old), str(new), "--format", "json")
    results = {r["name"]: r for r in json.loads(out)["results"]}
    assert results["auction"]["verdict"] == "OK"
    assert results["tor_conversion"]["changes"][0]["kind"] == "service.added"
    assert results["tor_conversion"]["required_bump"] == "MAJOR"
    # the renamed copy still says 1.2.0 inside: the new service's file is INVALID
    assert results["tor_conversion"]["verdict"] == "INVALID"
    assert code == 1


def _write(tmp: Path, name: str, text: str) -> list[str]:
    path = tmp / name
    path.write_text(text)
    return [str(path), str(path)]


def test_policy_switch_restores_the_minor_reading_of_an_added_operation(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, *pair("operation-added-minor"), "--format", "json")
    assert code == 1 and json.loads(out)["required_bump"] == "MAJOR"
    code, out, _ = run(
        capsys,
        *pair("operation-added-minor"),
        "--policy-switch",
        "added_operation=minor_update",
        "--format",
        "json",
    )
    assert code == 0 and json.loads(out)["verdict"] == "OK"
    code, _, err = run(capsys, *pair("operation-added-minor"), "--policy-switch", "nope")
    assert code == 2 and "NAME=CHOICE" in err
    code, _, err = run(
        capsys, *pair("operation-added-minor"), "--policy-switch", "added_operation=maybe"
    )
    assert code == 2 and "new_service, minor_update" in err and len(err.splitlines()) == 1
