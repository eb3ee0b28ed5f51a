"""The contract's one error family.

A spec file, the error catalog or a version string that cannot be read or
used is the user's input, not a defect: the harness's command line prints
the message on one line and exits 2, and the reference server refuses to
start with it. The family sits here, under both, because both read these
files.
"""

from __future__ import annotations

__all__ = ["SpecError", "SpecLoadError"]


class SpecError(Exception):
    """A spec file, catalog or version that cannot be read or used; the message names it."""


class SpecLoadError(SpecError):
    """A spec file cannot be read, is not named by the convention, or two files serve one path."""
