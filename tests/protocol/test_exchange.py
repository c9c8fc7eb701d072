"""Records: one recipient, a document sent to several, and the receiver's own view."""

from __future__ import annotations

import dataclasses

import pytest

from docexchange.protocol import (
    DeliveryState,
    DocumentRecord,
    Effect,
    IllegalTransition,
    Party,
    ProtocolReason,
    ReceivedDocument,
    RecipientRecord,
    unknown_document,
)

from .helpers import S01, S02, S03, S04, S05, S06, S13, S15, S16, T0, minutes

State = DeliveryState
DOC = "000.00.00.G22,2019/03/12,05/TB-VPCP"
VPCP = "000.00.00.G22"
LAO_CAI = "000.00.00.H38"
NGHE_AN = "000.00.00.H41"
TAI_CHINH = "000.00.00.G12"


# --- RecipientRecord --------------------------------------------------------------------------


def test_a_new_record_is_sent_with_no_history() -> None:
    record = RecipientRecord.sent(DOC, LAO_CAI, T0)
    assert (record.state, record.updated_at, record.history, record.before_recall) == (
        State.SENT,
        T0,
        (),
        None,
    )


def test_apply_returns_a_new_record_and_keeps_the_old_one() -> None:
    record = RecipientRecord.sent(DOC, LAO_CAI, T0)
    accepted, transition = record.apply(S03, Party.RECEIVER, minutes(5))
    assert transition.effect is Effect.CHANGED
    assert (accepted.state, accepted.updated_at, accepted.history) == (
        State.ACCEPTED,
        minutes(5),
        ((S03, minutes(5)),),
    )
    assert record.state is State.SENT
    with pytest.raises(dataclasses.FrozenInstanceError):
        accepted.state = State.SENT  # type: ignore[misc]


def test_applying_a_status_twice_is_applying_it_once() -> None:
    accepted, _ = RecipientRecord.sent(DOC, LAO_CAI, T0).apply(S03, Party.RECEIVER, minutes(5))
    again, transition = accepted.apply(S03, Party.RECEIVER, minutes(9))
    assert transition.effect is Effect.DUPLICATE
    assert again is accepted
    late, transition = accepted.apply(S01, Party.RECEIVER, minutes(9))
    assert transition.effect is Effect.STALE
    assert late is accepted


def test_a_recall_round_is_kept_in_the_record() -> None:
    record = RecipientRecord.sent(DOC, LAO_CAI, T0)
    for at, (status, by) in enumerate([(S03, Party.RECEIVER), (S13, Party.SENDER), (S16, Party.RECEIVER)]):
        record, _ = record.apply(status, by, minutes(at))
    assert record.state is State.ACCEPTED
    assert record.recall_refused
    assert [status for status, _ in record.history] == [S03, S13, S16]
    again, transition = record.apply(S16, Party.RECEIVER, minutes(10))
    assert transition.effect is Effect.DUPLICATE and again is record


def test_a_refusal_from_a_record_names_the_document_and_the_recipient() -> None:
    with pytest.raises(IllegalTransition) as info:
        RecipientRecord.sent(DOC, LAO_CAI, T0).apply(S06, Party.RECEIVER, minutes(1))
    assert info.value.reason == ProtocolReason.SKIPPED_ACCEPTANCE
    assert info.value.culprit is Party.RECEIVER
    assert DOC in info.value.message and LAO_CAI in info.value.message


def test_a_record_cannot_be_built_inconsistent() -> None:
    with pytest.raises(ValueError, match="pending recall"):
        RecipientRecord(DOC, LAO_CAI, State.RECALL_REQUESTED, T0)
    with pytest.raises(ValueError, match="without a recall"):
        RecipientRecord(DOC, LAO_CAI, State.ACCEPTED, T0, before_recall=State.ARRIVED)


# --- DocumentRecord: the sender's side --------------------------------------------------------


def _sent() -> DocumentRecord:
    return DocumentRecord.sent(DOC, VPCP, [LAO_CAI, NGHE_AN, TAI_CHINH], T0)


def test_each_recipient_has_its_own_record() -> None:
    document = _sent()
    document.receive_status(LAO_CAI, S01, minutes(1))
    document.receive_status(LAO_CAI, S03, minutes(2))
    document.receive_status(NGHE_AN, S02, minutes(3))
    assert document.latest() == {LAO_CAI: State.ACCEPTED, NGHE_AN: State.REFUSED, TAI_CHINH: State.SENT}
    assert document.recipients == (LAO_CAI, NGHE_AN, TAI_CHINH)
    assert document.record(LAO_CAI).updated_at == minutes(2)


def test_a_status_from_a_non_recipient_is_refused() -> None:
    with pytest.raises(IllegalTransition) as info:
        _sent().receive_status("000.00.00.G01", S03, minutes(1))
    assert info.value.reason == ProtocolReason.STATUS_FROM_NON_RECIPIENT
    assert info.value.culprit is Party.RECEIVER
    assert "000.00.00.G01" in info.value.message


def test_a_recipient_cannot_send_a_recall_request() -> None:
    with pytest.raises(IllegalTransition) as info:
        _sent().receive_status(LAO_CAI, S13, minutes(1))
    assert (info.value.reason, info.value.culprit) == (ProtocolReason.WRONG_PARTY, Party.RECEIVER)


def test_a_failed_status_leaves_the_record_as_it_was() -> None:
    document = _sent()
    document.receive_status(LAO_CAI, S01, minutes(1))
    with pytest.raises(IllegalTransition):
        document.receive_status(LAO_CAI, S06, minutes(2))
    assert document.record(LAO_CAI).state is State.ARRIVED


def test_the_records_view_is_read_only() -> None:
    with pytest.raises(TypeError):
        _sent().records[LAO_CAI] = RecipientRecord.sent(DOC, LAO_CAI, T0)  # type: ignore[index]


def test_a_document_needs_distinct_recipients() -> None:
    with pytest.raises(ValueError, match="twice"):
        DocumentRecord.sent(DOC, VPCP, [LAO_CAI, LAO_CAI], T0)
    with pytest.raises(ValueError, match="no recipients"):
        DocumentRecord.sent(DOC, VPCP, [], T0)


def test_a_document_restores_from_stored_records() -> None:
    stored = {LAO_CAI: RecipientRecord(DOC, LAO_CAI, State.PROCESSING, minutes(30))}
    document = DocumentRecord(DOC, VPCP, stored, frozen_at=minutes(40))
    assert document.frozen and document.frozen_at == minutes(40)
    assert document.receive_status(LAO_CAI, S06, minutes(50)).state is State.COMPLETED
    with pytest.raises(ValueError, match="filed under"):
        DocumentRecord(DOC, VPCP, {NGHE_AN: stored[LAO_CAI]})


def test_recall_freezes_the_senders_copy_and_skips_refused_recipients() -> None:
    document = _sent()
    document.receive_status(LAO_CAI, S03, minutes(1))
    document.receive_status(NGHE_AN, S02, minutes(2))
    assert not document.frozen
    transitions = document.request_recall(minutes(10))
    assert set(transitions) == {LAO_CAI, TAI_CHINH}
    assert all(t.changed and t.state is State.RECALL_REQUESTED for t in transitions.values())
    assert document.frozen and document.frozen_at == minutes(10)
    document.receive_status(LAO_CAI, S15, minutes(20))
    document.receive_status(TAI_CHINH, S16, minutes(21))
    assert document.latest() == {LAO_CAI: State.RECALLED, NGHE_AN: State.REFUSED, TAI_CHINH: State.SENT}
    assert document.frozen  # a refused recall does not un-withdraw the sender's copy
    assert document.record(LAO_CAI).before_recall is State.ACCEPTED


def test_asking_again_for_a_pending_recall_is_a_duplicate() -> None:
    document = _sent()
    document.request_recall(minutes(1))
    again = document.request_recall(minutes(2))
    assert {t.effect for t in again.values()} == {Effect.DUPLICATE}
    assert document.frozen_at == minutes(1)


def test_recall_of_some_recipients_only() -> None:
    document = _sent()
    transitions = document.request_recall(minutes(1), [NGHE_AN])
    assert list(transitions) == [NGHE_AN]
    assert document.latest()[LAO_CAI] is State.SENT
    with pytest.raises(KeyError):
        document.request_recall(minutes(2), ["000.00.00.G01"])


def test_recall_of_a_document_every_recipient_refused_is_refused() -> None:
    document = DocumentRecord.sent(DOC, VPCP, [LAO_CAI], T0)
    document.receive_status(LAO_CAI, S02, minutes(1))
    with pytest.raises(IllegalTransition) as info:
        document.request_recall(minutes(2))
    assert (info.value.reason, info.value.culprit) == (ProtocolReason.RECALL_AFTER_REFUSAL, Party.SENDER)
    assert not document.frozen


def test_unknown_document_blames_the_side_that_sent_the_status() -> None:
    from_receiver = unknown_document(DOC, S03, LAO_CAI)
    assert (from_receiver.reason, from_receiver.culprit) == (
        ProtocolReason.STATUS_FOR_UNKNOWN_DOCUMENT,
        Party.RECEIVER,
    )
    assert unknown_document(DOC, S13, VPCP).culprit is Party.SENDER
    assert DOC in str(from_receiver)


# --- ReceivedDocument: the receiver's side ----------------------------------------------------


def _received() -> ReceivedDocument:
    return ReceivedDocument.received(DOC, VPCP, LAO_CAI, T0)


def test_the_receiver_reports_its_progress() -> None:
    received = _received()
    for at, status in enumerate([S01, S03, S04, S05, S06]):
        assert received.report(status, minutes(at)).changed
    assert received.state is State.COMPLETED
    assert received.record.recipient == LAO_CAI


def test_the_receiver_cannot_assign_before_accepting() -> None:
    received = _received()
    received.report(S01, minutes(1))
    with pytest.raises(IllegalTransition) as info:
        received.report(S04, minutes(2))
    assert (info.value.reason, info.value.culprit) == (ProtocolReason.SKIPPED_ACCEPTANCE, Party.RECEIVER)


def test_the_receiver_cannot_request_a_recall() -> None:
    with pytest.raises(IllegalTransition) as info:
        _received().report(S13, minutes(1))
    assert info.value.reason == ProtocolReason.WRONG_PARTY


def test_a_repeated_report_is_not_sent_again() -> None:
    received = _received()
    received.report(S03, minutes(1))
    assert received.report(S03, minutes(2)).effect is Effect.DUPLICATE


def test_recall_agreed_means_the_copy_must_be_destroyed() -> None:
    received = _received()
    received.report(S03, minutes(1))
    assert received.receive_recall(VPCP, minutes(2)).state is State.RECALL_REQUESTED
    assert received.recall_pending and not received.must_destroy
    assert received.answer_recall(True, minutes(3)).state is State.RECALLED
    assert received.must_destroy and not received.recall_pending


def test_recall_refused_goes_back_to_work() -> None:
    received = _received()
    received.report(S03, minutes(1))
    received.receive_recall(VPCP, minutes(2))
    assert received.answer_recall(False, minutes(3)).state is State.ACCEPTED
    assert received.report(S05, minutes(4)).state is State.PROCESSING


def test_only_the_sender_may_recall() -> None:
    with pytest.raises(IllegalTransition) as info:
        _received().receive_recall(TAI_CHINH, minutes(1))
    assert (info.value.reason, info.value.culprit) == (ProtocolReason.STATUS_FROM_NON_SENDER, Party.SENDER)


def test_the_receiver_cannot_answer_a_recall_nobody_asked_for() -> None:
    with pytest.raises(IllegalTransition) as info:
        _received().answer_recall(True, minutes(1))
    assert info.value.reason == ProtocolReason.RECALL_ANSWER_WITHOUT_REQUEST


# --- both ends wired together in memory -------------------------------------------------------


def test_sender_and_receiver_agree_under_at_least_once_delivery() -> None:
    """Every status the receiver sends is delivered twice, the second time late; the sender's
    record still ends where the receiver's does."""
    document = DocumentRecord.sent(DOC, VPCP, [LAO_CAI], T0)
    received = _received()
    delivered = []
    for at, status in enumerate([S01, S03, S04, S06]):
        if received.report(status, minutes(at)).changed:
            delivered.append(status)
            document.receive_status(LAO_CAI, status, minutes(at))
    effects = [document.receive_status(LAO_CAI, status, minutes(20)).effect for status in delivered]
    assert effects == [Effect.STALE, Effect.STALE, Effect.STALE, Effect.DUPLICATE]
    transitions = document.request_recall(minutes(30))
    assert received.receive_recall(VPCP, minutes(31)).changed == transitions[LAO_CAI].changed
    answer = received.answer_recall(True, minutes(32))
    document.receive_status(LAO_CAI, answer.status, minutes(33))
    document.receive_status(LAO_CAI, answer.status, minutes(34))
    assert document.latest()[LAO_CAI] is received.state is State.RECALLED
    assert received.receive_recall(VPCP, minutes(35)).effect is Effect.STALE  # the 13, retried
