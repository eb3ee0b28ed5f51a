"""Grading a participant's own client: what it sent the reference server, judged afterwards.

``crr-harness serve --record DIR`` wraps the reference app in
``RecordingMiddleware`` (every exchange, per participant, with the verdict of
request validation and the server's decisions), optionally around
``FaultMiddleware`` (``--faults FILE``: scheduled 500s, 403s, 404s, delays
and dropped connections, so the client's handling is observed).
``crr-harness client-report DIR`` reads the recordings and grades them with
the CLI checks of ``requirements.yaml`` (``grading``).
"""

from __future__ import annotations

from harness.client_conformance.faults import FaultMiddleware, FaultRule, load_faults
from harness.client_conformance.grading import (
    CASE_CHECKS,
    JUDGES_EXCHANGES,
    SUITE,
    GradingPolicy,
    grade,
    load_recordings,
)
from harness.client_conformance.recording import RecordingMiddleware, wrap_for_clients

__all__ = [
    "CASE_CHECKS",
    "JUDGES_EXCHANGES",
    "SUITE",
    "FaultMiddleware",
    "FaultRule",
    "GradingPolicy",
    "RecordingMiddleware",
    "grade",
    "load_faults",
    "load_recordings",
    "wrap_for_clients",
]
