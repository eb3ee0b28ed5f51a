"""Convert the OpenAPI 3.0 subset our specs use to Swagger 2.0, for `oad compare`.

@azure/oad reads Swagger 2.0 only (it hands files to AutoRest with --v2 and
refuses `openapi: 3.x`). This converter covers what the corpus and the
benchmark specs use: parameters, JSON request bodies (-> an `in: body`
parameter), responses with one JSON schema, components (-> definitions,
parameters, responses), apiKey/http security. What Swagger 2.0 cannot say
is approximated and listed in `LOSSES`: nullable -> x-nullable, oneOf/anyOf
-> x-oneOf/x-anyOf (not compared by oad), several media types -> one schema.

    python benchmarks/diff_swagger2.py IN.yaml OUT.json
"""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path
from typing import Any

import yaml

LOSSES = (
    "nullable becomes x-nullable",
    "oneOf/anyOf become x-oneOf/x-anyOf, which oad does not compare",
    "only the first media type's schema of a body or response is kept",
    "request examples are dropped",
)
_REFS = {
    "#/components/schemas/": "#/definitions/",
    "#/components/parameters/": "#/parameters/",
    "#/components/responses/": "#/responses/",
}
_PARAM_KEYS = (
    "type",
    "format",
    "enum",
    "default",
    "maximum",
    "minimum",
    "exclusiveMaximum",
    "exclusiveMinimum",
    "maxLength",
    "minLength",
    "pattern",
    "maxItems",
    "minItems",
    "uniqueItems",
    "multipleOf",
    "items",
)


def convert(doc: dict) -> dict:
    """A Swagger 2.0 document saying (nearly) what ``doc`` says."""
    components = doc.get("components") or {}
    out: dict[str, Any] = {
        "swagger": "2.0",
        "info": copy.deepcopy(doc.get("info") or {}),
        "host": "localhost:8443",
        "schemes": ["https"],
        "consumes": ["application/json"],
        "produces": ["application/json"],
    }
    if doc.get("tags"):
        out["tags"] = copy.deepcopy(doc["tags"])
    schemas = components.get("schemas") or {}
    out["definitions"] = {name: _schema(s) for name, s in schemas.items()}
    out["parameters"] = {
        name: _parameter(p, schemas) for name, p in (components.get("parameters") or {}).items()
    }
    out["responses"] = {
        name: _response(r) for name, r in (components.get("responses") or {}).items()
    }
    schemes = components.get("securitySchemes") or {}
    if schemes:
        out["securityDefinitions"] = {name: _security(s) for name, s in schemes.items()}
    if "security" in doc:
        out["security"] = copy.deepcopy(doc["security"])
    out["paths"] = {}
    for path, item in (doc.get("paths") or {}).items():
        new_item: dict[str, Any] = {}
        for key, op in item.items():
            if key == "parameters":
                new_item[key] = [_parameter(p, schemas) for p in op]
            elif isinstance(op, dict):
                new_item[key] = _operation(op, schemas)
        out["paths"][path] = new_item
    return _rewrite_refs(out)


def _operation(op: dict, schemas: dict) -> dict:
    out = {
        k: copy.deepcopy(v)
        for k, v in op.items()
        if k not in ("parameters", "requestBody", "responses")
    }
    params = [_parameter(p, schemas) for p in op.get("parameters") or []]
    body = op.get("requestBody")
    if isinstance(body, dict):
        content = body.get("content") or {}
        media = next(iter(content.values()), {}) if content else {}
        params.append(
            {
                "name": "body",
                "in": "body",
                "required": bool(body.get("required")),
                "schema": _schema(media.get("schema") or {}),
            }
        )
        out["consumes"] = list(content) or ["application/json"]
    if params:
        out["parameters"] = params
    out["responses"] = {str(s): _response(r) for s, r in (op.get("responses") or {}).items()}
    produces = sorted(
        {
            m
            for r in (op.get("responses") or {}).values()
            if isinstance(r, dict)
            for m in r.get("content") or {}
        }
    )
    if produces:
        out["produces"] = produces
    return out


def _parameter(param: dict, schemas: dict) -> dict:
    if "$ref" in param:
        return dict(param)
    out = {
        k: copy.deepcopy(v)
        for k, v in param.items()
        if k not in ("schema", "example", "examples", "style", "explode")
    }
    schema = param.get("schema") or {}
    if "$ref" in schema:  # Swagger 2.0 non-body parameters cannot refer to a schema
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = schemas.get(name, {})
    for key in _PARAM_KEYS:
        if key in schema:
            out[key] = copy.deepcopy(schema[key])
    out.setdefault("type", "string")
    if param.get("style") == "pipeDelimited":
        out["collectionFormat"] = "pipes"
    return out


def _response(resp: dict) -> dict:
    if "$ref" in resp:
        return dict(resp)
    out: dict[str, Any] = {"description": resp.get("description", "")}
    content = resp.get("content") or {}
    if content:
        media = next(iter(content.values()))
        if isinstance(media, dict) and "schema" in media:
            out["schema"] = _schema(media["schema"])
        if isinstance(media, dict) and "example" in media:
            out["examples"] = {next(iter(content)): copy.deepcopy(media["example"])}
    if resp.get("headers"):
        out["headers"] = {
            name: {
                "type": (h.get("schema") or {}).get("type", "string"),
                "description": h.get("description", ""),
            }
            for name, h in resp["headers"].items()
        }
    return out


def _schema(node: Any) -> Any:
    if isinstance(node, list):
        return [_schema(v) for v in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key == "nullable":
            out["x-nullable"] = value
        elif key in ("oneOf", "anyOf"):
            out[f"x-{key}"] = _schema(value)
        elif key in ("examples",) and isinstance(value, list):
            out["example"] = value[0] if value else None
        elif key == "properties" and isinstance(value, dict):
            out[key] = {name: _schema(v) for name, v in value.items()}
        else:
            out[key] = _schema(value)
    return out


def _security(scheme: dict) -> dict:
    if scheme.get("type") == "apiKey":
        return {k: scheme[k] for k in ("type", "in", "name") if k in scheme}
    return {"type": "apiKey", "in": "header", "name": "Authorization"}


def _rewrite_refs(node: Any) -> Any:
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                for old, new in _REFS.items():
                    value = value.replace(old, new)
            out[key] = _rewrite_refs(value)
        return out
    if isinstance(node, list):
        return [_rewrite_refs(v) for v in node]
    return node


def convert_file(source: Path, target: Path) -> Path:
    """Write the Swagger 2.0 form of the OpenAPI file ``source`` to ``target``."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    doc = yaml.load(Path(source).read_text(encoding="utf-8"), Loader=loader)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(convert(doc), indent=1), encoding="utf-8")
    return target


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    convert_file(Path(sys.argv[1]), Path(sys.argv[2]))
