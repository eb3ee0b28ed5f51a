"""Service spec files and the operations they define, as both sides of a test read them.

A target implements one version of each service; the reference server
serves whatever files it is given and the harness checks a target against
the files it declares. Both are driven by the files, not by knowledge of
one version: each file becomes a :class:`ServiceSpec` (by default the
latest version of each CAISO service in ``specs/openapi/`` plus the
sim-control API in ``specs/simcontrol/``), each ``paths.<path>.<method>``
entry an :class:`Operation` with its ``x-roles`` and ``x-error-codes``.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from openapi_core import OpenAPI

from crr_contract.errors import SpecLoadError
from crr_contract.files import by_key, find_openapi, parse_openapi_name
from crr_contract.shipped import SPECS_DIR

__all__ = [
    "DEFAULT_SPECS_DIR",
    "HTTP_METHODS",
    "Operation",
    "ServiceSpec",
    "SpecLoadError",
    "default_spec_files",
    "load_specs",
    "operations_of",
    "parse_spec_name",
]

DEFAULT_SPECS_DIR = SPECS_DIR
"""The shipped spec catalog, used where the user names no folder of their own."""

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


@dataclass(frozen=True, slots=True)
class Operation:
    """One operation of a served spec: where it is, who may call it, which codes it may answer."""

    service: str
    version: str
    method: str
    path: str
    operation_id: str
    definition: Mapping[str, Any] = field(repr=False)
    spec: ServiceSpec = field(repr=False, compare=False)

    @property
    def name(self) -> str:
        """``service.operationId``: operation IDs repeat across services (auction, nomination)."""
        return f"{self.service}.{self.operation_id}"

    @property
    def error_codes(self) -> frozenset[str]:
        """The catalog codes this operation may answer with in this spec version."""
        return frozenset(str(code) for code in self.definition.get("x-error-codes") or ())

    @property
    def roles(self) -> tuple[str, ...]:
        """The roles allowed to call it."""
        return tuple(str(role) for role in self.definition.get("x-roles") or ())

    @property
    def takes_body(self) -> bool:
        """Whether the operation defines a request body."""
        return "requestBody" in self.definition


@dataclass(frozen=True, slots=True)
class ServiceSpec:
    """One OpenAPI file: a version of one service."""

    service: str
    version: str
    path: Path
    text: bytes = field(repr=False)
    document: Mapping[str, Any] = field(repr=False)

    @property
    def file(self) -> str:
        """The file name, which is also its name under ``GET /specs/``."""
        return self.path.name

    @property
    def sha256(self) -> str:
        """SHA-256 of the file's bytes, as reports identify spec files."""
        return hashlib.sha256(self.text).hexdigest()

    @property
    def base_url(self) -> str:
        """The first server URL of the spec; request validation matches paths below it."""
        servers = self.document.get("servers") or [{}]
        return str(servers[0].get("url") or "/").rstrip("/") or "/"

    @property
    def openapi(self) -> OpenAPI:
        """The openapi-core object that validates requests against this file."""
        return _openapi(self.sha256, self.text)

    def operations(self) -> list[Operation]:
        """Every operation the file defines, in file order."""
        found = []
        for path, item in (self.document.get("paths") or {}).items():
            for method, definition in (item or {}).items():
                if method not in HTTP_METHODS or not isinstance(definition, Mapping):
                    continue
                operation_id = definition.get("operationId")
                if not operation_id:
                    raise SpecLoadError(f"{self.file}: {method.upper()} {path} has no operationId")
                found.append(
                    Operation(
                        self.service,
                        self.version,
                        method.upper(),
                        str(path),
                        str(operation_id),
                        definition,
                        self,
                    )
                )
        return found


@functools.lru_cache(maxsize=64)
def _openapi(_digest: str, text: bytes) -> OpenAPI:
    # Checking a file against the OpenAPI schema takes a tenth of a second;
    # servers and tests in one process that load the same file share the result.
    return OpenAPI.from_dict(_parse(text))


def _parse(text: bytes) -> Any:
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def parse_spec_name(path: Path) -> str:
    """The service key a spec file's name gives, or ``SpecLoadError``."""
    named = parse_openapi_name(Path(path))
    if named is None:
        raise SpecLoadError(
            f"{path}: not a spec file name (caiso_crr_<service>_v<x.y.z>_openapi.yaml)"
        )
    return named.key


def load_specs(paths: Iterable[Path]) -> tuple[ServiceSpec, ...]:
    """Read spec files; each must be named ``caiso_crr_<service>_v<x.y.z>_openapi.yaml``
    (or ``crr_harness_<name>_...``), and no two may be versions of the same service."""
    specs: list[ServiceSpec] = []
    for path in paths:
        service = parse_spec_name(path)
        named = parse_openapi_name(Path(path))
        try:
            text = Path(path).read_bytes()
            document = _parse(text)
        except (OSError, yaml.YAMLError) as exc:
            raise SpecLoadError(f"{path}: cannot read: {exc}") from None
        if not isinstance(document, Mapping) or "paths" not in document:
            raise SpecLoadError(f"{path}: not an OpenAPI document")
        specs.append(ServiceSpec(service, str(named.version), Path(path), text, document))  # type: ignore[union-attr]
    services = [spec.service for spec in specs]
    doubled = sorted({s for s in services if services.count(s) > 1})
    if doubled:
        raise SpecLoadError(
            f"more than one version of {', '.join(doubled)}: a server implements one per service"
        )
    return tuple(specs)


def default_spec_files(root: Path = DEFAULT_SPECS_DIR) -> list[Path]:
    """The latest version of every service under ``root/openapi`` and of the sim-control API."""
    files: list[Path] = []
    for sub in ("openapi", "simcontrol"):
        directory = Path(root) / sub
        if not directory.is_dir():
            raise SpecLoadError(f"{directory}: no such directory")
        files += [versions[-1].path for versions in by_key(find_openapi(directory)).values()]
    return files


def operations_of(specs: Sequence[ServiceSpec]) -> list[Operation]:
    """Every operation of every spec."""
    return [operation for spec in specs for operation in spec.operations()]
