"""Every MAJOR schema change in the corpus carries a witness, checked against both schemas."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from harness.diff import diff_files
from harness.diff.model import SchemaSubject
from harness.diff.witness import NOT_A_VALUE_CHANGE, WitnessMaker

CORPUS = Path(__file__).parent / "corpus"
CASES = sorted(p.name for p in CORPUS.iterdir() if (p / "expected.yaml").is_file())
# A request property removed from an open object: the new schema still accepts it.
NO_VALUE_DIFFERENCE = {"request.property.removed"}


def _files(case: str) -> tuple[Path, Path]:
    return tuple(next((CORPUS / case / side).iterdir()) for side in ("old", "new"))  # type: ignore[return-value]


@pytest.mark.parametrize("case", CASES)
def test_every_major_schema_change_has_a_checked_witness(case: str) -> None:
    expected = yaml.safe_load((CORPUS / case / "expected.yaml").read_text())
    old, new = _files(case)
    result = diff_files(
        old,
        new,
        catalog=None,
        schema_direction=expected.get("schema_direction", "response"),
    )
    for change in result.changes:
        schema_rule = change.rule.startswith(("request.", "response."))
        if change.bump != "MAJOR" or change.witness is None:
            assert not (change.bump == "MAJOR" and schema_rule and "/schema" in change.location), (
                f"{change.rule} at {change.location} has no witness"
            )
            continue
        witness = change.witness
        if not witness.found:
            assert change.rule in NOT_A_VALUE_CHANGE or change.rule in NO_VALUE_DIFFERENCE, (
                f"{change.rule}: {witness.note}"
            )
            continue
        accepting = jsonschema.Draft202012Validator(
            witness.accepting_schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
        )
        rejecting = jsonschema.Draft202012Validator(
            witness.rejecting_schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
        )
        assert accepting.is_valid(witness.instance), (change.rule, witness.instance)
        assert not rejecting.is_valid(witness.instance), (change.rule, witness.instance)
        direction = "old" if change.direction == "request" else "new"
        assert witness.accepted_by == direction


def test_a_witness_that_does_not_show_the_change_is_caught() -> None:
    old = {"type": "object", "properties": {"name": {"type": "string", "maxLength": 50}}}
    new = {"type": "object", "properties": {"name": {"type": "string", "maxLength": 40}}}
    subject = SchemaSubject(old, new, "request", ("properties", "name", "maxLength"))
    witness = WitnessMaker().witness("request.limit.narrowed", subject)
    assert witness.found and 40 < len(witness.instance["name"]) <= 50
    assert jsonschema.Draft202012Validator(old).is_valid(witness.instance)
    assert not jsonschema.Draft202012Validator(new).is_valid(witness.instance)
    # the same change read as a response: a witness must go the other way, and none exists
    reverse = WitnessMaker().witness(
        "response.limit.narrowed", SchemaSubject(old, new, "response", subject.path)
    )
    assert not reverse.found and "no instance found" in (reverse.note or "")


def test_witnesses_are_shown_in_every_format(capsys: pytest.CaptureFixture[str]) -> None:
    from harness import cli

    old, new = _files("request-maxlength-narrowed")
    for fmt, needle in (
        ("text", "witness as "),
        ("markdown", "Witness as #/components/schemas/PortfolioSubmission: `"),
        ("json", '"witness"'),
    ):
        cli.main(["diff", str(old), str(new), "--format", fmt])
        out = capsys.readouterr().out
        assert needle in out, fmt
    cli.main(["diff", str(old), str(new), "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    shown = [c["witness"] for c in report["changes"] if c["bump"] == "MAJOR"]
    assert shown and all(w["instance"] is not None for w in shown)


def test_a_change_in_a_shared_component_gets_one_witness_of_that_component() -> None:
    old, new = _files("response-enum-value-replaced-rename")
    result = diff_files(old, new, catalog=None)
    shown = [c for c in result.changes if c.witness is not None and c.witness.found]
    assert len({c.operation_id for c in shown}) >= 2
    by_origin: dict[tuple[str, str | None], set[int]] = {}
    for change in shown:
        assert change.witness.schema and change.origin.startswith(change.witness.schema + "/")
        by_origin.setdefault((change.rule, change.origin), set()).add(id(change.witness))
    assert all(len(ids) == 1 for ids in by_origin.values())


def test_openapi_30_boolean_exclusive_bounds_are_read_as_2020_12() -> None:
    old = {"type": "object", "properties": {"mw": {"type": "number", "minimum": 0}}}
    new = {
        "type": "object",
        "required": ["mw"],
        "properties": {"mw": {"type": "number", "minimum": 0, "exclusiveMinimum": True}},
    }
    subject = SchemaSubject(old, new, "request", ("properties", "mw", "exclusiveMinimum"))
    witness = WitnessMaker().witness("request.limit.narrowed", subject)
    assert witness.found
    assert witness.rejecting_schema["properties"]["mw"] == {"type": "number", "exclusiveMinimum": 0}
