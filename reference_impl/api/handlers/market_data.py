"""Market Data: download types and the public, private and restricted downloads.

A download is ``{downloadType, schemaName, schemaVersion, marketName,
participantName?, generatedAt, data}``; ``data`` follows the JSON Schema
``specs/schemas/<schemaName>_v<schemaVersion>.draft-07.schema.json``. The
schema version announced is the newest one in the served catalog's
``schemas/`` directory, which is the one the engine writes.
"""

from __future__ import annotations

import functools
from pathlib import Path

from crr_contract.files import by_key, find_schemas
from crr_contract.operations import ServiceSpec
from reference_impl.api.call import Call, Handler
from reference_impl.engine.system import CRRSystem

ACCESS_ENUMS = {
    "PUBLIC": "PublicDownloadType",
    "PRIVATE": "PrivateDownloadType",
    "RESTRICTED": "RestrictedDownloadType",
}
"""Access class -> the component schema of the served spec that enumerates its types."""

DESCRIPTIONS = {
    "CRRExistingCRRs": "CRRs already held that the market's network model carries as fixed injections",
    "CRRPublicAuctionResult": "public results of an auction (clearing prices per path and time of use, awarded MW)",
    "CRRPublicAllocationResult": "public results of an allocation market (MW nominated and allocated)",
    "CRRSourceandSinkNameMapping": "eligible sources and sinks of the market and their APnode mapping",
    "CRRPrivateAuction": "the participant's awarded auction bids and offers",
    "CRRPrivateAllocation": "the allocation result of each of the participant's nominations",
    "CRRTorConversionRequest": "the participant's TOR conversion requests and their outcome",
    "CRRLoadMigrationResult": "the participant's load migration results",
    "CRRHistoricalForecastLoad": "the participant's accepted historical and forecasted load",
    "CRRSecondaryMarketOffer": "the participant's secondary market offers",
    "CRRSecondaryMarketResponse": "the participant's secondary market responses",
    "CRRMEQResult": "the participant's monthly eligible quantities (MEQ nomination caps)",
    "CRRSEQResult": "the participant's seasonal eligible quantities (SEQ nomination caps)",
    "CRRUpperBoundResult": "the participant's upper bounds for the priority nomination process",
    "CRRResource": "resources of the network model (restricted, NDA)",
}


@functools.lru_cache(maxsize=8)
def _schema_versions(schemas_dir: Path) -> dict[str, str]:
    if not schemas_dir.is_dir():
        return {}
    return {
        name: str(files[-1].version) for name, files in by_key(find_schemas(schemas_dir)).items()
    }


def _types(spec: ServiceSpec) -> list[tuple[str, str]]:
    schemas = spec.document.get("components", {}).get("schemas", {})
    return [
        (str(name), access)
        for access, component in ACCESS_ENUMS.items()
        for name in schemas.get(component, {}).get("enum", ())
    ]


def _version(spec: ServiceSpec, download_type: str) -> str:
    # specs/openapi/<service>/<file>: the catalog's schemas/ is two levels up.
    versions = _schema_versions(spec.path.resolve().parents[2] / "schemas")
    return versions.get(download_type, "1.0.0")


def get_download_types(call: Call) -> list[dict]:
    """Every download type of the served spec with its access class and schema version."""
    spec = call.operation.spec
    return [
        {
            "downloadType": name,
            "schemaName": name,
            "schemaVersion": _version(spec, name),
            "access": access,
            "description": DESCRIPTIONS.get(name, name),
        }
        for name, access in _types(spec)
    ]


def _download(call: Call, participant_name: str | None) -> dict:
    download_type = call.query["downloadType"]
    market_name = call.query["marketName"]
    data = call.run(
        CRRSystem.download,
        download_type=download_type,
        market_name=market_name,
        participant_name=participant_name,
    )
    body = {
        "downloadType": download_type,
        "schemaName": download_type,
        "schemaVersion": _version(call.operation.spec, download_type),
        "marketName": market_name,
    }
    if participant_name is not None:
        body["participantName"] = participant_name
    body["generatedAt"] = data.get("GeneratedAt")
    body["data"] = data
    return body


def get_public_download(call: Call) -> dict:
    """A public download of a market."""
    return _download(call, None)


def get_private_download(call: Call) -> dict:
    """The participant's own download of a market."""
    return _download(call, call.query["participantName"])


def get_restricted_download(call: Call) -> dict:
    """A restricted (NDA) download of a market."""
    return _download(call, None)


HANDLERS: dict[str, Handler] = {
    "getDownloadTypes": get_download_types,
    "getPublicDownload": get_public_download,
    "getPrivateDownload": get_private_download,
    "getRestrictedDownload": get_restricted_download,
}
