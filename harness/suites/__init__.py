"""The suites of ``certify``, in the order they run.

A suite is a module with ``NAME``, ``DESCRIPTION`` and ``run(session)``;
it makes exchanges and hands them to ``Session.judge``. It also declares
what it produces, for the coverage of ``harness/checks/requirements.yaml``:
``CASE_CHECKS`` (the IDs it judges itself) and ``JUDGES_EXCHANGES`` (whether
the per-exchange checks run on its exchanges). Adding a suite is adding a
module here and a producer to that file.
"""

from __future__ import annotations

from types import ModuleType

from harness.suites import connectivity, fuzzing, reliability, scenarios, security

SUITES: dict[str, ModuleType] = {
    module.NAME: module for module in (connectivity, scenarios, security, fuzzing, reliability)
}
"""Every suite by name, in run order."""

__all__ = ["SUITES"]
