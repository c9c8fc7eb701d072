"""Simulated signers: deterministic Vietnamese names and the position that signs for each kind.

Real office holders' names are never used. A name is drawn from fixed lists by a SHA-256 digest of
the agency identifier (not Python's per-process randomised ``hash()``), so the same agency gets the
same signer in every run and on every machine. Any likeness to a real person is a coincidence of
common Vietnamese names.
"""

from __future__ import annotations

import hashlib

from docexchange.registry.model import AgencyKind, Signer

FAMILY_NAMES = (
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng",
    "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Đinh", "Trịnh", "Đoàn", "Lương",
    "Mai", "Tạ", "Cao", "Lâm", "Hà", "Quách", "Chu", "Kiều", "Lại", "Thân",
)  # fmt: skip
MALE_MIDDLE_NAMES = (
    "Văn", "Hữu", "Đức", "Minh", "Quang", "Thanh", "Xuân", "Công",
    "Tiến", "Mạnh", "Ngọc", "Trọng", "Duy", "Bá", "Đình", "Quốc",
)  # fmt: skip
FEMALE_MIDDLE_NAMES = ("Thị", "Thu", "Ngọc", "Thanh", "Hồng", "Kim", "Minh", "Phương", "Bích", "Diệu")
MALE_GIVEN_NAMES = (
    "An", "Bình", "Cường", "Dũng", "Đạt", "Giang", "Hải", "Hiếu", "Hùng", "Huy", "Khánh",
    "Khoa", "Kiên", "Lâm", "Long", "Lực", "Nam", "Nghĩa", "Phong", "Phúc", "Quân", "Sơn",
    "Tâm", "Thắng", "Thành", "Thịnh", "Toàn", "Trung", "Tuấn", "Việt", "Vinh", "Vượng",
)  # fmt: skip
FEMALE_GIVEN_NAMES = (
    "Anh", "Chi", "Dung", "Hà", "Hạnh", "Hằng", "Hoa", "Hương", "Lan", "Liên", "Linh",
    "Loan", "Mai", "Nga", "Ngân", "Nhung", "Oanh", "Phượng", "Quyên", "Thảo", "Trang", "Vân",
)  # fmt: skip

# Heads of ministry-level agencies have their own titles; keyed by the notation abbreviation
# because the identifier alone is ambiguous across reorganisations (G21 was Ủy ban Dân tộc, a
# ministry-level agency, and from 2025 is Bộ Dân tộc và Tôn giáo, a ministry).
_MINISTRY_LEVEL_POSITIONS = {
    "VPCP": "Bộ trưởng, Chủ nhiệm",
    "NHNN": "Thống đốc",
    "TTCP": "Tổng Thanh tra Chính phủ",
    "UBDT": "Bộ trưởng, Chủ nhiệm",
}


def simulated_name(seed: str) -> str:
    """A stable, clearly simulated Vietnamese full name (family, middle, given) for ``seed``."""
    digest = hashlib.sha256(seed.encode("utf-8")).digest()
    female = digest[0] % 4 == 0  # about a quarter of signers
    middles = FEMALE_MIDDLE_NAMES if female else MALE_MIDDLE_NAMES
    givens = FEMALE_GIVEN_NAMES if female else MALE_GIVEN_NAMES
    family = FAMILY_NAMES[int.from_bytes(digest[1:3], "big") % len(FAMILY_NAMES)]
    middle = middles[int.from_bytes(digest[3:5], "big") % len(middles)]
    given = givens[int.from_bytes(digest[5:7], "big") % len(givens)]
    return f"{family} {middle} {given}"


def default_position(kind: AgencyKind, short_name: str) -> tuple[str, str]:
    """(position, competence prefix) of the person who signs for an agency of this kind."""
    if kind is AgencyKind.MINISTRY:
        return "Bộ trưởng", ""
    if kind is AgencyKind.MINISTRY_LEVEL_AGENCY:
        return _MINISTRY_LEVEL_POSITIONS.get(short_name, "Thủ trưởng cơ quan"), ""
    if kind in (AgencyKind.PROVINCE, AgencyKind.CENTRAL_CITY, AgencyKind.DISTRICT):
        return "Chủ tịch", "TM."  # TM. Ủy ban nhân dân: the chair signs for the collective body
    return "Vụ trưởng", ""  # a department (Vụ) signing as its own issuing unit


def default_signer(agency_id: str, kind: AgencyKind, short_name: str) -> Signer:
    """The simulated signer of an agency that names none in its data file."""
    position, competence = default_position(kind, short_name)
    return Signer(full_name=simulated_name(agency_id), position=position, competence=competence)
