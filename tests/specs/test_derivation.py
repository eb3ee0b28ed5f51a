"""Roles, error codes and body limits of CAISO-shaped files, and where each came from.

CAISO's files carry none of our x- annotations; the harness reads the same
rules from the read/write tag, the CRRServiceException description and the
catalog's defaults. These tests prove that, on a CAISO-shaped copy of
``specs/``, every operation gets back the rules our annotated files state,
except where a tag cannot say what ``x-roles`` says (listed below).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from crr_contract.derivation import DerivationRules, Derived, error_codes_in
from crr_contract.files import find_openapi
from crr_contract.operations import Operation, load_specs
from crr_contract.pki import ROLE_NDA_REPORTS, ROLE_OPERATOR, ROLE_READ, ROLE_READ_WRITE
from crr_contract.roles import RoleModel

CAISO_STYLE = """\
Error response of the CRR APIs. errorDetails holds one ErrorDetail per error found.
Error codes of this API:
SEC0001 - The caller's role is not authorized for this operation.
SEC0002 - Invalid participant name.
SER0028 - Not found (HTTP 404).
LHFV0032 - Removed: a duplicate of SER0002.
"""
"""The ``CRRServiceException`` description as CAISO writes it: one ``CODE - meaning`` line per
code of the API (tests/specs/caiso_shape.py writes the copy's the same way)."""


def _pairs(annotated: Path, caiso: Path) -> list[tuple[Operation, Operation]]:
    """(annotated, CAISO-shaped) operation pairs of every CAISO file of the two catalogs."""
    rules = DerivationRules.load(caiso)
    pairs = []
    for spec_file in find_openapi(annotated / "openapi"):
        copy = caiso / "openapi" / spec_file.path.parent.name / spec_file.path.name
        (ours,) = load_specs([spec_file.path])
        (theirs,) = load_specs([copy], rules=rules)
        assert [o.name for o in ours.operations()] == [o.name for o in theirs.operations()]
        pairs += list(zip(ours.operations(), theirs.operations(), strict=True))
    return pairs


def test_codes_are_read_from_a_caiso_style_description() -> None:
    pattern = DerivationRules.shipped().error_code_pattern
    # Every code-shaped token counts, prose included ("a duplicate of SER0002"): a wider
    # list only makes the harness accept more, never refuse a correct answer.
    assert error_codes_in(CAISO_STYLE, pattern) == (
        "SEC0001",
        "SEC0002",
        "SER0028",
        "LHFV0032",
        "SER0002",
    )
    assert error_codes_in("no codes here, only HTTP 404 and SEC01", pattern) == ()


def test_a_tag_admits_the_roles_roles_yaml_gives_it() -> None:
    model = RoleModel.shipped()
    assert model.admitted_by_tag("write", "portfolioCreation") == (ROLE_READ_WRITE,)
    assert model.admitted_by_tag("read", "getPortfolio") == (
        ROLE_READ_WRITE,
        ROLE_READ,
        ROLE_NDA_REPORTS,
    )
    assert model.admitted_by_tag("read", "getRestrictedDownload") == (ROLE_NDA_REPORTS,)
    assert model.admitted_by_tag("delete", "x") is None
    assert model.operator_role == ROLE_OPERATOR
    for tag in model.tag_access:
        assert ROLE_OPERATOR not in (model.admitted_by_tag(tag) or ())


def test_a_read_tag_leaves_the_nda_reports_role_unsettled(
    specs_dir: Path, caiso_specs_dir: Path
) -> None:
    model = RoleModel.shipped()
    assert model.unsettled_by_tag("read", "getPortfolio") == (ROLE_NDA_REPORTS,)
    assert model.unsettled_by_tag("write", "portfolioCreation") == ()
    assert model.unsettled_by_tag("read", "getRestrictedDownload") == ()
    for ours, theirs in _pairs(specs_dir, caiso_specs_dir):
        assert ours.unsettled_roles == (), "x-roles settle every role"
        if theirs.roles == (ROLE_READ_WRITE, ROLE_READ, ROLE_NDA_REPORTS):
            assert theirs.unsettled_roles == (ROLE_NDA_REPORTS,), theirs.name
        else:
            assert theirs.unsettled_roles == (), theirs.name


def test_caiso_copy_gives_back_the_annotated_rules(specs_dir: Path, caiso_specs_dir: Path) -> None:
    pairs = _pairs(specs_dir, caiso_specs_dir)
    assert len(pairs) > 100
    role_differences: dict[str, set[str]] = {}
    for ours, theirs in pairs:
        where = f"{ours.spec.file} {ours.name}"
        provenance = theirs.provenance
        assert provenance["roles"].source == "tag", where
        assert provenance["error_codes"].source == "description", where
        assert provenance["max_body_bytes"] == Derived(
            4194304, "default", "derivations.yaml#/max_body_bytes"
        )
        assert theirs.max_body_bytes == ours.max_body_bytes, where
        # The description lists the API's codes, so each operation may answer any of them:
        # never fewer than its own x-error-codes, exactly the file's union.
        union = frozenset().union(*(o.error_codes for o in ours.spec.operations()))
        assert theirs.error_codes == union, where
        assert ours.error_codes <= theirs.error_codes, where
        if ours.roles != theirs.roles:
            assert set(theirs.roles) - set(ours.roles) == {ROLE_NDA_REPORTS}, where
            assert set(ours.roles) <= set(theirs.roles), where
            role_differences.setdefault(ours.service, set()).add(ours.operation_id)
    # A read tag cannot say "CRR holders only": our x-roles keep the NDA reports role off
    # these reads of a holder's own portfolios, offers, submissions and messages, while the
    # tag admits every read-access role. Everywhere else the tag gives exactly x-roles
    # (the restricted download included, through roles.yaml operation_access).
    assert role_differences == {
        "auction": {
            "getPortfolio",
            "getPortfolioList",
            "getPortfolioRequiredCredit",
            "getPortfolioStatus",
        },
        "historical_forecasted_load": {"getLoadData"},
        "load_migration": {
            "getLoadMigrationMarkets",
            "getLoadMigrationResult",
            "getLoadMigrationSubmission",
        },
        "market_data": {"getPrivateDownload"},
        "messages": {"getPrivateMessages"},
        "nomination": {"getPortfolio", "getPortfolioList", "getPortfolioStatus"},
        "secondary_market": {"getCrrHoldings", "getOffer", "getOfferList", "getResponse"},
        "tor_conversion": {
            "getConversionRequest",
            "getConversionRequestList",
            "getConversionWindow",
            "getConversionWindowList",
        },
    }


def test_annotated_files_cite_their_annotations(specs_dir: Path) -> None:
    (spec,) = load_specs([find_openapi(specs_dir / "openapi")[-1].path])
    operation = spec.operations()[0]
    roles = operation.provenance["roles"]
    assert roles.source == "extension"
    assert roles.where.endswith("/x-roles")
    assert operation.roles == tuple(operation.definition["x-roles"])


def test_derived_sources_are_cited(caiso_specs_dir: Path) -> None:
    auction = sorted((caiso_specs_dir / "openapi" / "auction").glob("*v1.1.1*"))[0]
    (spec,) = load_specs([auction], rules=DerivationRules.load(caiso_specs_dir))
    operation = next(o for o in spec.operations() if o.operation_id == "portfolioCreation")
    assert operation.provenance["roles"].where == (
        "caiso_crr_auction_v1.1.1_openapi.yaml#/paths/~1auction~1v1.0~1portfolioCreation/post/"
        "tags (write; roles.yaml tag_access.write)"
    )
    assert operation.roles == (ROLE_READ_WRITE,)
    assert operation.provenance["error_codes"].where == (
        "caiso_crr_auction_v1.1.1_openapi.yaml#/components/schemas/CRRServiceException/description"
    )
    assert spec.rule_sources() == {
        "roles": {"tag": len(spec.operations())},
        "error_codes": {"description": len(spec.operations())},
        "max_body_bytes": {"default": len(spec.operations())},
    }


def test_an_operation_without_tag_or_roles_admits_nobody(tmp_path: Path, specs_dir: Path) -> None:
    source = find_openapi(specs_dir / "openapi")[0].path
    document = yaml.safe_load(source.read_text(encoding="utf-8"))
    path, item = next(iter(document["paths"].items()))
    method, operation = next(
        (m, o) for m, o in item.items() if isinstance(o, dict) and "operationId" in o
    )
    for key in ("x-roles", "tags"):
        operation.pop(key, None)
    target = tmp_path / source.name
    target.write_text(yaml.safe_dump(document), encoding="utf-8")
    (spec,) = load_specs([target])
    derived = spec.provenance(path, method)["roles"]
    assert derived.value == ()
    assert derived.source == "default"


@pytest.mark.parametrize("limit", [1024, 10_000_000])
def test_body_limit_default_comes_from_the_data_file(
    tmp_path: Path, specs_dir: Path, limit: int
) -> None:
    catalog = tmp_path / "specs"
    shutil.copytree(specs_dir, catalog)
    derivations = catalog / "derivations.yaml"
    derivations.write_text(
        re.sub(r"max_body_bytes: \d+", f"max_body_bytes: {limit}", derivations.read_text()),
        encoding="utf-8",
    )
    rules = DerivationRules.load(catalog)
    (spec,) = load_specs([find_openapi(catalog / "openapi")[-1].path], rules=rules)
    assert {o.max_body_bytes for o in spec.operations()} == {limit}


def test_failures_cite_the_derived_source(caiso_specs_dir: Path, specs_dir: Path) -> None:
    from harness.checks.registry import operation_clause, rule_label

    def portfolio(root: Path) -> Operation:
        path = sorted((root / "openapi" / "auction").glob("*v1.1.1*"))[0]
        (spec,) = load_specs([path], rules=DerivationRules.load(root))
        return spec.operations()[0]

    caiso, ours = portfolio(caiso_specs_dir), portfolio(specs_dir)
    assert operation_clause(caiso, "x-roles") == (
        "caiso_crr_auction_v1.1.1_openapi.yaml#/paths/~1auction~1v1.0~1portfolio/get/tags "
        "(read; roles.yaml tag_access.read) (tag)"
    )
    assert operation_clause(caiso, "x-error-codes").endswith(
        "#/components/schemas/CRRServiceException/description (description)"
    )
    assert rule_label(caiso, "x-roles") == "its read/write tag (roles.yaml)"
    assert operation_clause(ours, "x-roles") == (
        "caiso_crr_auction_v1.1.1_openapi.yaml#/paths/~1auction~1v1.0~1portfolio/get/x-roles"
    )
    assert rule_label(ours, "x-roles") == "x-roles"
