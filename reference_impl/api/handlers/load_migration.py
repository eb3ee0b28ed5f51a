"""Load Migration: UDC submissions, load migration markets and their posted results."""

from __future__ import annotations

from reference_impl.api.call import Handler, forward
from reference_impl.engine.system import CRRSystem

HANDLERS: dict[str, Handler] = {
    "submitLoadMigration": forward(
        CRRSystem.submit_load_migration, "body", "participantName", "marketName", "records"
    ),
    "getLoadMigrationSubmission": forward(
        CRRSystem.get_load_migration_submission, "query", "participantName", "submissionId"
    ),
    "getLoadMigrationMarkets": forward(
        CRRSystem.load_migration_markets, "query", optional=("status",)
    ),
    "getLoadMigrationResult": forward(
        CRRSystem.get_load_migration_result, "query", "participantName", "marketName"
    ),
}
