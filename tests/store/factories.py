"""Small builders for store tests: times in Vietnam time, register entries with sensible defaults."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from typing import Any

from docexchange.edxml.numbering import Series
from docexchange.store import Channel, NewIncoming, NewOutgoing

VN = timezone(timedelta(hours=7))
VPCP = "000.00.00.G22"
TAI_CHINH = "000.00.00.G12"
LAO_CAI = "000.00.00.H38"
NGHE_AN = "000.00.00.H41"


def at(year: int, month: int = 1, day: int = 1, hour: int = 8, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=VN)


def outgoing(
    number: int,
    *,
    year: int = 2019,
    sender: str = VPCP,
    series: Series = Series.NORMAL,
    recipients: tuple[str, ...] = (LAO_CAI, NGHE_AN),
    **changes: Any,
) -> NewOutgoing:
    day = date(year, 3, 12)
    code = f"{number:02d}/TB-VPCP"
    entry = NewOutgoing(
        document_id=f"{sender},{day:%Y/%m/%d},{code}",
        number=number,
        code_text=code,
        promulgation_date=day,
        type_and_subject="Thông báo về việc gửi, nhận văn bản điện tử",
        signer="Mai Tiến Dũng",
        recipients=recipients,
        registered_at=at(year, 3, 12, 9),
        series=series,
        file_holder="Văn thư VPCP",
        copies=3,
        signed_message=f"<edXMLEnvelope>{code}</edXMLEnvelope>".encode(),
    )
    return replace(entry, **changes)


def incoming(
    number: int,
    *,
    issuer: str = TAI_CHINH,
    year: int = 2019,
    channel: Channel = Channel.AXIS,
    received: datetime | None = None,
    **changes: Any,
) -> NewIncoming:
    day = date(year, 4, 2)
    code = f"{number:02d}/BTC-VP"
    entry = NewIncoming(
        document_id=f"{issuer},{day:%Y/%m/%d},{code}",
        date_received=received or at(year, 4, 3, 9),
        issuing_agency=issuer,
        code_text=code,
        promulgation_date=day,
        type_and_subject="Công văn về dự toán ngân sách",
        channel=channel,
        signed_message=None
        if channel is Channel.PAPER
        else f"<edXMLEnvelope>{code}</edXMLEnvelope>".encode(),
    )
    return replace(entry, **changes)
