"""Secondary Market: bilateral offers of held CRRs, responses, withdrawals and holdings."""

from __future__ import annotations

from reference_impl.api.call import Call, Handler, forward
from reference_impl.engine.system import CRRSystem


def submit_offer(call: Call) -> dict:
    """Offer MW of a held CRR to target participants."""
    body = call.body
    return call.run(
        CRRSystem.submit_offer,
        participant_name=body["participantName"],
        crr_id=body["crrId"],
        mw=body["mw"],
        start_date=body["startDate"],
        end_date=body["endDate"],
        time_of_use=body["timeOfUse"],
        targets=body["targetRespondingMps"],
    )


AUCTION_CRR_TYPE = "AUCTION"
"""The type of a CRR whose record names none: one bought at auction (as clearing assumes)."""


def get_crr_holdings(call: Call) -> list[dict]:
    """The CRRs the participant holds now; every one with a CRR type, as the spec requires."""
    holdings = call.run(CRRSystem.get_crr_holdings, participant_name=call.query["participantName"])
    return [h | {"crrType": h.get("crrType") or AUCTION_CRR_TYPE} for h in holdings]


HANDLERS: dict[str, Handler] = {
    "submitOffer": submit_offer,
    "submitResponse": forward(
        CRRSystem.respond_offer, "body", "participantName", "requestId", "action", "price"
    ),
    "withdrawOffer": forward(CRRSystem.withdraw_offer, "body", "participantName", "requestId"),
    "getOffer": forward(CRRSystem.get_offer, "query", "participantName", "requestId"),
    "getOfferList": forward(
        CRRSystem.list_offers, "query", "participantName", optional=("status",)
    ),
    "getResponse": forward(CRRSystem.get_offer_responses, "query", "participantName", "requestId"),
    "getCrrHoldings": get_crr_holdings,
}
