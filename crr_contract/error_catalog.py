"""The error-code catalog (specs/errors/catalog.yaml) as the harness reads it.

A code's validity depends on the service and that service's spec version:
ATH0002 is fine in auction 1.0.0 and retired from 1.1.0. ``availability``
answers that question once, for lint, the checks and the diff.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from crr_contract.errors import SpecError
from crr_contract.files import load_document
from crr_contract.version import SpecVersion

ALL_SERVICES = "*"


@dataclass(frozen=True)
class ErrorCode:
    code: str
    family: str
    http_status: int
    severity: str
    meaning: str
    services: tuple[str, ...]
    introduced_in: dict[str, SpecVersion] = field(default_factory=dict)
    retired_in: dict[str, SpecVersion] = field(default_factory=dict)
    replaced_by: str | None = None
    source: str = "INFERENCE"

    def _version_for(self, table: dict[str, SpecVersion], service: str) -> SpecVersion | None:
        return table.get(service, table.get(ALL_SERVICES))

    def availability(self, service: str, version: SpecVersion) -> str | None:
        """None when the code may appear in ``service`` at ``version``; otherwise why not."""
        if service not in self.services:
            return f"{self.code} is not a {service} code (catalog services: {', '.join(self.services)})"
        introduced = self._version_for(self.introduced_in, service)
        if introduced is not None and version < introduced:
            return f"{self.code} is introduced in {service} {introduced}, after {version}"
        retired = self._version_for(self.retired_in, service)
        if retired is not None and version >= retired:
            hint = f", replaced by {self.replaced_by}" if self.replaced_by else ""
            return f"{self.code} is retired in {service} since {retired}{hint}"
        return None


@dataclass(frozen=True)
class ErrorCatalog:
    codes: dict[str, ErrorCode]
    path: Path | None = None

    @classmethod
    def load(cls, path: Path) -> ErrorCatalog:
        data = load_document(path)
        if not isinstance(data, dict) or not isinstance(data.get("codes"), dict):
            raise SpecError(f"{path}: an error catalog needs a 'codes' mapping")
        codes = {}
        for code, entry in data["codes"].items():
            try:
                codes[code] = ErrorCode(
                    code=code,
                    family=entry["family"],
                    http_status=int(entry["http_status"]),
                    severity=entry["severity"],
                    meaning=entry["meaning"],
                    services=tuple(entry["services"]),
                    introduced_in=_versions(entry.get("introduced_in")),
                    retired_in=_versions(entry.get("retired_in")),
                    replaced_by=entry.get("replaced_by"),
                    source=entry.get("source", "INFERENCE"),
                )
            except (KeyError, TypeError, ValueError) as exc:
                raise SpecError(f"{path}: code {code}: missing or bad field {exc}") from None
        return cls(codes=codes, path=Path(path))

    def __contains__(self, code: str) -> bool:
        return code in self.codes

    def get(self, code: str) -> ErrorCode | None:
        return self.codes.get(code)

    def availability(self, code: str, service: str, version: SpecVersion) -> str | None:
        """None when ``code`` may be used by ``service`` at ``version``; otherwise why not."""
        entry = self.codes.get(code)
        if entry is None:
            return f"{code} is not in the error catalog"
        return entry.availability(service, version)


def _versions(table: object) -> dict[str, SpecVersion]:
    if table is None:
        return {}
    if not isinstance(table, dict):
        raise TypeError("expected a mapping of service to version")
    return {str(service): SpecVersion.parse(str(v)) for service, v in table.items()}
