"""Which catalog code a request failure earns, and the words that describe it.

Both ways the reference validates a request (the schemas compiled per
operation in ``compiled_requests``, and openapi-core for what those do not
cover) report JSON Schema failures of the served spec; this module turns
each into a :class:`~reference_impl.api.errors.Problem` with the code the
failure means, chosen among the codes the operation lists for its version
(see ``validation``'s docstring for the rules).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from jsonschema.exceptions import ValidationError as SchemaError

from crr_contract.limits import array_path, limit_code
from crr_contract.operations import Operation
from reference_impl.api.errors import Problem

__all__ = ["body_problem", "choose", "field_path", "parameter_problems"]

_ALTERNATIVES: Mapping[str, tuple[str, ...]] = {
    "GEN0003": ("GEN0003", "SER0018", "SER0002"),
    "SER0030": ("SER0030", "SER0002"),
    "POR0003": ("POR0003", "SER0002"),
    "POR0007": ("POR0007", "SER0002"),
    "MDT0001": ("MDT0001", "SER0002"),
    "SER0001": ("SER0001", "SER0002"),
    "SER0002": ("SER0002",),
}
_MISSING = frozenset({"required", "minItems", "minProperties"})


def choose(codes: Collection[str], preferred: str) -> str:
    """The first of ``preferred``'s alternatives the operation lists (``preferred`` if none)."""
    for code in _ALTERNATIVES.get(preferred, (preferred,)):
        if code in codes:
            return code
    return preferred


def parameter_problems(
    operation: Operation, codes: Collection[str], name: str, schema_errors: Sequence[SchemaError]
) -> list[Problem]:
    """The problems of a query parameter that is present but invalid (SER0002, or MDT0001)."""
    if not schema_errors:
        return [Problem(choose(codes, "SER0002"), f"Query parameter {name} is invalid.")]
    return [
        Problem(
            choose(codes, _parameter_code(operation, name, e)),
            f"Query parameter {name}: {e.message}.",
        )
        for e in schema_errors
    ]


def _parameter_code(operation: Operation, name: str, error: SchemaError) -> str:
    """SER0002, or MDT0001 for a ``downloadType`` that is no download type at all.

    market_data's descriptions give an unknown download type its own code; a
    known type of another access class (a private type asked for as public)
    stays SER0002.
    """
    if name == "downloadType" and str(error.validator) == "enum":
        schemas = (operation.spec.document.get("components") or {}).get("schemas") or {}
        known = {
            value
            for schema_name, schema in schemas.items()
            if str(schema_name).endswith("DownloadType") and isinstance(schema, Mapping)
            for value in schema.get("enum") or ()
        }
        if error.instance not in known:
            return "MDT0001"
    return "SER0002"


def body_problem(operation: Operation, codes: Collection[str], error: SchemaError) -> Problem:
    """The problem one schema failure of the request body is."""
    where = field_path(error.absolute_path)
    keyword = str(error.validator)
    if keyword == "maxItems" and isinstance(error.validator_value, int):
        limit = error.validator_value
        count = len(error.instance) if isinstance(error.instance, list) else "too many"
        array = array_path(error.absolute_path)
        declared = limit_code(operation.service, operation.operation_id, array)
        code = choose(codes, declared or "SER0002")
        return Problem(code, f"{where or 'body'} holds {count} items; at most {limit} are allowed.")
    if keyword == "additionalProperties" or (keyword == "type" and not where):
        return Problem(choose(codes, "GEN0003"), f"{where or 'body'}: {error.message}.")
    choice = error if keyword == "anyOf" else error.parent
    if choice is not None and str(choice.validator) == "anyOf":
        missed = choice.context or ()
        if missed and all(str(sub.validator) in _MISSING for sub in missed):
            # NewPortfolio's bids or offers: a field missing from every branch is SER0001
            wanted = " or ".join(
                sorted(
                    f"{field_path(sub.absolute_path) or 'body'}: {sub.message}" for sub in missed
                )
            )
            where = field_path(choice.absolute_path)
            return Problem(choose(codes, "SER0001"), f"{where or 'body'} needs {wanted}.")
    code = "SER0001" if keyword in _MISSING else "SER0002"
    if keyword in ("minimum", "exclusiveMinimum") and list(error.absolute_path)[-1:] == ["mw"]:
        code = "POR0007"  # the portfolio schemas: MW "greater than zero (POR0007)"
    return Problem(choose(codes, code), f"{where or 'body'}: {error.message}.")


def field_path(parts: Sequence[Any]) -> str:
    """``bids[0].segments`` for the path ``["bids", 0, "segments"]``."""
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text
