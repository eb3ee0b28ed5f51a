"""Secondary Market: bilateral offers of held CRRs, responses, withdrawals and holdings."""

from __future__ import annotations

from reference_impl.api.call import Call, Handler
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


def submit_response(call: Call) -> dict:
    """A target accepts or rejects an offer at its offered price."""
    body = call.body
    return call.run(
        CRRSystem.respond_offer,
        participant_name=body["participantName"],
        request_id=body["requestId"],
        action=body["action"],
        price=body["price"],
    )


def withdraw_offer(call: Call) -> dict:
    """The offerer withdraws a pending offer."""
    return call.run(
        CRRSystem.withdraw_offer,
        participant_name=call.body["participantName"],
        request_id=call.body["requestId"],
    )


def get_offer(call: Call) -> dict:
    """An offer the participant is party to."""
    return call.run(
        CRRSystem.get_offer,
        participant_name=call.query["participantName"],
        request_id=call.query["requestId"],
    )


def get_offer_list(call: Call) -> list[dict]:
    """Offers the participant made or received, newest first."""
    return call.run(
        CRRSystem.list_offers,
        participant_name=call.query["participantName"],
        status=call.query.get("status"),
    )


def get_response(call: Call) -> list[dict]:
    """Responses to an offer, as far as the participant may see them."""
    return call.run(
        CRRSystem.get_offer_responses,
        participant_name=call.query["participantName"],
        request_id=call.query["requestId"],
    )


AUCTION_CRR_TYPE = "AUCTION"
"""The type of a CRR whose record names none: one bought at auction (as clearing assumes)."""


def get_crr_holdings(call: Call) -> list[dict]:
    """The CRRs the participant holds now; every one with a CRR type, as the spec requires."""
    holdings = call.run(CRRSystem.get_crr_holdings, participant_name=call.query["participantName"])
    return [h | {"crrType": h.get("crrType") or AUCTION_CRR_TYPE} for h in holdings]


HANDLERS: dict[str, Handler] = {
    "submitOffer": submit_offer,
    "submitResponse": submit_response,
    "withdrawOffer": withdraw_offer,
    "getOffer": get_offer,
    "getOfferList": get_offer_list,
    "getResponse": get_response,
    "getCrrHoldings": get_crr_holdings,
}
