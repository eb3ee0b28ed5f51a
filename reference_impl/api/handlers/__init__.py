"""The handler registry: for each service, its operations' handlers by ``operationId``.

One module per service key (the ``<service>`` of the spec file names), each
with a ``HANDLERS`` dict of small functions. The server binds every
operation of the served specs to ``REGISTRY[service][operationId]`` and
refuses to start when one is missing (see ``routing``).
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping

from reference_impl.api.call import Handler

__all__ = ["REGISTRY", "SERVICES"]

SERVICES: tuple[str, ...] = (
    "app_status",
    "market_info",
    "messages",
    "market_data",
    "historical_forecasted_load",
    "auction",
    "nomination",
    "load_migration",
    "secondary_market",
    "tor_conversion",
    "simcontrol",
)
"""The services this package has handlers for: the ten CAISO services and sim control."""

REGISTRY: Mapping[str, Mapping[str, Handler]] = {
    service: importlib.import_module(f"{__name__}.{service}").HANDLERS for service in SERVICES
}
"""service key -> operationId -> handler."""
