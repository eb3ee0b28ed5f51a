"""The catalog decides what an error code says and which code is still in use.

A code the catalog retires in a spec version, naming a replacement, is
never sent to that version's callers: its replacement is, with the
reference's own detail text. A detail with no text of its own carries the
code's catalog meaning.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crr_contract.error_catalog import ALL_SERVICES, ErrorCatalog
from crr_contract.files import find_openapi
from crr_contract.operations import DEFAULT_SPECS_DIR, Operation, load_specs
from crr_contract.version import SpecVersion
from reference_impl.api.app import DEFAULT_CATALOG
from reference_impl.api.errors import ErrorResponder, Problem

CATALOG = ErrorCatalog.load(DEFAULT_CATALOG)
RESPONDER = ErrorResponder(CATALOG)
REPLACED = sorted(code for code, entry in CATALOG.codes.items() if entry.replaced_by)
SPEC_FILES = sorted(f.path for f in find_openapi(DEFAULT_SPECS_DIR / "openapi"))


def operation(path: Path, operation_id: str) -> Operation:
    (spec,) = load_specs([path])
    return next(op for op in spec.operations() if op.operation_id == operation_id)


def sent(op: Operation, problems: list[Problem]) -> list[dict]:
    response = RESPONDER.respond(op, problems)
    return json.loads(bytes(response.body))["errorDetails"]


def retired_in(op: Operation, code: str) -> bool:
    retired = CATALOG.codes[code].retired_in
    version = retired.get(op.service, retired.get(ALL_SERVICES))
    return version is not None and SpecVersion.parse(op.version) >= version


def test_the_catalog_replaces_some_codes() -> None:
    assert REPLACED, "no code of the catalog has a replaced_by: nothing to test"


def test_a_retired_code_goes_out_as_its_replacement_with_the_detail_kept() -> None:
    path = next(p for p in SPEC_FILES if p.name == "caiso_crr_auction_v1.1.1_openapi.yaml")
    op = operation(path, "portfolioSubmission")
    assert retired_in(op, "NOM0128")
    details = sent(op, [Problem("NOM0128", "Portfolio P is SUBMITTED.")])
    assert [(d["errorCode"], d["errorDescription"]) for d in details] == [
        (CATALOG.codes["NOM0128"].replaced_by, "Portfolio P is SUBMITTED.")
    ]


def test_a_code_still_in_use_in_an_older_version_is_kept() -> None:
    path = next(p for p in SPEC_FILES if p.name == "caiso_crr_auction_v1.0.0_openapi.yaml")
    op = operation(path, "portfolioSubmission")
    assert not retired_in(op, "NOM0128")
    assert [d["errorCode"] for d in sent(op, [Problem("NOM0128", "x")])] == ["NOM0128"]


@pytest.mark.parametrize("path", SPEC_FILES, ids=[p.name for p in SPEC_FILES])
def test_no_operation_ever_sends_a_code_its_version_has_replaced(path: Path) -> None:
    (spec,) = load_specs([path])
    for op in spec.operations():
        for code in REPLACED:
            codes = {d["errorCode"] for d in sent(op, [Problem(code, "detail")])}
            gone = {c for c in codes if c in CATALOG.codes and CATALOG.codes[c].replaced_by}
            assert not {c for c in gone if retired_in(op, c)}, (op.name, op.version, code)
            replacement = CATALOG.codes[code].replaced_by
            if retired_in(op, code) and replacement in op.error_codes:
                assert codes == {replacement}, (op.name, op.version, code)


def test_a_detail_without_text_says_the_catalog_meaning() -> None:
    path = next(p for p in SPEC_FILES if p.name == "caiso_crr_auction_v1.1.1_openapi.yaml")
    op = operation(path, "portfolioSubmission")
    (detail,) = sent(op, [Problem("AUC0037", "")])
    assert detail["errorDescription"] == CATALOG.codes["AUC0037"].meaning
