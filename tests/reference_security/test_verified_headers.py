"""Behind a proxy, a certificate header that passed is remembered, never past its validity.

``ClientCertHeaderResolver`` skips validating a header it validated less than
a minute ago; these tests hold it to the limits: the minute, the
certificate's own end, no memory of a failure, and a bounded size.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID

from crr_contract.identity import CertificateValidator, IdentityError
from crr_contract.pki import PkiLayout
from reference_impl.security.asgi_tls import ClientCertHeaderResolver
from tests.reference_security.support import escaped_cert_header, issue_client_cert


class CountingValidator(CertificateValidator):
    """A validator that counts the certificates it validated."""

    calls = 0

    def validate(self, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        return super().validate(*args, **kwargs)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def _scope(header: str) -> dict[str, Any]:
    return {"type": "http", "headers": [(b"x-client-cert", header.encode("latin-1"))]}


def _resolver(pki: PkiLayout, clock: Clock) -> tuple[ClientCertHeaderResolver, CountingValidator]:
    validator = CountingValidator.from_files(pki.ca_cert, pki.crl)
    assert isinstance(validator, CountingValidator)
    return ClientCertHeaderResolver(validator, clock=clock), validator


def test_a_header_is_validated_once_a_minute(pki: PkiLayout) -> None:
    clock = Clock(datetime.now(UTC))
    resolver, validator = _resolver(pki, clock)
    scope = _scope(escaped_cert_header(pki.client("alpha_lse-rw").cert))
    start = clock.now
    first = resolver(scope)
    for seconds in (1, 30, 59):
        clock.now = start + timedelta(seconds=seconds)
        assert resolver(scope) == first
    assert validator.calls == 1
    clock.now = start + timedelta(seconds=61)
    assert resolver(scope) == first
    assert validator.calls == 2


def test_a_header_is_not_remembered_past_its_certificate(pki: PkiLayout, tmp_path: Path) -> None:
    now = datetime.now(UTC)
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "ALPHA_LSE"),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "EXTERNAL CRR HOLDER READ ACCESS"),
            x509.NameAttribute(NameOID.COMMON_NAME, "alpha.short"),
        ]
    )
    cert, _key = issue_client_cert(
        pki, tmp_path, "short", subject, not_before=now, not_after=now + timedelta(seconds=10)
    )
    clock = Clock(now)
    resolver, validator = _resolver(pki, clock)
    scope = _scope(escaped_cert_header(cert))
    assert resolver(scope).user == "alpha.short"
    clock.now = now + timedelta(seconds=9)
    assert resolver(scope).user == "alpha.short"
    assert validator.calls == 1
    clock.now = now + timedelta(seconds=11)
    with pytest.raises(IdentityError, match="expired"):
        resolver(scope)


def test_a_refused_header_is_refused_afresh_each_time(pki: PkiLayout) -> None:
    resolver, validator = _resolver(pki, Clock(datetime.now(UTC)))
    scope = _scope(escaped_cert_header(pki.bad_clients[next(iter(pki.bad_clients))].cert))
    for _ in range(3):
        with pytest.raises(IdentityError):
            resolver(scope)
    assert validator.calls == 3
    assert resolver._verified == {}


def test_the_memory_is_bounded(pki: PkiLayout, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ClientCertHeaderResolver, "VERIFIED_HEADERS", 2)
    resolver, validator = _resolver(pki, Clock(datetime.now(UTC)))
    names = ["alpha_lse-rw", "bravo_trading-rw", "operator"]
    for name in names * 2:
        resolver(_scope(escaped_cert_header(pki.client(name).cert)))
        assert len(resolver._verified) <= 2
    assert validator.calls == 6
