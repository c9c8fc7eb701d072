"""Compose a new document message for agencies of the registry (what ``docexchange new`` does)."""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from docexchange.edxml.model import (
    Attachment,
    Bussiness,
    DocumentMessage,
    Organization,
    OtherInfo,
    Priority,
    PromulgationInfo,
    SignerInfo,
    SteeringType,
    TraceHeader,
)
from docexchange.edxml.numbering import (
    DocumentKind,
    DocumentNumberer,
    document_type,
    make_code,
    make_document_id,
)
from docexchange.registry import Agency, AgencyKind, place_name


def organization_of(agency: Agency) -> Organization:
    return Organization(
        organ_id=agency.id,
        organ_name=agency.name,
        organization_in_charge="Chính phủ"
        if agency.kind in (AgencyKind.MINISTRY, AgencyKind.MINISTRY_LEVEL_AGENCY)
        else "",
        email=agency.mailbox,
        website=f"https://{agency.domain}",
    )


def promulgation_place(agency: Agency) -> str:
    """Decree 30 địa danh: Hà Nội for central agencies, the province's name for provinces."""
    if agency.kind in (AgencyKind.MINISTRY, AgencyKind.MINISTRY_LEVEL_AGENCY, AgencyKind.DEPARTMENT):
        return "Hà Nội"
    return place_name(agency.name)


@dataclass(frozen=True)
class NewDocument:
    sender: Agency
    recipients: tuple[Agency, ...]
    kind: DocumentKind
    subject: str
    promulgation_date: date
    signed_at: datetime
    content: str = ""
    legal_normative: bool = False
    drafting_unit: str = ""
    priority: Priority = Priority.NORMAL
    due_date: date | None = None
    attachments: tuple[Path | Attachment, ...] = ()
    number: int | None = None
    bussiness: Bussiness = field(default_factory=Bussiness)  # recall / update / replace notices
    steering_type: SteeringType = SteeringType.NOT_DIRECTIVE  # 2: a direction document (chỉ đạo, điều hành)


def compose(doc: NewDocument, numberer: DocumentNumberer) -> DocumentMessage:
    """A new document numbered in the sender's yearly series (or with the explicit number)."""
    year = doc.promulgation_date.year
    number = doc.number if doc.number is not None else numberer.next(doc.sender.id, year)
    code = make_code(
        number,
        year,
        doc.kind,
        doc.sender.short_name,
        drafting_unit=doc.drafting_unit,
        legal_normative=doc.legal_normative,
    )
    attachments = tuple(
        item
        if isinstance(item, Attachment)
        else Attachment(
            content_id=f"att{index}",
            attachment_name=item.name,
            content_type=mimetypes.guess_type(item.name)[0] or "application/octet-stream",
            data=item.read_bytes(),
            description=item.name,
        )
        for index, item in enumerate(doc.attachments, start=1)
    )
    signer = doc.sender.signer
    return DocumentMessage(
        from_=organization_of(doc.sender),
        to=tuple(organization_of(r) for r in doc.recipients),
        document_id=make_document_id(doc.sender.id, doc.promulgation_date, code),
        code=code,
        promulgation_info=PromulgationInfo(promulgation_place(doc.sender), doc.promulgation_date),
        document_type=document_type(doc.kind),
        subject=doc.subject,
        content=doc.content,
        signer_info=SignerInfo(signer.competence, signer.position, signer.full_name),
        due_date=doc.due_date,
        to_places=(*(r.name for r in doc.recipients), "Lưu: VT"),
        other_info=OtherInfo(priority=doc.priority),
        trace_headers=(TraceHeader(doc.sender.id, doc.signed_at),),
        attachments=attachments,
        bussiness=doc.bussiness,
        steering_type=doc.steering_type,
    )
