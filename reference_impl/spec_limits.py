"""The engine's :class:`Limits`, read from the spec files the server implements.

Each limit comes from the served file of its service. A service the server
does not serve still has its operations in the engine (a data set or a
replayed journal may reach them), so its limits come from the shipped file
of that service: still a spec's word, never a number of our own.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

from crr_contract.limits import REQUEST_LIMITS, declared_limits
from crr_contract.operations import ServiceSpec, default_spec_files, load_specs
from reference_impl.engine.limits import Limits

__all__ = ["engine_limits", "shipped_limits"]


def engine_limits(specs: Sequence[ServiceSpec]) -> Limits:
    """The limits ``specs`` state, the shipped specs' for services they leave out.

    Raises ``crr_contract.limits.LimitError`` when a served file lacks one.
    """
    served = declared_limits(specs)
    missing = {limit.service for limit in REQUEST_LIMITS if limit.name not in served}
    if not missing:
        return Limits.from_mapping(served)
    shipped = [spec for spec in _shipped_specs() if spec.service in missing]
    return Limits.from_mapping(declared_limits(shipped) | served)


def shipped_limits() -> Limits:
    """The limits of the latest shipped spec of every service."""
    return engine_limits(_shipped_specs())


@functools.cache
def _shipped_specs() -> tuple[ServiceSpec, ...]:
    return load_specs(default_spec_files())
