"""``crr-harness serve``: run the reference CRR system; one line says where, Ctrl-C stops it.

With no arguments it serves every operation of the latest spec of all ten
services and the sim-control API over mutual TLS on 127.0.0.1:8443, with a
dev PKI generated in ``./.crr-pki`` if absent and the state in
``./crr-reference.sqlite3`` (an empty database gets the market-sim data
set). Unusable flags, spec files, database or address: one line, exit 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from harness.commands.command_texts import command_parser
from harness.commands.overlay import add_overlay_option
from harness.commands.target_arguments import add_pki_dir_argument
from harness.errors import InputError

if TYPE_CHECKING:
    from harness.client_conformance import FaultRule
    from reference_impl.server import ServerSettings


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port out of range 0-65535: {port}")
    return port


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = command_parser(subparsers, "serve")
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)"
    )
    parser.add_argument(
        "--port",
        type=_port,
        default=8443,
        help="port to listen on; 0 picks a free one (default: 8443)",
    )
    parser.add_argument(
        "--db",
        type=Path,
        default=Path("crr-reference.sqlite3"),
        help="SQLite database file, created if absent (default: ./crr-reference.sqlite3)",
    )
    add_pki_dir_argument(parser, "dev PKI directory, generated if absent")
    parser.add_argument(
        "--tls-terminated-by-proxy",
        action="store_true",
        help="plain HTTP behind a TLS-terminating proxy; the client certificate comes from the "
        "X-Client-Cert header (URL-encoded PEM) and is checked against the PKI's CA",
    )
    parser.add_argument(
        "--spec",
        type=Path,
        action="append",
        metavar="FILE",
        help="serve this spec file instead of the latest version of its service (repeatable)",
    )
    add_overlay_option(
        parser,
        "the served spec files; with CAISO's published files, specs/overlays/ supplies the roles and error codes they do not state",
    )
    parser.add_argument(
        "--record",
        type=Path,
        metavar="DIR",
        help="keep every exchange, per participant, in DIR/<participant>.jsonl with the verdict "
        "of request validation and the server's decisions, for `crr-harness client-report DIR`",
    )
    parser.add_argument(
        "--faults",
        type=Path,
        metavar="FILE",
        help="YAML fault schedule: answer a participant's next calls of an operation with 500 "
        "SER0029, 403, 404, a delay or a dropped connection (recorded like any exchange)",
    )
    parser.set_defaults(run=run)
    _one_line_errors(parser)


def _one_line_errors(parser: argparse.ArgumentParser) -> None:
    """Bad flags are one line on stderr and exit 2, like every other refusal of ``serve``."""

    def error(message: str) -> NoReturn:
        print(f"crr-harness serve: {message}", file=sys.stderr)
        sys.exit(2)

    parse_known_args = parser.parse_known_args

    def parse_known_args_strictly(args=None, namespace=None):  # type: ignore[no-untyped-def]
        parsed, extras = parse_known_args(args, namespace)
        if extras:
            error(f"unrecognized arguments: {' '.join(extras)}")
        return parsed, extras

    parser.error = error  # type: ignore[method-assign]
    parser.parse_known_args = parse_known_args_strictly  # type: ignore[method-assign]


def run(args: argparse.Namespace) -> int:
    from crr_contract.operations import SpecLoadError, default_spec_files, parse_spec_name
    from reference_impl.server import ServerSettings, ServerSetupError, serve

    try:
        files = default_spec_files()
        if args.spec:
            chosen = {}
            for path in args.spec:
                service = parse_spec_name(path)
                chosen[service] = path
            files = [chosen.pop(parse_spec_name(f), f) for f in files] + list(chosen.values())
    except SpecLoadError as exc:
        raise InputError(str(exc)) from None
    settings = ServerSettings(
        host=args.host,
        port=args.port,
        db=args.db,
        pki_dir=args.pki_dir,
        proxy=args.tls_terminated_by_proxy,
        spec_files=files,
        overlays=tuple(args.overlay),
    )
    faults: Sequence[FaultRule] = ()
    if args.faults is not None:
        from harness.client_conformance import load_faults

        faults = load_faults(args.faults)
    if args.record is not None and args.record.exists() and not args.record.is_dir():
        raise InputError(f"--record {args.record}: exists and is not a directory")
    try:
        if args.record is None and not faults:
            serve(settings, announce=lambda line: print(line, flush=True))
        else:
            _serve_for_clients(settings, args.record, faults)
    except ServerSetupError as exc:
        raise InputError(str(exc)) from None
    except KeyboardInterrupt:
        pass
    print("crr-harness serve: stopped", file=sys.stderr)
    return 0


def _serve_for_clients(
    settings: ServerSettings, record: Path | None, faults: Sequence[FaultRule]
) -> None:
    """``serve`` with the reference app wrapped in the client-grading middlewares (inside
    the identity middleware, so each exchange knows its participant)."""
    from harness.client_conformance import wrap_for_clients
    from harness.client_conformance.recording import RecordingMiddleware
    from reference_impl.server import ServerSetupError, serve

    wrapped: list[Any] = []

    def wrap(app: Any, specs: Sequence[Any]) -> Any:
        try:
            wrapped.append(wrap_for_clients(app, specs, record=record, faults=faults))
        except OSError as exc:
            raise ServerSetupError(f"--record {record}: {exc.strerror or exc}") from None
        return wrapped[-1]

    extras = [f"recording to {record}"] if record is not None else []
    extras += [f"{len(faults)} fault rule(s)"] if faults else []
    try:
        serve(
            settings,
            announce=lambda line: print(f"{line}, {', '.join(extras)}", flush=True),
            wrap=wrap,
        )
    finally:
        for app in wrapped:
            if isinstance(app, RecordingMiddleware):
                app.close()
