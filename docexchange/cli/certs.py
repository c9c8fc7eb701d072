"""``docexchange certs``: the simulated government PKI on disk.

    docexchange certs init   [--dir certs/] [--registry FILE] [--algorithm rsa2048|ecdsa-p256]
                             [--not-before DATE] [--years N] [--leaf-years N] [--agencies ID,ID…] [--force]
    docexchange certs revoke ID [--dir] [--role organisation|person] [--at ISO8601] [--reason keyCompromise|…]
    docexchange certs crl    [--dir] [--at] [--authority] [-o FILE]          (PEM)
    docexchange certs ocsp ID [--role] [--dir] [--at] [-o FILE]              (DER)
    docexchange certs show ID [--dir] [--at]

Instants default to the system clock in Vietnam time; a date without a time is midnight Vietnam
time. ``init`` defaults ``--not-before`` to 2010-01-01 rather than today, so that simulated
exchanges from 2011 on (DOMAIN.md §1) are signed with certificates valid at their signing time.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from docexchange.clock import SystemClock, as_vietnam_time, parse_instant
from docexchange.pki.identity import CertRole
from docexchange.pki.keys import KeyAlgorithm
from docexchange.pki.revocation import parse_reason, reason_names
from docexchange.pki.store import PkiStore

DEFAULT_DIR = Path("certs")
DEFAULT_NOT_BEFORE = "2010-01-01"
_ATTRIBUTE_NAMES = {
    x509.NameOID.ORGANIZATION_IDENTIFIER: "organizationIdentifier",
    x509.NameOID.TITLE: "title",
}


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "certs",
        help="create and operate the simulated government PKI",
        description="The simulated Ban Cơ yếu Chính phủ PKI: root, issuing CA, and per agency an "
        "organisation certificate and a personal certificate for its signer.",
    )
    commands = parser.add_subparsers(dest="certs_command", required=True, metavar="COMMAND")

    init = commands.add_parser("init", help="create root, issuing CA and agency certificates")
    _dir_option(init)
    init.add_argument("--registry", metavar="FILE", help="registry TOML file (default: the shipped one)")
    init.add_argument(
        "--algorithm", choices=[a.value for a in KeyAlgorithm], default=KeyAlgorithm.RSA2048.value
    )
    init.add_argument(
        "--not-before",
        metavar="DATE",
        type=_instant,
        default=DEFAULT_NOT_BEFORE,
        help=f"start of every validity period (default {DEFAULT_NOT_BEFORE}, Vietnam time)",
    )
    init.add_argument("--years", type=_positive, default=20, help="validity of the CAs in years (default 20)")
    init.add_argument(
        "--leaf-years",
        type=_positive,
        default=None,
        help="validity of agency certificates (default: --years)",
    )
    init.add_argument(
        "--agencies",
        metavar="ID,ID…",
        type=_id_list,
        help="only these agencies (default: every level-1 agency)",
    )
    init.add_argument("--force", action="store_true", help="replace an existing PKI in --dir")
    init.set_defaults(handler=run_init)

    revoke = commands.add_parser("revoke", help="revoke an agency's certificates")
    revoke.add_argument("agency_id", metavar="ID")
    _dir_option(revoke)
    revoke.add_argument(
        "--role", choices=[r.value for r in CertRole], help="only this certificate (default both)"
    )
    _at_option(revoke, "effective time of the revocation")
    revoke.add_argument(
        "--reason", choices=reason_names(), default=x509.ReasonFlags.key_compromise.value, metavar="REASON"
    )
    revoke.set_defaults(handler=run_revoke)

    crl = commands.add_parser("crl", help="write the issuing CA's CRL (PEM)")
    _dir_option(crl)
    _at_option(crl, "thisUpdate of the CRL")
    crl.add_argument(
        "--authority", action="store_true", help="the root's CRL (covers the issuing CA) instead"
    )
    crl.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")
    crl.set_defaults(handler=run_crl)

    ocsp = commands.add_parser("ocsp", help="write a signed OCSP response for an agency certificate (DER)")
    ocsp.add_argument("agency_id", metavar="ID")
    ocsp.add_argument("--role", choices=[r.value for r in CertRole], default=CertRole.ORGANISATION.value)
    _dir_option(ocsp)
    _at_option(ocsp, "thisUpdate of the response")
    ocsp.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")
    ocsp.set_defaults(handler=run_ocsp)

    show = commands.add_parser("show", help="show an agency's certificates and their status")
    show.add_argument("agency_id", metavar="ID")
    _dir_option(show)
    _at_option(show, "instant the status is given for")
    show.set_defaults(handler=run_show)


def run_init(args: argparse.Namespace) -> int:
    from docexchange.registry import load_registry

    registry = load_registry(args.registry)
    directory = Path(args.dir)
    store = PkiStore.init(
        directory,
        registry,
        algorithm=args.algorithm,
        not_before=args.not_before,
        years=args.years,
        leaf_years=args.leaf_years,
        agency_ids=args.agencies,
        force=args.force,
        clock=SystemClock(),
    )
    count = len(store.agency_ids)
    start = as_vietnam_time(store.root.not_valid_before_utc).date().isoformat()
    end = as_vietnam_time(store.root.not_valid_after_utc).date().isoformat()
    print(f"Simulated PKI written to {directory}/ ({store.algorithm.label}, CAs valid {start} → {end})")
    print(f"  root CA        {directory / 'root.pem'}  key {directory / 'root.key'}")
    print(f"  issuing CA     {directory / 'intermediate.pem'}  key {directory / 'intermediate.key'}")
    print(
        f"  {count} agencies  {2 * count} certificates: {directory}/agencies/<id>/{{organisation,person}}.pem"
    )
    print(f"Private keys (*.key, mode 600) are in {directory}/ and are never committed: .gitignore")
    print("excludes everything in certs/ except README.md. Recreate with `docexchange certs init --force`.")
    return 0


def run_revoke(args: argparse.Namespace) -> int:
    store = PkiStore.open(Path(args.dir))
    role = CertRole(args.role) if args.role else None
    records = store.revoke(args.agency_id, role, at=_at(args), reason=parse_reason(args.reason))
    for record in records:
        print(
            f"revoked the {record.role.value} certificate of {record.agency_id} "
            f"(serial {record.serial_number:x}) at {record.revoked_at.isoformat()} ({record.reason.value})"
        )
    return 0


def run_crl(args: argparse.Namespace) -> int:
    store = PkiStore.open(Path(args.dir))
    at = _at(args)
    crl = store.authority_crl(at) if args.authority else store.crl(at)
    data = crl.public_bytes(Encoding.PEM)
    if args.output:
        Path(args.output).write_bytes(data)
        print(f"{args.output}: CRL of {_cn(crl.issuer)}, {len(crl)} revoked, thisUpdate {at.isoformat()}")
    else:
        sys.stdout.write(data.decode("ascii"))
    return 0


def run_ocsp(args: argparse.Namespace) -> int:
    store = PkiStore.open(Path(args.dir))
    at = _at(args)
    role = CertRole(args.role)
    cert = store.certificate(args.agency_id, role)
    response = store.ocsp_response(cert, at)
    data = response.public_bytes(Encoding.DER)
    status = response.certificate_status.name
    if response.revocation_time_utc is not None:
        status += f" since {_local(response.revocation_time_utc)}"
    summary = f"OCSP response for the {role.value} certificate of {args.agency_id}: {status}"
    if args.output:
        Path(args.output).write_bytes(data)
        print(f"{args.output}: {summary}")
    else:
        print(summary, file=sys.stderr)
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    return 0


def run_show(args: argparse.Namespace) -> int:
    store = PkiStore.open(Path(args.dir))
    at = _at(args)
    for role in CertRole:
        cert = store.certificate(args.agency_id, role)
        print(f"{role.value}:")
        print(f"  subject   {cert.subject.rfc4514_string(_ATTRIBUTE_NAMES)}")
        print(f"  issuer    {cert.issuer.rfc4514_string(_ATTRIBUTE_NAMES)}")
        print(f"  serial    {cert.serial_number:x}")
        print(f"  valid     {_local(cert.not_valid_before_utc)} → {_local(cert.not_valid_after_utc)}")
        print(f"  status    {_status(store, cert, at)} (at {at.isoformat()})")
    return 0


def _status(store: PkiStore, cert: x509.Certificate, at: datetime) -> str:
    revocation = store.revocation_status(cert, at)
    if revocation.revoked_at is not None:
        reason = revocation.reason.value if revocation.reason is not None else "unspecified"
        return f"revoked since {revocation.revoked_at.isoformat()} ({reason})"
    if at < cert.not_valid_before_utc:
        return "not yet valid"
    if at > cert.not_valid_after_utc:
        return "expired"
    return "good"


def _dir_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dir", default=str(DEFAULT_DIR), help=f"PKI folder (default {DEFAULT_DIR}/)")


def _at_option(parser: argparse.ArgumentParser, meaning: str) -> None:
    parser.add_argument("--at", metavar="ISO8601", type=_instant, help=f"{meaning} (default: now)")


def _at(args: argparse.Namespace) -> datetime:
    at: datetime | None = args.at
    return at if at is not None else SystemClock().now()


def _instant(text: str) -> datetime:
    try:
        return parse_instant(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 date or date-time: {text!r}") from None


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"not a positive whole number: {text!r}")
    return value


def _id_list(text: str) -> list[str]:
    ids = [part.strip() for part in text.split(",") if part.strip()]
    if not ids:
        raise argparse.ArgumentTypeError("expected agency identifiers separated by commas")
    return ids


def _cn(name: x509.Name) -> str:
    values = name.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    return str(values[0].value) if values else name.rfc4514_string()


def _local(moment: datetime) -> str:
    return as_vietnam_time(moment).isoformat()


__all__ = ["register", "run_crl", "run_init", "run_ocsp", "run_revoke", "run_show"]
