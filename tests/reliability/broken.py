"""Broken variants of the reference implementation that only the reliability suite catches.

Two are ASGI layers around the reference app (a pool that fails under
concurrency, a write-behind cache that drops writes); the third is a server
process whose journal acknowledges before it commits, served through
``lossy_restart_target`` (the crash case starts that process instead of
``crr-harness serve``). ``tests/mutants/catalog.py`` lists them.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from harness.suites.reliability import crash
from harness.target.config import TargetConfig
from harness.target.embedded import embedded_target
from tests.security_suite.broken import _INTERNAL_ERROR, _body, _replay, _send_json

REPO_ROOT = Path(__file__).resolve().parents[2]


def errors_under_concurrency(limit: int = 3):
    """A connection pool of ``limit``: a request arriving while it is exhausted gets HTTP 500."""

    def wrap(app):
        in_flight = 0

        async def wrapped(scope, receive, send):
            nonlocal in_flight
            if scope["type"] != "http":
                return await app(scope, receive, send)
            if in_flight >= limit:
                return await _send_json(send, 500, _INTERNAL_ERROR)
            in_flight += 1
            try:
                await app(scope, receive, send)
            finally:
                in_flight -= 1

        return wrapped

    return wrap


def drops_every_nth_write(n: int = 10, path_suffix: str = "/auction/v1.0/portfolioCreation"):
    """A write-behind cache that acknowledges every write but loses every ``n``-th one."""

    def wrap(app):
        count = 0

        async def wrapped(scope, receive, send):
            nonlocal count
            if scope["type"] != "http" or not scope["path"].endswith(path_suffix):
                return await app(scope, receive, send)
            body = await _body(receive)
            count += 1
            if count % n:
                return await app(scope, _replay(body), send)
            try:
                sent: Any = json.loads(body)
            except ValueError:
                return await app(scope, _replay(body), send)
            await _send_json(send, 200, {**sent, "status": "CREATED", "offers": []})

        return wrapped

    return wrap


@contextlib.contextmanager
def lossy_restart_target(workdir: Path, **options: Any) -> Iterator[TargetConfig]:
    """The embedded reference declaring 'restart', whose crash case runs the group-commit
    server (``tests/reliability/lossy_serve.py``) instead of ``crr-harness serve``."""
    previous = crash.SERVE_COMMAND
    path = os.environ.get("PYTHONPATH")
    crash.SERVE_COMMAND = (sys.executable, "-m", "tests.reliability.lossy_serve")
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), path]))
    try:
        with embedded_target(
            workdir, features=frozenset({"reliability", "restart"}), **options
        ) as config:
            yield config
    finally:
        crash.SERVE_COMMAND = previous
        if path is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = path
