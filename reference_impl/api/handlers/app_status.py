"""App Status: whether the system and each served service are up, and their spec versions."""

from __future__ import annotations

from importlib import metadata

from reference_impl.api.call import Call, Handler
from reference_impl.engine.clock import format_utc
from reference_impl.engine.errors import DomainError

APPLICATION_NAME = "crr-harness reference CRR system"


def _version() -> str:
    try:
        return metadata.version("crr-harness")
    except metadata.PackageNotFoundError:
        return "0.0.0"


def _services(call: Call) -> list[dict]:
    return [
        {"serviceName": spec.service, "status": "UP", "specVersion": spec.version}
        for spec in call.served
    ]


def get_app_status(call: Call) -> dict:
    """The system is up when it answers; every served service with its spec version.

    ``timestamp`` is the market clock, the time every other answer of the
    system is stamped with, not the wall time.
    """
    return {
        "applicationName": APPLICATION_NAME,
        "systemVersion": _version(),
        "status": "UP",
        "timestamp": format_utc(call.engine.now()),
        "services": _services(call),
    }


def get_service_status(call: Call) -> dict:
    """One served service; a service this server does not implement is not found."""
    name = call.query["serviceName"]
    for service in _services(call):
        if service["serviceName"] == name:
            return service
    raise DomainError("SER0028", f"No service is called {name!r}.", "serviceName")


HANDLERS: dict[str, Handler] = {
    "getAppStatus": get_app_status,
    "getServiceStatus": get_service_status,
}
