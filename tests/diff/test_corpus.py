"""Every case of tests/diff/corpus/: the diff must classify exactly as expected.yaml says.

A case is a directory holding ``old/`` and ``new/`` (one spec file each, named
as specs/README.md describes) and ``expected.yaml``: ``required_bump``,
``actual_bump``, ``verdict`` and ``changes``, the full list of expected
changes, each with ``rule`` and ``bump`` and optionally ``operationId``,
``location``, ``origin`` and ``count`` (default 1). Options: ``catalog`` (a
file in the case directory), ``schema_direction`` and ``policy_switches``
(switch name -> choice, as in specs/policy/bump-policy.yaml).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

from crr_contract.error_catalog import ErrorCatalog
from harness.diff import BumpPolicy, diff_files

CORPUS = Path(__file__).parent / "corpus"
CASES = sorted(p.name for p in CORPUS.iterdir() if (p / "expected.yaml").is_file())
POLICY = BumpPolicy.load()


def only_file(folder: Path) -> Path:
    files = [p for p in folder.iterdir() if p.is_file()]
    assert len(files) == 1, f"{folder} must hold exactly one spec file"
    return files[0]


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 40


def expected_of(case: str) -> dict:
    return yaml.safe_load((CORPUS / case / "expected.yaml").read_text())


@pytest.mark.parametrize("case", CASES)
def test_case(case: str) -> None:
    check(CORPUS / case, expected_of(case))


def test_a_wrong_expectation_fails() -> None:
    expected = expected_of("tor-conversion-mini-removes-properties")
    with pytest.raises(AssertionError):
        check(CORPUS / "tor-conversion-mini-removes-properties", {**expected, "verdict": "OK"})
    with pytest.raises(AssertionError):
        check(
            CORPUS / "tor-conversion-mini-removes-properties",
            {**expected, "changes": expected["changes"][:1]},
        )


def test_every_policy_rule_has_a_case() -> None:
    exercised = {entry["rule"] for case in CASES for entry in expected_of(case)["changes"]}
    assert set(POLICY.rules) - exercised == set()


def check(folder: Path, expected: dict) -> None:
    catalog = ErrorCatalog.load(folder / expected["catalog"]) if expected.get("catalog") else None
    policy = POLICY
    for name, choice in (expected.get("policy_switches") or {}).items():
        policy = policy.with_switch(name, choice)
    result = diff_files(
        only_file(folder / "old"),
        only_file(folder / "new"),
        policy=policy,
        catalog=catalog,
        schema_direction=expected.get("schema_direction", "response"),
    )
    shown = "\n".join(
        f"  {c.bump} {c.rule} [{c.operation_id}] {c.location} ({c.message})" for c in result.changes
    )

    want = Counter()
    for entry in expected["changes"]:
        want[(entry["rule"], entry["bump"], entry.get("operationId"))] += entry.get("count", 1)
    got = Counter((c.rule, c.bump, c.operation_id) for c in result.changes)
    assert got == want, f"changes differ from expected.yaml; got:\n{shown}"

    for entry in expected["changes"]:
        matching = [
            c
            for c in result.changes
            if c.rule == entry["rule"] and c.operation_id == entry.get("operationId")
        ]
        if "location" in entry:
            assert entry["location"] in {c.location for c in matching}, shown
        if "origin" in entry:
            assert entry["origin"] in {c.origin for c in matching}, shown

    assert result.required_bump == expected["required_bump"], shown
    assert result.actual_bump == expected["actual_bump"]
    assert result.verdict.value == expected["verdict"], result.problems
