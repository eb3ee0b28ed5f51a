"""Re-certification scope: ``diff --impact`` and ``certify --changed-since``."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from crr_contract.shipped import SPECS_DIR
from harness import cli
from harness.diff import diff_files
from harness.diff.impact import ImpactRules, changed_since_expression, impact_of
from harness.errors import InputError

CORPUS = Path(__file__).parent / "corpus"


def pair(case: str) -> list[Path]:
    return [next((CORPUS / case / side).iterdir()) for side in ("old", "new")]


def scenarios(tmp_path: Path) -> Path:
    folder = tmp_path / "scenarios"
    folder.mkdir()
    for name, call in (("S-SUBMIT", "auction.submitPortfolio"), ("S-OTHER", "auction.getStatus")):
        step = {"name": "a call", "as": "alpha", "call": call}
        (folder / f"{name}.yaml").write_text(yaml.safe_dump({"id": name, "steps": [step]}))
    return folder


def test_a_request_change_touches_its_operation_checks_and_scenarios(tmp_path: Path) -> None:
    result = diff_files(*pair("request-maxlength-narrowed"), catalog=None, witnesses=False)
    impact = impact_of([result], scenarios(tmp_path))
    assert impact.operations == ["auction.submitPortfolio"]
    assert {"FUZ-002", "ROB-001", "SCN-001"} <= set(impact.checks)
    assert "ERR-003" not in impact.checks
    assert list(impact.scenarios) == ["S-SUBMIT"]
    assert impact.selection_expression() == "'auction.submitPortfolio' or 'S-SUBMIT'"


def test_documentation_only_changes_touch_nothing(tmp_path: Path) -> None:
    result = diff_files(*pair("doc-description-mini"), catalog=None)
    impact = impact_of([result], scenarios(tmp_path))
    assert impact.empty and not impact.scenarios
    # the bump that counts as documentation is data
    rules = ImpactRules({"doc.": ("RSP-003",)}, frozenset())
    assert impact_of([result], None, rules).checks == ["RSP-003"]


def test_diff_impact_prints_the_scope(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    old, new = pair("request-maxlength-narrowed")
    folder = scenarios(tmp_path)
    code = cli.main(["diff", str(old), str(new), "--impact", "--scenarios-dir", str(folder)])
    out = capsys.readouterr().out
    assert code == 1  # the bump rule is still judged
    assert "auction.submitPortfolio" in out and "S-SUBMIT" in out and "S-OTHER" not in out
    cli.main(["diff", str(old), str(new), "--impact", "--format", "json", "--no-witnesses"])
    report = json.loads(capsys.readouterr().out)
    assert report["operations"] == ["auction.submitPortfolio"]


def test_changed_since_selects_what_changed(tmp_path: Path) -> None:
    old = tmp_path / "old"
    shutil.copytree(SPECS_DIR, old)
    (old / "openapi" / "market_info" / "caiso_crr_market_info_v1.1.1_openapi.yaml").unlink()
    expression = changed_since_expression(old, SPECS_DIR, None)
    assert expression is not None
    assert "'market_info.getActiveAllocationMarkets'" in expression
    assert "auction." not in expression
    combined = changed_since_expression(old, SPECS_DIR, None, "alpha")
    assert combined is not None and combined.startswith("(alpha) and (")
    same = tmp_path / "same"
    shutil.copytree(SPECS_DIR, same)
    assert changed_since_expression(same, SPECS_DIR, None) is None
    with pytest.raises(InputError, match="not a directory"):
        changed_since_expression(tmp_path / "missing", SPECS_DIR, None)


def test_a_download_type_change_touches_the_download_checks() -> None:
    result = diff_files(*pair("jsonschema-required-removed-under-mini"), catalog=None)
    impact = impact_of([result], None)
    assert impact.download_types == ["CRRPrivateAllocation"]
    assert impact.checks == ["DL-001", "DL-002"] and not impact.operations
