"""``docexchange walk``: a short, readable walk through one exchange between two agencies.

Builds a government PKI in a work folder, composes a công văn from Văn phòng Chính phủ to a pilot
province, has the signer and then the agency sign it, verifies it as the receiver would, answers
with signed status messages, and shows three refusals: an altered subject, a forged sender, and a
document signed after the signer's certificate was revoked.
"""

from __future__ import annotations

import argparse
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from docexchange.clock import VIETNAM_TZ, FixedClock
from docexchange.edxml import StatusCode, StatusMessage, build_document, build_status, to_bytes
from docexchange.edxml.compose import NewDocument, compose, organization_of
from docexchange.edxml.model import ResponseFor, StaffInfo
from docexchange.edxml.numbering import DocumentNumberer, document_kind
from docexchange.errors import DocexchangeError


def register(sub: Any) -> None:
    walk = sub.add_parser("walk", help="build, sign and verify a document between two agencies, step by step")
    walk.add_argument(
        "--workdir", default="build/walk", metavar="DIR", help="where the PKI and messages are written"
    )
    walk.add_argument("--registry", metavar="FILE")
    walk.add_argument("--from", dest="sender", default="000.00.00.G22", metavar="ID")
    walk.add_argument("--to", dest="receiver", default="000.00.00.H38", metavar="ID")
    walk.add_argument("--algorithm", default="rsa2048", choices=["rsa2048", "ecdsa-p256"])
    walk.set_defaults(handler=run)


def _step(text: str) -> None:
    print(f"\n── {text}")


def _ok(text: str) -> None:
    print(f"   ✓ {text}")


def _refused(text: str) -> None:
    print(f"   ✗ {text}")


def run(args: argparse.Namespace) -> int:
    from docexchange.pki import CertRole, PathValidator, PkiStore, StoreRevocationSource
    from docexchange.registry import load_registry
    from docexchange.signing import MessageVerifier, countersign_as_agency, sign_as_person
    from docexchange.signing.service import AgencySigner

    workdir = Path(args.workdir)
    registry = load_registry(args.registry)
    sender, receiver = registry.get(args.sender), registry.get(args.receiver)
    clock = FixedClock(datetime(2018, 9, 20, 9, 0, tzinfo=VIETNAM_TZ))

    _step(f"1. Government PKI for {sender.name} and {receiver.name} ({args.algorithm})")
    store = PkiStore.init(
        workdir / "certs",
        registry.filtered([sender.id, receiver.id]),
        algorithm=args.algorithm,
        not_before=datetime(2018, 1, 1, tzinfo=VIETNAM_TZ),
        years=10,
        force=True,
    )
    validator = PathValidator(store.root, StoreRevocationSource(store, clock))
    _ok(f"root: {store.root.subject.rfc4514_string()}")
    for agency in (sender, receiver):
        _ok(
            f"{agency.id}: organisation certificate + personal certificate of {agency.signer.full_name} "
            f"({agency.signer.position})"
        )

    _step("2. Compose a công văn with an annex (Decree 30 numbering, edXML, XSD-valid)")
    annex = workdir / "phu-luc.txt"
    annex.write_text(
        "Phụ lục: các cơ quan thí điểm gửi, nhận văn bản điện tử có chữ ký số.\n", encoding="utf-8"
    )
    numberer = DocumentNumberer()
    message = compose(
        NewDocument(
            sender=sender,
            recipients=(receiver,),
            kind=document_kind("CV"),
            subject="Về việc triển khai gửi, nhận văn bản điện tử theo Quyết định số 28/2018/QĐ-TTg",
            content="Đề nghị các cơ quan kết nối, gửi nhận văn bản điện tử có chữ ký số "
            "trước ngày 31/12/2018.",
            promulgation_date=clock.now().date(),
            signed_at=clock.now(),
            drafting_unit="TTĐT",
            attachments=(annex,),
        ),
        numberer,
    )
    unsigned = build_document(message)
    _ok(f"{message.code.text}  DocumentId {message.document_id}")
    _ok(f"attachment {annex.name} ({annex.stat().st_size} bytes) zipped, base64, listed in the manifest")

    _step("3. The competent person signs, then the records office applies the agency signature")
    signer = AgencySigner(store, validator)
    signed = signer.sign(unsigned, clock.now(), agency_at=clock.now() + timedelta(minutes=5))
    document_path = workdir / "document.xml"
    data = to_bytes(signed)
    document_path.write_bytes(data)
    _ok(f"person ({sender.signer.full_name}) at 09:00, agency at 09:05 → {document_path} ({len(data)} bytes)")

    _step(f"4. {receiver.name} verifies before accepting")
    clock.advance(timedelta(minutes=10))
    verifier = MessageVerifier(validator, clock=clock)
    verified = verifier.verify_document(data)
    for verdict in (verified.person, verified.agency):
        who = verdict.identity.full_name or verdict.identity.agency_name
        _ok(
            f"{verdict.role.value:12} {who} — signed {verdict.signing_time:%d/%m/%Y %H:%M}, chain to the "
            f"simulated root valid, not revoked"
        )
    _ok(f"read from signed content: {verified.message.code.text} — {verified.message.subject}")
    carried = verified.message.attachments[0]
    _ok(f"attachment {carried.attachment_name} intact: {carried.data == annex.read_bytes()}")

    _step("5. Status messages back to the sender (signed by the receiving agency)")
    for code, text in (
        (StatusCode.ARRIVED, "Đã đến"),
        (StatusCode.ACCEPTED, "Đã tiếp nhận, vào sổ văn bản đến"),
    ):
        status = StatusMessage(
            response_for=ResponseFor(
                sender.id, message.code.text, message.promulgation_date, message.document_id
            ),
            from_=organization_of(receiver),
            status_code=code,
            description=text,
            timestamp=clock.now(),
            staff_info=StaffInfo(department="Văn thư"),
        )
        status_bytes = to_bytes(signer.sign(build_status(status), clock.now()))
        checked = verifier.verify_status(status_bytes)
        _ok(f"status {checked.message.status_code.wire} ({text}) verified by {sender.short_name}")
        clock.advance(timedelta(minutes=1))

    _step("6. Refusals a receiver must make")
    tampered = data.replace("Về việc triển khai".encode(), "Về việc hủy bỏ".encode())
    _expect_refusal(verifier, tampered, "subject altered after signing")
    forged = build_document(
        compose(
            NewDocument(
                sender=receiver,
                recipients=(receiver,),
                kind=document_kind("TB"),
                subject="Thông báo giả mạo",
                promulgation_date=clock.now().date(),
                signed_at=clock.now(),
            ),
            numberer,
        )
    )
    person = store.person(sender.id)
    org = store.organisation(sender.id)
    forged_signed = countersign_as_agency(
        sign_as_person(
            forged,
            key=person.key,
            chain=[person.cert, *person.chain],
            signing_time=clock.now(),
            position="Chủ tịch",
        ),
        key=org.key,
        chain=[org.cert, *org.chain],
        signing_time=clock.now(),
    )
    _expect_refusal(
        verifier, to_bytes(forged_signed), f"{sender.short_name}'s keys used to sign as {receiver.id}"
    )

    revoked_at = clock.now() + timedelta(days=1)
    store.revoke(sender.id, CertRole.PERSON, at=revoked_at)
    clock.set(revoked_at + timedelta(days=1))
    again = verifier.verify_document(data)
    _ok(
        f"{sender.signer.full_name}'s certificate revoked {revoked_at:%d/%m %H:%M}; the document signed "
        f"{again.person.signing_time:%d/%m %H:%M} still verifies"
    )
    try:
        signer.sign(build_document(message), clock.now())
    except DocexchangeError as exc:
        _refused(f"signing after the revocation is refused before signing: {exc}")
    late = countersign_as_agency(
        sign_as_person(
            build_document(message),
            key=person.key,
            chain=[person.cert, *person.chain],
            signing_time=clock.now(),
            position=sender.signer.position,
        ),
        key=org.key,
        chain=[org.cert, *org.chain],
        signing_time=clock.now(),
    )
    _expect_refusal(
        verifier, to_bytes(late), "signed with the revoked certificate (bypassing the signer's check)"
    )
    print(
        f"\nDone. Files in {workdir}/ — try: "
        f"docexchange verify {document_path} --certs {workdir}/certs --json"
    )
    return 0


def _expect_refusal(verifier: Any, data: bytes, what: str) -> None:
    try:
        verifier.verify(data)
    except DocexchangeError as exc:
        _refused(f"{what}: {exc}")
    else:  # pragma: no cover - the walk would be lying
        raise SystemExit(f"walk: expected a refusal for: {what}")
