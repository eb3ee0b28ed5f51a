"""``lint --profile caiso``: CAISO's published files, where the rules are derived, not annotated.

Under the default profile an operation without x-roles or x-error-codes is a
finding (our catalog annotates everything). Under ``caiso`` it is a note
when the read/write tag or the CRRServiceException description supplies the
rule, and still a finding when nothing does.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from crr_contract.files import find_openapi
from crr_contract.operations import load_overlays
from harness.cli import main
from harness.lint import run_lint


def _operations(catalog: Path) -> int:
    count = 0
    for spec in find_openapi(catalog / "openapi"):
        document = yaml.safe_load(spec.path.read_text(encoding="utf-8"))
        count += sum(
            1
            for item in document["paths"].values()
            for op in item.values()
            if isinstance(op, dict) and "operationId" in op
        )
    return count


@pytest.fixture
def caiso_copy(tmp_path: Path, caiso_specs_dir: Path) -> Path:
    """A copy of the CAISO-shaped catalog this test may change."""
    return Path(shutil.copytree(caiso_specs_dir, tmp_path / "specs"))


def _edit(catalog: Path, service: str, change) -> Path:  # type: ignore[no-untyped-def]
    path = find_openapi(catalog / "openapi" / service)[-1].path
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(document)
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


def test_default_profile_finds_every_missing_annotation(caiso_specs_dir: Path) -> None:
    report = run_lint(caiso_specs_dir)
    assert {f.rule_id for f in report.findings} == {"LINT-OAS-004"}
    assert len(report.findings) == 2 * _operations(caiso_specs_dir)


def test_caiso_profile_notes_what_derivations_supply(caiso_specs_dir: Path) -> None:
    report = run_lint(caiso_specs_dir, profile="caiso")
    assert report.findings == []
    files = find_openapi(caiso_specs_dir / "openapi")
    derived = [n for n in report.notes if "take x-roles from its read/write tag" in n]
    assert len(derived) == len(files)
    assert all("take x-error-codes from the CRRServiceException description" in n for n in derived)


def test_overlays_make_the_copy_lint_clean_under_the_default_profile(
    caiso_specs_dir: Path, specs_dir: Path
) -> None:
    overlays = load_overlays(sorted((specs_dir / "overlays").rglob("*.yaml")))
    report = run_lint(caiso_specs_dir, overlays=overlays)
    assert report.findings == []
    assert not any("take x-roles" in note for note in report.notes)


def test_caiso_profile_still_finds_a_rule_nothing_supplies(caiso_copy: Path) -> None:
    def untag(document: dict) -> None:
        document["paths"]["/auction/v1.0/portfolio"]["get"].pop("tags")

    def no_description(document: dict) -> None:
        document["components"]["schemas"]["CRRServiceException"].pop("description")

    untagged = _edit(caiso_copy, "auction", untag)
    undescribed = _edit(caiso_copy, "nomination", no_description)
    report = run_lint(caiso_copy, profile="caiso")
    messages = {(f.path.name, f.message) for f in report.findings}
    assert (untagged.name, "getPortfolio has no x-roles") in messages
    assert (untagged.name, "getPortfolio needs exactly one of the tags read, write") in messages
    nomination_ops = [m for name, m in messages if name == undescribed.name]
    assert nomination_ops and all("has no x-error-codes list" in m for m in nomination_ops)
    assert len(report.findings) == 2 + len(nomination_ops)


def test_caiso_profile_checks_described_codes_against_the_catalog(caiso_copy: Path) -> None:
    def unknown_code(document: dict) -> None:
        schema = document["components"]["schemas"]["CRRServiceException"]
        schema["description"] += "ZZZ9999 - a code no catalog has\n"

    path = _edit(caiso_copy, "messages", unknown_code)
    report = run_lint(caiso_copy, profile="caiso")
    assert [(f.path.name, f.rule_id, f.pointer) for f in report.findings] == [
        (path.name, "LINT-OAS-005", "/components/schemas/CRRServiceException/description")
    ]
    assert "ZZZ9999" in report.findings[0].message


def test_cli_profile_and_overlay(
    caiso_specs_dir: Path, specs_dir: Path, capsys, tmp_path: Path
) -> None:
    assert main(["lint", str(caiso_specs_dir)]) == 1
    capsys.readouterr()
    assert main(["lint", str(caiso_specs_dir), "--profile", "caiso"]) == 0
    assert capsys.readouterr().out.rstrip().endswith("clean")
    overlay = sorted((specs_dir / "overlays" / "auction").glob("*.yaml"))[-1]
    assert main(["lint", str(caiso_specs_dir), "--overlay", str(overlay), "--format", "json"]) == 1
    capsys.readouterr()
    assert main(["lint", str(caiso_specs_dir), "--overlay", str(tmp_path / "absent.yaml")]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "absent.yaml" in err
