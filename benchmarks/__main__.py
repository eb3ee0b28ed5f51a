"""``python -m benchmarks`` lists the benchmarks; ``python -m benchmarks NAME [ARGS]`` runs one.

A benchmark is a module of this package with a ``main(argv)`` function; its
docstring's first paragraph says what it measures. Modules are read, not
imported, to list them: some need tools (npm peers, MATPOWER grids) that a
listing should not demand.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def benchmarks() -> dict[str, str]:
    """Every runnable benchmark by module name, with its docstring's first paragraph."""
    found: dict[str, str] = {}
    for path in sorted(HERE.glob("*.py")):
        if path.name.startswith("_"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if any(isinstance(node, ast.FunctionDef) and node.name == "main" for node in tree.body):
            summary = (ast.get_docstring(tree) or "").split("\n\n")[0]
            found[path.stem] = " ".join(summary.split())
    return found


def main(argv: list[str]) -> int:
    known = benchmarks()
    if not argv or argv[0] in ("-h", "--help", "list"):
        print("usage: python -m benchmarks NAME [ARGS]   (make bench ARGS='NAME ...')\n")
        width = max(map(len, known))
        for name, summary in known.items():
            print(f"  {name:<{width}}  {summary}")
        print("\nbenchmarks/README.md says what each measures and which peer it runs beside.")
        return 0
    name, rest = argv[0], argv[1:]
    if name not in known:
        print(f"benchmarks: no benchmark {name!r}; known: {', '.join(known)}", file=sys.stderr)
        return 2
    entry = importlib.import_module(f"benchmarks.{name}").main
    if inspect.signature(entry).parameters:
        return int(entry(rest) or 0)
    sys.argv = [f"benchmarks.{name}", *rest]
    return int(entry() or 0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
