"""``crr-harness lint``: consistency of a spec catalog (OpenAPI files, JSON Schemas, error catalog).

Each rule is a named function with a stable ID registered in ``rules.RULES``;
``run_lint`` feeds every file to the rules that apply to it and collects
``Finding``s. A rule never raises on a bad file: it reports what it found.
"""

from harness.lint.findings import Finding, LintReport
from harness.lint.runner import run_lint

__all__ = ["Finding", "LintReport", "run_lint"]
