"""The proof that every functional difference was classified.

After the rules have run, the functional views (``view.py``) of the two
sides are walked together. Each path where they differ must lie under the
path of some finding; any that does not is reported as
``unclassified.change`` (MAJOR by default), so a MINI or MINOR verdict is
never given for a change no rule understood.

The walk is memoised per pair of view nodes: views of a shared component are
built once, so a component reached by 2,000 operations is walked once, not
2,000 times. (DeepDiff gave the same paths but took half a minute on the
2,000-operation benchmark.)
"""

from __future__ import annotations

from typing import Any

from harness.diff.model import Finding

_MAX_REPORTED = 5
Path = tuple[str, ...]


class _Walker:
    def __init__(self) -> None:
        self._memo: dict[tuple[int, int], tuple[Any, Any, list[Path]]] = {}

    def differences(self, a: Any, b: Any) -> list[Path]:
        """Relative paths where ``a`` and ``b`` differ (a key only on one side, a differing value)."""
        if a is b:
            return []
        if not isinstance(a, dict | list) or not isinstance(b, dict | list):
            return [] if a == b and type(a) is type(b) else [()]
        key = (id(a), id(b))
        hit = self._memo.get(key)
        if hit is not None and hit[0] is a and hit[1] is b:
            return hit[2]
        found: list[Path] = []
        if isinstance(a, dict) and isinstance(b, dict):
            for name in a.keys() | b.keys():
                if name not in a or name not in b:
                    found.append((str(name),))
                else:
                    found += [(str(name), *rest) for rest in self.differences(a[name], b[name])]
        elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
            for index, (x, y) in enumerate(zip(a, b, strict=True)):
                found += [(str(index), *rest) for rest in self.differences(x, y)]
        elif a != b:
            found.append(())
        self._memo[key] = (a, b, found)
        return found


class Proof:
    """The proof for one diff; remembers the view pairs it has walked."""

    def __init__(self) -> None:
        self._walker = _Walker()

    def unexplained_paths(
        self, old_view: Any, new_view: Any, findings: list[Finding]
    ) -> list[Path]:
        """Paths where the views differ and no finding's path (or ``covers``) leads."""
        if old_view is new_view:
            return []
        explained = [f.path for f in findings] + [c for f in findings for c in f.covers]
        unexplained: list[Path] = []
        for path in self._walker.differences(old_view, new_view):
            if any(_related(path, known) for known in explained):
                continue
            if not any(_related(path, seen) for seen in unexplained):
                unexplained.append(path)
        return unexplained[:_MAX_REPORTED]

    def unclassified(self, old_view: Any, new_view: Any, findings: list[Finding]) -> list[Finding]:
        """``unclassified.change`` findings for the differences no rule explained."""
        return [
            Finding(
                "unclassified.change",
                path,
                f"structural difference at {'/'.join(path) or 'the root'} that no rule classifies",
            )
            for path in self.unexplained_paths(old_view, new_view, findings)
        ]


def _related(path: Path, known: Path) -> bool:
    size = min(len(path), len(known))
    return path[:size] == known[:size]
