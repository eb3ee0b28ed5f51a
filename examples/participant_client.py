"""An example participant client of the CRR auction API, to be graded by ``crr-harness client-report``.

It does what a bidding system does: create a portfolio of bids, submit it
to the auction, then read its status and contents back, over mutual TLS
with the participant's certificate. It retries a server error (5xx, or a
connection that broke) with exponential back-off and never retries a
client error (4xx), which would only be refused again.

``--misbehave`` makes it break one rule on purpose, so that the grading can
be seen to catch it:

- ``no-backoff``: retry server errors at once, again and again;
- ``21-segments``: send a bid curve of 21 segments (the spec allows 20);
- ``other-participant-name``: act for a participant the certificate is not
  provisioned for.

Example::

    crr-harness serve --record recorded/ &
    python examples/participant_client.py --url https://localhost:8443 \\
        --cert .crr-pki/client-alpha_lse-rw.pem --key .crr-pki/client-alpha_lse-rw.key \\
        --ca .crr-pki/ca.pem
    crr-harness client-report recorded/

Exit 0 when the portfolio was created, submitted and read back; 1 otherwise.
"""

from __future__ import annotations

import argparse
import ssl
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
from cryptography import x509
from cryptography.x509.oid import NameOID

MISBEHAVIOURS = ("no-backoff", "21-segments", "other-participant-name")
AUCTION = "/auction/v1.0"


@dataclass(frozen=True, slots=True)
class Settings:
    """What the client was told on its command line."""

    url: str
    cert: Path
    key: Path
    ca: Path
    market: str
    portfolio: str
    source: str
    sink: str
    attempts: int
    first_wait: float
    misbehave: str | None


class Refused(Exception):
    """The server answered a client error (4xx): retrying the same request will not help."""


def participant_of(cert: Path) -> str:
    """The participant the certificate acts for: its subject's O, as the CRR PKI encodes it."""
    subject = x509.load_pem_x509_certificate(cert.read_bytes()).subject
    return str(subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value)


def bid_curve(segments: int) -> list[dict[str, float]]:
    return [{"mw": 10.0 + k, "price": 30.0 - k} for k in range(segments)]


def send(client: httpx.Client, settings: Settings, method: str, path: str, **kw) -> httpx.Response:  # type: ignore[no-untyped-def]
    """One request with retries of server errors: back-off doubling from ``first_wait``."""
    wait = settings.first_wait
    for attempt in range(1, settings.attempts + 1):
        try:
            response = client.request(method, path, **kw)
        except httpx.TransportError as exc:
            outcome = f"transport error {type(exc).__name__}"
        else:
            if response.status_code < 400:
                return response
            if response.status_code < 500:
                raise Refused(f"{method} {path}: {response.status_code} {response.text}")
            outcome = f"{response.status_code}"
        print(f"{method} {path}: attempt {attempt} got {outcome}", file=sys.stderr)
        if attempt == settings.attempts:
            break
        if settings.misbehave != "no-backoff":
            time.sleep(wait)
            wait *= 2
    raise RuntimeError(f"{method} {path}: gave up after {settings.attempts} attempts")


def run(settings: Settings) -> int:
    """Create, submit and read back one portfolio; 0 when all of it worked."""
    name = participant_of(settings.cert)
    if settings.misbehave == "other-participant-name":
        name = "SOMEONE_ELSE" if name != "SOMEONE_ELSE" else "ANOTHER"
    segments = 21 if settings.misbehave == "21-segments" else 3
    portfolio = {
        "participantName": name,
        "marketName": settings.market,
        "portfolioName": settings.portfolio,
    }
    body = {
        **portfolio,
        "bids": [
            {
                "source": settings.source,
                "sink": settings.sink,
                "timeOfUse": "ON",
                "segments": bid_curve(segments),
            }
        ],
    }
    context = ssl.create_default_context(cafile=str(settings.ca))
    context.load_cert_chain(str(settings.cert), str(settings.key))
    with httpx.Client(base_url=settings.url, verify=context, timeout=10) as client:
        try:
            send(client, settings, "POST", f"{AUCTION}/portfolioCreation", json=body)
            send(client, settings, "POST", f"{AUCTION}/portfolioSubmission", json=portfolio)
            status = send(client, settings, "GET", f"{AUCTION}/portfolioStatus", params=portfolio)
            send(client, settings, "GET", f"{AUCTION}/portfolio", params=portfolio)
        except (Refused, RuntimeError) as exc:
            print(f"participant_client: {exc}", file=sys.stderr)
            return 1
    print(f"portfolio {settings.portfolio}: {status.json().get('status')}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="the CRR endpoint, https://host:port")
    parser.add_argument("--cert", type=Path, required=True, help="participant certificate (PEM)")
    parser.add_argument("--key", type=Path, required=True, help="its private key (PEM)")
    parser.add_argument("--ca", type=Path, required=True, help="CA that signs the server")
    parser.add_argument("--market", default="AUC_MN_2025_M10", help="auction market name")
    parser.add_argument("--portfolio", default="EXAMPLE_CLIENT", help="portfolio name")
    parser.add_argument("--source", default="TH_NP15_GEN-APND", help="bid source")
    parser.add_argument("--sink", default="TH_SP15_GEN-APND", help="bid sink")
    parser.add_argument("--attempts", type=int, default=6, help="tries per request on 5xx")
    parser.add_argument("--first-wait", type=float, default=0.05, help="first back-off, seconds")
    parser.add_argument("--misbehave", choices=MISBEHAVIOURS, help="break one rule on purpose")
    args = parser.parse_args(argv)
    settings = Settings(
        args.url,
        args.cert,
        args.key,
        args.ca,
        args.market,
        args.portfolio,
        args.source,
        args.sink,
        max(1, args.attempts),
        args.first_wait,
        args.misbehave,
    )
    return run(settings)


if __name__ == "__main__":
    sys.exit(main())
