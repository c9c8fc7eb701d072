"""Decree 30 numbering: per agency, per year from 01, secret series apart, surviving restarts."""

from __future__ import annotations

from pathlib import Path

import pytest

from docexchange.edxml.numbering import Series
from docexchange.store import ConflictError, NodeStore
from tests.store.factories import LAO_CAI, VPCP, outgoing


def test_numbers_run_from_one_and_restart_each_year(node: NodeStore) -> None:
    assert [node.next_number(2019) for _ in range(3)] == [1, 2, 3]
    assert node.next_number(2020) == 1
    assert node.next_number(2019) == 4


def test_secret_documents_have_their_own_series(node: NodeStore) -> None:
    node.next_number(2019)
    node.next_number(2019)
    assert node.next_number(2019, Series.SECRET) == 1
    assert node.next_number(2019, "normal") == 3


def test_numbering_continues_after_close_and_reopen(db_path: Path) -> None:
    with NodeStore(db_path, VPCP) as store:
        assert [store.next_number(2019) for _ in range(5)] == [1, 2, 3, 4, 5]
        store.next_number(2019, Series.SECRET)
    with NodeStore(db_path, VPCP) as store:
        assert store.next_number(2019) == 6
        assert store.next_number(2019, Series.SECRET) == 2


def test_agencies_sharing_a_file_number_independently(db_path: Path) -> None:
    with NodeStore(db_path, VPCP) as vpcp, NodeStore(db_path, LAO_CAI) as lao_cai:
        assert [vpcp.next_number(2019) for _ in range(3)] == [1, 2, 3]
        assert lao_cai.next_number(2019) == 1
        assert vpcp.list_outgoing() == lao_cai.list_outgoing() == []


def test_a_number_registered_by_hand_is_never_handed_out_again(node: NodeStore) -> None:
    node.register_outgoing(outgoing(7))
    assert node.next_number(2019) == 8


def test_a_number_cannot_be_registered_twice_in_a_year(node: NodeStore) -> None:
    node.register_outgoing(outgoing(1))
    clash = outgoing(1, document_id=f"{VPCP},2019/03/13,01/TB-VPCP")
    with pytest.raises(ConflictError, match="number 01 of 2019"):
        node.register_outgoing(clash)
    node.register_outgoing(outgoing(1, year=2020))  # a new year, the same number again
    node.register_outgoing(outgoing(1, series=Series.SECRET, document_id="secret-1"))


def test_unknown_series_is_refused(node: NodeStore) -> None:
    with pytest.raises(ValueError):
        node.next_number(2019, "confidential")
