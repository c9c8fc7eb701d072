from datetime import date

import pytest

from docexchange.edxml.numbering import (
    DocumentNumberer,
    Series,
    document_kind,
    make_code,
    make_document_id,
    split_document_id,
)


def test_legal_normative_documents_carry_the_year() -> None:
    assert make_code(28, 2018, document_kind("QĐ"), "TTg", legal_normative=True).text == "28/2018/QĐ-TTg"


def test_administrative_decision_has_no_year() -> None:
    assert make_code(1935, 2010, document_kind("QD"), "VPCP").text == "1935/QĐ-VPCP"


def test_cong_van_has_no_type_abbreviation_only_agency_and_drafting_unit() -> None:
    assert make_code(7816, 2018, document_kind("CV"), "VPCP", drafting_unit="TTĐT").text == "7816/VPCP-TTĐT"


def test_numbers_below_ten_are_zero_padded() -> None:
    assert make_code(5, 2008, document_kind("TB"), "VPCP").text == "05/TB-VPCP"


def test_decree_type_is_always_legal_normative() -> None:
    assert make_code(30, 2020, document_kind("NĐ"), "CP").text == "30/2020/NĐ-CP"


def test_cong_van_cannot_be_legal_normative() -> None:
    with pytest.raises(ValueError, match="công văn"):
        make_code(1, 2020, document_kind("CV"), "VPCP", legal_normative=True)


def test_unknown_type_is_refused_with_the_known_list() -> None:
    with pytest.raises(ValueError, match="unknown document type 'XYZ'"):
        document_kind("XYZ")


def test_numbering_restarts_each_year_and_per_agency() -> None:
    numberer = DocumentNumberer()
    assert [numberer.next("000.00.00.G22", 2018) for _ in range(3)] == [1, 2, 3]
    assert numberer.next("000.00.00.G12", 2018) == 1
    assert numberer.next("000.00.00.G22", 2019) == 1


def test_secret_documents_have_their_own_series() -> None:
    numberer = DocumentNumberer()
    numberer.next("000.00.00.G22", 2018)
    numberer.next("000.00.00.G22", 2018)
    assert numberer.next("000.00.00.G22", 2018, Series.SECRET) == 1


def test_numbering_survives_snapshot_and_restore() -> None:
    numberer = DocumentNumberer()
    numberer.next("000.00.00.G22", 2018)
    restored = DocumentNumberer.restore(numberer.snapshot())
    assert restored.next("000.00.00.G22", 2018) == 2


def test_document_id_round_trips() -> None:
    code = make_code(7816, 2018, document_kind("CV"), "VPCP", drafting_unit="TTĐT")
    document_id = make_document_id("000.00.00.G22", date(2018, 9, 20), code)
    assert document_id == "000.00.00.G22,2018/09/20,7816/VPCP-TTĐT"
    assert split_document_id(document_id) == ("000.00.00.G22", date(2018, 9, 20), "7816/VPCP-TTĐT")
