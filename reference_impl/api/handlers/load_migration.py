"""Load Migration: UDC submissions, load migration markets and their posted results."""

from __future__ import annotations

from reference_impl.api.call import Call, Handler
from reference_impl.engine.system import CRRSystem


def submit_load_migration(call: Call) -> dict:
    """A UDC submits load migration records."""
    return call.run(
        CRRSystem.submit_load_migration,
        participant_name=call.body["participantName"],
        market_name=call.body["marketName"],
        records=call.body["records"],
    )


def get_load_migration_submission(call: Call) -> dict:
    """The UDC's own submission."""
    return call.run(
        CRRSystem.get_load_migration_submission,
        participant_name=call.query["participantName"],
        submission_id=call.query["submissionId"],
    )


def get_load_migration_markets(call: Call) -> list[dict]:
    """Load migration markets, latest open first."""
    return call.run(CRRSystem.load_migration_markets, status=call.query.get("status"))


def get_load_migration_result(call: Call) -> dict:
    """The posted results concerning the participant."""
    return call.run(
        CRRSystem.get_load_migration_result,
        participant_name=call.query["participantName"],
        market_name=call.query["marketName"],
    )


HANDLERS: dict[str, Handler] = {
    "submitLoadMigration": submit_load_migration,
    "getLoadMigrationSubmission": get_load_migration_submission,
    "getLoadMigrationMarkets": get_load_migration_markets,
    "getLoadMigrationResult": get_load_migration_result,
}
