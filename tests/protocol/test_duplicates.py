"""Duplicate keys (delivery and Decree 30 register) and the deterministic duplicate window."""

from __future__ import annotations

import unicodedata
from datetime import timedelta

import pytest

from docexchange.protocol import DuplicateWindow, delivery_key, register_key

from .helpers import T0

DOC = "000.00.00.G22,2019/03/12,05/TB-VPCP"
LAO_CAI = "000.00.00.H38"
NGHE_AN = "000.00.00.H41"
DAY = timedelta(days=1)


def test_a_retry_to_the_same_recipient_is_the_same_delivery() -> None:
    assert delivery_key(DOC, LAO_CAI) == delivery_key(f" {DOC}\n", LAO_CAI)
    assert delivery_key(DOC, LAO_CAI) != delivery_key(DOC, NGHE_AN)
    assert delivery_key(DOC, LAO_CAI).document_id == DOC


def test_a_delivery_key_needs_both_parts() -> None:
    with pytest.raises(ValueError):
        delivery_key(" ", LAO_CAI)
    with pytest.raises(ValueError):
        delivery_key(DOC, "")


def test_register_key_ignores_zero_padding_case_and_spacing() -> None:
    key = register_key("000.00.00.G22", "05", "TB-VPCP", year=2019)
    assert key == register_key("000.00.00.G22", "5", " tb-vpcp ", year=2019)
    assert register_key("000.00.00.G01", "28", "2018/QĐ-TTg") == register_key(
        "000.00.00.G01", "28", "2018/qđ-ttg"
    )


def test_register_key_compares_vietnamese_in_one_normal_form() -> None:
    composed = unicodedata.normalize("NFC", "VPCP-TTĐT-Hồ")
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed
    assert register_key("000.00.00.G22", "7816", composed) == register_key(
        "000.00.00.G22", "7816", decomposed
    )


def test_register_key_distinguishes_issuer_number_notation_and_year() -> None:
    base = register_key("000.00.00.G22", "05", "TB-VPCP", year=2019)
    assert base != register_key("000.00.00.G12", "05", "TB-VPCP", year=2019)
    assert base != register_key("000.00.00.G22", "06", "TB-VPCP", year=2019)
    assert base != register_key("000.00.00.G22", "05", "KH-VPCP", year=2019)
    assert base != register_key("000.00.00.G22", "05", "TB-VPCP", year=2020)  # numbers restart each year


def test_register_key_keeps_a_non_numeric_number_as_written() -> None:
    assert register_key("000.00.00.G22", "05a", "TB-VPCP").code_number == "05a"
    assert register_key("000.00.00.G22", "000", "TB-VPCP").code_number == "0"


def test_a_register_key_needs_every_part() -> None:
    with pytest.raises(ValueError):
        register_key("000.00.00.G22", " ", "TB-VPCP")


def test_without_a_window_a_key_is_remembered_until_expired() -> None:
    window: DuplicateWindow[str] = DuplicateWindow()
    assert not window.seen("a", T0)
    window.add("a", T0)
    assert window.seen("a", T0 + 365 * DAY)
    assert "a" in window and len(window) == 1
    assert window.expire(T0 + DAY) == 1
    assert not window.seen("a", T0 + 2 * DAY)


def test_with_a_window_an_old_key_counts_as_unseen() -> None:
    window: DuplicateWindow[str] = DuplicateWindow(7 * DAY)
    window.add("a", T0)
    assert window.seen("a", T0 + 7 * DAY)
    assert not window.seen("a", T0 + 7 * DAY + timedelta(seconds=1))


def test_adding_again_keeps_the_latest_time() -> None:
    window: DuplicateWindow[str] = DuplicateWindow(7 * DAY)
    window.add("a", T0 + 5 * DAY)
    window.add("a", T0)  # an earlier time does not move it back
    assert window.seen("a", T0 + 12 * DAY)
    assert window.expire(T0 + 5 * DAY) == 0
    assert window.expire(T0 + 5 * DAY + timedelta(seconds=1)) == 1


def test_observe_answers_whether_it_is_a_duplicate_and_remembers() -> None:
    window: DuplicateWindow[object] = DuplicateWindow(30 * DAY)
    key = delivery_key(DOC, LAO_CAI)
    assert not window.observe(key, T0)
    assert window.observe(delivery_key(DOC, LAO_CAI), T0 + DAY)
    assert not window.observe(delivery_key(DOC, NGHE_AN), T0 + DAY)


def test_expire_forgets_only_older_keys() -> None:
    window: DuplicateWindow[int] = DuplicateWindow()
    for n in range(10):
        window.add(n, T0 + n * DAY)
    assert window.expire(T0 + 4 * DAY) == 4
    assert [n for n in range(10) if n in window] == [4, 5, 6, 7, 8, 9]


def test_a_window_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        DuplicateWindow(timedelta(0))
