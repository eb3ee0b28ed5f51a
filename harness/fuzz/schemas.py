"""The declared spec files as schemathesis schemas, one per file, operation by operation.

Each ``ServiceSpec`` the target declares is loaded with
``schemathesis.openapi.from_dict`` and a fixed default configuration (no
``schemathesis.toml`` is discovered, so a run depends only on the spec and
the seed). ``FuzzOperation`` pairs the harness's ``Operation`` (roles,
error codes, clauses) with schemathesis' (strategies) and the check
context schemathesis' own checks need.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import schemathesis
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import CheckContext as StCheckContext
from schemathesis.schemas import APIOperation

from crr_contract.operations import Operation, ServiceSpec

__all__ = ["FuzzOperation", "load_operations"]


@dataclass(slots=True)
class FuzzOperation:
    """One declared operation, as the harness and as schemathesis see it."""

    operation: Operation
    api: APIOperation = field(repr=False)
    checks: StCheckContext = field(repr=False)
    _strategies: dict[GenerationMode, Any] = field(default_factory=dict, repr=False)

    @property
    def name(self) -> str:
        return self.operation.name

    def strategy(self, mode: GenerationMode) -> st.SearchStrategy:
        """schemathesis' strategy of cases for ``mode`` (built once)."""
        found = self._strategies.get(mode)
        if found is None:
            found = self._strategies[mode] = self.api.as_strategy(generation_mode=mode)
        return found


def load_operations(specs: Sequence[ServiceSpec]) -> dict[str, FuzzOperation]:
    """Every operation of ``specs`` by ``Operation.name``, in file order."""
    found: dict[str, FuzzOperation] = {}
    for spec in specs:
        schema = schemathesis.openapi.from_dict(
            copy.deepcopy(dict(spec.document)), config=schemathesis.Config()
        )
        for operation in spec.operations():
            api = schema[operation.path][operation.method]
            config = schema.config.checks_config_for(operation=api, phase="fuzzing")
            context = StCheckContext(
                override=None,
                auth=None,
                headers=None,
                config=config,
                transport_kwargs=None,
                response_checks=None,
            )
            found[operation.name] = FuzzOperation(operation, api, context)
    return found
