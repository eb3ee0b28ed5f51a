"""A private reference implementation beside the target, to compare business outcomes with.

The scenarios suite and the pytest plugin both run every step on it too
(OUT-001), so it lives with the scenario runner rather than with either.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from pathlib import Path

from harness.client import TargetClient
from harness.scenarios.runner import Side

__all__ = ["reference_side"]


@contextlib.contextmanager
def reference_side() -> Iterator[Side]:
    """A private reference implementation to compare business outcomes with."""
    from harness.target.embedded import embedded_target

    with (
        tempfile.TemporaryDirectory(prefix="crr-reference-") as workdir,
        embedded_target(Path(workdir)) as config,
        TargetClient(config) as client,
    ):
        specs = config.load_specs()
        yield Side(client, config, {op.name: op for spec in specs for op in spec.operations()})
