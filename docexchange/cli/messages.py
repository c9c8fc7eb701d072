"""``docexchange new | sign | verify | inspect``: make, sign, check and read edXML messages."""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from docexchange.cli.options import parse_date
from docexchange.cli.render import describe_message, verdict_json
from docexchange.clock import SystemClock, parse_instant
from docexchange.edxml import (
    build_document,
    parse_message,
    parse_xml,
    read_document,
    read_status,
    to_bytes,
    validate,
)
from docexchange.edxml.compose import NewDocument, compose
from docexchange.edxml.model import Priority
from docexchange.edxml.numbering import DocumentNumberer, document_kind
from docexchange.edxml.schema import MessageKind
from docexchange.errors import DocexchangeError, ReasonCode

_URGENCY = {
    "normal": Priority.NORMAL,
    "thuong": Priority.NORMAL,
    "khan": Priority.KHAN,
    "thuong-khan": Priority.THUONG_KHAN,
    "hoa-toc": Priority.HOA_TOC,
    "hoa-toc-hen-gio": Priority.HOA_TOC_HEN_GIO,
}


def register(sub: Any) -> None:
    new = sub.add_parser("new", help="compose an unsigned edXML document between agencies of the registry")
    new.add_argument("--from", dest="sender", required=True, metavar="ID", help="sending agency identifier")
    new.add_argument("--to", required=True, metavar="ID[,ID…]", help="receiving agency identifiers")
    new.add_argument(
        "--type",
        dest="doc_type",
        required=True,
        metavar="CODE",
        help="Decree 30 type: QĐ, TB, BC, KH, GM, TTr, CĐ, NQ, CT, HD, … or CV for a công văn",
    )
    new.add_argument("--subject", required=True, metavar="TEXT", help="trích yếu (subject)")
    new.add_argument("--content", default="", metavar="TEXT")
    new.add_argument(
        "--attach", nargs="*", default=[], metavar="FILE", help="files to attach (zipped, base64)"
    )
    new.add_argument(
        "--urgency", default="normal", choices=sorted(_URGENCY), help="Khẩn / Thượng khẩn / Hỏa tốc"
    )
    new.add_argument(
        "--legal-normative", action="store_true", help="a legal-normative document (year in the notation)"
    )
    new.add_argument(
        "--drafting-unit", default="", metavar="ABBR", help="drafting unit (required style for công văn)"
    )
    new.add_argument("--date", metavar="YYYY-MM-DD", help="promulgation date (default: today)")
    new.add_argument("--due", metavar="YYYY-MM-DD", help="due date for handling")
    new.add_argument("--number", type=int, metavar="N", help="explicit number instead of the yearly series")
    new.add_argument(
        "--numbering",
        metavar="FILE",
        help="where the per-agency yearly counters are kept (default: $XDG_STATE_HOME/docexchange/"
        "numbering.json, i.e. ~/.local/state/docexchange/numbering.json; never the current folder)",
    )
    new.add_argument(
        "--registry", metavar="FILE", help="registry data file (default: agencies/government-2008.toml)"
    )
    new.add_argument("-o", "--output", required=True, metavar="FILE")
    new.set_defaults(handler=run_new)

    sign = sub.add_parser("sign", help="sign a message as its From agency (person, then agency)")
    sign.add_argument("file", metavar="FILE")
    sign.add_argument(
        "--certs", required=True, metavar="DIR", help="PKI folder made by `docexchange certs init`"
    )
    sign.add_argument("--at", metavar="ISO8601", help="signing time (default: now)")
    sign.add_argument("--sha1", action="store_true", help="sign with SHA-1 (only for eras that used it)")
    sign.add_argument("-o", "--output", metavar="FILE", help="where to write (default: replace FILE)")
    sign.set_defaults(handler=run_sign)

    verify = sub.add_parser("verify", help="verify a signed message; exit 0 valid, 1 refused")
    verify.add_argument("file", metavar="FILE")
    verify.add_argument("--certs", required=True, metavar="DIR")
    verify.add_argument("--at", metavar="ISO8601", help="verification time (default: now)")
    verify.add_argument(
        "--allow-sha1", action="store_true", help="accept SHA-1 (scenario eras before SHA-256)"
    )
    verify.add_argument("--json", action="store_true", help="print the verdict and the signed fields as JSON")
    verify.set_defaults(handler=run_verify)

    inspect = sub.add_parser("inspect", help="a readable summary of a message (nothing is verified)")
    inspect.add_argument("file", metavar="FILE")
    inspect.add_argument(
        "--json",
        action="store_true",
        help="the fields as JSON: kind, from, to, document_id, code_number, code_notation, "
        "promulgation_date, type, subject, attachments, bussiness_doc_type (a status: status_code, "
        "response_for, timestamp)",
    )
    inspect.set_defaults(handler=run_inspect)


def _read(path: str) -> bytes:
    return Path(path).read_bytes()


def write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "wb") as stream:
        stream.write(data)
    os.replace(tmp, path)


def instant(text: str | None) -> Any:
    if text is None:
        return SystemClock().now()
    try:
        return parse_instant(text)
    except ValueError:
        raise DocexchangeError(ReasonCode.INVALID_ARGUMENT, f"{text!r} is not an ISO 8601 time") from None


def run_new(args: argparse.Namespace) -> int:
    from docexchange.registry import load_registry

    registry = load_registry(args.registry)

    def agency(agency_id: str) -> Any:
        found = registry.find(agency_id.strip())
        if found is None:
            raise DocexchangeError(ReasonCode.UNKNOWN_AGENCY, f"{agency_id.strip()!r} is not in the registry")
        return found

    try:
        kind = document_kind(args.doc_type)
    except ValueError as exc:
        raise DocexchangeError(ReasonCode.INVALID_ARGUMENT, str(exc)) from None
    now = SystemClock().now()
    promulgation = parse_date(args.date, "--date") or now.date()
    numbering = Path(args.numbering) if args.numbering else default_numbering()
    numberer = (
        DocumentNumberer.restore(json.loads(numbering.read_text()))
        if numbering.exists()
        else DocumentNumberer()
    )
    try:
        message = compose(
            NewDocument(
                sender=agency(args.sender),
                recipients=tuple(agency(x) for x in args.to.split(",") if x.strip()),
                kind=kind,
                subject=args.subject,
                content=args.content,
                promulgation_date=promulgation,
                signed_at=now if args.date is None else parse_instant(f"{promulgation.isoformat()}T08:00:00"),
                legal_normative=args.legal_normative,
                drafting_unit=args.drafting_unit,
                priority=_URGENCY[args.urgency],
                due_date=parse_date(args.due, "--due"),
                attachments=tuple(Path(p) for p in args.attach),
                number=args.number,
            ),
            numberer,
        )
    except ValueError as exc:
        raise DocexchangeError(ReasonCode.INVALID_ARGUMENT, str(exc)) from None
    data = to_bytes(build_document(message))
    validate(parse_xml(data), strict=True)  # exactly the schema of what this version writes
    write_atomic(Path(args.output), data)
    if args.number is None:
        write_atomic(numbering, json.dumps(numberer.snapshot(), indent=1).encode())
    print(f"{args.output}: {message.code.text} — {message.document_id}")
    return 0


def _open_pki(certs: str) -> Any:
    from docexchange.pki import PathValidator, PkiStore, StoreRevocationSource

    store = PkiStore.open(Path(certs))
    return store, PathValidator(store.root, StoreRevocationSource(store, SystemClock()))


def run_sign(args: argparse.Namespace) -> int:
    from docexchange.signing.policy import HashChoice
    from docexchange.signing.service import AgencySigner

    data = _read(args.file)
    root, _ = parse_message(data)
    store, validator = _open_pki(args.certs)
    signer = AgencySigner(store, validator, hash_choice=HashChoice.SHA1 if args.sha1 else HashChoice.SHA256)
    at = instant(args.at)
    try:
        signed = signer.sign(root, at)
    except ValueError as exc:
        raise DocexchangeError(ReasonCode.INVALID_ARGUMENT, f"{args.file}: {exc}") from None
    except DocexchangeError as exc:
        print(f"{exc.code.value}: {exc.message}")
        return 1
    out = Path(args.output or args.file)
    write_atomic(out, to_bytes(signed))
    print(f"{out}: signed at {at.isoformat()}")
    return 0


def run_verify(args: argparse.Namespace) -> int:
    from docexchange.signing import MessageVerifier, SignaturePolicy

    data = _read(args.file)
    _, validator = _open_pki(args.certs)
    verifier = MessageVerifier(validator, policy=SignaturePolicy(allow_sha1=args.allow_sha1))
    at = instant(args.at)
    try:
        verified = verifier.verify(data, at=at)
    except DocexchangeError as exc:
        if args.json:
            print(
                json.dumps(
                    {"valid": False, "reason": exc.code.value, "message": exc.message}, ensure_ascii=False
                )
            )
        else:
            print(f"{exc.code.value}: {exc.message}")
        return 1
    if args.json:
        print(json.dumps(verdict_json(verified), ensure_ascii=False, indent=2))
    else:
        print(f"valid: {describe_message(verified.message)}")
    return 0


def run_inspect(args: argparse.Namespace) -> int:
    from docexchange.cli.render import inspect_json, inspect_text

    data = _read(args.file)
    root, kind = parse_message(data)
    message = read_document(root) if kind is MessageKind.DOCUMENT else read_status(root)
    if args.json:
        sys.stdout.write(json.dumps(inspect_json(message, root), ensure_ascii=False, indent=2) + "\n")
    else:
        sys.stdout.write(inspect_text(message, root))
    return 0


def default_numbering() -> Path:
    """The per-user place of ``new``'s yearly counters (XDG state directory)."""
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state) / "docexchange" / "numbering.json"
