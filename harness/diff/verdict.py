"""The bump rule: the version bump a pair of files shows against the one its changes need.

Verdicts: OK; UNDER_BUMPED (the changes need a larger bump); OVER_BUMPED (a
warning: larger than needed); INVALID (the versions themselves are wrong:
not increasing, components to the right not reset, file name and
``info.version`` disagreeing, no release notes for the new version).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crr_contract.version import BUMP_LEVELS, SpecVersion
from harness.diff.model import NO_BUMP, Verdict, bump_rank
from harness.diff.policy import BumpPolicy
from harness.errors import USER_INPUT_ERRORS


@dataclass(frozen=True)
class VersionedFile:
    """A file and the versions it states: in its name and in its content."""

    path: Path
    key: str | None
    name_version: SpecVersion | None
    content_version: SpecVersion | None
    content_field: str = "info.version"

    @property
    def version(self) -> SpecVersion | None:
        return self.name_version or self.content_version


@dataclass
class Judgement:
    """The verdict, the actual bump, and the reasons."""

    verdict: Verdict
    actual_bump: str
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    breaks_rule: bool = False


def judge(
    old: VersionedFile,
    new: VersionedFile,
    required: str,
    policy: BumpPolicy,
    release_notes: Any = None,
    check_release_notes: bool = False,
    reason: str | None = None,
) -> Judgement:
    """Compare the actual bump between ``old`` and ``new`` with ``required``.

    ``reason`` names the change that makes the bump ``required`` (shown when
    the file is under-bumped). ``release_notes`` is the new file's
    ``info.x-release-notes``, checked when ``check_release_notes``.
    """
    invalid: list[str] = []
    warnings: list[str] = []
    for side, f in (("old", old), ("new", new)):
        if f.name_version and f.content_version and f.name_version != f.content_version:
            invalid.append(
                f"{side} file {f.path.name}: file name says {f.name_version}, {f.content_field} says {f.content_version}"
            )
    if old.key and new.key and old.key != new.key:
        invalid.append(f"the files are different services or types: {old.key} and {new.key}")
    actual = NO_BUMP
    if old.version is None or new.version is None:
        missing = old if old.version is None else new
        invalid.append(
            f"{missing.path.name}: no version in the file name or {missing.content_field}"
        )
    elif new.version < old.version:
        invalid.append(f"version goes backwards: {old.version} -> {new.version}")
    else:
        actual = new.version.bump_from(old.version) or NO_BUMP
        if actual != NO_BUMP:
            invalid += _reset_problems(old.version, new.version, actual, policy)
            skipped = _skip_message(old.version, new.version, actual)
            if skipped and str(policy.setting("skipped_versions", "WARNING")).upper() == "ERROR":
                invalid.append(skipped)
            elif skipped:
                warnings.append(skipped)
    if (
        check_release_notes
        and new.version is not None
        and policy.setting("release_notes_required", True)
    ):
        notes_problems, notes_warnings = _release_notes(release_notes, new.version)
        invalid += notes_problems
        warnings += notes_warnings
    problems = list(invalid)
    under = bump_rank(actual) < bump_rank(required)
    if under:
        because = f" ({reason})" if reason else ""
        shown = actual if actual != NO_BUMP else "no version change"
        problems.append(f"changes need a {required} bump{because}; the version bump is {shown}")
    if invalid:
        verdict = Verdict.INVALID
    elif under:
        verdict = Verdict.UNDER_BUMPED
    elif bump_rank(actual) > bump_rank(required):
        verdict = Verdict.OVER_BUMPED
        needed = required if required != NO_BUMP else "no bump"
        warnings.append(f"over-bumped: the changes need {needed}, the version bump is {actual}")
    else:
        verdict = Verdict.OK
    breaks = verdict.breaks_rule or (
        verdict is Verdict.OVER_BUMPED
        and str(policy.setting("over_bump", "WARNING")).upper() == "ERROR"
    )
    return Judgement(verdict, actual, problems, warnings, breaks)


def expected_successor(old: SpecVersion, level: str) -> SpecVersion:
    """The well-formed next version raising ``level``: 1.2.1 + MINOR = 1.3.0."""
    parts = [old.major, old.minor, old.mini]
    index = BUMP_LEVELS.index(level)
    parts[index] += 1
    for right in range(index + 1, len(parts)):
        parts[right] = 0
    return SpecVersion(*parts)


def _reset_problems(
    old: SpecVersion, new: SpecVersion, level: str, policy: BumpPolicy
) -> list[str]:
    if not policy.setting("reset_rule", True):
        return []
    index = BUMP_LEVELS.index(level)
    parts = (new.major, new.minor, new.mini)
    if all(part == 0 for part in parts[index + 1 :]):
        return []
    return [
        f"reset rule: {old} -> {new} raises {level}, so the components to its right reset to 0 "
        f"({expected_successor(old, level)}, not {new})"
    ]


def _skip_message(old: SpecVersion, new: SpecVersion, level: str) -> str | None:
    index = BUMP_LEVELS.index(level)
    step = (new.major, new.minor, new.mini)[index] - (old.major, old.minor, old.mini)[index]
    if step <= 1:
        return None
    return (
        f"{old} -> {new} skips {step - 1} {level} version(s) (files missing, or numbers skipped?)"
    )


def _release_notes(notes: Any, version: SpecVersion) -> tuple[list[str], list[str]]:
    if not isinstance(notes, list) or not notes:
        return [f"info.x-release-notes is missing; it must describe version {version}"], []
    entries = [n for n in notes if isinstance(n, dict) and str(n.get("version")) == str(version)]
    if not entries:
        listed = ", ".join(str(n.get("version")) for n in notes if isinstance(n, dict))
        return [f"info.x-release-notes has no entry for version {version} (it lists {listed})"], []
    problems, warnings = [], []
    if len(entries) > 1:
        problems.append(f"info.x-release-notes has {len(entries)} entries for version {version}")
    changes = entries[-1].get("changes")
    if not isinstance(changes, list) or not any(str(c).strip() for c in changes):
        problems.append(f"info.x-release-notes entry {version} lists no changes")
    newer = []
    for n in notes:
        if not isinstance(n, dict):
            continue
        try:
            if SpecVersion.parse(str(n.get("version"))) > version:
                newer.append(str(n.get("version")))
        except USER_INPUT_ERRORS:
            warnings.append(f"info.x-release-notes entry with a bad version: {n.get('version')!r}")
    if newer:
        problems.append(
            f"info.x-release-notes describes versions after {version}: {', '.join(newer)}"
        )
    return problems, warnings
