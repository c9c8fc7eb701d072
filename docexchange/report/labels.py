"""Vietnamese names for the report's keys (tiers, channels, reasons, rules), shared by every rendering.

A key without a name here is shown as it is: a scenario may bring tiers or channels of its own.
"""

from __future__ import annotations

from collections.abc import Mapping

from docexchange.registry.model import Tier
from docexchange.report.schema import Measure

TIER_LABELS: Mapping[str, str] = {
    Tier.MINISTRY.value: "Bộ, cơ quan ngang bộ",
    Tier.CENTRAL_CITY.value: "Thành phố trực thuộc Trung ương",
    Tier.PROVINCE.value: "Tỉnh",
    Tier.MOUNTAINOUS_REMOTE.value: "Tỉnh miền núi, vùng sâu, vùng xa",
}

CHANNEL_LABELS: Mapping[str, str] = {
    "axis": "Trục liên thông văn bản quốc gia",
    "mail": "Thư điện tử công vụ (.gov.vn)",
    "paper": "Giấy",
}

PAPER_REASON_LABELS: Mapping[str, str] = {
    "secret": "Văn bản mật",
    "no_capability": "Chưa có kết nối, hộp thư hoặc chứng thư số",
    "fallback_after_retries": "Gửi điện tử không thành công sau các lần gửi lại",
    "refused_resent": "Bị từ chối tiếp nhận, gửi lại bằng giấy",
    "no_receipt_followed_up": "Không nhận được phản hồi sau một ngày làm việc, gửi bản giấy",
}

RULE_LABELS: Mapping[str, str] = {
    "sent_on_time": "Gửi trong ngày ký, chậm nhất sáng ngày làm việc tiếp theo (QĐ 28/2018)",
    "receipt_same_day": "Thông báo đã nhận trong ngày (NĐ 30/2020)",
    "urgent_immediate": "Văn bản khẩn gửi ngay sau khi ký (QĐ 28/2018)",
}

MEASURE_LABELS: Mapping[str, str] = {m.value: m.label for m in Measure}

RULE_SHORT_LABELS: Mapping[str, str] = {
    "sent_on_time": "Gửi đúng hạn (sent on time)",
    "receipt_same_day": "Báo nhận trong ngày (receipt same day)",
    "urgent_immediate": "Khẩn gửi ngay (urgent at once)",
}

TRANSPORT_LABELS: Mapping[str, str] = {
    "loopback": "loopback: HTTPS và SMTP thật trên máy này",
    "memory": "trong bộ nhớ (in-memory): không qua mạng, không có HTTPS/SMTP",
    "none": "không có (plan engine): không tạo, ký hay gửi văn bản nào",
}

ENGINE_LABELS: Mapping[str, str] = {
    "protocol": "giao thức (protocol): các nút thật ký, gửi, kiểm tra và trả lời từng thông điệp",
    "plan": "kế hoạch (plan): cùng khối lượng, mức triển khai, định tuyến và độ trễ, không gửi thông điệp",
}


def label(labels: Mapping[str, str], key: str) -> str:
    return labels.get(key, key)
