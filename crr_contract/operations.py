"""Service spec files and the operations they define, as both sides of a test read them.

A target implements one version of each service; the reference server
serves whatever files it is given and the harness checks a target against
the files it declares. Both are driven by the files, not by knowledge of
one version: each file becomes a :class:`ServiceSpec` (by default the
latest version of each CAISO service in ``specs/openapi/`` plus the
sim-control API in ``specs/simcontrol/``), each ``paths.<path>.<method>``
entry an :class:`Operation` with its roles, error codes and body limit.

Those come from our ``x-roles``, ``x-error-codes`` and ``x-max-body-bytes``
where a file states them, and otherwise from what CAISO's published files
say instead (``crr_contract.derivation``); ``Operation.provenance`` says
which, for each. Overlays (``crr_contract.overlay``) given to
:func:`load_specs` are applied as the files are read, in one place.
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

from crr_contract.derivation import ANNOTATIONS, DerivationRules, Derived, derive
from crr_contract.errors import SpecLoadError
from crr_contract.files import by_key, find_openapi, parse_openapi_name
from crr_contract.overlay import Overlay, apply_overlay, load_overlay
from crr_contract.shipped import SPECS_DIR
from crr_contract.yaml_reading import read_yaml

__all__ = [
    "DEFAULT_SPECS_DIR",
    "HTTP_METHODS",
    "Operation",
    "ServiceSpec",
    "SpecLoadError",
    "default_spec_files",
    "load_overlays",
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
    def provenance(self) -> Mapping[str, Derived]:
        """``roles``, ``error_codes`` and ``max_body_bytes``, each with where it was read from."""
        return self.spec.provenance(self.path, self.method, self.definition)

    @property
    def error_codes(self) -> frozenset[str]:
        """The catalog codes this operation may answer with in this spec version."""
        return frozenset(self.provenance["error_codes"].value)

    @property
    def roles(self) -> tuple[str, ...]:
        """The roles allowed to call it."""
        return tuple(self.provenance["roles"].value)

    @property
    def unsettled_roles(self) -> tuple[str, ...]:
        """Roles it admits whose access its spec does not settle (a bare ``read`` tag's NDA
        reports role): a judge demands neither that they are served nor refused."""
        return tuple(self.provenance["unsettled_roles"].value)

    @property
    def max_body_bytes(self) -> int:
        """The largest request body it must accept, in bytes."""
        return int(self.provenance["max_body_bytes"].value)

    @property
    def annotated(self) -> Mapping[str, Any]:
        """The operation object with its derived rules written in as our x- annotations, for
        code that reads an operation object (the reference's authorization)."""
        rules = self.provenance
        return {
            **self.definition,
            "x-roles": list(rules["roles"].value),
            "x-error-codes": sorted(rules["error_codes"].value),
            "x-max-body-bytes": rules["max_body_bytes"].value,
        }

    def source_of(self, annotation: str) -> Derived | None:
        """The provenance of the rule an annotation (``x-roles``) states, or None for another key."""
        for attribute, key in ANNOTATIONS.items():
            if key == annotation:
                return self.provenance[attribute]
        return None

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
    rules: DerivationRules = field(
        default_factory=DerivationRules.shipped, repr=False, compare=False
    )
    overlaid: Mapping[tuple[str, str, str], str] = field(
        default_factory=dict, repr=False, compare=False
    )
    """(path, METHOD, annotation) -> the overlay file that supplied that annotation."""
    overlays: tuple[str, ...] = ()
    """The overlay files applied to the file as read, in order."""
    _provenance: dict[tuple[str, str], Mapping[str, Derived]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    """Derived rules by (path, METHOD); a copy made with ``dataclasses.replace`` starts empty."""

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

    def provenance(
        self, path: str, method: str, definition: Mapping[str, Any] | None = None
    ) -> Mapping[str, Derived]:
        """The derived rules of the operation at ``path`` and ``method``: computed once for the
        file's own operation object, afresh for another ``definition`` put in its place."""
        key = (path, method.upper())
        own = (self.document.get("paths") or {})[path][method.lower()]
        if definition is not None and definition is not own:
            return self._derive(key, definition)
        if key not in self._provenance:
            self._provenance[key] = self._derive(key, own)
        return self._provenance[key]

    def _derive(self, key: tuple[str, str], definition: Mapping[str, Any]) -> dict[str, Derived]:
        return derive(
            file=self.file,
            document=self.document,
            path=key[0],
            method=key[1],
            definition=definition,
            rules=self.rules,
            overlaid={
                annotation: source
                for (p, m, annotation), source in self.overlaid.items()
                if (p, m) == key
            },
        )

    def rule_sources(self) -> dict[str, dict[str, int]]:
        """How many operations take each rule from each source: {"roles": {"tag": 9}, ...}."""
        counts: dict[str, dict[str, int]] = {name: {} for name in ANNOTATIONS}
        for operation in self.operations():
            for name in ANNOTATIONS:
                derived = operation.provenance[name]
                counts[name][derived.source] = counts[name].get(derived.source, 0) + 1
        return counts

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
    return read_yaml(text)


def parse_spec_name(path: Path) -> str:
    """The service key a spec file's name gives, or ``SpecLoadError``."""
    named = parse_openapi_name(Path(path))
    if named is None:
        raise SpecLoadError(
            f"{path}: not a spec file name (caiso_crr_<service>_v<x.y.z>_openapi.yaml)"
        )
    return named.key


def load_overlays(paths: Iterable[Path]) -> tuple[Overlay, ...]:
    """Read overlay files (``OverlayError``, a ``SpecError``, on the first unusable one)."""
    return tuple(load_overlay(Path(path)) for path in paths)


def load_specs(
    paths: Iterable[Path],
    *,
    overlays: Sequence[Overlay] = (),
    rules: DerivationRules | None = None,
) -> tuple[ServiceSpec, ...]:
    """Read spec files; each must be named ``caiso_crr_<service>_v<x.y.z>_openapi.yaml``
    (or ``crr_harness_<name>_...``), and no two may be versions of the same service.

    Each overlay whose ``extends`` names a file (or that names none) is applied
    to it as it is read; ``rules`` (default: the shipped catalog's) derive what
    a file does not annotate.
    """
    rules = rules or DerivationRules.shipped()
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
        applied = [o for o in overlays if o.applies_to(Path(path).name)]
        overlaid: dict[tuple[str, str, str], str] = {}
        for overlay in applied:
            before = _annotations(document)
            document = apply_overlay(document, overlay)
            for key, value in _annotations(document).items():
                if before.get(key) != value:
                    overlaid[key] = Path(overlay.source).name
        if applied:
            text = yaml.safe_dump(document, sort_keys=False, allow_unicode=True).encode("utf-8")
        specs.append(
            ServiceSpec(
                service,
                str(named.version),  # type: ignore[union-attr]
                Path(path),
                text,
                document,
                rules=rules,
                overlaid=overlaid,
                overlays=tuple(Path(o.source).name for o in applied),
            )
        )
    services = [spec.service for spec in specs]
    doubled = sorted({s for s in services if services.count(s) > 1})
    if doubled:
        raise SpecLoadError(
            f"more than one version of {', '.join(doubled)}: a server implements one per service"
        )
    return tuple(specs)


def _annotations(document: Mapping[str, Any]) -> dict[tuple[str, str, str], Any]:
    """(path, METHOD, annotation) -> value of every x- annotation an operation states."""
    found = {}
    for path, item in (document.get("paths") or {}).items():
        for method, definition in (item or {}).items():
            if method in HTTP_METHODS and isinstance(definition, Mapping):
                for key in ANNOTATIONS.values():
                    if key in definition:
                        found[(str(path), method.upper(), key)] = definition[key]
    return found


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
