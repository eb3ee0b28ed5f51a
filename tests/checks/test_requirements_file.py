"""requirements.yaml is the check registry: the contract's IDs and texts, and who produces each.

IDs and texts are a contract (reports, ``-k``, the mutation self-test name
them), so they are held to what shipped before the texts became data; and
every ID of the file must have code that produces it, read from the code
itself: functions bound with ``@check``, IDs looked up with ``case_check``,
and the ``CASE_CHECKS`` / ``JUDGES_EXCHANGES`` each suite declares.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType

import pytest

import harness.checks  # noqa: F401  (binds every per-exchange check)
import harness.client_conformance as client_conformance
from harness.checks.registry import (
    FAMILIES,
    PRODUCERS,
    REGISTRY,
    UnknownCheckError,
    bound_checks,
    case_check,
    check,
    claimed_case_checks,
)
from harness.checks.requirements import RequirementsFileError, load_requirements
from harness.connect import layers
from harness.registry import DuplicateIDError
from harness.suites import SUITES

HERE = Path(__file__).resolve().parent

SHIPPED_IDS = frozenset(
    {
        *(f"CNX-{n:03d}" for n in range(1, 8)),
        "CON-001",
        "DL-001",
        "DL-002",
        *(f"ERR-{n:03d}" for n in range(1, 6)),
        *(f"FUZ-{n:03d}" for n in range(1, 4)),
        "INV-001",
        "INV-002",
        "OUT-001",
        "PRV-001",
        "PRV-002",
        *(f"REL-{n:03d}" for n in range(1, 4)),
        "ROB-001",
        "ROB-002",
        *(f"RSP-{n:03d}" for n in range(1, 4)),
        *(f"SCN-{n:03d}" for n in range(1, 4)),
        *(f"SEC-{n:03d}" for n in range(1, 4)),
        *(f"TLS-{n:03d}" for n in range(1, 10)),
    }
)
"""Every ID main registered at c2ad154 (46), with every module that registered one imported."""

SHIPPED_TEXTS = json.loads((HERE / "check_texts_c2ad154.json").read_text(encoding="utf-8"))[
    "checks"
]
"""Title and requirement of each ID at c2ad154, dumped from the decorators before they moved."""


def _ids(kind: str) -> set[str]:
    return {entry.id for entry in REGISTRY.values() if entry.kind == kind}


def _producer_module(name: str) -> ModuleType:
    if name == client_conformance.SUITE:
        return client_conformance
    return layers if name == layers.SUITE else SUITES[name]


ADDED_IDS = frozenset({"RUN-001", "RSP-004", "ERR-006", *(f"CLI-{n:03d}" for n in range(1, 9))})
"""IDs added since c2ad154; an ID is added, never reused or removed."""


def test_the_file_lists_exactly_the_shipped_ids() -> None:
    listed = {entry.id for entry in load_requirements().checks}
    assert len(SHIPPED_IDS) == 46
    assert listed == SHIPPED_IDS | ADDED_IDS
    assert set(REGISTRY) == SHIPPED_IDS | ADDED_IDS


def test_titles_and_texts_are_the_shipped_ones_word_for_word() -> None:
    assert set(SHIPPED_TEXTS) == SHIPPED_IDS
    for check_id, shipped in SHIPPED_TEXTS.items():
        entry = REGISTRY[check_id]
        assert (entry.title, entry.requirement) == (shipped["title"], shipped["requirement"]), (
            check_id
        )


def test_the_registry_lists_in_id_order() -> None:
    assert list(REGISTRY) == sorted(SHIPPED_IDS | ADDED_IDS)


def test_every_exchange_check_has_a_function_and_only_those() -> None:
    assert bound_checks() == _ids("exchange")
    for check_id in _ids("exchange"):
        function = REGISTRY[check_id].function
        assert callable(function) and function.__module__.startswith("harness.checks."), check_id
    assert all(REGISTRY[check_id].function is None for check_id in _ids("case"))


def test_every_case_check_is_looked_up_by_the_code_that_judges_it() -> None:
    # harness.suites (imported above) imports the scenario runner and the
    # security cases; harness.connect.layers the connect layers;
    # harness.client_conformance the client checks.
    assert claimed_case_checks() == _ids("case") | _ids("run")


def test_the_certify_producers_are_the_suites_in_run_order() -> None:
    assert [p.name for p in PRODUCERS if p.command == "certify"] == list(SUITES)
    assert [p.name for p in PRODUCERS if p.command == "connect"] == [layers.SUITE]


@pytest.mark.parametrize("producer", [p.name for p in PRODUCERS])
def test_what_a_suite_declares_it_produces_is_what_the_file_says(producer: str) -> None:
    module = _producer_module(producer)
    in_file = {entry.id for entry in REGISTRY.values() if producer in entry.suites}
    assert set(module.CASE_CHECKS) == in_file & _ids("case")
    assert len(module.CASE_CHECKS) == len(set(module.CASE_CHECKS))
    expected_exchange = _ids("exchange") if module.JUDGES_EXCHANGES else set()
    assert in_file & _ids("exchange") == expected_exchange


def test_every_case_check_has_a_producer_that_declares_it() -> None:
    declared = {check_id for p in PRODUCERS for check_id in _producer_module(p.name).CASE_CHECKS}
    assert declared == _ids("case")


def test_families_are_the_id_prefixes_and_all_used() -> None:
    assert {entry.family for entry in REGISTRY.values()} == set(FAMILIES)
    for entry in REGISTRY.values():
        assert entry.id.startswith(entry.family + "-")


def test_binding_an_id_the_file_does_not_list_is_refused() -> None:
    with pytest.raises(UnknownCheckError, match="XYZ-001 is not listed"):
        check("XYZ-001")
    with pytest.raises(UnknownCheckError, match="XYZ-001 is not listed"):
        case_check("XYZ-001")


def test_an_id_is_bound_or_looked_up_only_as_its_kind() -> None:
    with pytest.raises(UnknownCheckError, match="SCN-001 is judged per case"):
        check("SCN-001")
    with pytest.raises(UnknownCheckError, match="RSP-001 is judged per exchange"):
        case_check("RSP-001")


def test_a_second_function_for_one_id_is_refused() -> None:
    before = REGISTRY["RSP-001"].function
    with pytest.raises(DuplicateIDError, match="RSP-001 registered twice"):
        check("RSP-001")(lambda exchange, context: None)
    assert REGISTRY["RSP-001"].function is before


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "requirements.yaml"
    path.write_text(text, encoding="utf-8")
    return path


ENTRY = """
  - id: {id}
    title: t
    family: {family}
    kind: {kind}
    suites: [{suites}]
    source: null
    requirement: r
"""
HEAD = """
families: {AB: ab}
producers:
  - {name: one, command: certify}
checks:
"""


def test_a_well_formed_file_loads(tmp_path: Path) -> None:
    path = _write(
        tmp_path, HEAD + ENTRY.format(id="AB-001", family="AB", kind="case", suites="one")
    )
    loaded = load_requirements(path)
    assert [(c.id, c.kind, c.suites, c.source) for c in loaded.checks] == [
        ("AB-001", "case", ("one",), None)
    ]


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        (
            ENTRY.format(id="AB-001", family="AB", kind="case", suites="one") * 2,
            "AB-001 listed twice",
        ),
        (ENTRY.format(id="AB-1", family="AB", kind="case", suites="one"), "not FAMILY-NNN"),
        (ENTRY.format(id="CD-001", family="CD", kind="case", suites="one"), "family 'CD'"),
        (ENTRY.format(id="AB-001", family="AB", kind="per-run", suites="one"), "kind must be"),
        (ENTRY.format(id="AB-001", family="AB", kind="case", suites="two"), "suites must list"),
        (
            ENTRY.format(id="AB-001", family="AB", kind="case", suites="one") + "    extra: 1\n",
            "expected the fields",
        ),
    ],
)
def test_a_malformed_entry_is_refused_naming_it(tmp_path: Path, entries: str, message: str) -> None:
    with pytest.raises(RequirementsFileError, match=message):
        load_requirements(_write(tmp_path, HEAD + entries))
