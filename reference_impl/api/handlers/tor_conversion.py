"""TOR Conversion: conversion windows, TOR holders' requests and approvers' decisions."""

from __future__ import annotations

from reference_impl.api.call import Call, Handler
from reference_impl.engine.system import CRRSystem


def get_conversion_window(call: Call) -> dict:
    """One conversion window."""
    return call.run(CRRSystem.get_conversion_window, window_name=call.query["windowName"])


def get_conversion_window_list(call: Call) -> list[dict]:
    """Conversion windows, latest open first."""
    return call.run(CRRSystem.list_conversion_windows, status=call.query.get("status"))


def get_conversion_request(call: Call) -> dict:
    """A request the participant submitted or approves."""
    return call.run(
        CRRSystem.get_conversion_request,
        participant_name=call.query["participantName"],
        request_id=call.query["requestId"],
    )


def submit_conversion_request(call: Call) -> dict:
    """A TOR holder's conversion request."""
    return call.run(
        CRRSystem.submit_conversion_request,
        participant_name=call.body["participantName"],
        window_name=call.body["windowName"],
        records=call.body["records"],
    )


def get_conversion_request_list(call: Call) -> list[dict]:
    """Requests of a window visible to the participant."""
    return call.run(
        CRRSystem.list_conversion_requests,
        participant_name=call.query["participantName"],
        window_name=call.query["windowName"],
    )


def submit_conversion_approval(call: Call) -> dict:
    """An approver's decisions on requests."""
    return call.run(
        CRRSystem.submit_conversion_approval,
        participant_name=call.body["participantName"],
        window_name=call.body["windowName"],
        records=call.body["records"],
    )


HANDLERS: dict[str, Handler] = {
    "getConversionWindow": get_conversion_window,
    "getConversionWindowList": get_conversion_window_list,
    "getConversionRequest": get_conversion_request,
    "submitConversionRequest": submit_conversion_request,
    "getConversionRequestList": get_conversion_request_list,
    "submitConversionApproval": submit_conversion_approval,
}
