"""A pure $ref refactor is not a change: inlining every reference must diff as nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from crr_contract.files import find_openapi, load_document
from harness.diff import diff_files
from harness.diff.normalize import ORIGIN, RECURSIVE, Normalizer

ROOT = Path(__file__).resolve().parents[2]
CORPUS = Path(__file__).parent / "corpus"
SPECS = [CORPUS / "identical-same-version" / "old"] + [
    f.path for f in find_openapi(ROOT / "specs" / "openapi")
]


def inlined(document: dict, source: Path) -> dict:
    """The document with every $ref in its paths replaced by its target, components dropped."""
    paths = Normalizer(document, source).normalize(document["paths"], "/paths")
    out = {key: value for key, value in document.items() if key != "components"}
    schemes = (document.get("components") or {}).get("securitySchemes")
    if schemes:
        out["components"] = {"securitySchemes": schemes}
    out["paths"] = _strip(paths)
    return out


def _strip(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _strip(v) for k, v in node.items() if k != ORIGIN}
    if isinstance(node, list):
        return [_strip(v) for v in node]
    return node


def _has_recursion(node: Any) -> bool:
    if isinstance(node, dict):
        return RECURSIVE in node or any(_has_recursion(v) for v in node.values())
    if isinstance(node, list):
        return any(_has_recursion(v) for v in node)
    return False


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: Path(p).name)
def test_inlining_every_ref_is_no_change(spec: Path, tmp_path: Path) -> None:
    spec = next(spec.iterdir()) if spec.is_dir() else spec
    document = load_document(spec)
    refactored = inlined(document, spec)
    if _has_recursion(refactored["paths"]):
        pytest.skip("recursive schemas cannot be inlined")
    target = tmp_path / spec.name
    target.write_text(yaml.safe_dump(refactored, sort_keys=False))
    result = diff_files(spec, target, catalog=None)
    assert [c.rule for c in result.changes] == []
    assert result.verdict.value == "OK"
