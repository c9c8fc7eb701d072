"""Small builders of edXML messages for tests."""

from __future__ import annotations

from datetime import date, datetime

from docexchange.clock import VIETNAM_TZ
from docexchange.edxml import (
    Attachment,
    Bussiness,
    BussinessDocType,
    DocumentMessage,
    Organization,
    OtherInfo,
    Priority,
    PromulgationInfo,
    Receiver,
    ReplacementInfo,
    ResponseFor,
    SignerInfo,
    StaffInfo,
    StatusCode,
    StatusMessage,
    SteeringType,
    TraceHeader,
)
from docexchange.edxml.numbering import document_kind, document_type, make_code, make_document_id

VPCP = Organization("000.00.00.G22", "Văn phòng Chính phủ", "Chính phủ", email="vanthu@chinhphu.gov.vn")
LAO_CAI = Organization("000.00.00.H38", "Ủy ban nhân dân tỉnh Lào Cai", email="vanthu@laocai.gov.vn")
DA_NANG = Organization("000.00.00.H15", "Ủy ban nhân dân thành phố Đà Nẵng")
AT = datetime(2018, 9, 20, 9, 0, tzinfo=VIETNAM_TZ)


def document(**overrides: object) -> DocumentMessage:
    kind = document_kind("CV")
    code = make_code(7816, 2018, kind, "VPCP", drafting_unit="TTĐT")
    fields: dict[str, object] = dict(
        from_=VPCP,
        to=(LAO_CAI, DA_NANG),
        document_id=make_document_id(VPCP.organ_id, date(2018, 9, 20), code),
        code=code,
        promulgation_info=PromulgationInfo("Hà Nội", date(2018, 9, 20)),
        document_type=document_type(kind),
        subject="Về việc gửi, nhận văn bản điện tử",
        content="Nội dung công văn.",
        signer_info=SignerInfo("KT.", "Phó Chủ nhiệm", "Trần Thị Bình"),
        trace_headers=(TraceHeader(VPCP.organ_id, AT),),
        attachments=(
            Attachment("att1", "cong-van.pdf", "application/pdf", b"%PDF-1.4 toan van", "Toàn văn"),
        ),
    )
    fields.update(overrides)
    return DocumentMessage(**fields)  # type: ignore[arg-type]


def full_document() -> DocumentMessage:
    """Every optional part filled in: ResponseFor, DueDate, ToPlaces, OtherInfo, Bussiness 1."""
    base = document()
    return document(
        due_date=date(2018, 10, 1),
        to_places=("Như trên", "Lưu: VT, TTĐT"),
        other_info=OtherInfo(Priority.THUONG_KHAN, "Toàn quốc", "TTĐT(3)", 5, 2, ("Phụ lục I",)),
        response_for=(
            ResponseFor(
                "000.00.00.H38", "12/UBND-VX", date(2018, 9, 1), "000.00.00.H38,2018/09/01,12/UBND-VX"
            ),
        ),
        steering_type=SteeringType.DIRECTIVE,
        bussiness=Bussiness(
            BussinessDocType.RECALL,
            "Gửi nhầm",
            base.document_id,
            StaffInfo("Văn thư", "Nguyễn Văn Cường", "0900000000", "cuong@chinhphu.gov.vn"),
            (Receiver(0, "000.00.00.H15"),),
            (ReplacementInfo(base.document_id, ("000.00.00.H38",)),),
        ),
    )


def status(code: StatusCode = StatusCode.ARRIVED) -> StatusMessage:
    doc = document()
    return StatusMessage(
        response_for=ResponseFor(VPCP.organ_id, doc.code.text, date(2018, 9, 20), doc.document_id),
        from_=LAO_CAI,
        status_code=code,
        description="Đã đến",
        timestamp=AT,
        staff_info=StaffInfo("Văn phòng", "Lê Văn Dũng"),
    )
