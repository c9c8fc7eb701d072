"""QCVN 102:2016 identifier syntax: 13 characters, groups 3.2.2.3, lowest level first."""

from __future__ import annotations

import pytest

from docexchange.registry import (
    child_identifier,
    is_identifier,
    level1_of,
    level_of,
    parent_of,
    validate_identifier,
)


@pytest.mark.parametrize(
    ("identifier", "level"),
    [
        ("000.00.00.G12", 1),
        ("000.00.00.H38", 1),
        ("000.00.18.G12", 2),
        ("000.07.18.G22", 3),
        ("001.07.18.H29", 4),
    ],
)
def test_accepts_identifiers_of_every_level(identifier: str, level: int) -> None:
    validate_identifier(identifier)
    assert is_identifier(identifier)
    assert level_of(identifier) == level


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("000.00.00.G1", "has 12 characters"),
        ("000.00.00.G123", "has 14 characters"),
        ("", "has 0 characters"),
        ("000.000.0.G12", "widths 3.2.2.3"),
        ("000-00-00-G12", "widths 3.2.2.3"),
        ("0000.00.0.G12", "widths 3.2.2.3"),
        ("00a.00.00.G12", "first three groups must be digits"),
        ("000.00.00.g12", "capital letter and two digits"),
        ("000.00.00.12G", "capital letter and two digits"),
        ("000.00.00.GG1", "capital letter and two digits"),
        ("000.00.00.G00", "00 is not assigned"),
        ("000.05.00.G12", "higher-level group is 00"),
        ("001.00.05.G12", "higher-level group is 00"),
    ],
)
def test_refuses_malformed_identifiers_with_a_reason(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        validate_identifier(text)
    assert not is_identifier(text)


def test_is_identifier_is_false_for_non_strings() -> None:
    assert not is_identifier(12)
    assert not is_identifier(None)


def test_parent_of_goes_up_one_level() -> None:
    assert parent_of("000.00.00.G12") is None
    assert parent_of("000.00.18.G12") == "000.00.00.G12"
    assert parent_of("000.07.18.G12") == "000.00.18.G12"
    assert parent_of("001.07.18.G12") == "000.07.18.G12"


def test_level1_of_finds_the_agency() -> None:
    assert level1_of("000.07.18.G22") == "000.00.00.G22"
    assert level1_of("000.00.00.H38") == "000.00.00.H38"


def test_child_identifier_fills_the_next_group() -> None:
    assert child_identifier("000.00.00.G12", 5) == "000.00.05.G12"
    assert child_identifier("000.00.05.G12", 17) == "000.17.05.G12"
    assert child_identifier("000.17.05.G12", 123) == "123.17.05.G12"
    assert parent_of(child_identifier("000.00.00.H38", 9)) == "000.00.00.H38"


@pytest.mark.parametrize("number", [0, 100, -1])
def test_child_identifier_refuses_numbers_that_do_not_fit(number: int) -> None:
    with pytest.raises(ValueError, match="does not fit"):
        child_identifier("000.00.00.G12", number)


def test_child_identifier_has_no_level_below_four() -> None:
    with pytest.raises(ValueError, match="no level below"):
        child_identifier("001.07.18.G12", 1)


def test_parent_of_refuses_malformed_identifiers() -> None:
    with pytest.raises(ValueError):
        parent_of("G12")
