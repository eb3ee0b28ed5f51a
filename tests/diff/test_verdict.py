"""The bump rule on versions alone: reset rule, direction, release notes."""

from __future__ import annotations

from pathlib import Path

import pytest

from crr_contract.version import SpecVersion
from harness.diff import BumpPolicy
from harness.diff.verdict import VersionedFile, expected_successor, judge

POLICY = BumpPolicy.load()
V = SpecVersion.parse


def files(old: str, new: str) -> tuple[VersionedFile, VersionedFile]:
    return (
        VersionedFile(Path(f"caiso_crr_x_v{old}_openapi.yaml"), "x", V(old), V(old)),
        VersionedFile(Path(f"caiso_crr_x_v{new}_openapi.yaml"), "x", V(new), V(new)),
    )


@pytest.mark.parametrize(
    ("old", "level", "expected"),
    [("1.2.1", "MINOR", "1.3.0"), ("1.2.1", "MAJOR", "2.0.0"), ("1.2.1", "MINI", "1.2.2")],
)
def test_expected_successor_resets_to_the_right(old: str, level: str, expected: str) -> None:
    assert str(expected_successor(V(old), level)) == expected


@pytest.mark.parametrize(
    ("old", "new", "required", "verdict", "actual"),
    [
        ("1.2.1", "1.3.0", "MINOR", "OK", "MINOR"),
        ("1.2.1", "1.3.1", "MINOR", "INVALID", "MINOR"),
        ("1.2.1", "1.2.2", "MAJOR", "UNDER_BUMPED", "MINI"),
        ("1.2.1", "2.0.0", "MINI", "OVER_BUMPED", "MAJOR"),
        ("1.2.1", "1.2.1", "NONE", "OK", "NONE"),
        ("1.2.1", "1.2.0", "MINI", "INVALID", "NONE"),
    ],
)
def test_judge(old: str, new: str, required: str, verdict: str, actual: str) -> None:
    result = judge(*files(old, new), required, POLICY)
    assert (result.verdict.value, result.actual_bump) == (verdict, actual)


def test_skipped_versions_are_a_warning() -> None:
    result = judge(*files("1.0.0", "1.3.0"), "MINOR", POLICY)
    assert result.verdict.value == "OK"
    assert any("skips 2 MINOR" in w for w in result.warnings)


def test_release_notes_must_describe_the_new_version() -> None:
    notes = [{"version": "1.0.0", "changes": ["first"]}]
    result = judge(
        *files("1.0.0", "1.1.0"), "MINOR", POLICY, release_notes=notes, check_release_notes=True
    )
    assert result.verdict.value == "INVALID"
    assert "no entry for version 1.1.0" in result.problems[0]
    notes.append({"version": "1.1.0", "changes": []})
    result = judge(
        *files("1.0.0", "1.1.0"), "MINOR", POLICY, release_notes=notes, check_release_notes=True
    )
    assert "lists no changes" in result.problems[0]
    notes[-1]["changes"] = ["Added an operation."]
    result = judge(
        *files("1.0.0", "1.1.0"), "MINOR", POLICY, release_notes=notes, check_release_notes=True
    )
    assert result.verdict.value == "OK"
