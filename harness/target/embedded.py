"""The embedded default target: the reference implementation on a free loopback port.

This is the one place the harness imports ``reference_impl``: to start it,
never to look inside. ``certify`` with no config calls ``embedded_target``,
which generates a dev PKI and a fresh SQLite database under ``workdir``,
serves every spec file it implements over mutual TLS (or behind a
simulated TLS-terminating proxy), and writes the equivalent ``target.yaml``
there, so the run can be repeated against the same declaration.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from harness.errors import InputError
from harness.target.config import SIMCONTROL, TargetConfig
from harness.target.dev_pki import target_from_dev_pki

__all__ = ["EMBEDDED_MAX_CONCURRENCY", "embedded_target"]

EMBEDDED_MAX_CONCURRENCY = 4
"""The requests at once the embedded reference declares it accepts (``max_concurrency`` in
its target.yaml): its server answers every connection, commits each write before answering
it, and shares this machine with the harness, so a few at once is what pays."""


@contextlib.contextmanager
def embedded_target(
    workdir: Path,
    *,
    client_cert_header: bool = False,
    features: frozenset[str] = frozenset(
        {"market-sim-dataset", "revocation", "reliability", "restart"}
    ),
    wrap: Callable[[Any], Any] | None = None,
    sim_control: bool = True,
) -> Iterator[TargetConfig]:
    """Run the reference implementation until the block ends; yields its target config.

    ``wrap`` puts an ASGI layer around the reference app: the mutation
    self-test serves deliberately broken variants of the reference this way.
    ``sim_control=False`` declares the same server as a target nobody drives
    (like CAISO's Map-Stage): no operator participant and no sim-control
    service, so the suites must learn its state from the CAISO APIs alone.
    """
    from crr_contract.pki import PkiError, init_pki
    from reference_impl.security.asgi_tls import running_server
    from reference_impl.server import ReferenceSystem, ServerSetupError

    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        pki = init_pki(workdir / "pki")
    except PkiError as exc:
        raise InputError(str(exc)) from None
    try:
        system = ReferenceSystem(workdir / "reference.sqlite3")
    except ServerSetupError as exc:
        raise InputError(str(exc)) from None
    try:
        mode = "proxy" if client_cert_header else "mtls"
        app = wrap(system.app) if wrap is not None else system.app
        with running_server(app, pki, mode, crl_file=pki.crl) as server:
            services = {spec.service: spec.version for spec in system.specs}
            simcontrol = services.pop(SIMCONTROL, None)
            yield target_from_dev_pki(
                server.url,
                pki.directory,
                write_to=workdir / "target.yaml",
                services=services,
                sim_control=sim_control and simcontrol is not None,
                features=features,
                client_cert_header=client_cert_header,
                description="crr-harness reference implementation (embedded)",
                max_concurrency=EMBEDDED_MAX_CONCURRENCY,
            )
    finally:
        system.close()
