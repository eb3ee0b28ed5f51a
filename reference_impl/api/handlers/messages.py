"""Messages: public notices and each participant's private ones.

The engine tags a message with the window it is about, which may be a load
migration market (``LM_...``); the Messages spec's ``marketName`` admits
allocation and auction markets only, so any other name is left out of the
message as sent (the subject and body still name the window).
"""

from __future__ import annotations

import re

from reference_impl.api.call import Call, Handler
from reference_impl.engine.system import CRRSystem


def _range(call: Call) -> dict:
    return {
        "start_time": call.query.get("startTime"),
        "end_time": call.query.get("endTime"),
        "market_name": call.query.get("marketName"),
    }


def _as_specified(call: Call, message: dict) -> dict:
    schemas = call.operation.spec.document.get("components", {}).get("schemas", {})
    pattern = schemas.get("MarketName", {}).get("pattern")
    name = message.get("marketName")
    if name is None or pattern is None or re.search(pattern, name):
        return message
    return {k: v for k, v in message.items() if k != "marketName"}


def get_public_messages(call: Call) -> dict:
    """Public messages in a range of at most 31 days."""
    found = call.run(CRRSystem.list_public_messages, **_range(call))
    return {"messages": [_as_specified(call, m) for m in found]}


def get_private_messages(call: Call) -> dict:
    """The participant's own private messages."""
    found = call.run(
        CRRSystem.list_private_messages,
        participant_name=call.query["participantName"],
        **_range(call),
    )
    return {"messages": [_as_specified(call, m) for m in found]}


def get_message(call: Call) -> dict:
    """One message; a private one only for its own participant."""
    message = call.run(
        CRRSystem.get_message,
        message_id=call.query["messageId"],
        participant_name=call.query.get("participantName"),
    )
    return _as_specified(call, message)


HANDLERS: dict[str, Handler] = {
    "getPublicMessages": get_public_messages,
    "getPrivateMessages": get_private_messages,
    "getMessage": get_message,
}
