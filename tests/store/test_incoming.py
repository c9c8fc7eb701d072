"""The incoming register: one number series across channels, each document once, Decree 30 warnings."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from docexchange.store import Channel, IncomingState, NodeStore
from tests.store.factories import LAO_CAI, TAI_CHINH, VPCP, at, incoming


def test_incoming_numbers_run_across_paper_and_electronic(node: NodeStore) -> None:
    channels = [Channel.AXIS, Channel.PAPER, Channel.MAIL, Channel.PAPER, Channel.AXIS]
    numbers = [
        node.register_incoming(incoming(i + 1, channel=c))[0].incoming_number for i, c in enumerate(channels)
    ]
    assert numbers == [1, 2, 3, 4, 5]
    assert [e.channel for e in node.list_incoming(2019)] == channels


def test_incoming_numbers_restart_each_year_and_continue_after_reopen(db_path: Path) -> None:
    with NodeStore(db_path, VPCP) as store:
        store.register_incoming(incoming(1))
        store.register_incoming(incoming(2))
        store.register_incoming(incoming(1, year=2020))
    with NodeStore(db_path, VPCP) as store:
        entry, _ = store.register_incoming(incoming(3))
        assert entry.incoming_number == 3
        assert [(e.year, e.incoming_number) for e in store.list_incoming()] == [
            (2019, 1),
            (2019, 2),
            (2019, 3),
            (2020, 1),
        ]


def test_the_year_is_the_vietnam_year_of_receipt(node: NodeStore) -> None:
    new_year_in_hanoi = datetime(2019, 12, 31, 18, 30, tzinfo=UTC)  # 01:30 on 1/1/2020
    entry, _ = node.register_incoming(incoming(9, received=new_year_in_hanoi))
    assert (entry.year, entry.incoming_number) == (2020, 1)
    assert entry.date_received == new_year_in_hanoi


def test_a_document_received_twice_is_registered_once(node: NodeStore) -> None:
    first, created = node.register_incoming(incoming(1))
    node.register_incoming(incoming(2))
    again, created_again = node.register_incoming(incoming(1, received=at(2019, 4, 4)))  # a retry
    assert created and not created_again
    assert again == first and again.incoming_number == 1
    assert node.next_incoming_number(2019) == 3  # the retry took no number


def test_same_issuer_number_and_notation_under_another_document_id_is_flagged(node: NodeStore) -> None:
    first, _ = node.register_incoming(incoming(5))
    twin, created = node.register_incoming(
        incoming(
            5, document_id=f"{TAI_CHINH},2019/04/05,5/BTC-VP", code_text="5/BTC-VP", channel=Channel.PAPER
        )
    )
    assert created, "a Decree 30 warning, not a refusal: the clerk decides"
    assert twin.duplicate_of == first.document_id
    assert twin.incoming_number == 2
    assert first.duplicate_of is None


def test_no_warning_for_the_same_code_from_another_issuer_or_year(node: NodeStore) -> None:
    node.register_incoming(incoming(5))
    other_issuer, _ = node.register_incoming(incoming(5, issuer=LAO_CAI))
    next_year, _ = node.register_incoming(incoming(5, year=2020))
    assert other_issuer.duplicate_of is None and next_year.duplicate_of is None


def test_handing_on_and_state_are_recorded(node: NodeStore) -> None:
    entry, _ = node.register_incoming(incoming(1))
    node.set_incoming_state(entry.document_id, IncomingState.ACCEPTED)
    handed = node.hand_on(
        entry.document_id, "Vụ Kinh tế tổng hợp", at(2019, 4, 3, 14), receipt="Nguyễn Văn A"
    )
    assert (handed.state, handed.receiving_unit, handed.date_handed_on, handed.receipt) == (
        IncomingState.ACCEPTED,
        "Vụ Kinh tế tổng hợp",
        at(2019, 4, 3, 14),
        "Nguyễn Văn A",
    )


def test_destroying_removes_the_bytes_and_keeps_the_entry(node: NodeStore) -> None:
    entry, _ = node.register_incoming(incoming(1))
    assert node.incoming_message(entry.document_id) is not None
    destroyed = node.destroy(entry.document_id, at(2019, 4, 10))
    assert destroyed.destroyed and destroyed.destroyed_at == at(2019, 4, 10) and not destroyed.has_message
    assert node.incoming_message(entry.document_id) is None
    assert destroyed.incoming_number == entry.incoming_number
    assert node.list_incoming() == [destroyed]
    assert node.destroy(entry.document_id, at(2019, 4, 11)).destroyed_at == at(2019, 4, 10)
    # a late copy of the recalled document is still a duplicate, not a new registration
    assert node.register_incoming(incoming(1))[1] is False


def test_destroyed_bytes_do_not_linger_in_the_files(node: NodeStore, db_path: Path) -> None:
    marker = b"BI-MAT-NOI-DUNG-" * 300  # spills into overflow pages
    small = b"NOI-DUNG-NHO-0001"
    big, _ = node.register_incoming(incoming(1, signed_message=marker))
    little, _ = node.register_incoming(incoming(2, signed_message=small))
    node.destroy(big.document_id, at(2019, 4, 10))
    node.destroy(little.document_id, at(2019, 4, 10))
    files = [p for p in db_path.parent.iterdir() if p.name.startswith(db_path.name)]
    contents = b"".join(p.read_bytes() for p in files)
    assert b"BI-MAT-NOI-DUNG-" not in contents
    assert small not in contents
