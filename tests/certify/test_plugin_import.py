"""The scenario plugin costs every pytest run of the environment nothing it does not use."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("harness.client", "harness.checks", "harness.certify", "reference_impl", "httpx")


def test_loading_the_plugin_imports_no_client_checks_or_reference():
    script = (
        "import sys, harness.scenarios.pytest_plugin\n"
        f"print(sorted(m for m in sys.modules if m.startswith({HEAVY!r})))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"
