"""``crr-harness connect``: the go-live connectivity doctor for one certificate and one endpoint.

DNS → TCP → TLS handshake → client certificate accepted → identity and
role → one read per service → one harmless write per service the role
allows. Each failing layer says its cause and the fix in plain words; the
run writes the same reports as ``certify``. Exit 0 all green, 1 a layer
failed, 2 bad input (one line on stderr).

An expired or not-yet-valid certificate is not bad input here: it is what
the doctor diagnoses (layer CNX-004), so it reads the target declaration
as of a moment the certificate is valid and judges validity itself.
"""

from __future__ import annotations

import argparse
import re
import shlex
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from harness.commands.command_texts import command_parser
from harness.errors import InputError

DEFAULT_REPORTS = Path("reports")
DEFAULT_TIMEOUT = 10.0
DIRECT_FLAGS = ("--cert", "--key", "--ca", "--participant-name", "--role", "--specs")
"""The flags that, with --url, describe the target directly instead of --config."""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = command_parser(subparsers, "connect")
    parser.add_argument("--config", type=Path, metavar="TARGET_YAML", help="a target declaration")
    parser.add_argument(
        "--participant",
        metavar="ID",
        help="the participant id of --config to check (default: its only participant)",
    )
    parser.add_argument("--url", metavar="URL", help="the endpoint, e.g. https://crr.example:8443")
    parser.add_argument("--cert", type=Path, metavar="PEM", help="the participant certificate")
    parser.add_argument("--key", type=Path, metavar="PEM", help="its private key (unencrypted)")
    parser.add_argument(
        "--ca", type=Path, metavar="CA_PEM", help="CA bundle that signs the server certificate"
    )
    parser.add_argument(
        "--participant-name",
        metavar="NAME",
        help="the participant the certificate acts for (default: the certificate subject's O)",
    )
    parser.add_argument(
        "--role", metavar="ROLE", help="the AIM role (default: the certificate subject's OU)"
    )
    parser.add_argument(
        "--specs",
        type=Path,
        metavar="DIR",
        help="spec catalog for --url (default: the harness's specs/; the latest version of "
        "every service); a --config names its own specs_dir and versions",
    )
    parser.add_argument("--reports", type=Path, default=DEFAULT_REPORTS, help="reports directory")
    parser.add_argument(
        "--client-cert-header",
        action="store_true",
        help="send the certificate in X-Client-Cert (URL-encoded PEM) over plain HTTP, for a "
        "target behind a TLS-terminating proxy on a trusted network",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"network timeout of each step (default {DEFAULT_TIMEOUT:g})",
    )
    parser.set_defaults(run=run)


# --------------------------------------------------------------------------- input


def _id(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", text) or "participant"


def _moment(facts: Any, now: datetime) -> datetime | None:
    """``now``, or a moment the certificate is valid: validity is the doctor's to judge."""
    return None if facts.valid_at(now) else facts.not_before


def _check_role(role: str, specs_dir: Path, where: str) -> None:
    from crr_contract.roles import RoleModel

    model = RoleModel.of_catalog(specs_dir)
    if model is None or role in model.names:
        return
    roles = list(model.roles)
    successors = model.successors(role)
    if successors:
        raise InputError(
            f"role {role!r} ({where}) is a pre-upgrade role, migrated to {' / '.join(successors)}: "
            "ask your CAISO UAA for a certificate with the new role, or pass --role"
        )
    raise InputError(f"role {role!r} ({where}) is not a CRR role (known: {', '.join(roles)})")


def _direct_flags(args: argparse.Namespace, *flags: str) -> list[tuple[str, object]]:
    """Each flag with the value argparse stored for it (``--participant-name`` in ``participant_name``)."""
    return [(flag, getattr(args, flag.removeprefix("--").replace("-", "_"))) for flag in flags]


def _from_config(args: argparse.Namespace, now: datetime):
    from crr_contract.files import load_document
    from harness.connect.certs import check_key_matches, read_bundle, read_certificate
    from harness.target.config import parse_target

    for flag, value in _direct_flags(args, "--url", *DIRECT_FLAGS):
        if value is not None:
            raise InputError(f"{flag} does not go with --config (the target declaration says it)")
    path: Path = args.config
    if not path.is_file():
        raise InputError(f"--config {path}: no such file")
    data = load_document(path)
    if not isinstance(data, Mapping):
        raise InputError(f"{path}: a target config is a mapping (base_url, participants, ...)")
    entries = data.get("participants")
    if not isinstance(entries, list) or not entries:
        raise InputError(f"{path}: participants must list at least one certificate")
    labels = [str(e.get("id") or e.get("name")) for e in entries if isinstance(e, Mapping)]
    if args.participant is None:
        if len(entries) != 1:
            raise InputError(
                f"--participant ID is required: {path} has {len(entries)} ({', '.join(labels)})"
            )
        entry = entries[0]
    else:
        chosen = [
            e
            for e in entries
            if isinstance(e, Mapping) and args.participant in (e.get("id"), e.get("name"))
        ]
        if not chosen:
            raise InputError(
                f"--participant {args.participant}: not in {path} (participants: "
                f"{', '.join(labels)})"
            )
        entry = chosen[0]
    label = str(entry.get("id") or entry.get("name"))
    for key in ("name", "role", "certificate", "key"):
        if not entry.get(key):
            raise InputError(f"{path}: participant {label}: {key} is required")
    base = path.parent
    cert_path = _resolve(base, entry["certificate"])
    key_path = _resolve(base, entry["key"])
    facts = read_certificate(cert_path, f"{path}: participant {label}: certificate")
    check_key_matches(facts, key_path, f"{path}: participant {label}: key")
    declaration = {k: v for k, v in data.items() if k != "sim_control"}
    declaration["participants"] = [dict(entry)]
    config = parse_target(declaration, base=base, source=path, now=_moment(facts, now))
    if args.client_cert_header and not config.client_cert_header:
        import dataclasses

        config = dataclasses.replace(config, client_cert_header=True)
    bundle = read_bundle(config.ca_bundle) if config.ca_bundle else None
    sources = {"name": f"from {path.name}", "role": f"from {path.name}"}
    return config, config.participants[0], facts, bundle, sources


def _resolve(base: Path, value: Any) -> Path:
    candidate = Path(str(value)).expanduser()
    return candidate if candidate.is_absolute() else base / candidate


def _from_url(args: argparse.Namespace, now: datetime):
    from crr_contract.operations import DEFAULT_SPECS_DIR
    from harness.connect.certs import check_key_matches, read_bundle, read_certificate
    from harness.connect.network import parse_endpoint
    from harness.target.config import parse_target

    if args.participant is not None:
        raise InputError("--participant goes with --config; with --url use --participant-name")
    endpoint = parse_endpoint(args.url)
    if args.cert is None or args.key is None:
        raise InputError("--url needs --cert PEM and --key PEM (the participant certificate)")
    if endpoint.tls and args.ca is None:
        raise InputError("--ca CA_PEM is required for an https URL (the CA that signs the server)")
    facts = read_certificate(args.cert)
    check_key_matches(facts, args.key)
    bundle = read_bundle(args.ca) if args.ca is not None else None
    specs_dir = args.specs if args.specs is not None else DEFAULT_SPECS_DIR
    if not specs_dir.is_dir():
        raise InputError(f"--specs {specs_dir}: no such directory")
    name = args.participant_name or facts.participant
    role = args.role or facts.role
    if not name:
        raise InputError(
            f"--cert {args.cert}: the subject has no single O (participant name): pass "
            "--participant-name"
        )
    if not role:
        raise InputError(f"--cert {args.cert}: the subject has no single OU (role): pass --role")
    sources = {
        "name": "--participant-name" if args.participant_name else "certificate O",
        "role": "--role" if args.role else "certificate OU",
    }
    _check_role(role, specs_dir, sources["role"])
    declaration = {
        "base_url": args.url,
        "ca_bundle": str(args.ca) if args.ca is not None else None,
        "client_cert_header": bool(args.client_cert_header),
        "specs_dir": str(specs_dir),
        "description": f"crr-harness connect to {args.url}",
        "participants": [
            {
                "id": _id(args.cert.stem),
                "name": name,
                "role": role,
                "certificate": str(args.cert),
                "key": str(args.key),
            }
        ],
    }
    config = parse_target(declaration, base=Path.cwd(), now=_moment(facts, now))
    return config, config.participants[0], facts, bundle, sources


def _identity_warnings(facts: Any, name: str, role: str) -> list[str]:
    warnings = []
    if facts.participant and facts.participant != name:
        warnings.append(
            f"you act as participant {name} but the certificate says O={facts.participant}"
        )
    if facts.role and facts.role != role:
        warnings.append(f"you act with role {role} but the certificate says OU={facts.role}")
    return warnings


def _rerun(args: argparse.Namespace) -> list[str]:
    line = ["crr-harness", "connect"]
    if args.config is not None:
        line += ["--config", str(args.config)]
        if args.participant:
            line += ["--participant", args.participant]
    else:
        line += ["--url", args.url]
        for flag, value in _direct_flags(args, *DIRECT_FLAGS):
            if value is not None:
                line += [flag, str(value)]
    if args.client_cert_header:
        line.append("--client-cert-header")
    if args.reports != DEFAULT_REPORTS:
        line += ["--reports", str(args.reports)]
    if args.timeout != DEFAULT_TIMEOUT:
        line += ["--timeout", f"{args.timeout:g}"]
    return line


def run(args: argparse.Namespace) -> int:
    from harness.connect.doctor import ConnectRequest, run_connect
    from harness.connect.render import Printer

    if (args.config is None) == (args.url is None):
        raise InputError(
            "give --config TARGET_YAML --participant ID, or --url URL --cert PEM --key PEM "
            "--ca CA_PEM"
        )
    if args.timeout <= 0:
        raise InputError("--timeout must be a positive number of seconds")
    now = datetime.now(UTC)
    if args.config is not None:
        config, participant, facts, bundle, sources = _from_config(args, now)
    else:
        config, participant, facts, bundle, sources = _from_url(args, now)
    if config.base_url.startswith("http:") and not config.client_cert_header:
        raise InputError(
            f"{config.base_url}: plain HTTP carries no client certificate: use https://, or "
            "--client-cert-header for a target behind a TLS-terminating proxy"
        )
    rerun = _rerun(args)
    request = ConnectRequest(
        config=config,
        participant=participant,
        facts=facts,
        ca_bundle=bundle,
        reports_root=args.reports,
        sources=sources,
        command=shlex.join(rerun[1:]),
        rerun=rerun,
        timeout=args.timeout,
        warnings=_identity_warnings(facts, participant.name, participant.role),
        now=now,
    )
    printer = Printer(sys.stdout)
    report = run_connect(
        request,
        printer.outcome,
        started=lambda: printer.start(
            f"{participant.name} ({participant.role}) with {participant.certificate}",
            config.base_url,
        ),
    )
    printer.finish(report, args.reports / report.run_id)
    if report.interrupted:
        return 2
    return 0 if report.summary()["verdict"] == "PASS" else 1
