"""OpenAPI-aware spec diff and the MAJOR.MINOR.MINI bump-rule check.

``diff_files(old, new)`` compares two OpenAPI service files, two JSON Schema
download types or two error catalogs, classifies every change by the rules of
``specs/policy/bump-policy.yaml`` and judges the version bump between them;
``history(dir)`` does it for every consecutive pair of versions.

Modules, in the order a diff runs through them: ``normalize`` (resolve
``$ref``, flatten ``allOf``), ``operations`` (canonical operations, matching
across versions incl. renames), ``operation_compare`` and ``schema_compare``
(directional rules, emitting findings named by rule id), ``view`` and
``proof`` (the functional view and the proof that no difference went
unclassified), ``openapi_diff`` / ``jsonschema_diff`` / ``catalog_diff`` (one
per kind of file), ``policy`` (rule id -> bump), ``verdict`` (the bump rule),
``run`` (files, kinds, history), ``render`` (text, JSON, Markdown).
"""

from __future__ import annotations

from harness.diff.model import Change, DiffResult, Verdict
from harness.diff.policy import BumpPolicy
from harness.diff.run import diff_files, diff_paths, history

__all__ = ["BumpPolicy", "Change", "DiffResult", "Verdict", "diff_files", "diff_paths", "history"]
