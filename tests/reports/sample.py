"""A synthetic run that exercises every branch the report writers have.

Two suites, several operations and one operation-less scenario; one result
of each status (a declared SKIP among them); a FAIL whose evidence carries a
hostile HTML body and a body that is not UTF-8, and an ERROR with no
response at all.
"""

from __future__ import annotations

from harness.results import (
    CheckResult,
    RecordedExchange,
    RecordedRequest,
    RecordedResponse,
    RunReport,
    SpecFileUsed,
    Status,
)

HOSTILE = '</pre><script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">'
NOT_UTF8 = b"\xff\xfe\x00\x9cnot utf-8 \xc3\x28"
BASE_URL = "https://crr.example.test/crr/api"
HOSTILE_URL = f"{BASE_URL}/auction/v1/bids?market=AUC_2025_M08"

JSON_HEADERS = {"content-type": "application/json"}


def exchange(
    url: str,
    *,
    method: str = "GET",
    status: int | None = 200,
    body: bytes = b'{"ok": true}',
    request_body: bytes = b"",
    elapsed_ms: float = 25.0,
    participant: str = "alpha_lse-rw",
    transport_error: str | None = None,
) -> RecordedExchange:
    response = None if status is None else RecordedResponse(status, JSON_HEADERS, body)
    return RecordedExchange(
        participant=participant,
        request=RecordedRequest(method, url, {"accept": "application/json"}, request_body),
        response=response,
        elapsed_ms=elapsed_ms,
        transport_error=transport_error,
    )


def rerun(case: str) -> str:
    return f"crr-harness certify --only '{case}'"


PORTFOLIO = "auction.getPortfolio as alpha_lse-rw: spec example"
SUBMIT = "auction.submitBid as alpha_lse-rw: bid above the limit"
DOWNLOAD = "marketData.getDownload as beta_gen-ro: monthly download"
ADVANCE = "simControl.advanceClock as operator: next window"
CLEARS = "monthly auction: bids clear at the reference prices"
AWARDS = "monthly auction: awards match the engine"


def results() -> list[CheckResult]:
    """Three PASS, two FAIL, one ERROR, one declared SKIP."""
    return [
        CheckResult(
            id="RESP-SCHEMA-001",
            suite="conformance",
            case=PORTFOLIO,
            requirement="A 200 response body validates against the operation's schema.",
            status=Status.PASS,
            operation="auction.getPortfolio",
            clause="caiso_crr_auction_v1.2.0_openapi.yaml#/paths/~1portfolio/get/responses/200",
            evidence=(exchange(f"{BASE_URL}/auction/v1/portfolio", elapsed_ms=40.0),),
            rerun=rerun(PORTFOLIO),
        ),
        CheckResult(
            id="HTTP-STATUS-001",
            suite="conformance",
            case=PORTFOLIO,
            requirement="The status code is one the operation documents.",
            status=Status.PASS,
            operation="auction.getPortfolio",
            evidence=(exchange(f"{BASE_URL}/auction/v1/portfolio", elapsed_ms=10.0),),
            rerun=rerun(PORTFOLIO),
        ),
        CheckResult(
            id="ERR-CATALOG-004",
            suite="conformance",
            case=SUBMIT,
            requirement="A rejected bid answers with the catalog's error code for the cause.",
            status=Status.FAIL,
            message="Expected errorCode SER0031 but got a text/html body",
            operation="auction.submitBid",
            clause="caiso_crr_error_catalog_v1.0.0.yaml#/codes/SER0031",
            evidence=(
                exchange(
                    HOSTILE_URL,
                    method="POST",
                    status=400,
                    body=HOSTILE.encode(),
                    request_body=b'{"MW": 99999}',
                    elapsed_ms=120.5,
                ),
                exchange(f"{BASE_URL}/auction/v1/bids/42", status=500, body=NOT_UTF8),
            ),
            rerun=rerun(SUBMIT),
        ),
        CheckResult(
            id="DL-SCHEMA-002",
            suite="conformance",
            case=DOWNLOAD,
            requirement="A download validates against its JSON Schema.",
            status=Status.ERROR,
            message="the harness could not connect: connection reset",
            operation="marketData.getDownload",
            evidence=(
                exchange(
                    f"{BASE_URL}/marketdata/v1/downloads/7",
                    status=None,
                    participant="beta_gen-ro",
                    transport_error="ConnectError: connection reset by peer",
                ),
            ),
            rerun=rerun(DOWNLOAD),
        ),
        CheckResult(
            id="SIM-CLOCK-001",
            suite="conformance",
            case=ADVANCE,
            requirement="The simulation clock advances to the next window.",
            status=Status.SKIP,
            message="the target declares no sim-control API",
            operation="simControl.advanceClock",
            declared_skip=True,
        ),
        CheckResult(
            id="BIZ-CLEAR-001",
            suite="scenarios",
            case=CLEARS,
            requirement="Clearing prices equal the reference engine's.",
            status=Status.PASS,
            rerun=rerun(CLEARS),
        ),
        CheckResult(
            id="BIZ-AWARD-002",
            suite="scenarios",
            case=AWARDS,
            requirement="Every award equals the reference engine's award.",
            status=Status.FAIL,
            message="CrrID 17: expected 12.5 MW but got 10.0 MW",
            clause="scenarios/monthly_auction.yaml#/steps/4",
            evidence=(exchange(f"{BASE_URL}/auction/v1/awards", body=b'{"awards": []}'),),
            rerun=rerun(AWARDS),
        ),
    ]


EXPECTED = {"passed": 3, "failed": 2, "errors": 1, "skipped": 1, "total": 7}


def run_report(run_id: str = "20250801T120000Z-1234", **changes: object) -> RunReport:
    """The synthetic run (a FAIL verdict); ``changes`` override RunReport fields."""
    fields: dict[str, object] = {
        "run_id": run_id,
        "command": "crr-harness certify --target https://crr.example.test/crr/api",
        "harness_version": "0.1.0",
        "target": {"base_url": BASE_URL, "sim_control": False},
        "specs": [
            SpecFileUsed(
                file="caiso_crr_auction_v1.2.0_openapi.yaml",
                service="auction",
                version="1.2.0",
                sha256="a" * 64,
            ),
            SpecFileUsed(
                file="caiso_crr_market_data_v1.1.0_openapi.yaml",
                service="marketData",
                version="1.1.0",
                sha256="b" * 64,
            ),
        ],
        "started_at": "2025-08-01T12:00:00+00:00",
        "finished_at": "2025-08-01T12:03:10+00:00",
        "seed": 424242,
        "suites": ["conformance", "scenarios"],
        "results": results(),
    }
    fields.update(changes)
    return RunReport(**fields)  # type: ignore[arg-type]


def passing_report(run_id: str = "20250801T130000Z-5678") -> RunReport:
    """A run whose verdict is PASS: only passes and a declared skip."""
    kept = [r for r in results() if r.status is Status.PASS or r.declared_skip]
    return run_report(run_id, results=kept)
