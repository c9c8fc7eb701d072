"""Documents from the registry's agencies, with the registry's signer in SignerInfo."""

from __future__ import annotations

from datetime import date

from docexchange.edxml import Attachment, DocumentMessage
from docexchange.edxml.compose import NewDocument, compose
from docexchange.edxml.numbering import DocumentNumberer, document_kind
from docexchange.registry import Registry
from tests.signing.conftest import DA_NANG_ID, LAO_CAI_ID, SIGNED_AT, VPCP_ID


def document_from(
    registry: Registry, sender: str = VPCP_ID, *, number: int = 7816, subject: str = ""
) -> DocumentMessage:
    message = compose(
        NewDocument(
            sender=registry.get(sender),
            recipients=(registry.get(LAO_CAI_ID), registry.get(DA_NANG_ID)),
            kind=document_kind("CV"),
            subject=subject or "Về việc gửi, nhận văn bản điện tử giữa các cơ quan hành chính nhà nước",
            content="Đề nghị các cơ quan triển khai.",
            promulgation_date=date(2018, 9, 20),
            signed_at=SIGNED_AT,
            drafting_unit="TTĐT",
            number=number,
        ),
        DocumentNumberer(),
    )
    attachment = Attachment(
        "att1", "phu-luc.txt", "text/plain", "Phụ lục: danh sách cơ quan".encode(), "Phụ lục"
    )
    return DocumentMessage(**{**message.__dict__, "attachments": (attachment,)})
