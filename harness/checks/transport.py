"""The target answered at all: a refused handshake, a reset or a timeout is a failure."""

from __future__ import annotations

from harness.checks.registry import CheckContext, CheckFailed, NotApplicable, check
from harness.client import Exchange


@check("CON-001")
def target_answers(exchange: Exchange, context: CheckContext) -> None:
    if exchange.response is not None:
        raise NotApplicable
    raise CheckFailed(
        f"no HTTP answer to {exchange.record.request.method} {exchange.record.request.url}: "
        f"{exchange.record.transport_error}"
    )
