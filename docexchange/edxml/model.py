"""edXML message models (QCVN 102:2016 as profiled by VPCP; DOMAIN.md §5).

Field names follow the XML element names so the mapping stays obvious; the real standard's
``Bussiness`` spelling is kept in XML and in :class:`Bussiness`. All models are frozen: a parsed
or verified message cannot be edited in place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import IntEnum

from docexchange.errors import ParseError, ReasonCode


class Priority(IntEnum):
    """OtherInfo/Priority: urgency (Decree 30)."""

    NORMAL = 0
    KHAN = 1  # Khẩn
    THUONG_KHAN = 2  # Thượng khẩn
    HOA_TOC = 3  # Hỏa tốc
    HOA_TOC_HEN_GIO = 4  # Hỏa tốc hẹn giờ (with a set time)

    @property
    def label(self) -> str:
        return _PRIORITY_LABELS[self]


_PRIORITY_LABELS = {
    Priority.NORMAL: "Thường",
    Priority.KHAN: "Khẩn",
    Priority.THUONG_KHAN: "Thượng khẩn",
    Priority.HOA_TOC: "Hỏa tốc",
    Priority.HOA_TOC_HEN_GIO: "Hỏa tốc hẹn giờ",
}


class BussinessDocType(IntEnum):
    NEW = 0
    RECALL = 1
    UPDATE = 2
    REPLACE = 3


class SteeringType(IntEnum):
    NOT_STATED = 0  # real producers write 0, or nothing, when they do not say
    NOT_DIRECTIVE = 1
    DIRECTIVE = 2
    REPORT_ON_DIRECTIVE = 3


class StatusCode(IntEnum):
    """Status codes of the status message (DOMAIN.md §5); the wire form is two digits."""

    ARRIVED = 1
    REFUSED = 2
    ACCEPTED = 3
    ASSIGNED = 4
    PROCESSING = 5
    COMPLETED = 6
    RECALL_REQUEST = 13
    RECALL_AGREED = 15
    RECALL_REFUSED = 16

    @property
    def wire(self) -> str:
        return f"{self.value:02d}"


@dataclass(frozen=True)
class Organization:
    """From / To / ResponseFor organisation block."""

    organ_id: str
    organ_name: str
    organization_in_charge: str = ""
    organ_add: str = ""
    email: str = ""
    telephone: str = ""
    fax: str = ""
    website: str = ""


@dataclass(frozen=True)
class Code:
    code_number: str  # "05", "7816"
    code_notation: str  # "TB-VPCP", "2018/QĐ-TTg" (year included for legal-normative documents)

    @property
    def text(self) -> str:
        """The số và ký hiệu as printed: ``05/TB-VPCP``."""
        return f"{self.code_number}/{self.code_notation}"


@dataclass(frozen=True)
class PromulgationInfo:
    place: str
    promulgation_date: date | None
    """None only in a file read from a producer that left it out (a message of ours always has one)."""


@dataclass(frozen=True)
class DocumentType:
    type: int | None  # the kind's code: 1 công văn (numbering.DOCUMENT_KINDS); None if a file omits it
    type_detail: int | None  # 0 as the real files write it; None if a file omits it
    type_name: str  # Vietnamese name, e.g. "Quyết định"


@dataclass(frozen=True)
class SignerInfo:
    competence: str  # TM., Q., KT., TL., TUQ. or empty
    position: str
    full_name: str


@dataclass(frozen=True)
class OtherInfo:
    priority: Priority = Priority.NORMAL
    sphere_of_promulgation: str = ""
    typer_notation: str = ""
    promulgation_amount: int = 1
    page_amount: int = 1
    appendixes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ResponseFor:
    organ_id: str
    code: str  # số/ký hiệu of the document answered
    promulgation_date: date
    document_id: str


@dataclass(frozen=True)
class TraceHeader:
    organ_id: str
    timestamp: datetime


@dataclass(frozen=True)
class StaffInfo:
    department: str = ""
    staff: str = ""
    mobile: str = ""
    email: str = ""


@dataclass(frozen=True)
class Receiver:
    receiver_type: int  # 0 removed, 1 added
    organ_id: str


@dataclass(frozen=True)
class ReplacementInfo:
    document_id: str
    organ_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Bussiness:
    """TraceHeaderList/Bussiness (sic): what kind of business message this is."""

    bussiness_doc_type: BussinessDocType = BussinessDocType.NEW
    bussiness_doc_reason: str = ""
    document_id: str = ""  # the target document for recall/update/replace
    staff_info: StaffInfo = field(default_factory=StaffInfo)
    receivers: tuple[Receiver, ...] = ()
    replacements: tuple[ReplacementInfo, ...] = ()


@dataclass(frozen=True)
class Attachment:
    """An attachment as carried: a description and the original file bytes.

    On the wire the bytes are zipped (one entry, the attachment name) then base64-encoded.
    """

    content_id: str
    attachment_name: str
    content_type: str
    data: bytes
    description: str = ""


@dataclass(frozen=True)
class DocumentMessage:
    from_: Organization
    to: tuple[Organization, ...]
    document_id: str
    code: Code
    promulgation_info: PromulgationInfo
    document_type: DocumentType
    subject: str
    content: str
    signer_info: SignerInfo
    due_date: date | None = None
    to_places: tuple[str, ...] = ()
    other_info: OtherInfo = field(default_factory=OtherInfo)
    response_for: tuple[ResponseFor, ...] = ()
    steering_type: SteeringType = SteeringType.NOT_DIRECTIVE
    trace_headers: tuple[TraceHeader, ...] = ()
    bussiness: Bussiness = field(default_factory=Bussiness)
    attachments: tuple[Attachment, ...] = ()

    @property
    def promulgation_date(self) -> date:
        """The date of promulgation; a document without one cannot be registered or answered."""
        day = self.promulgation_info.promulgation_date
        if day is None:
            raise ParseError(
                ReasonCode.SCHEMA_INVALID, "the document has no PromulgationInfo/PromulgationDate"
            )
        return day

    @property
    def recipient_ids(self) -> tuple[str, ...]:
        return tuple(o.organ_id for o in self.to)


@dataclass(frozen=True)
class StatusMessage:
    response_for: ResponseFor
    from_: Organization
    status_code: StatusCode
    description: str
    timestamp: datetime
    staff_info: StaffInfo = field(default_factory=StaffInfo)
    trace_headers: tuple[TraceHeader, ...] = ()


Message = DocumentMessage | StatusMessage
