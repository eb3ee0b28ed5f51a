"""TOR Conversion: conversion windows, TOR holders' requests and approvers' decisions."""

from __future__ import annotations

from reference_impl.api.call import Handler, forward
from reference_impl.engine.system import CRRSystem

HANDLERS: dict[str, Handler] = {
    "getConversionWindow": forward(CRRSystem.get_conversion_window, "query", "windowName"),
    "getConversionWindowList": forward(
        CRRSystem.list_conversion_windows, "query", optional=("status",)
    ),
    "getConversionRequest": forward(
        CRRSystem.get_conversion_request, "query", "participantName", "requestId"
    ),
    "submitConversionRequest": forward(
        CRRSystem.submit_conversion_request, "body", "participantName", "windowName", "records"
    ),
    "getConversionRequestList": forward(
        CRRSystem.list_conversion_requests, "query", "participantName", "windowName"
    ),
    "submitConversionApproval": forward(
        CRRSystem.submit_conversion_approval, "body", "participantName", "windowName", "records"
    ),
}
