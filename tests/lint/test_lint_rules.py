"""Each lint rule fires on a catalog broken in exactly the way it names, and only then.

The baseline is a small, clean catalog (the app status service, the error
catalog, the role list and one download type); each case breaks one thing.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from harness.cli import main
from harness.lint import run_lint

SPECS = Path(__file__).resolve().parents[2] / "specs"
APP_STATUS = "openapi/app_status/caiso_crr_app_status_v{}_openapi.yaml"
SCHEMA_NAME = "schemas/CRRTestDownload_v1.0.1.draft-07.schema.json"

GOOD_SCHEMA = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "CRRTestDownload_v1.0.1.draft-07.schema.json",
    "title": "CRRTestDownload v1.0.1",
    "type": "object",
    "required": ["MarketName", "Records"],
    "properties": {
        "MarketName": {"type": "string", "maxLength": 40, "examples": ["AUC_MN_2025_M08"]},
        "Records": {
            "type": "array",
            "items": {"$ref": "#/definitions/record"},
        },
    },
    "definitions": {
        "record": {
            "type": "object",
            "required": ["CrrID", "MW"],
            "properties": {
                "CrrID": {"type": "string", "pattern": "^[0-9]+$", "examples": ["12345"]},
                "MW": {"type": "number", "minimum": 0, "examples": [25.5]},
            },
        }
    },
    "examples": [{"MarketName": "AUC_MN_2025_M08", "Records": [{"CrrID": "1", "MW": 5}]}],
}


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    root = tmp_path / "specs"
    (root / "openapi" / "app_status").mkdir(parents=True)
    (root / "errors").mkdir()
    (root / "schemas").mkdir()
    for version in ("1.0.0", "1.1.0"):
        shutil.copy(SPECS / APP_STATUS.format(version), root / APP_STATUS.format(version))
    shutil.copy(SPECS / "errors" / "catalog.yaml", root / "errors" / "catalog.yaml")
    shutil.copy(SPECS / "roles.yaml", root / "roles.yaml")
    (root / SCHEMA_NAME).write_text(json.dumps(GOOD_SCHEMA, indent=2))
    return root


def edit_yaml(path: Path, change: Callable[[dict], None]) -> None:
    document = yaml.safe_load(path.read_text())
    change(document)
    path.write_text(yaml.safe_dump(document, sort_keys=False))


def edit_json(path: Path, change: Callable[[dict], None]) -> None:
    document = json.loads(path.read_text())
    change(document)
    path.write_text(json.dumps(document))


def latest(root: Path) -> Path:
    return root / APP_STATUS.format("1.1.0")


def status_op(doc: dict) -> dict:
    return doc["paths"]["/appStatus/v1.0/status"]["get"]


# --- one breakage per case: (id, rule expected, function that breaks the catalog) ---------


def break_response_schema(root: Path) -> None:
    def change(doc: dict) -> None:
        status_op(doc)["responses"]["200"]["content"]["application/json"]["schema"] = {
            "type": "bogus"
        }

    edit_yaml(latest(root), change)


def break_info_version(root: Path) -> None:
    edit_yaml(latest(root), lambda doc: doc["info"].update(version="1.1.1"))


def drop_current_release_note(root: Path) -> None:
    edit_yaml(latest(root), lambda doc: doc["info"]["x-release-notes"].pop())


def reorder_release_notes(root: Path) -> None:
    edit_yaml(latest(root), lambda doc: doc["info"]["x-release-notes"].reverse())


def drop_roles(root: Path) -> None:
    edit_yaml(latest(root), lambda doc: status_op(doc).pop("x-roles"))


def unknown_role(root: Path) -> None:
    edit_yaml(
        latest(root), lambda doc: status_op(doc)["x-roles"].append("EXTERNAL MUI USER WITH NDA")
    )


def two_access_tags(root: Path) -> None:
    edit_yaml(latest(root), lambda doc: status_op(doc).update(tags=["read", "write"]))


def duplicate_operation_id(root: Path) -> None:
    def change(doc: dict) -> None:
        doc["paths"]["/appStatus/v1.0/serviceStatus"]["get"]["operationId"] = "getAppStatus"

    edit_yaml(latest(root), change)


def retired_code(root: Path) -> None:
    edit_yaml(latest(root), lambda doc: status_op(doc)["x-error-codes"].append("ATH0002"))


def unknown_code(root: Path) -> None:
    edit_yaml(latest(root), lambda doc: status_op(doc)["x-error-codes"].append("XYZ9999"))


def code_not_yet_introduced(root: Path) -> None:
    older = root / APP_STATUS.format("1.0.0")
    edit_yaml(older, lambda doc: status_op(doc)["x-error-codes"].append("SEC0001"))


def foreign_service_code(root: Path) -> None:
    edit_yaml(latest(root), lambda doc: status_op(doc)["x-error-codes"].append("SMT0145"))


def wrong_status_example(root: Path) -> None:
    def change(doc: dict) -> None:
        example = doc["components"]["responses"]["NotFound"]["content"]["application/json"][
            "example"
        ]
        example["errorDetails"][0]["errorCode"] = "SER0029"

    edit_yaml(latest(root), change)


def invalid_response_example(root: Path) -> None:
    def change(doc: dict) -> None:
        del status_op(doc)["responses"]["200"]["content"]["application/json"]["example"][
            "systemVersion"
        ]

    edit_yaml(latest(root), change)


def invalid_schema_example(root: Path) -> None:
    def change(doc: dict) -> None:
        doc["components"]["schemas"]["ServiceStatus"]["properties"]["specVersion"]["example"] = "v1"

    edit_yaml(latest(root), change)


def duplicate_version_file(root: Path) -> None:
    shutil.copy(latest(root), latest(root).with_suffix(".yml"))


def file_in_wrong_folder(root: Path) -> None:
    (root / "openapi" / "status").mkdir()
    shutil.move(latest(root), root / "openapi" / "status" / latest(root).name)


def history_dropped(root: Path) -> None:
    edit_yaml(latest(root), lambda doc: doc["info"]["x-release-notes"].pop(0))


def schema_not_draft7(root: Path) -> None:
    edit_json(
        root / SCHEMA_NAME,
        lambda doc: doc.update({"$schema": "https://json-schema.org/draft/2020-12/schema"}),
    )


def schema_invalid(root: Path) -> None:
    edit_json(
        root / SCHEMA_NAME, lambda doc: doc["properties"]["MarketName"].update(maxLength="forty")
    )


def schema_typo_keyword(root: Path) -> None:
    def change(doc: dict) -> None:
        doc["definitions"]["record"]["properties"]["CrrID"]["maxLenth"] = 20

    edit_json(root / SCHEMA_NAME, change)


def schema_openapi_example_keyword(root: Path) -> None:
    edit_json(
        root / SCHEMA_NAME,
        lambda doc: doc["properties"]["MarketName"].update(example="AUC_MN_2025_M08"),
    )


def schema_id_version(root: Path) -> None:
    edit_json(
        root / SCHEMA_NAME,
        lambda doc: doc.update({"$id": "CRRTestDownload_v1.0.0.draft-07.schema.json"}),
    )


def schema_bad_example(root: Path) -> None:
    edit_json(root / SCHEMA_NAME, lambda doc: doc["examples"][0]["Records"][0].update(MW=-3))


def catalog_bad_code(root: Path) -> None:
    edit_yaml(
        root / "errors" / "catalog.yaml",
        lambda doc: doc["codes"].update(SER28=dict(doc["codes"]["SER0028"])),
    )


def catalog_bad_replacement(root: Path) -> None:
    edit_yaml(
        root / "errors" / "catalog.yaml",
        lambda doc: doc["codes"]["ATH0002"].update(replaced_by="SEC9999"),
    )


def catalog_bad_status(root: Path) -> None:
    edit_yaml(
        root / "errors" / "catalog.yaml",
        lambda doc: doc["codes"]["SER0028"].update(http_status=200),
    )


def unparsable_yaml(root: Path) -> None:
    latest(root).write_text("openapi: 3.0.3\ninfo: [unclosed\n")


CASES = [
    ("invalid-openapi", "LINT-OAS-001", break_response_schema),
    ("unparsable-yaml", "LINT-OAS-001", unparsable_yaml),
    ("info-version", "LINT-OAS-002", break_info_version),
    ("release-note-missing", "LINT-OAS-003", drop_current_release_note),
    ("release-notes-order", "LINT-OAS-003", reorder_release_notes),
    ("no-roles", "LINT-OAS-004", drop_roles),
    ("unknown-role", "LINT-OAS-004", unknown_role),
    ("two-access-tags", "LINT-OAS-004", two_access_tags),
    ("duplicate-operation-id", "LINT-OAS-004", duplicate_operation_id),
    ("retired-code", "LINT-OAS-005", retired_code),
    ("unknown-code", "LINT-OAS-005", unknown_code),
    ("code-not-yet-introduced", "LINT-OAS-005", code_not_yet_introduced),
    ("code-of-another-service", "LINT-OAS-005", foreign_service_code),
    ("example-status-mismatch", "LINT-OAS-006", wrong_status_example),
    ("response-example-invalid", "LINT-OAS-007", invalid_response_example),
    ("schema-example-invalid", "LINT-OAS-008", invalid_schema_example),
    ("duplicate-version", "LINT-HIS-001", duplicate_version_file),
    ("wrong-folder", "LINT-HIS-001", file_in_wrong_folder),
    ("history-dropped", "LINT-HIS-002", history_dropped),
    ("schema-not-draft-07", "LINT-SCH-001", schema_not_draft7),
    ("schema-invalid", "LINT-SCH-001", schema_invalid),
    ("schema-maxLenth-typo", "LINT-SCH-002", schema_typo_keyword),
    ("schema-example-keyword", "LINT-SCH-002", schema_openapi_example_keyword),
    ("schema-id-version", "LINT-SCH-003", schema_id_version),
    ("schema-example-invalid-value", "LINT-SCH-004", schema_bad_example),
    ("catalog-code-pattern", "LINT-CAT-001", catalog_bad_code),
    ("catalog-replacement-unknown", "LINT-CAT-001", catalog_bad_replacement),
    ("catalog-http-status", "LINT-CAT-001", catalog_bad_status),
]


def test_baseline_catalog_is_clean(catalog: Path) -> None:
    report = run_lint(catalog)
    assert report.findings == []
    assert report.files_checked == 4


@pytest.mark.parametrize(("rule_id", "breakage"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_each_breakage_is_found_by_its_rule(
    catalog: Path, rule_id: str, breakage: Callable, capsys
) -> None:
    breakage(catalog)
    exit_code = main(["lint", str(catalog)])
    out = capsys.readouterr().out
    assert exit_code == 1, out
    assert f" {rule_id} " in out, out


def test_every_rule_has_a_breaking_case() -> None:
    from harness.lint.rules import RULES

    covered = {c[1] for c in CASES}
    assert set(RULES) == covered


def test_typo_hint_names_the_keyword(catalog: Path) -> None:
    schema_typo_keyword(catalog)
    messages = [f.message for f in run_lint(catalog).findings]
    assert messages == ["unknown keyword 'maxLenth': did you mean 'maxLength'?"]


def test_retired_code_names_its_replacement(catalog: Path) -> None:
    retired_code(catalog)
    messages = [f.message for f in run_lint(catalog).findings]
    assert messages == [
        "getAppStatus: ATH0002 is retired in app_status since 1.1.0, replaced by SEC0001"
    ]


def test_json_format_lists_findings(catalog: Path, capsys) -> None:
    break_info_version(catalog)
    assert main(["lint", str(catalog), "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["clean"] is False
    assert [f["rule"] for f in report["findings"]] == ["LINT-OAS-002"]


def test_missing_directory_is_exit_2_with_one_line(tmp_path: Path, capsys) -> None:
    assert main(["lint", str(tmp_path / "nope")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "not a directory" in err


def test_empty_directory_is_exit_2(tmp_path: Path, capsys) -> None:
    assert main(["lint", str(tmp_path)]) == 2
    assert "no spec files found" in capsys.readouterr().err


def test_seed_errata_are_caught_where_published() -> None:
    """The faithful copies of CAISO's erroneous schema versions fail lint at the expected pointers."""
    errata = Path(__file__).resolve().parents[1] / "fixtures" / "lint" / "seed_errata"
    expected = json.loads((errata / "expected_findings.json").read_text())
    report = run_lint(errata)
    found: dict[str, list[dict]] = {}
    for finding in report.findings:
        found.setdefault(finding.path.name, []).append(
            {"rule": finding.rule_id, "pointer": finding.pointer}
        )
    assert {name: sorted(items, key=str) for name, items in found.items()} == {
        name: sorted(items, key=str) for name, items in expected.items()
    }
    assert any(
        "maxLenth" in f.message and "did you mean 'maxLength'" in f.message for f in report.findings
    )
