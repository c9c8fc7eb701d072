"""The shipped 2025 registry: 14 ministries + 3 ministry-level agencies, 34 provincial units."""

from __future__ import annotations

from datetime import date

import pytest

from docexchange.registry import (
    AgencyKind,
    Registry,
    RegistryFile,
    Tier,
    load_registry,
    place_name,
    read_registry_file,
    registry_paths,
)

ON = date(2025, 7, 1)
UNCHANGED = {
    "Hà Nội", "Thừa Thiên Huế", "Lai Châu", "Điện Biên", "Sơn La", "Lạng Sơn", "Quảng Ninh",
    "Thanh Hóa", "Nghệ An", "Hà Tĩnh", "Cao Bằng",
}  # fmt: skip
# Resolution 202/2025/QH15: surviving name ← absorbed provinces.
MERGED = {
    "Tuyên Quang": {"Hà Giang"},
    "Lào Cai": {"Yên Bái"},
    "Thái Nguyên": {"Bắc Kạn"},
    "Phú Thọ": {"Vĩnh Phúc", "Hòa Bình"},
    "Bắc Ninh": {"Bắc Giang"},
    "Hưng Yên": {"Thái Bình"},
    "Hải Phòng": {"Hải Dương"},
    "Ninh Bình": {"Hà Nam", "Nam Định"},
    "Quảng Trị": {"Quảng Bình"},
    "Đà Nẵng": {"Quảng Nam"},
    "Quảng Ngãi": {"Kon Tum"},
    "Gia Lai": {"Bình Định"},
    "Khánh Hòa": {"Ninh Thuận"},
    "Lâm Đồng": {"Đắk Nông", "Bình Thuận"},
    "Đắk Lắk": {"Phú Yên"},
    "Hồ Chí Minh": {"Bình Dương", "Bà Rịa – Vũng Tàu"},
    "Đồng Nai": {"Bình Phước"},
    "Tây Ninh": {"Long An"},
    "Cần Thơ": {"Sóc Trăng", "Hậu Giang"},
    "Vĩnh Long": {"Bến Tre", "Trà Vinh"},
    "Đồng Tháp": {"Tiền Giang"},
    "Cà Mau": {"Bạc Liêu"},
    "An Giang": {"Kiên Giang"},
}
MINISTRY_CODES = {
    "Bộ Tài chính": ("G12", {"G05"}),
    "Bộ Nông nghiệp và Môi trường": ("G10", {"G13"}),
    "Bộ Xây dựng": ("G17", {"G04"}),
    "Bộ Khoa học và Công nghệ": ("G06", {"G14"}),
    "Bộ Nội vụ": ("G09", {"G07"}),
    "Bộ Dân tộc và Tôn giáo": ("G21", set()),
}


@pytest.fixture(scope="module")
def file() -> RegistryFile:
    path = [p for p in registry_paths() if p.name == "government-2025.toml"]
    assert path, registry_paths()
    return read_registry_file(path[0])


@pytest.fixture(scope="module")
def registry(file: RegistryFile) -> Registry:
    return file.to_registry()


@pytest.fixture(scope="module")
def names_2008() -> dict[str, str]:
    """2008 identifier → place name, to check merges against the 2008 codes."""
    return {a.id: place_name(a.name) for a in load_registry() if a.id[-3] == "H"}


def _place_ids(names: dict[str, str]) -> dict[str, str]:
    return {place: agency_id for agency_id, place in names.items()}


def test_17_government_agencies_from_march_2025(registry: Registry) -> None:
    active = registry.active_on(date(2025, 3, 1))
    kinds = [a.kind for a in active if a.id[-3] == "G"]
    assert kinds.count(AgencyKind.MINISTRY) == 14
    assert kinds.count(AgencyKind.MINISTRY_LEVEL_AGENCY) == 3
    assert not registry.active_on(date(2025, 2, 28))


def test_34_provincial_units_from_july_2025(registry: Registry) -> None:
    provincial = [a for a in registry.active_on(ON) if a.id[-3] == "H"]
    assert len(provincial) == 34
    cities = {place_name(a.name) for a in provincial if a.kind is AgencyKind.CENTRAL_CITY}
    assert cities == {"Hà Nội", "Huế", "Hải Phòng", "Đà Nẵng", "Hồ Chí Minh", "Cần Thơ"}
    assert all(a.tier is Tier.CENTRAL_CITY for a in provincial if a.kind is AgencyKind.CENTRAL_CITY)
    assert len(registry.active_on(ON)) == 17 + 34
    assert not any(a.id[-3] == "H" for a in registry.active_on(date(2025, 6, 30)))


def test_ministry_level_agencies(registry: Registry) -> None:
    names = {a.name for a in registry if a.kind is AgencyKind.MINISTRY_LEVEL_AGENCY}
    assert names == {"Ngân hàng Nhà nước Việt Nam", "Thanh tra Chính phủ", "Văn phòng Chính phủ"}


@pytest.mark.parametrize(("name", "code_and_absorbed"), sorted(MINISTRY_CODES.items()))
def test_merged_ministries_keep_the_rule_code(
    file: RegistryFile, name: str, code_and_absorbed: tuple[str, set[str]]
) -> None:
    code, absorbed = code_and_absorbed
    entry = file.entry(f"000.00.00.{code}")
    assert entry is not None
    assert entry.agency.name == name
    assert entry.agency.inferred
    assert {a[-3:] for a in entry.absorbed} == absorbed


def test_retired_ministry_codes_are_gone(registry: Registry) -> None:
    for code in ("G04", "G05", "G07", "G13", "G14"):
        assert f"000.00.00.{code}" not in registry


def test_unchanged_units_keep_their_2008_code(registry: Registry, names_2008: dict[str, str]) -> None:
    codes = _place_ids(names_2008)
    for place in UNCHANGED:
        agency = registry.get(codes[place])
        expected = "Huế" if place == "Thừa Thiên Huế" else place
        assert place_name(agency.name) == expected


def test_merged_units_keep_the_code_of_their_name_and_record_the_absorbed(
    file: RegistryFile, names_2008: dict[str, str]
) -> None:
    codes = _place_ids(names_2008)
    for survivor, absorbed in MERGED.items():
        entry = file.entry(codes[survivor])
        assert entry is not None, survivor
        assert place_name(entry.agency.name) == survivor
        assert {names_2008[a] for a in entry.absorbed} == absorbed
        assert entry.agency.inferred
        assert "inferred" in entry.agency.source


def test_every_2008_province_survives_or_is_absorbed_exactly_once(
    file: RegistryFile, names_2008: dict[str, str]
) -> None:
    provincial = [e for e in file.entries if e.agency.id[-3] == "H"]
    kept = [e.agency.id for e in provincial]
    absorbed = [a for e in provincial for a in e.absorbed]
    ha_tay = "000.00.00.H64"
    assert sorted(kept + absorbed) == sorted(i for i in names_2008 if i != ha_tay)


def test_confirmed_unchanged_codes_are_not_inferred(registry: Registry) -> None:
    for agency_id in ("000.00.00.H14", "000.00.00.H37", "000.00.00.H41"):
        assert not registry.get(agency_id).inferred
    assert not registry.get("000.00.00.G22").inferred


def test_no_district_level(file: RegistryFile) -> None:
    assert all(e.level2_count == 0 for e in file.entries if e.agency.id[-3] == "H")
    generated = file.to_registry(include_level2=True)
    assert {a.kind for a in generated if a.generated} == {AgencyKind.DEPARTMENT}


def test_mountainous_remote_units(registry: Registry, names_2008: dict[str, str]) -> None:
    remote = {place_name(a.name) for a in registry if a.tier is Tier.MOUNTAINOUS_REMOTE}
    assert remote == {
        "Tuyên Quang", "Lào Cai", "Thái Nguyên", "Phú Thọ", "Bắc Ninh", "Điện Biên", "Lai Châu",
        "Sơn La", "Lạng Sơn", "Cao Bằng", "Quảng Ngãi", "Gia Lai", "Đắk Lắk", "Lâm Đồng",
    }  # fmt: skip
    assert registry.get(_place_ids(names_2008)["Quảng Ninh"]).tier is Tier.PROVINCE


def test_pilots_stay_on_units_that_keep_a_pilot_identifier(registry: Registry) -> None:
    pilots = {a.id[-3:] for a in registry if a.pilot}
    assert pilots == {"G03", "G12", "G15", "H38", "H16", "H41", "H49", "H15", "H29"}


def test_bo_dan_toc_va_ton_giao_is_a_ministry_signed_by_a_minister(registry: Registry) -> None:
    agency = registry.get("000.00.00.G21")
    assert agency.kind is AgencyKind.MINISTRY
    assert agency.signer.position == "Bộ trưởng"
