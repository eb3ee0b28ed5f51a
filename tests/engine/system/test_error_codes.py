"""Every error code the engine can raise is a code of the catalog."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from reference_impl.engine.errors import DomainError, FindingCollector

ENGINE = Path(__file__).resolve().parents[3] / "reference_impl" / "engine"
CATALOG = Path(__file__).resolve().parents[3] / "specs" / "errors" / "catalog.yaml"
CODE = re.compile(r"\b[A-Z]{3,4}[0-9]{4}\b")


def engine_codes() -> dict[str, set[str]]:
    """Code -> the engine modules that mention it."""
    found: dict[str, set[str]] = {}
    for path in sorted(ENGINE.rglob("*.py")):
        for code in CODE.findall(path.read_text(encoding="utf-8")):
            found.setdefault(code, set()).add(path.name)
    return found


def test_every_code_in_the_engine_is_in_the_catalog():
    catalog = set(yaml.safe_load(CATALOG.read_text(encoding="utf-8"))["codes"])
    found = engine_codes()
    assert found, "the engine raises catalog codes"
    unknown = {code: sorted(where) for code, where in found.items() if code not in catalog}
    assert unknown == {}


def test_the_engine_leaves_security_codes_to_the_api_layer():
    assert not [code for code in engine_codes() if code.startswith(("SEC", "ATH"))]


def test_the_engine_uses_the_business_codes_of_the_brief():
    expected = {
        "MKT0001", "POR0001", "POR0003", "POR0004", "POR0005", "POR0006", "POR0007",
        "POR0010", "POR0011", "POR0012", "POR0013", "AUC0001", "AUC0002", "AUC0003",
        "AUC0005", "AUC0037", "NOM0001", "NOM0002", "NOM0128", "SMT0001", "SMT0002",
        "SMT0003", "SMT0016", "SMT0063", "SMT0082", "SMT0145", "SMT0146", "TOR0001",
        "TOR0002", "TOR0003", "TOR0016", "LMV1001", "LMV1002", "LMV1003", "LMV1004",
        "LHFV0001", "LHFV0002", "LHFV0003", "MSG0001", "SER0001", "SER0002", "SER0028",
        "SER0030", "MDT0001", "MDT0002",
    }  # fmt: skip
    assert expected <= set(engine_codes())


def test_collected_findings_raise_one_error_with_every_finding():
    found = FindingCollector()
    found.add("POR0006", "same", "bids[0].sink")
    found.add("POR0007", "zero", "bids[1].segments[0].mw")
    try:
        found.raise_if_any()
    except DomainError as error:
        assert error.code == "POR0006"
        assert error.codes == ("POR0006", "POR0007")
        assert [d.to_dict()["field"] for d in error.details] == [
            "bids[0].sink",
            "bids[1].segments[0].mw",
        ]
    else:
        raise AssertionError("expected a DomainError")


def test_an_error_without_details_is_its_own_finding():
    error = DomainError("SER0028", "not found", "portfolioName")
    assert [(d.code, d.field) for d in error.details] == [("SER0028", "portfolioName")]
