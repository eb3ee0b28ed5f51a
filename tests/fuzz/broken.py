"""Broken variants of the reference that only fuzzing meets: defects behind input nobody scripts.

Each is an answer rewrite (``tests/mutants/rewrite.py``) that fires on what
the connectivity suite never sends: malformed bodies, invalid parameters,
or a state only a stateful chain reaches. ``SELECTION`` is the ``-k`` that
keeps a fuzz run of the tests on the operations concerned.
"""

from __future__ import annotations

from tests.mutants.rewrite import Answer, rewrite_answers

__all__ = [
    "SELECTION",
    "accepts_invalid_offer_filter",
    "crashes_on_malformed_portfolio",
    "drops_status_time",
    "undocumented_code_on_bad_offer",
]


def _codes(answer: Answer) -> list[str]:
    try:
        body = answer.json()
    except ValueError:
        return []
    details = body.get("errorDetails") if isinstance(body, dict) else None
    return [d.get("errorCode") for d in details or () if isinstance(d, dict)]


def _crash_on_unreadable(answer: Answer) -> None:
    """A body the validator cannot read (GEN0003) or a field of the wrong type crashes it."""
    if answer.status == 400 and {"GEN0003", "SER0002"} & set(_codes(answer)):
        answer.status = 500
        answer.set_json(
            {
                "errorDetails": [
                    {
                        "severity": "ERROR",
                        "errorCode": "SER0029",
                        "errorDescription": "Internal server error; the request was not processed.",
                    }
                ]
            }
        )


def _invent_code(answer: Answer) -> None:
    """A refused offer submission names SMT0999, a code in no catalog."""
    if answer.status == 400 and "SER0002" in _codes(answer):
        body = answer.json()
        for detail in body["errorDetails"]:
            if detail.get("errorCode") == "SER0002":
                detail["errorCode"] = "SMT0999"
        answer.set_json(body)


def _accept_invalid_filter(answer: Answer) -> None:
    """An offer list whose status filter is invalid is answered with an empty list."""
    if answer.status == 400:
        answer.status = 200
        answer.set_json([])


def _drop_status_time(answer: Answer) -> None:
    """A portfolio's status leaves out the required statusTime."""
    if answer.status == 200:
        body = answer.json()
        body.pop("statusTime", None)
        answer.set_json(body)


crashes_on_malformed_portfolio = rewrite_answers(
    "/auction/v1.0/portfolioCreation", _crash_on_unreadable, method="POST"
)
undocumented_code_on_bad_offer = rewrite_answers(
    "/secondaryMarket/v1.0/offerSubmission", _invent_code, method="POST"
)
accepts_invalid_offer_filter = rewrite_answers(
    "/secondaryMarket/v1.0/offerList", _accept_invalid_filter, method="GET"
)
drops_status_time = rewrite_answers(
    "/auction/v1.0/portfolioStatus", _drop_status_time, method="GET"
)

SELECTION = {
    "fuzz-500-on-malformed-input": "auction.portfolioCreation",
    "fuzz-undocumented-error-code": "secondary_market.submitOffer",
    "fuzz-2xx-on-negative-example": "secondary_market.getOfferList",
    "fuzz-missing-required-property": "'portfolio chain'",
}
"""Mutant name → the ``-k`` of the fuzz run that must find it."""
