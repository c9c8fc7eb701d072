"""The outgoing register: the ten Decree 30 columns, receipts per recipient, freezing on recall."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from docexchange.edxml.model import StatusCode
from docexchange.store import Channel, ConflictError, NodeStore, NotFoundError
from tests.store.factories import LAO_CAI, NGHE_AN, VPCP, at, outgoing


def test_registering_keeps_every_register_column(node: NodeStore) -> None:
    new = outgoing(5, notes="gửi kèm bản giấy")
    entry = node.register_outgoing(new)
    assert (entry.code_text, entry.promulgation_date, entry.type_and_subject) == (
        "05/TB-VPCP",
        new.promulgation_date,
        new.type_and_subject,
    )
    assert (entry.signer, entry.recipients, entry.file_holder, entry.copies) == (
        "Mai Tiến Dũng",
        (LAO_CAI, NGHE_AN),
        "Văn thư VPCP",
        3,
    )
    assert (entry.date_sent, entry.receipt, entry.notes) == (None, (), "gửi kèm bản giấy")
    assert (entry.agency_id, entry.year, entry.number, entry.has_message, entry.frozen) == (
        VPCP,
        2019,
        5,
        True,
        False,
    )
    assert node.outgoing_message(new.document_id) == new.signed_message
    assert node.outgoing(new.document_id) == entry


def test_a_document_id_is_registered_once(node: NodeStore) -> None:
    node.register_outgoing(outgoing(1))
    with pytest.raises(ConflictError, match="already in the outgoing register"):
        node.register_outgoing(outgoing(1))


def test_the_number_must_match_the_notation(node: NodeStore) -> None:
    with pytest.raises(ValueError, match="does not carry number 02"):
        node.register_outgoing(replace(outgoing(1), number=2))


def test_register_lists_by_year_then_number(node: NodeStore) -> None:
    for number, year in [(2, 2019), (1, 2020), (1, 2019)]:
        node.register_outgoing(outgoing(number, year=year))
    assert [(e.year, e.number) for e in node.list_outgoing()] == [(2019, 1), (2019, 2), (2020, 1)]
    assert [e.number for e in node.list_outgoing(year=2020)] == [1]


def test_receipt_keeps_each_recipients_latest_status(node: NodeStore) -> None:
    doc = node.register_outgoing(outgoing(1)).document_id
    node.record_status(doc, LAO_CAI, StatusCode.ARRIVED, at(2019, 3, 12, 10))
    node.record_status(doc, LAO_CAI, StatusCode.ACCEPTED, at(2019, 3, 12, 11))
    node.record_status(doc, LAO_CAI, StatusCode.ARRIVED, at(2019, 3, 12, 10))  # late retry of 01
    entry = node.record_status(doc, NGHE_AN, 2, at(2019, 3, 12, 10, 30))
    lao_cai, nghe_an = entry.receipt
    assert (lao_cai.recipient, lao_cai.status_code, lao_cai.at) == (
        LAO_CAI,
        StatusCode.ACCEPTED,
        at(2019, 3, 12, 11),
    )
    assert (nghe_an.recipient, nghe_an.status_code) == (NGHE_AN, StatusCode.REFUSED)
    assert entry.status_of(NGHE_AN) == nghe_an


def test_at_the_same_instant_the_later_stage_wins(node: NodeStore) -> None:
    doc = node.register_outgoing(outgoing(1)).document_id
    same = at(2019, 3, 12, 10)
    node.record_status(doc, LAO_CAI, StatusCode.ACCEPTED, same)
    entry = node.record_status(doc, LAO_CAI, StatusCode.ARRIVED, same)
    assert entry.receipt[0].status_code is StatusCode.ACCEPTED


def test_a_status_from_a_non_recipient_is_refused(node: NodeStore) -> None:
    doc = node.register_outgoing(outgoing(1)).document_id
    with pytest.raises(ConflictError, match="not a recipient"):
        node.record_status(doc, "000.00.00.H29", StatusCode.ARRIVED, at(2019, 3, 12, 10))
    with pytest.raises(NotFoundError):
        node.record_status("no-such-document", LAO_CAI, StatusCode.ARRIVED, at(2019, 3, 12, 10))


def test_freezing_keeps_the_senders_copy_and_records_when(node: NodeStore, db_path: Path) -> None:
    new = outgoing(1)
    node.register_outgoing(new)
    first = node.freeze(new.document_id, at(2019, 3, 13))
    again = node.freeze(new.document_id, at(2019, 3, 14))
    assert first.frozen and again.frozen_at == at(2019, 3, 13)
    assert node.outgoing_message(new.document_id) == new.signed_message
    # the answer to the recall still lands in the receipt column
    entry = node.record_status(new.document_id, LAO_CAI, StatusCode.RECALL_AGREED, at(2019, 3, 13, 9))
    assert entry.status_of(LAO_CAI) is not None
    with pytest.raises(NotFoundError):
        node.freeze("no-such-document", at(2019, 3, 13))


def test_first_successful_send_fills_date_sent(node: NodeStore) -> None:
    new = outgoing(1)
    node.register_outgoing(new)
    sent = at(2019, 3, 12, 9, 5)
    items = [
        node.enqueue(new.document_id, r, Channel.AXIS, new.signed_message or b"", at=sent)
        for r in new.recipients
    ]
    node.mark_sent(items[0].id, sent)
    node.mark_sent(items[1].id, sent + timedelta(hours=2))
    entry = node.outgoing(new.document_id)
    assert entry is not None and entry.date_sent == sent


def test_a_paper_only_document_has_no_message(node: NodeStore) -> None:
    entry = node.register_outgoing(outgoing(1, signed_message=None))
    assert not entry.has_message
    assert node.outgoing_message(entry.document_id) is None
