"""The shipped catalog and scenarios: found through the package, exported for editing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from crr_contract.shipped import DATASETS_DIR, SCENARIOS_DIR, SPECS_DIR
from harness.cli import main

ROOT = Path(__file__).resolve().parents[2]


def test_the_shipped_folders_are_the_repository_s_own_in_a_checkout() -> None:
    assert (ROOT / "specs").resolve() == SPECS_DIR
    assert (ROOT / "scenarios").resolve() == SCENARIOS_DIR
    assert (DATASETS_DIR / "market-sim-2025-10.yaml").is_file()
    assert (SPECS_DIR / "errors" / "catalog.yaml").is_file()


@pytest.mark.parametrize(("what", "source"), [("specs", SPECS_DIR), ("scenarios", SCENARIOS_DIR)])
def test_export_copies_every_file_and_refuses_a_non_empty_directory(
    what: str, source: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    destination = tmp_path / "mine"
    assert main([what, "export", str(destination)]) == 0
    copied = sorted(p.relative_to(destination) for p in destination.rglob("*") if p.is_file())
    shipped = sorted(p.relative_to(source) for p in source.rglob("*") if p.is_file())
    assert copied == shipped
    assert f"{len(shipped)} file(s) copied" in capsys.readouterr().out
    edited = destination / copied[0]
    edited.write_text("mine", encoding="utf-8")
    assert main([what, "export", str(destination)]) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"crr-harness {what}: {destination} exists and is not an empty directory"
    assert edited.read_text(encoding="utf-8") == "mine"  # nothing of the user's is overwritten


def test_lint_without_a_directory_lints_the_shipped_catalog(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)  # no specs/ here
    assert main(["lint"]) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert re.fullmatch(rf"lint: {re.escape(str(SPECS_DIR))}: \d+ file\(s\) checked, clean", last)


def test_certify_judges_by_the_users_own_catalog_with_specs_dir(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mine = tmp_path / "mine"
    assert main(["specs", "export", str(mine)]) == 0
    spec = mine / "openapi" / "app_status" / "caiso_crr_app_status_v1.1.0_openapi.yaml"
    text = spec.read_text(encoding="utf-8")
    demanding = "required: [applicationName, systemVersion, status, timestamp, services]"
    assert demanding in text
    spec.write_text(text.replace(demanding, demanding[:-1] + ", uptimeSeconds]"), "utf-8")
    run = ["certify", "--suite", "connectivity", "-k", "appStatus", "--reports"]
    assert main([*run, str(tmp_path / "shipped")]) == 0
    assert main([*run, str(tmp_path / "own"), "--specs-dir", str(mine)]) == 1
    assert "uptimeSeconds" in (tmp_path / "own" / "latest" / "report.json").read_text("utf-8")
    capsys.readouterr()
    assert main([*run, str(tmp_path / "bad"), "--specs-dir", str(tmp_path / "nope")]) == 2
    assert "not a spec catalog" in capsys.readouterr().err
