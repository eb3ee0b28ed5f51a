"""The harness's exception tree.

Every error a user can cause with a bad argument or a bad file is an
``InputError`` or, for a spec file, catalog or version, the spec contract's
``SpecError``: the CLI prints its message on one line and exits 2. Anything
else escaping a command is a defect in the harness.
"""

from __future__ import annotations

from crr_contract.errors import SpecError

__all__ = ["USER_INPUT_ERRORS", "HarnessError", "InputError", "SpecError"]


class HarnessError(Exception):
    """Root of every exception the harness raises on purpose."""


class InputError(HarnessError):
    """Bad input from the user (argument, file, config); exit code 2."""


USER_INPUT_ERRORS: tuple[type[Exception], ...] = (InputError, SpecError)
"""Every error a user's input can cause, the harness's own and the spec contract's: exit 2."""
