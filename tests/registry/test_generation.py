"""Level-2 units generated from level2_count: departments under ministries, districts under provinces."""

from __future__ import annotations

from datetime import date

import pytest

from docexchange.registry import (
    AgencyKind,
    Registry,
    generate_level2,
    is_identifier,
    level_of,
    load_registry,
    parent_of,
    read_registry_file,
)

LAO_CAI = "000.00.00.H38"
TAI_CHINH = "000.00.00.G12"


@pytest.fixture(scope="module")
def full() -> Registry:
    return load_registry(include_level2=True)


def test_level2_units_only_when_asked() -> None:
    assert not any(a.generated for a in load_registry())
    assert all(a.level == 1 for a in load_registry())


def test_count_matches_the_file(full: Registry) -> None:
    file = read_registry_file()
    assert len(full) == len(file.entries) + sum(e.level2_count for e in file.entries)
    for entry in file.entries:
        assert len(full.children(entry.agency.id)) == entry.level2_count


def test_districts_of_lao_cai(full: Registry) -> None:
    parent = full.get(LAO_CAI)
    count = read_registry_file().entry(LAO_CAI).level2_count  # type: ignore[union-attr]
    districts = full.children(LAO_CAI)
    assert [d.id for d in districts] == [f"000.00.{n:02d}.H38" for n in range(1, count + 1)]
    for district in districts:
        assert is_identifier(district.id)
        assert level_of(district.id) == 2
        assert parent_of(district.id) == district.parent == LAO_CAI
        assert district.generated and not district.pilot
        assert district.kind is AgencyKind.DISTRICT
        assert district.tier is parent.tier
        assert district.region == parent.region
        assert (district.valid_from, district.valid_to) == (parent.valid_from, parent.valid_to)
        assert district.domain.endswith(".laocai.gov.vn")
        assert "tỉnh Lào Cai" in district.name
        assert (district.signer.position, district.signer.competence) == ("Chủ tịch", "TM.")
    assert districts[4].name == "Ủy ban nhân dân huyện số 05 thuộc tỉnh Lào Cai"


def test_departments_of_a_ministry(full: Registry) -> None:
    departments = full.children(TAI_CHINH)
    assert departments
    first = departments[0]
    assert first.id == "000.00.01.G12"
    assert first.kind is AgencyKind.DEPARTMENT
    assert first.name == "Vụ số 01 thuộc Bộ Tài chính"
    assert first.domain == "vu01.mof.gov.vn"
    assert first.signer.position == "Vụ trưởng"
    assert not first.pilot  # Bộ Tài chính is a pilot; its generated units are not


def test_city_districts_are_quan(full: Registry) -> None:
    assert full.children("000.00.00.H24")[0].name == "Ủy ban nhân dân quận số 01 thuộc thành phố Hà Nội"


def test_identifiers_and_domains_stay_unique(full: Registry) -> None:
    assert len({a.id for a in full}) == len(full)
    assert len({a.domain for a in full}) == len(full)


def test_ha_tay_districts_end_with_ha_tay(full: Registry) -> None:
    districts = full.children("000.00.00.H64")
    assert districts
    assert all(d.active_on(date(2008, 7, 31)) and not d.active_on(date(2008, 8, 1)) for d in districts)


def test_generation_refuses_a_level2_parent(full: Registry) -> None:
    with pytest.raises(ValueError, match="not a level-1 agency"):
        generate_level2(full.get("000.00.01.G12"), 3)


def test_generation_is_deterministic() -> None:
    parent = load_registry().get(LAO_CAI)
    assert generate_level2(parent, 4) == generate_level2(parent, 4)
    assert generate_level2(parent, 0) == ()
