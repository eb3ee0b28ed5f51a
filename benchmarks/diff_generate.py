"""Generate a large pair of OpenAPI 3.0 service files for the diff benchmark.

    python benchmarks/diff_generate.py [--operations 2000] [--out benchmarks/out/diff]

The old file has ``--operations`` operations (GET reads and POST writes under
one service prefix) over ``operations / 10`` component schemas that share
common types through ``$ref``. The new file changes it the way a real release
does: a property removed from a type shared by every record (reported at
every operation it reaches), an enum value added, a required request field,
a narrowed limit, operations added, removed and renamed, SEC0002 added to
a hundred operations, and a hundred edited descriptions. Same seed, same
files. Writes the Swagger 2.0 form of both too (for `oad compare`).
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from diff_swagger2 import convert_file

RW = "EXTERNAL CRR HOLDER READ/WRITE ACCESS"
R = "EXTERNAL CRR HOLDER READ ACCESS"
OUT = Path(__file__).resolve().parent / "out" / "diff"


def build(operations: int, seed: int = 7) -> dict:
    """The old spec: ``operations`` operations, shared components, refs everywhere."""
    rng = random.Random(seed)
    records = max(1, operations // 10)
    schemas: dict = {
        "Money": {
            "type": "object",
            "description": "an amount of money",
            "required": ["amount", "currency"],
            "properties": {
                "amount": {"type": "number", "description": "the amount"},
                "currency": {"type": "string", "enum": ["USD"], "description": "always USD"},
            },
        },
        "MarketName": {
            "type": "string",
            "description": "an auction or allocation market",
            "pattern": "^(AUC|ALLOC)_(MN|AN)_[0-9]{4}(_M[0-9]{2})?(_[A-Z0-9]+)?$",
        },
        "Status": {
            "type": "string",
            "description": "record status",
            "enum": ["CREATED", "SUBMITTED", "RETRACTED"],
        },
        "Segment": {
            "type": "object",
            "description": "one bid segment",
            "required": ["mw", "price"],
            "properties": {
                "mw": {"type": "number", "minimum": 0, "description": "megawatts"},
                "price": {"$ref": "#/components/schemas/Money"},
            },
        },
        "CRRServiceException": {
            "type": "object",
            "description": "error response",
            "required": ["errorDetails"],
            "properties": {
                "errorDetails": {
                    "type": "array",
                    "minItems": 1,
                    "description": "the errors",
                    "items": {
                        "type": "object",
                        "required": ["severity", "errorCode", "errorDescription"],
                        "properties": {
                            "severity": {"type": "string", "enum": ["ERROR", "WARNING", "INFO"]},
                            "errorCode": {"type": "string", "pattern": "^[A-Z]{3,4}[0-9]{4}$"},
                            "errorDescription": {"type": "string"},
                        },
                    },
                },
            },
        },
    }
    for k in range(records):
        props = {
            "recordId": {"type": "string", "maxLength": 40, "description": "the record id"},
            "marketName": {"$ref": "#/components/schemas/MarketName"},
            "status": {"$ref": "#/components/schemas/Status"},
            "credit": {"$ref": "#/components/schemas/Money"},
            "segments": {
                "type": "array",
                "maxItems": 20,
                "description": "at most 20 segments",
                "items": {"$ref": "#/components/schemas/Segment"},
            },
        }
        for f in range(rng.randint(4, 10)):
            kind = rng.choice(["string", "number", "integer", "boolean"])
            props[f"field{f}"] = {"type": kind, "description": f"field {f} of record {k}"}
        schemas[f"Record{k}"] = {
            "type": "object",
            "description": f"record type {k}",
            "required": ["recordId", "marketName", "status"],
            "properties": props,
        }
        submission = {key: copy.deepcopy(value) for key, value in props.items() if key != "status"}
        submission["participantName"] = {
            "type": "string",
            "maxLength": 50,
            "description": "the participant",
        }
        schemas[f"Record{k}Submission"] = {
            "type": "object",
            "additionalProperties": False,
            "description": f"submission of record type {k}",
            "required": ["participantName", "marketName"],
            "properties": submission,
        }
    errors = {
        name: {
            "description": text,
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/CRRServiceException"}}
            },
        }
        for name, text in (
            ("BadRequest", "invalid request"),
            ("Forbidden", "role not allowed"),
            ("InternalError", "server error"),
        )
    }
    paths: dict = {}
    for i in range(operations):
        k = i % records
        path = f"/bench/v1.0/record{i}"
        common = {
            "x-error-codes": ["SEC0001", "SER0001", "SER0002", "SER0029"],
            "responses": {
                "400": {"$ref": "#/components/responses/BadRequest"},
                "403": {"$ref": "#/components/responses/Forbidden"},
                "500": {"$ref": "#/components/responses/InternalError"},
            },
        }
        if i % 2 == 0:
            op = {
                "tags": ["read"],
                "operationId": f"getRecord{i}",
                "summary": f"gets records of kind {i}",
                "description": f"Returns the participant's records of kind {i}.",
                "x-roles": [RW, R],
                "parameters": [
                    {"$ref": "#/components/parameters/ParticipantName"},
                    {
                        "name": "marketName",
                        "in": "query",
                        "required": True,
                        "schema": {"$ref": "#/components/schemas/MarketName"},
                    },
                ],
                **common,
            }
            op["responses"] = {
                "200": {
                    "description": "the records",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "array",
                                "items": {"$ref": f"#/components/schemas/Record{k}"},
                            }
                        }
                    },
                },
                **common["responses"],
            }
            paths[path] = {"get": op}
        else:
            op = {
                "tags": ["write"],
                "operationId": f"submitRecord{i}",
                "summary": f"submits a record of kind {i}",
                "description": f"Submits one record of kind {i}.",
                "x-roles": [RW],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {"$ref": f"#/components/schemas/Record{k}Submission"}
                        }
                    },
                },
                **common,
            }
            op["responses"] = {
                "200": {
                    "description": "the stored record",
                    "content": {
                        "application/json": {"schema": {"$ref": f"#/components/schemas/Record{k}"}}
                    },
                },
                **common["responses"],
            }
            paths[path] = {"post": op}
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "CRR Benchmark API",
            "version": "1.0.0",
            "description": "A generated service for the diff benchmark.",
            "x-release-notes": [{"version": "1.0.0", "changes": ["Generated."]}],
        },
        "servers": [{"url": "https://localhost:8443"}],
        "tags": [
            {"name": "read", "description": "requires read only"},
            {"name": "write", "description": "requires read/write access"},
        ],
        "paths": paths,
        "components": {
            "parameters": {
                "ParticipantName": {
                    "name": "participantName",
                    "in": "query",
                    "required": True,
                    "description": "the participant",
                    "schema": {"type": "string", "maxLength": 50},
                }
            },
            "responses": errors,
            "schemas": schemas,
        },
    }


def evolve(old: dict, seed: int = 11) -> dict:
    """The new spec: the old one after a realistic release's edits."""
    rng = random.Random(seed)
    new = copy.deepcopy(old)
    schemas = new["components"]["schemas"]
    paths = new["paths"]
    names = list(paths)
    new["info"]["version"] = "1.1.0"
    new["info"]["x-release-notes"].append({"version": "1.1.0", "changes": ["Generated release."]})
    del schemas["Money"]["properties"]["currency"]  # reaches every operation
    schemas["Money"]["required"].remove("currency")
    schemas["Status"]["enum"].append("CANCELLED")
    schemas["Record0Submission"]["properties"]["comment"] = {
        "type": "string",
        "description": "required note",
    }
    schemas["Record0Submission"]["required"].append("comment")
    schemas["Record1Submission"]["properties"]["recordId"]["maxLength"] = 20
    for name in rng.sample(names, min(100, len(names) // 4)):
        for op in paths[name].values():
            op["description"] += " Edited."
    for name in rng.sample(names, min(100, len(names) // 4)):
        for op in paths[name].values():
            op["x-error-codes"].append("SEC0002")
    removed = rng.sample(names, min(10, len(names) // 8))
    for name in removed:
        del paths[name]
    for name in rng.sample([n for n in names if n not in removed], min(10, len(names) // 8)):
        paths[name.replace("/record", "/renamedRecord")] = paths.pop(name)
    for j in range(10):
        source = paths[next(iter(paths))]
        added = copy.deepcopy(source)
        for op in added.values():
            op["operationId"] = f"addedOperation{j}"
        paths[f"/bench/v1.0/added{j}"] = added
    return new


def _yaml(doc: dict) -> str:
    """YAML without anchors (a JSON round trip unshares every node), fast when libyaml is there."""
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return yaml.dump(json.loads(json.dumps(doc)), Dumper=dumper, sort_keys=False)


def generate(operations: int, out: Path) -> tuple[Path, Path]:
    """Write the old and new files (and their Swagger 2.0 forms); return the OpenAPI pair."""
    out.mkdir(parents=True, exist_ok=True)
    old = build(operations)
    new = evolve(old)
    old_path = out / "caiso_crr_bench_v1.0.0_openapi.yaml"
    new_path = out / "caiso_crr_bench_v1.1.0_openapi.yaml"
    old_path.write_text(_yaml(old), encoding="utf-8")
    new_path.write_text(_yaml(new), encoding="utf-8")
    convert_file(old_path, out / "bench_v1.0.0.swagger.json")
    convert_file(new_path, out / "bench_v1.1.0.swagger.json")
    return old_path, new_path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--operations", type=int, default=2000)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    old, new = generate(args.operations, args.out)
    print(f"{old}\n{new}")


if __name__ == "__main__":
    main()
