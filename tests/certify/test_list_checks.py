"""``certify --list-checks`` lists every check from the registry alone, importing no suite.

Run in a fresh interpreter: in this one, other tests have long imported the
suites, so ``sys.modules`` here would prove nothing.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys

from harness.checks.requirements import load_requirements

SUITE_PACKAGES = (
    "harness.suites",
    "harness.scenarios",
    "harness.fuzz",
    "harness.connect",
)

SCRIPT = """
import contextlib, io, json, sys
from harness.cli import main
out = io.StringIO()
with contextlib.redirect_stdout(out):
    code = main(["certify", "--list-checks"])
print(json.dumps({"code": code, "out": out.getvalue(), "modules": sorted(sys.modules)}))
"""


def _list_checks() -> dict:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True, timeout=120
    )
    return json.loads(done.stdout)


def test_list_checks_prints_every_id_of_the_file_and_imports_no_suite() -> None:
    result = _list_checks()
    assert result["code"] == 0
    imported = [
        module
        for module in result["modules"]
        if any(module == p or module.startswith(p + ".") for p in SUITE_PACKAGES)
    ]
    assert imported == []
    printed = re.findall(r"^([A-Z]+-\d{3}) +(.+)$", result["out"], flags=re.MULTILINE)
    expected = load_requirements().checks
    assert [check_id for check_id, _title in printed] == sorted(c.id for c in expected)
    assert dict(printed) == {c.id: c.title for c in expected}
    for entry in expected:
        assert f"\n         {entry.requirement}\n" in result["out"], entry.id
