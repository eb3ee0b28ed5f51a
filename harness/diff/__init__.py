"""OpenAPI-aware spec diff and the MAJOR.MINOR.MINI bump-rule check.

``diff_files(old, new)`` compares two OpenAPI service files, two JSON Schema
download types or two error catalogs, classifies every change by the rules of
``specs/policy/bump-policy.yaml`` and judges the version bump between them;
``history(dir)`` does it for every consecutive pair of versions.

Modules, in the order a diff runs through them: ``normalize`` (resolve
``$ref``, flatten ``allOf``), ``operations`` (canonical operations, matching
across versions incl. renames), ``operation_compare`` and ``schema_compare``
(directional rules, emitting findings named by rule id; ``pattern_proof``
proves easy pattern relaxations), ``view`` and ``proof`` (the functional
view, one spelling for OpenAPI 3.0 and 3.1, and the proof that no
difference went unclassified), ``openapi_diff`` / ``jsonschema_diff`` / ``catalog_diff`` (one
per kind of file), ``policy`` (rule id -> bump, with switches between readings),
``witness`` (a JSON instance for each breaking schema change), ``verdict``
(the bump rule), ``run`` (files, kinds, history), ``render`` (text, JSON,
Markdown), ``impact`` (what to re-certify).
"""

from __future__ import annotations

from harness.diff.model import Change, DiffResult, Verdict
from harness.diff.policy import BumpPolicy
from harness.diff.run import diff_files, diff_paths, history

__all__ = ["BumpPolicy", "Change", "DiffResult", "Verdict", "diff_files", "diff_paths", "history"]
