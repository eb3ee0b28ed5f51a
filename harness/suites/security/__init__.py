"""The security suite: who may connect, who may call what for whom, who sees whose data, and
what malformed input does.

Against any target, in this order:

1. the mTLS negative matrix (no certificate, then each deliberately bad
   certificate of the dev PKI in ``pki_dir``) and the TLS policy (nothing
   below TLS 1.2, a server certificate that verifies) — TLS-001..009;
2. the role x operation matrix from ``x-roles`` and every participant-named
   operation called with another participant's name — SEC-001..003;
3. private records: participant A plants some (the operator opening windows
   as needed; without sim control, in whatever window is open now, and a
   record no open window allows is a SKIP saying which window and when it
   opens), every other participant reads everything it may — PRV-001,
   PRV-002;
4. oversized and malformed input to every write operation, the server's
   health after each — ROB-001, ROB-002.

Between 2 and 3, the error-code oracle (``oracle.py``, ``provocations.yaml``) breaks
each operation's example request in the ways that deserve SER0001, SER0002, GEN0003,
SER0028, MKT0001, SEC0001 and SEC0002, and sends the data set's requests that deserve
the business codes (opening a market first where one is needed), expecting exactly that
code and its catalog status — ERR-006.

Every answer also goes through every per-exchange check. The suite opens
windows and creates records on the target (named ``PRV_*`` and ``ROB_*``);
it never calls a sim-control write except to open windows.
"""

from __future__ import annotations

from harness.session import Session
from harness.suites.security import malformed, mtls, oracle, private, roles
from harness.suites.target_calls import SimControl

NAME = "security"
DESCRIPTION = (
    "mTLS negative matrix and TLS policy, role x operation matrix, private records, "
    "oversized and malformed input"
)

CASE_CHECKS: tuple[str, ...] = (
    "TLS-001",
    "TLS-002",
    "TLS-003",
    "TLS-004",
    "TLS-005",
    "TLS-006",
    "TLS-007",
    "TLS-008",
    "TLS-009",
    "ERR-006",
    "PRV-002",
    "ROB-001",
    "ROB-002",
)
"""The check IDs this suite judges itself (requirements.yaml names it as their suite)."""
JUDGES_EXCHANGES = True
"""Whether every per-exchange check runs on this suite's exchanges (``Session.judge``)."""


def run(session: Session) -> None:
    mtls.run_matrix(session, NAME)
    mtls.run_policy(session, NAME)
    roles.run_matrix(session, NAME)
    roles.run_other_names(session, NAME)
    oracle.run(session, NAME)
    planned = private.case_names(session) + malformed.case_names(session)
    if not any(session.wants(NAME, case) for case in planned):
        return  # nothing selected needs records planted or markets opened
    sim = SimControl(session)
    garden = private.plant(session, sim)
    private.run(session, NAME, garden)
    malformed.run(session, NAME, garden)
