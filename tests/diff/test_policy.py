"""The bump policy is data: editing it changes classifications; a bad one is refused."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from harness.diff import BumpPolicy, diff_files
from harness.diff.policy import DEFAULT_POLICY
from harness.errors import InputError

CORPUS = Path(__file__).parent / "corpus"


def case_files(case: str) -> tuple[Path, Path]:
    old = next((CORPUS / case / "old").iterdir())
    new = next((CORPUS / case / "new").iterdir())
    return old, new


def edited_policy(tmp_path: Path, rule_id: str, bump: str) -> Path:
    data = yaml.safe_load(DEFAULT_POLICY.read_text())
    for rule in data["rules"]:
        if rule["id"] == rule_id:
            rule["bump"] = bump
    path = tmp_path / "bump-policy.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def test_default_policy_loads_with_versioning_text() -> None:
    policy = BumpPolicy.load()
    assert policy.rule("request.property.required.added").bump == "MAJOR"
    assert policy.rule("operation.added").bump == "MAJOR"
    assert policy.switches == {"added_operation": "new_service"}
    minor = policy.with_switch("added_operation", "minor_update")
    assert minor.rule("operation.added").bump == "MINOR"
    assert "minor update" in minor.rule("operation.added").rationale
    assert policy.rule("service.added").bump == "MAJOR"
    assert "reset" in policy.versioning["text"]
    assert policy.setting("reset_rule", False) is True


def test_strict_clients_make_a_response_enum_value_breaking(tmp_path: Path) -> None:
    old, new = case_files("shared-enum-value-added-reaches-three-operations")
    assert diff_files(old, new, catalog=None).verdict.value == "OK"
    strict = edited_policy(tmp_path, "response.enum.value.added", "MAJOR")
    result = diff_files(old, new, policy=strict, catalog=None)
    assert result.required_bump == "MAJOR"
    assert result.verdict.value == "UNDER_BUMPED"


def test_policy_without_a_rule_the_diff_emits_is_bad_input(tmp_path: Path) -> None:
    data = yaml.safe_load(DEFAULT_POLICY.read_text())
    data["rules"] = [r for r in data["rules"] if r["id"] != "response.property.removed"]
    path = tmp_path / "bump-policy.yaml"
    path.write_text(yaml.safe_dump(data))
    old, new = case_files("tor-conversion-mini-removes-properties")
    with pytest.raises(InputError, match=r"no rule 'response\.property\.removed'"):
        diff_files(old, new, policy=path, catalog=None)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda r: r.update(bump="PATCH"), "bump must be one of"),
        (lambda r: r.update(direction="sideways"), "direction must be one of"),
        (lambda r: r.pop("rationale"), "lacks rationale"),
    ],
)
def test_malformed_rule_is_refused(tmp_path: Path, edit, message: str) -> None:
    data = yaml.safe_load(DEFAULT_POLICY.read_text())
    edit(data["rules"][0])
    path = tmp_path / "bump-policy.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(InputError, match=message):
        BumpPolicy.load(path)


def test_duplicate_rule_is_refused(tmp_path: Path) -> None:
    data = yaml.safe_load(DEFAULT_POLICY.read_text())
    data["rules"].append(dict(data["rules"][0]))
    path = tmp_path / "bump-policy.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(InputError, match="listed twice"):
        BumpPolicy.load(path)


def test_over_bump_as_error_breaks_the_rule(tmp_path: Path) -> None:
    data = yaml.safe_load(DEFAULT_POLICY.read_text())
    data["versioning"]["over_bump"] = "ERROR"
    path = tmp_path / "bump-policy.yaml"
    path.write_text(yaml.safe_dump(data))
    old, new = case_files("over-bumped-doc-only-minor")
    assert not diff_files(old, new, catalog=None).breaks_rule
    result = diff_files(old, new, policy=path, catalog=None)
    assert result.verdict.value == "OVER_BUMPED"
    assert result.breaks_rule


def test_a_switch_with_an_unknown_choice_is_refused(tmp_path: Path) -> None:
    data = yaml.safe_load(DEFAULT_POLICY.read_text())
    data["switches"]["added_operation"]["chosen"] = "sometimes"
    path = tmp_path / "bump-policy.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    with pytest.raises(InputError, match="chosen must be one of new_service, minor_update"):
        BumpPolicy.load(path)
    data["switches"]["added_operation"] = {**data["switches"]["added_operation"], "rule": "x.y"}
    data["switches"]["added_operation"]["chosen"] = "new_service"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    with pytest.raises(InputError, match=r"unknown rule 'x\.y'"):
        BumpPolicy.load(path)


def test_known_formats_decide_whether_a_renamed_format_is_added_or_changed(
    tmp_path: Path,
) -> None:
    old, new = case_files("request-format-unknown-to-known-major")
    rules = {c.rule for c in diff_files(old, new, catalog=None).changes}
    assert "request.format.added" in rules
    data = yaml.safe_load(DEFAULT_POLICY.read_text())
    data["known_formats"].append("dateTime")  # a user whose tools read dateTime
    path = tmp_path / "bump-policy.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    rules = {c.rule for c in diff_files(old, new, policy=path, catalog=None).changes}
    assert "request.format.changed" in rules
    del data["known_formats"]  # a policy without the list: every format asserts
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    assert BumpPolicy.load(path).known_formats is None
    rules = {c.rule for c in diff_files(old, new, policy=path, catalog=None).changes}
    assert "request.format.changed" in rules
    data["known_formats"] = "date-time"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    with pytest.raises(InputError, match="known_formats must be a list"):
        BumpPolicy.load(path)
