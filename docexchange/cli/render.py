"""Human and JSON renderings of messages and verdicts for the command line."""

from __future__ import annotations

from datetime import date
from typing import Any

from lxml import etree

from docexchange.edxml.build import format_datetime
from docexchange.edxml.frame import frame_of, unread_parts
from docexchange.edxml.model import DocumentMessage, StatusMessage
from docexchange.edxml.namespaces import ds, xades
from docexchange.edxml.numbering import is_legal_normative_notation
from docexchange.signing.layout import all_signatures
from docexchange.signing.result import Verified, VerifiedDocument


def describe_message(message: DocumentMessage | StatusMessage) -> str:
    if isinstance(message, DocumentMessage):
        return (
            f"{message.code.text} ({message.document_type.type_name}) from {message.from_.organ_id} "
            f"to {', '.join(message.recipient_ids)} — {message.subject}"
        )
    return (
        f"status {message.status_code.wire} from {message.from_.organ_id} "
        f"for {message.response_for.document_id} — {message.description}"
    )


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def _day(day: date | None) -> str:
    return "(no date)" if day is None else f"{day:%d/%m/%Y}"


def message_json(message: DocumentMessage | StatusMessage) -> dict[str, Any]:
    if isinstance(message, StatusMessage):
        return {
            "kind": "status",
            "status_code": message.status_code.wire,
            "from": message.from_.organ_id,
            "response_for": message.response_for.document_id,
            "description": message.description,
            "timestamp": format_datetime(message.timestamp),
        }
    return {
        "kind": "document",
        "document_id": message.document_id,
        "code": message.code.text,
        "from": {"id": message.from_.organ_id, "name": message.from_.organ_name},
        "to": [{"id": o.organ_id, "name": o.organ_name} for o in message.to],
        "promulgation_date": _iso(message.promulgation_info.promulgation_date),
        "place": message.promulgation_info.place,
        "type": message.document_type.type_name,
        "legal_normative": is_legal_normative_notation(message.code.code_notation),
        "subject": message.subject,
        "signer": {
            "competence": message.signer_info.competence,
            "position": message.signer_info.position,
            "full_name": message.signer_info.full_name,
        },
        "priority": message.other_info.priority.label,
        "bussiness_doc_type": int(message.bussiness.bussiness_doc_type),
        "attachments": [{"name": a.attachment_name, "bytes": len(a.data)} for a in message.attachments],
    }


def inspect_json(message: DocumentMessage | StatusMessage, root: etree._Element) -> dict[str, Any]:
    """The fields ``inspect --json`` prints, read from the message as it is (nothing verified).

    A status names the document it answers: its ``response_for`` (DocumentId), ``to`` (that
    document's sender, who receives the status) and that document's code and date.
    """
    claimed = len(all_signatures(root))
    if isinstance(message, StatusMessage):
        answered = message.response_for
        number, _, notation = answered.code.partition("/")
        return {
            "kind": "status",
            "from": message.from_.organ_id,
            "to": [answered.organ_id],
            "document_id": None,
            "status_code": message.status_code.wire,
            "response_for": answered.document_id,
            "code_number": number,
            "code_notation": notation,
            "promulgation_date": answered.promulgation_date.isoformat(),
            "description": message.description,
            "timestamp": format_datetime(message.timestamp),
            "signatures": claimed,
            "notes": unread_parts(frame_of(root)),
        }
    return {
        "kind": "document",
        "from": message.from_.organ_id,
        "to": list(message.recipient_ids),
        "document_id": message.document_id,
        "code_number": message.code.code_number,
        "code_notation": message.code.code_notation,
        "promulgation_date": _iso(message.promulgation_info.promulgation_date),
        "type": message.document_type.type,
        "type_detail": message.document_type.type_detail,
        "type_name": message.document_type.type_name,
        "subject": message.subject,
        "attachments": [a.attachment_name for a in message.attachments],
        "bussiness_doc_type": int(message.bussiness.bussiness_doc_type),
        "signatures": claimed,
        "notes": unread_parts(frame_of(root)),
    }


def verdict_json(verified: Verified) -> dict[str, Any]:
    result: dict[str, Any] = {"valid": True, "verified_at": format_datetime(verified.verified_at)}
    result["message"] = message_json(verified.message)
    signatures = [verified.agency.to_json()]
    if isinstance(verified, VerifiedDocument):
        signatures.insert(0, verified.person.to_json())
    result["signatures"] = signatures
    return result


def inspect_text(message: DocumentMessage | StatusMessage, root: etree._Element) -> str:
    lines: list[str] = []
    if isinstance(message, DocumentMessage):
        signer = message.signer_info
        lines += [
            f"Văn bản        {message.code.text}  ({message.document_type.type_name})",
            f"DocumentId     {message.document_id}",
            f"Nơi gửi        {message.from_.organ_name} [{message.from_.organ_id}]",
        ]
        lines += [f"Nơi nhận       {o.organ_name} [{o.organ_id}]" for o in message.to]
        lines += [
            f"Ngày ban hành  {message.promulgation_info.place}, {_day(message.promulgation_info.promulgation_date)}",
            f"Trích yếu      {message.subject}",
            "Người ký       "
            + " ".join(x for x in (signer.competence, signer.position, signer.full_name) if x),
            f"Độ khẩn        {message.other_info.priority.label}",
            f"Nghiệp vụ      BussinessDocType {int(message.bussiness.bussiness_doc_type)}",
        ]
        lines += [f"Đính kèm       {a.attachment_name} ({len(a.data)} bytes)" for a in message.attachments]
    else:
        lines += [
            f"Trạng thái     {message.status_code.wire} — {message.description}",
            f"Từ             {message.from_.organ_name} [{message.from_.organ_id}]",
            f"Văn bản        {message.response_for.code} — {message.response_for.document_id}",
            f"Thời điểm      {format_datetime(message.timestamp)}",
        ]
    signatures = all_signatures(root)
    if not signatures:
        lines.append("Chữ ký số      none (unsigned)")
    for signature in signatures:
        time = signature.find(
            f"{ds('Object')}/{xades('QualifyingProperties')}/{xades('SignedProperties')}/"
            f"{xades('SignedSignatureProperties')}/{xades('SigningTime')}"
        )
        lines.append(
            f"Chữ ký số      {signature.get('Id', '?')} claimed at {time.text if time is not None else '?'} "
            "(not verified; use `docexchange verify`)"
        )
    lines += [f"Ghi chú        {note}" for note in unread_parts(frame_of(root))]
    return "\n".join(lines) + "\n"
