"""The dependency direction of ARCHITECTURE.md, read from the code's own imports.

``crr_contract`` sits under both sides and imports neither; ``reference_impl``
never imports ``harness``; ``harness`` imports ``reference_impl`` only to
start it (the embedded target and ``serve``); the engine imports no HTTP and
no storage.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def imports(package: str) -> dict[str, set[str]]:
    """Every module of ``package`` with the top-level names of what it imports."""
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module)
        found[str(path.relative_to(ROOT))] = names
    return found


def importing(package: str, prefix: str) -> list[str]:
    return sorted(
        module
        for module, names in imports(package).items()
        if any(name == prefix or name.startswith(prefix + ".") for name in names)
    )


@pytest.mark.parametrize("other", ["harness", "reference_impl"])
def test_the_contract_imports_neither_side(other: str) -> None:
    assert importing("crr_contract", other) == []


def test_the_reference_never_imports_the_harness() -> None:
    assert importing("reference_impl", "harness") == []


def test_the_harness_imports_the_reference_only_to_start_it() -> None:
    assert importing("harness", "reference_impl") == [
        "harness/commands/serve.py",
        "harness/target/embedded.py",
    ]


@pytest.mark.parametrize(
    "banned", ["reference_impl.api", "reference_impl.store", "starlette", "sqlite3", "httpx"]
)
def test_the_engine_imports_no_http_and_no_storage(banned: str) -> None:
    assert [m for m in importing("reference_impl", banned) if "/engine/" in m] == []


def _package_of(module: str) -> str:
    """``harness.suites.security.mtls`` -> ``harness.suites``: the harness package a module is in."""
    return ".".join(module.split(".")[:2])


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one package (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in sorted(graph.get(node, ())):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycle_between_harness_packages() -> None:
    """A cycle (certify -> suites -> certify) means two packages are one concept in two
    homes; function-level imports count too, since they are the same dependency."""
    graph: dict[str, set[str]] = {}
    for path, names in imports("harness").items():
        module = path.removesuffix(".py").replace("/", ".").removesuffix(".__init__")
        source = _package_of(module)
        for name in names:
            if name.startswith("harness.") and _package_of(name) != source:
                graph.setdefault(source, set()).add(_package_of(name))
    assert _cycles(graph) == []
    assert _cycles({"harness.a": {"harness.b"}, "harness.b": {"harness.a"}}) == [
        ["harness.a", "harness.b"]
    ]
