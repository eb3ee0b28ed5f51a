"""``crr-harness proxy --target URL --record DIR``: record a client's exchanges with any target.

The client talks plain HTTP to the proxy on loopback; the proxy forwards
over mutual TLS with the participant's certificate (``--cert``/``--key``,
the target's CA in ``--ca``) and records every exchange as ``serve --record``
does, for ``crr-harness client-report DIR``. ``--faults FILE`` injects the
same scheduled faults. Bad input: one line, exit 2; Ctrl-C: exit 0.
"""

from __future__ import annotations

import argparse
import contextlib
import socket
import sys
from pathlib import Path

from harness.commands.command_texts import command_parser
from harness.errors import InputError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = command_parser(subparsers, "proxy")
    parser.add_argument("--target", required=True, metavar="URL", help="the CRR endpoint")
    parser.add_argument("--record", required=True, type=Path, metavar="DIR", help="recordings")
    parser.add_argument("--cert", required=True, type=Path, help="participant certificate (PEM)")
    parser.add_argument("--key", required=True, type=Path, help="its private key (PEM)")
    parser.add_argument("--ca", type=Path, help="CA bundle that signs the target's certificate")
    parser.add_argument(
        "--participant-name",
        metavar="NAME",
        help="the participant (default: the certificate subject's O)",
    )
    parser.add_argument("--spec", type=Path, action="append", metavar="FILE", help="spec file")
    parser.add_argument("--faults", type=Path, metavar="FILE", help="YAML fault schedule")
    parser.add_argument("--host", default="127.0.0.1", help="listen address (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8080, help="listen port; 0 picks a free one")
    parser.set_defaults(run=run)


def _identity(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from crr_contract.identity import Identity, IdentityError

    try:
        identity = Identity.from_certificate(args.cert.read_bytes())
    except OSError as exc:
        raise InputError(f"--cert {args.cert}: {exc.strerror or exc}") from None
    except IdentityError as exc:
        if not args.participant_name:
            raise InputError(
                f"--cert {args.cert}: {exc.message} Pass --participant-name."
            ) from None
        return Identity(args.participant_name, "", "")
    if args.participant_name:
        return Identity(args.participant_name, identity.user, identity.role)
    return identity


def run(args: argparse.Namespace) -> int:
    import ssl

    import uvicorn

    from crr_contract.errors import SpecError
    from crr_contract.operations import default_spec_files, load_specs
    from harness.client_conformance import load_faults, wrap_for_clients
    from harness.client_conformance.proxy import FixedIdentity, ForwardingApp

    if not args.target.startswith(("https://", "http://")):
        raise InputError(f"--target {args.target}: expected an http(s) URL")
    identity = _identity(args)
    try:
        context = ssl.create_default_context(cafile=str(args.ca) if args.ca else None)
        context.load_cert_chain(str(args.cert), str(args.key))
    except (OSError, ssl.SSLError) as exc:
        raise InputError(f"--cert/--key/--ca: {exc}") from None
    try:
        specs = load_specs(args.spec or default_spec_files())
    except SpecError as exc:
        raise InputError(str(exc)) from None
    faults = load_faults(args.faults) if args.faults is not None else []
    try:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((args.host, args.port))
        sock.listen(128)  # connections wait in the backlog until the server runs
    except OSError as exc:
        raise InputError(
            f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}"
        ) from None
    try:
        forwarding = ForwardingApp(args.target, context)
        app = FixedIdentity(
            wrap_for_clients(forwarding, specs, record=args.record, faults=faults), identity
        )
        config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")
        print(
            f"crr-harness proxy: listening on http://{args.host}:{sock.getsockname()[1]}, "
            f"forwarding to {args.target} as {identity.participant}, recording to {args.record}",
            flush=True,
        )
        with contextlib.suppress(KeyboardInterrupt):
            uvicorn.Server(config).run(sockets=[sock])
    finally:
        sock.close()
    print("crr-harness proxy: stopped", file=sys.stderr)
    return 0
