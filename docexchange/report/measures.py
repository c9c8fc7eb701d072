"""What a target or an adoption input measures (kept apart so that every part of the report can
name it without importing the whole schema)."""

from __future__ import annotations

from enum import StrEnum


class Measure(StrEnum):
    """What a target counts as success."""

    LEGAL = "legal"  # electronic, signed and verified: replaces paper (Decision 28/2018)
    ELECTRONIC = "electronic"  # sent electronically, signed or not (2008 plan: "by e-mail")
    FULLY_ELECTRONIC = "fully-electronic"  # legal, and no paper copy at all
    EXCHANGE_DAYS = "exchange-days"  # mean working days from signing to acceptance: at most the target
    MAIL_USE = "mail-use"  # adoption: share of the scope's officials using mail on the target date
    DMS = "dms"  # adoption: share of agencies with a document-management system
    CERTIFICATE = "certificate"  # adoption: share of agencies holding certificates
    AXIS = "axis"  # adoption: share of agencies connected to the axis

    @property
    def label(self) -> str:
        return _MEASURE_LABELS[self]

    @property
    def is_share(self) -> bool:
        """Shares are in [0, 1] and targets on them are minimums; days are a maximum."""
        return self is not Measure.EXCHANGE_DAYS


_MEASURE_LABELS = {
    Measure.LEGAL: "điện tử có giá trị pháp lý (đã ký số)",
    Measure.ELECTRONIC: "điện tử (kể cả chỉ để tham khảo)",
    Measure.FULLY_ELECTRONIC: "điện tử hoàn toàn (không kèm bản giấy)",
    Measure.EXCHANGE_DAYS: "số ngày làm việc mỗi lần trao đổi",
    Measure.MAIL_USE: "tỷ lệ cán bộ dùng thư điện tử",
    Measure.DMS: "tỷ lệ cơ quan có hệ thống quản lý văn bản",
    Measure.CERTIFICATE: "tỷ lệ cơ quan có chứng thư số",
    Measure.AXIS: "tỷ lệ cơ quan kết nối trục liên thông",
}
