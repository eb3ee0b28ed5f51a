"""Composition root of the reference CRR system: specs + store + engine + HTTP + TLS.

``ReferenceSystem`` opens the database (replaying its journal, or loading
the default market-sim data set into an empty one), reads the spec files
and builds the HTTP app on top. ``serve`` adds the dev PKI and runs it with
uvicorn: mutual TLS by default, or plain HTTP behind a TLS-terminating proxy
that forwards the client certificate in ``X-Client-Cert``. Everything that
can be wrong with the user's input (spec files, database path, PKI
directory, address) is raised as ``ServerSetupError`` with a one-line
message before anything listens.
"""

from __future__ import annotations

import socket
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uvicorn
from starlette.applications import Starlette

from crr_contract.errors import SpecError
from crr_contract.operations import (
    ServiceSpec,
    default_spec_files,
    load_overlays,
    load_specs,
)
from crr_contract.pki import PkiError, ensure_pki
from reference_impl.api.app import DEFAULT_CATALOG, create_app
from reference_impl.api.routing import MissingHandlersError
from reference_impl.datasets.market_sim import START, dataset
from reference_impl.security.asgi_tls import ASGIApp, Mode, server_config
from reference_impl.spec_limits import engine_limits
from reference_impl.store.durable import DurableSystem, InitialData
from reference_impl.store.journal import StoreError

__all__ = [
    "DEFAULT_DB",
    "DEFAULT_HOST",
    "DEFAULT_PKI_DIR",
    "DEFAULT_PORT",
    "ReferenceSystem",
    "ServerSettings",
    "ServerSetupError",
    "default_initial_data",
    "serve",
]

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8443
DEFAULT_DB = Path("crr-reference.sqlite3")
DEFAULT_PKI_DIR = Path(".crr-pki")

SWITCH_INTERVAL = 0.0002
"""Seconds a thread may hold the interpreter while another waits (Python's default: 0.005).
The journal's committer thread needs the interpreter when it is woken for a commit and when
the fsync returns, to acknowledge the writes it covered; each time it waited up to this long
behind the event loop, and each client waits for its acknowledgement before sending again.
At 0.2 ms a write waited about 1.05 ms for its commit (median) where at 1 ms it waited 1.12 ms
(the committer is the only other thread, so the loop is rarely interrupted)."""


class ServerSetupError(Exception):
    """The server cannot start with these settings; the message says why, on one line."""


def default_initial_data() -> InitialData:
    """An empty database starts with the market-sim data set, clock before every window."""
    return InitialData(START, dataset())


@dataclass(frozen=True, slots=True)
class ServerSettings:
    """Everything ``crr-harness serve`` can be told."""

    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    db: Path = DEFAULT_DB
    pki_dir: Path = DEFAULT_PKI_DIR
    proxy: bool = False
    spec_files: Sequence[Path] | None = None
    """The spec files to implement; None: the latest of every service and sim control."""
    overlays: Sequence[Path] = ()
    """OpenAPI Overlay files applied to the spec files as they are read (each to the files
    its ``extends`` names, or to all)."""
    catalog: Path = DEFAULT_CATALOG
    initial: InitialData = field(default_factory=default_initial_data)

    @property
    def mode(self) -> Mode:
        """``proxy`` behind a TLS-terminating proxy, else ``mtls``."""
        return "proxy" if self.proxy else "mtls"


class ReferenceSystem:
    """The opened database and the HTTP app serving it; close it to release the database."""

    def __init__(
        self,
        db: Path,
        *,
        spec_files: Sequence[Path] | None = None,
        overlays: Sequence[Path] = (),
        catalog: Path = DEFAULT_CATALOG,
        initial: InitialData | None = None,
    ) -> None:
        try:
            self.specs: tuple[ServiceSpec, ...] = load_specs(
                spec_files if spec_files is not None else default_spec_files(),
                overlays=load_overlays(overlays),
            )
            limits = engine_limits(self.specs)
        except SpecError as exc:
            raise ServerSetupError(str(exc)) from None
        try:
            self.engine = DurableSystem.open(db, initial or default_initial_data(), limits=limits)
        except StoreError as exc:
            raise ServerSetupError(str(exc)) from None
        try:
            self.app: Starlette = create_app(self.specs, self.engine, catalog=catalog)
        except (MissingHandlersError, SpecError) as exc:
            self.engine.close()
            raise ServerSetupError(str(exc)) from None

    def close(self) -> None:
        """Close the database."""
        self.engine.close()

    def __enter__(self) -> ReferenceSystem:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def serve(
    settings: ServerSettings,
    announce: Callable[[str], Any] = print,
    *,
    wrap: Callable[[ASGIApp, Sequence[ServiceSpec]], ASGIApp] | None = None,
    **uvicorn_options: Any,
) -> None:
    """Run the reference system until interrupted; ``announce`` gets the one line saying where.

    ``wrap`` puts a layer around the reference app, inside the client-certificate
    identity layer, so it sees each caller's identity (the harness's recording and
    fault injection for grading a participant's client).
    """
    try:
        pki = ensure_pki(settings.pki_dir)
    except PkiError as exc:
        raise ServerSetupError(str(exc)) from None
    sock = _listen(settings.host, settings.port)
    try:
        with ReferenceSystem(
            settings.db,
            spec_files=settings.spec_files,
            overlays=settings.overlays,
            catalog=settings.catalog,
            initial=settings.initial,
        ) as system:
            port = sock.getsockname()[1]
            options: dict[str, Any] = {"log_level": "warning", "access_log": False}
            options.update(uvicorn_options)
            app = wrap(system.app, system.specs) if wrap is not None else system.app
            config = server_config(
                app, pki, settings.mode, host=settings.host, port=port, **options
            )
            scheme = "http" if settings.proxy else "https"
            host = f"[{settings.host}]" if ":" in settings.host else settings.host
            how = "client certificate from X-Client-Cert" if settings.proxy else "mutual TLS"
            announce(
                f"crr-harness serve: listening on {scheme}://{host}:{port} ({how}), "
                f"{len(system.specs)} spec file(s), PKI {settings.pki_dir}, "
                f"database {settings.db} ({system.engine.replayed} command(s) replayed)"
            )
            previous = sys.getswitchinterval()
            sys.setswitchinterval(min(previous, SWITCH_INTERVAL))
            try:
                uvicorn.Server(config).run(sockets=[sock])
            finally:
                sys.setswitchinterval(previous)
    finally:
        sock.close()


def _listen(host: str, port: int) -> socket.socket:
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        # proto IPPROTO_TCP, not 0: asyncio disables Nagle only on sockets that say TCP;
        # with Nagle on, each response waits ~40 ms for the client's delayed ACK.
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    except (OSError, UnicodeError) as exc:
        raise ServerSetupError(f"cannot listen on {host}:{port}: {exc}") from None
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except OSError as exc:
        sock.close()
        raise ServerSetupError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    return sock
