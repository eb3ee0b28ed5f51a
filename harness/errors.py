"""The harness's exception tree.

Every error a user can cause with a bad argument or a bad file is an
``InputError``: the CLI prints its message on one line and exits 2. Anything
else escaping a command is a defect in the harness.
"""


class HarnessError(Exception):
    """Root of every exception the harness raises on purpose."""


class InputError(HarnessError):
    """Bad input from the user (argument, file, config); exit code 2."""
