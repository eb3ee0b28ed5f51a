"""read_yaml gives what yaml.safe_load gives: the same value, or the same refusal."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from crr_contract.yaml_reading import read_yaml

ROOT = Path(__file__).resolve().parents[2]


def safe_load(text: str) -> object:
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def outcome(read, text: str) -> tuple[str, object]:
    try:
        return "value", read(text)
    except yaml.YAMLError as exc:
        return "error", type(exc).__name__


def test_every_yaml_file_of_the_project_reads_the_same() -> None:
    paths = [
        p
        for folder in ("specs", "crr_contract", "harness", "tests")
        for p in sorted((ROOT / folder).rglob("*.yaml"))
    ]
    assert len(paths) > 100
    for path in paths:
        text = path.read_text(encoding="utf-8")
        assert outcome(read_yaml, text) == outcome(safe_load, text), path


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: 0x1f\nb: .inf\nc: ~\nd: yes\ne: '1'\nf: -2\ng: 1.5e3", None),
        ("when: 2025-01-01\nat: 2025-01-01T08:00:00Z", None),
        ("a: &x [1, {b: 2}]\nc: *x", None),
        ("<<: {a: 1}\nb: 2", {"a": 1, "b": 2}),  # a merge key: read by the safe loader
        ("!!set {a, b}", {"a", "b"}),
        ("a: !!str 1\nb: !!int '7'", {"a": "1", "b": 7}),
        ("a: 1\na: 2", {"a": 2}),
        ("", None),
        ("plain", "plain"),
        ("- !!binary aGk=", [b"hi"]),
    ],
)
def test_scalars_tags_anchors_and_merges_mean_what_they_mean_to_safe_load(
    text: str, expected: object
) -> None:
    assert read_yaml(text) == safe_load(text)
    if expected is not None:
        assert read_yaml(text) == expected


def test_an_alias_shares_the_anchored_collection() -> None:
    value = read_yaml("a: &x {k: [1]}\nb: *x")
    assert value["a"] is value["b"]
    assert isinstance(read_yaml("d: 2025-01-01")["d"], datetime.date)


@pytest.mark.parametrize(
    "text",
    ["? [1]\n: 2", "---\na\n---\nb", "a: !foo 1", "a: [1", "a: *nowhere", "a:\n\tb: 1", "? *x\n"],
)
def test_what_safe_load_refuses_read_yaml_refuses_the_same_way(text: str) -> None:
    assert outcome(read_yaml, text) == outcome(safe_load, text)
    assert outcome(read_yaml, text)[0] == "error"


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=12)
    | st.sampled_from(["yes", "No", "on", "~", "0o17", "1_000", "2025-01-01", "<<", "=", "!", "*"]),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=8) | st.integers(), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(json_values, st.booleans(), st.booleans())
def test_any_dumped_document_reads_back_as_safe_load_reads_it(
    value: object, flow: bool, sort: bool
) -> None:
    text = yaml.safe_dump(value, default_flow_style=flow, sort_keys=sort, allow_unicode=True)
    assert outcome(read_yaml, text) == outcome(safe_load, text)


yaml_alphabet = st.sampled_from(
    [*"ab01-:.?!&*<=[]{},'\"#|> \n~", "  ", "\n- ", ": ", "yes", "null", "0x", "2025-"]
)


@settings(max_examples=500, deadline=None)
@given(st.lists(yaml_alphabet, max_size=30).map("".join))
def test_arbitrary_text_gets_the_same_value_or_the_same_error(text: str) -> None:
    assert outcome(read_yaml, text) == outcome(safe_load, text)


def test_bytes_are_decoded_as_safe_load_decodes_them() -> None:
    text = "name: Café\nwhen: 2025-01-01\n"
    for data in (text.encode("utf-8"), text.encode("utf-16")):
        assert read_yaml(data) == safe_load(data) == read_yaml(text)
