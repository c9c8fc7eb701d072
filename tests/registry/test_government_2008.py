"""The shipped 2008 registry: the 22 Government members and the 64 provinces (DOMAIN.md §3)."""

from __future__ import annotations

from datetime import date

import pytest

from docexchange.registry import (
    AgencyKind,
    Registry,
    Tier,
    default_registry_path,
    load_registry,
    place_name,
    read_registry_file,
    sort_key,
)
from docexchange.registry.names import domain_label

GOVERNMENT_2008 = [
    "Bộ Công an",
    "Bộ Công Thương",
    "Bộ Giáo dục và Đào tạo",
    "Bộ Giao thông vận tải",
    "Bộ Kế hoạch và Đầu tư",
    "Bộ Khoa học và Công nghệ",
    "Bộ Lao động – Thương binh và Xã hội",
    "Bộ Ngoại giao",
    "Bộ Nội vụ",
    "Bộ Nông nghiệp và Phát triển nông thôn",
    "Bộ Quốc phòng",
    "Bộ Tài chính",
    "Bộ Tài nguyên và Môi trường",
    "Bộ Thông tin và Truyền thông",
    "Bộ Tư pháp",
    "Bộ Văn hóa, Thể thao và Du lịch",
    "Bộ Xây dựng",
    "Bộ Y tế",
    "Ngân hàng Nhà nước Việt Nam",
    "Thanh tra Chính phủ",
    "Ủy ban Dân tộc",
    "Văn phòng Chính phủ",
]
CONFIRMED_H = {
    "000.00.00.H14": "Cao Bằng",
    "000.00.00.H21": "Gia Lai",
    "000.00.00.H29": "Hồ Chí Minh",
    "000.00.00.H37": "Lạng Sơn",
    "000.00.00.H38": "Lào Cai",
    "000.00.00.H41": "Nghệ An",
}
HA_TAY = "000.00.00.H64"


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_registry()


def _provinces(registry: Registry) -> list[str]:
    return [a.id for a in registry if a.kind in (AgencyKind.PROVINCE, AgencyKind.CENTRAL_CITY)]


def _by_place(registry: Registry, place: str) -> str:
    matches = [a.id for a in registry if a.name.endswith(" " + place)]
    assert len(matches) == 1, (place, matches)
    return matches[0]


def test_default_registry_is_the_2008_file() -> None:
    path = default_registry_path()
    assert path.name == "government-2008.toml"
    assert path.parent.name == "agencies"
    assert load_registry().source == str(path)


def test_lists_the_22_government_members_in_domain_order(registry: Registry) -> None:
    members = [a for a in registry if a.id[-3] == "G"]
    assert [a.id for a in members] == [f"000.00.00.G{n:02d}" for n in range(1, 23)]
    assert [a.name for a in members] == GOVERNMENT_2008
    assert registry.get("000.00.00.G22").name == "Văn phòng Chính phủ"


def test_g19_to_g22_are_ministry_level_agencies(registry: Registry) -> None:
    kinds = {a.id: a.kind for a in registry if a.id[-3] == "G"}
    level_agencies = {i for i, k in kinds.items() if k is AgencyKind.MINISTRY_LEVEL_AGENCY}
    assert level_agencies == {f"000.00.00.G{n}" for n in (19, 20, 21, 22)}
    assert all(a.tier is Tier.MINISTRY for a in registry if a.id[-3] == "G")


def test_lists_64_provinces(registry: Registry) -> None:
    provinces = _provinces(registry)
    assert len(provinces) == 64
    assert sorted(provinces) == [f"000.00.00.H{n:02d}" for n in range(1, 65)]
    assert len(registry) == 86


@pytest.mark.parametrize(("agency_id", "place"), sorted(CONFIRMED_H.items()))
def test_confirmed_h_codes(registry: Registry, agency_id: str, place: str) -> None:
    agency = registry.get(agency_id)
    assert agency.name.endswith(place)
    assert not agency.inferred
    assert "confirmed" in agency.source


def test_h_codes_follow_alphabetical_order_ignoring_diacritics(registry: Registry) -> None:
    listed = [registry.get(f"000.00.00.H{n:02d}") for n in range(1, 64)]
    assert sorted(listed, key=lambda a: sort_key(a.name)) == listed
    # The confirmed points are what the ordering is checked against.
    for agency_id, place in CONFIRMED_H.items():
        assert _by_place(registry, place) == agency_id


def test_unconfirmed_h_codes_are_flagged_inferred(registry: Registry) -> None:
    for agency_id in _provinces(registry):
        agency = registry.get(agency_id)
        assert agency.inferred == (agency_id not in CONFIRMED_H), agency_id
        if agency.inferred:
            assert "inferred" in agency.source


def test_ha_tay_is_active_until_31_july_2008(registry: Registry) -> None:
    ha_tay = registry.get(HA_TAY)
    assert ha_tay.name.endswith("Hà Tây")
    assert ha_tay.inferred
    assert ha_tay.active_on(date(2008, 7, 31))
    assert not ha_tay.active_on(date(2008, 8, 1))


def test_hanoi_absorbs_ha_tay() -> None:
    entry = read_registry_file().entry("000.00.00.H24")
    assert entry is not None
    assert entry.agency.name.endswith("Hà Nội")
    assert entry.absorbed == (HA_TAY,)


def test_64_provinces_until_july_2008_then_63(registry: Registry) -> None:
    def active_provinces(day: date) -> int:
        return sum(1 for agency_id in _provinces(registry) if registry.get(agency_id).active_on(day))

    assert active_provinces(date(2008, 7, 31)) == 64
    assert active_provinces(date(2008, 8, 1)) == 63
    assert len(registry.active_on(date(2008, 8, 1))) == 22 + 63


def test_pilots_are_the_four_ministries_and_six_provinces(registry: Registry) -> None:
    pilots = {a.id for a in registry if a.pilot}
    expected_ministries = {"000.00.00.G14", "000.00.00.G03", "000.00.00.G12", "000.00.00.G15"}
    expected_provinces = {
        _by_place(registry, p)
        for p in ("Lào Cai", "Đắk Lắk", "Nghệ An", "Quảng Ninh", "Đà Nẵng", "Hồ Chí Minh")
    }
    assert pilots == expected_ministries | expected_provinces


@pytest.mark.parametrize(
    ("place", "tier"),
    [
        ("Lào Cai", Tier.MOUNTAINOUS_REMOTE),
        ("Hà Giang", Tier.MOUNTAINOUS_REMOTE),
        ("Hòa Bình", Tier.MOUNTAINOUS_REMOTE),
        ("Đắk Lắk", Tier.MOUNTAINOUS_REMOTE),
        ("Lâm Đồng", Tier.MOUNTAINOUS_REMOTE),
        ("Hà Nội", Tier.CENTRAL_CITY),
        ("Hồ Chí Minh", Tier.CENTRAL_CITY),
        ("Cần Thơ", Tier.CENTRAL_CITY),
        ("Quảng Ninh", Tier.PROVINCE),
        ("Nghệ An", Tier.PROVINCE),
        ("Vĩnh Phúc", Tier.PROVINCE),
        ("Hà Tây", Tier.PROVINCE),
    ],
)
def test_tier_of_known_provinces(registry: Registry, place: str, tier: Tier) -> None:
    assert registry.get(_by_place(registry, place)).tier is tier


def test_tier_counts_and_regions(registry: Registry) -> None:
    remote = [a for a in registry if a.tier is Tier.MOUNTAINOUS_REMOTE]
    assert len(remote) == 19
    assert {a.region for a in remote} == {"Trung du và miền núi phía Bắc", "Tây Nguyên"}
    assert sum(1 for a in remote if a.region == "Tây Nguyên") == 5
    cities = [a for a in registry if a.tier is Tier.CENTRAL_CITY]
    assert len(cities) == 5
    assert all(a.kind is AgencyKind.CENTRAL_CITY for a in cities)


@pytest.mark.parametrize(
    ("agency_id", "short_name", "domain"),
    [
        ("000.00.00.G22", "VPCP", "chinhphu.gov.vn"),
        ("000.00.00.G12", "BTC", "mof.gov.vn"),
        ("000.00.00.G15", "BTP", "moj.gov.vn"),
        ("000.00.00.G14", "BTTTT", "mic.gov.vn"),
        ("000.00.00.G03", "BGDĐT", "moet.gov.vn"),
        ("000.00.00.H24", "UBND", "hanoi.gov.vn"),
        ("000.00.00.H15", "UBND", "danang.gov.vn"),
    ],
)
def test_short_names_and_known_domains(
    registry: Registry, agency_id: str, short_name: str, domain: str
) -> None:
    agency = registry.get(agency_id)
    assert (agency.short_name, agency.domain) == (short_name, domain)
    assert registry.by_domain(domain) is agency
    assert agency.mailbox == f"vanthu@{domain}"


def test_inferred_domains_follow_the_naming_rule() -> None:
    file = read_registry_file()
    inferred = [e for e in file.entries if e.domain_inferred]
    assert inferred
    for entry in inferred:
        assert entry.agency.domain == f"{domain_label(place_name(entry.agency.name))}.gov.vn"


@pytest.mark.parametrize(
    ("agency_id", "position", "competence"),
    [
        ("000.00.00.G12", "Bộ trưởng", ""),
        ("000.00.00.G22", "Bộ trưởng, Chủ nhiệm", ""),
        ("000.00.00.G19", "Thống đốc", ""),
        ("000.00.00.G20", "Tổng Thanh tra Chính phủ", ""),
        ("000.00.00.G21", "Bộ trưởng, Chủ nhiệm", ""),
        ("000.00.00.H38", "Chủ tịch", "TM."),
        ("000.00.00.H29", "Chủ tịch", "TM."),
    ],
)
def test_signer_position_by_kind(registry: Registry, agency_id: str, position: str, competence: str) -> None:
    signer = registry.get(agency_id).signer
    assert (signer.position, signer.competence) == (position, competence)
    assert len(signer.full_name.split()) == 3


def test_every_agency_has_a_level2_count_in_range() -> None:
    file = read_registry_file()
    for entry in file.entries:
        low = 10 if entry.agency.id[-3] == "G" else 5
        assert low <= entry.level2_count <= 30, entry.agency.id
