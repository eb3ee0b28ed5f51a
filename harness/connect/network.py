"""The two layers under TLS: the host name resolves (CNX-001), a TCP connection opens (CNX-002).

Each probe returns a ``Probe``: whether the layer works, one line saying
what was seen, and when it does not work the cause and the fix in words a
participant's network team can act on.
"""

from __future__ import annotations

import errno
import ipaddress
import socket
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from harness.errors import InputError

__all__ = ["Endpoint", "Probe", "connect_tcp", "parse_endpoint", "resolve"]


@dataclass(frozen=True, slots=True)
class Endpoint:
    """Where the target is: scheme, host, port and the base path before the service paths."""

    url: str
    scheme: str
    host: str
    port: int
    base_path: str

    @property
    def tls(self) -> bool:
        return self.scheme == "https"

    @property
    def host_is_ip(self) -> bool:
        try:
            ipaddress.ip_address(self.host)
        except ValueError:
            return False
        return True

    @property
    def where(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"


def parse_endpoint(url: str) -> Endpoint:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(f"--url {url!r} is not an http(s) URL with a host")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise InputError(f"--url {url!r}: the port is not a number from 1 to 65535") from None
    return Endpoint(url, parts.scheme, parts.hostname, port, parts.path.rstrip("/"))


@dataclass(frozen=True, slots=True)
class Probe:
    """What one layer's probe found."""

    ok: bool
    summary: str
    cause: str = ""
    fix: str = ""
    warnings: tuple[str, ...] = ()
    details: dict = field(default_factory=dict)


def resolve(endpoint: Endpoint) -> tuple[Probe, list[tuple]]:
    """CNX-001: the addresses to connect to (``getaddrinfo`` entries)."""
    if endpoint.host_is_ip:
        family = socket.AF_INET6 if ":" in endpoint.host else socket.AF_INET
        entry = (family, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (endpoint.host, endpoint.port))
        return Probe(True, f"{endpoint.host} is an IP address: nothing to look up"), [entry]
    try:
        found = socket.getaddrinfo(
            endpoint.host, endpoint.port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
        )
    except (socket.gaierror, UnicodeError) as exc:
        return _dns_failure(endpoint, exc), []
    addresses = list(dict.fromkeys(str(entry[4][0]) for entry in found))
    return Probe(True, f"{endpoint.host} resolves to {', '.join(addresses)}"), found


def _dns_failure(endpoint: Endpoint, exc: BaseException) -> Probe:
    code = getattr(exc, "errno", None)
    if code == socket.EAI_AGAIN:
        cause = (
            f"the name {endpoint.host} could not be looked up now: your DNS server did not "
            f"answer ({exc})"
        )
        fix = "check this machine's DNS settings and retry; ask your network team if it persists"
    else:
        cause = f"the host name {endpoint.host} does not resolve ({exc})"
        fix = (
            "check the URL for typos against the endpoint CAISO published; if it is right, your "
            "DNS cannot see that name: ask your network team (internal DNS, split-horizon DNS "
            "or a required proxy)"
        )
    return Probe(False, cause, cause, fix)


def connect_tcp(endpoint: Endpoint, addresses: list[tuple], timeout: float) -> Probe:
    """CNX-002: a TCP connection to one of the addresses opens (then is closed)."""
    failures: list[tuple[str, OSError]] = []
    for family, kind, proto, _name, address in addresses[:4]:
        started = time.perf_counter()
        sock = socket.socket(family, kind, proto)
        sock.settimeout(timeout)
        try:
            sock.connect(address)
        except OSError as exc:
            failures.append((str(address[0]), exc))
            continue
        finally:
            sock.close()
        elapsed = (time.perf_counter() - started) * 1000
        return Probe(
            True,
            f"connected to {_where(address, endpoint.port)} in {elapsed:.0f} ms",
            details={"address": str(address[0])},
        )
    return _tcp_failure(endpoint, failures, timeout)


def _where(address: tuple, port: int) -> str:
    host = str(address[0])
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _tcp_failure(endpoint: Endpoint, failures: list[tuple[str, OSError]], timeout: float) -> Probe:
    if not failures:
        cause = f"no address to connect to for {endpoint.host}"
        return Probe(False, cause, cause, "check the URL")
    address, exc = failures[0]
    where = f"[{address}]:{endpoint.port}" if ":" in address else f"{address}:{endpoint.port}"
    if isinstance(exc, ConnectionRefusedError):
        cause = f"{where} refused the connection: nothing listens on port {endpoint.port} there"
        fix = (
            f"check the port in the URL ({endpoint.port}) against the endpoint CAISO published; "
            "if it is right the service is down or moved: check CAISO's market notices or ask "
            "your CAISO POC"
        )
    elif isinstance(exc, TimeoutError | socket.timeout):
        cause = (
            f"no answer from {where} within {timeout:g} s: a firewall is dropping the "
            "connection (yours or CAISO's)"
        )
        fix = (
            f"ask your network team to allow outbound TCP to {endpoint.host} port "
            f"{endpoint.port}, and CAISO to allow your public source address"
        )
    elif exc.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH):
        cause = f"there is no network route from this machine to {where} ({exc.strerror})"
        fix = "ask your network team for a route to CAISO (VPN, proxy or firewall rule)"
    else:
        cause = f"the TCP connection to {where} failed: {exc.strerror or exc}"
        fix = "ask your network team to check the path to the endpoint"
    return Probe(False, cause, cause, fix)
