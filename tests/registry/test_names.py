"""The diacritic-free ordering QCVN 102 numbers provinces by."""

from __future__ import annotations

from docexchange.registry import place_name, sort_key, unaccent
from docexchange.registry.names import domain_label


def test_unaccent_maps_d_with_stroke_to_d() -> None:
    assert unaccent("Đắk Lắk") == "Dak Lak"
    assert unaccent("Thừa Thiên Huế") == "Thua Thien Hue"


def test_place_name_drops_the_peoples_committee_and_unit_words() -> None:
    assert place_name("Ủy ban nhân dân tỉnh Lào Cai") == "Lào Cai"
    assert place_name("Ủy ban nhân dân thành phố Hà Nội") == "Hà Nội"
    assert place_name("Ủy ban nhân dân Thành phố Hồ Chí Minh") == "Hồ Chí Minh"
    assert place_name("TP Hồ Chí Minh") == "Hồ Chí Minh"
    assert place_name("Tỉnh Lào Cai") == "Lào Cai"


def test_tp_ho_chi_minh_sorts_as_ho_chi_minh() -> None:
    assert sort_key("TP Hồ Chí Minh") == "ho chi minh"
    assert sort_key("Ủy ban nhân dân tỉnh Hòa Bình") > sort_key("TP Hồ Chí Minh")


def test_order_ignores_diacritics_rather_than_following_vietnamese_collation() -> None:
    # Vietnamese collation puts Cần Thơ after Cao Bằng (a < â); ASCII order puts it before.
    assert sort_key("Cần Thơ") < sort_key("Cao Bằng")
    assert sort_key("Bắc Giang") < sort_key("Bạc Liêu") < sort_key("Bắc Ninh")


def test_domain_label_is_unaccented_lower_case_without_separators() -> None:
    assert domain_label("Bà Rịa – Vũng Tàu") == "bariavungtau"
    assert domain_label("Đắk Nông") == "daknong"
