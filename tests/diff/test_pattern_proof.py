"""The pattern proof: which patterns are proved to accept every string."""

from __future__ import annotations

import re

import pytest

from harness.diff.pattern_proof import matches_everything, widens

SAMPLES = ["", "a", "ABC", "line\nbreak", "x y", "ü", "9"]


@pytest.mark.parametrize("pattern", [None, "", ".*", "^.*", "a*", "[^a]*", "^(.*)", "(?:x|)"])
def test_proved_patterns_do_match_every_sample(pattern: str | None) -> None:
    assert matches_everything(pattern)
    if pattern is not None:
        assert all(re.search(pattern, s) for s in SAMPLES)


@pytest.mark.parametrize(
    "pattern", ["^.*$", "^[a-z]+$", "a", r"\b.*", "(?=a).*", ".+", "(unclosed"]
)
def test_unproved_patterns_are_not_claimed(pattern: str) -> None:
    assert not matches_everything(pattern)


def test_widens_only_towards_a_pattern_that_matches_everything() -> None:
    assert widens("^[a-z]+$", ".*")
    assert widens("^[a-z]+$", None)
    assert not widens("^[a-z]+$", "^[a-zA-Z]+$")
    assert not widens(".*", "^[a-z]+$")
