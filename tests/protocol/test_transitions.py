"""The transition table, rule by rule: legal paths, repeats, and every refusal with its culprit."""

from __future__ import annotations

import pytest

from docexchange.edxml.model import StatusCode
from docexchange.protocol import (
    SENT_BY,
    TABLE,
    TERMINAL_STATES,
    DeliveryState,
    Effect,
    IllegalTransition,
    Party,
    ProtocolReason,
    advance,
    sender_of,
)

from .helpers import S01, S02, S03, S04, S05, S06, S13, S15, S16, end, refusal, walk

State = DeliveryState
RECEIVER_STATUSES = [S01, S02, S03, S04, S05, S06, S15, S16]
RECALLABLE = [State.SENT, State.ARRIVED, State.ACCEPTED, State.ASSIGNED, State.PROCESSING, State.COMPLETED]
# A shortest way to reach each recallable state from SENT.
PATH_TO = {
    State.SENT: (),
    State.ARRIVED: (S01,),
    State.ACCEPTED: (S01, S03),
    State.ASSIGNED: (S03, S04),
    State.PROCESSING: (S03, S05),
    State.COMPLETED: (S03, S06),
}


# --- the table itself -------------------------------------------------------------------------


def test_table_covers_every_state_and_every_status() -> None:
    assert set(TABLE) == set(DeliveryState)
    for row in TABLE.values():
        assert set(row) == set(StatusCode)


def test_only_refusal_and_recall_are_terminal() -> None:
    assert {State.REFUSED, State.RECALLED} == TERMINAL_STATES
    assert [s for s in DeliveryState if s.terminal] == [State.REFUSED, State.RECALLED]


def test_the_sender_sends_only_the_recall_request() -> None:
    assert [s for s, party in SENT_BY.items() if party is Party.SENDER] == [S13]
    assert sender_of(S15) is Party.RECEIVER


# --- legal paths ------------------------------------------------------------------------------


def test_arrived_accepted_assigned_processing_completed() -> None:
    transitions = walk(S01, S03, S04, S05, S06)
    assert [t.state for t in transitions] == [
        State.ARRIVED,
        State.ACCEPTED,
        State.ASSIGNED,
        State.PROCESSING,
        State.COMPLETED,
    ]
    assert all(t.effect is Effect.CHANGED for t in transitions)
    assert [t.previous for t in transitions][1:] == [t.state for t in transitions][:-1]


def test_arrived_may_be_lost_so_accepted_is_legal_straight_from_sent() -> None:
    assert end(S03).state is State.ACCEPTED


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ((S03, S06), State.COMPLETED),
        ((S03, S05), State.PROCESSING),
        ((S03, S04, S06), State.COMPLETED),
        ((S01, S03, S05, S06), State.COMPLETED),
    ],
)
def test_forward_skips_among_assigned_processing_completed_are_allowed(
    path: tuple[StatusCode, ...], expected: DeliveryState
) -> None:
    assert end(*path).state is expected


def test_refusal_after_arrival() -> None:
    assert end(S01, S02).state is State.REFUSED


def test_refusal_straight_from_sent() -> None:
    assert end(S02).state is State.REFUSED


@pytest.mark.parametrize("before", RECALLABLE)
def test_recall_request_remembers_the_state_before_it(before: DeliveryState) -> None:
    transition = end(*PATH_TO[before], S13)
    assert transition.state is State.RECALL_REQUESTED
    assert transition.before_recall is before
    assert transition.by is Party.SENDER


@pytest.mark.parametrize("before", RECALLABLE)
def test_recall_agreed_ends_in_recalled(before: DeliveryState) -> None:
    transition = end(*PATH_TO[before], S13, S15)
    assert transition.state is State.RECALLED
    assert transition.before_recall is before  # what was recalled, kept for the record


@pytest.mark.parametrize("before", RECALLABLE)
def test_recall_refused_returns_to_the_state_before_the_recall(before: DeliveryState) -> None:
    transition = end(*PATH_TO[before], S13, S16)
    assert transition.state is before
    assert transition.before_recall is None
    assert transition.recall_refused


def test_progress_continues_after_a_refused_recall() -> None:
    assert end(S03, S13, S16, S04, S06).state is State.COMPLETED


def test_a_new_recall_may_follow_a_refused_one() -> None:
    assert end(S03, S13, S16, S13).state is State.RECALL_REQUESTED
    assert end(S03, S13, S16, S13, S15).state is State.RECALLED


# --- statuses that cross a pending recall in flight --------------------------------------------


def test_progress_crossing_a_pending_recall_moves_the_remembered_state() -> None:
    crossing = end(S03, S13, S04)
    assert crossing.effect is Effect.CHANGED
    assert crossing.state is State.RECALL_REQUESTED
    assert crossing.before_recall is State.ASSIGNED
    assert end(S03, S13, S04, S16).state is State.ASSIGNED


def test_refusal_crossing_a_pending_recall_ends_the_exchange() -> None:
    transition = end(S01, S13, S02)
    assert transition.state is State.REFUSED
    assert transition.before_recall is None


def test_skipping_acceptance_is_refused_during_a_pending_recall_too() -> None:
    error = refusal(S01, S13, S06)
    assert error.reason == ProtocolReason.SKIPPED_ACCEPTANCE
    assert error.culprit is Party.RECEIVER


def test_refusal_after_acceptance_is_refused_during_a_pending_recall_too() -> None:
    assert refusal(S03, S13, S02).reason == ProtocolReason.REFUSED_AFTER_ACCEPTANCE


# --- repeats: duplicates and stale statuses are ignored, never errors --------------------------


@pytest.mark.parametrize(
    "path",
    [
        (S01, S01),
        (S02, S02),
        (S01, S02, S02),
        (S03, S03),
        (S03, S04, S04),
        (S03, S05, S05),
        (S03, S06, S06),
        (S13, S13),
        (S03, S13, S15, S15),
        (S03, S13, S16, S16),
        (S03, S13, S16, S04, S16),
        (S03, S13, S03),
    ],
)
def test_the_same_status_again_is_a_duplicate(path: tuple[StatusCode, ...]) -> None:
    *before, last = walk(*path)
    assert last.effect is Effect.DUPLICATE
    assert not last.changed
    assert (last.state, last.before_recall) == (before[-1].state, before[-1].before_recall)


@pytest.mark.parametrize(
    "path",
    [
        (S03, S01),
        (S03, S06, S01),
        (S03, S06, S04),
        (S03, S05, S04),
        (S03, S05, S03),
        (S01, S02, S01),
        (S03, S13, S01),
        (S03, S04, S13, S15, S03),
        (S03, S04, S13, S15, S04),
        (S03, S13, S15, S13),
    ],
)
def test_an_older_status_arriving_late_is_stale(path: tuple[StatusCode, ...]) -> None:
    *before, last = walk(*path)
    assert last.effect is Effect.STALE
    assert (last.state, last.before_recall) == (before[-1].state, before[-1].before_recall)


# --- refusals ---------------------------------------------------------------------------------


def test_completed_before_accepted_is_refused() -> None:
    error = refusal(S06)
    assert error.reason == ProtocolReason.SKIPPED_ACCEPTANCE
    assert error.culprit is Party.RECEIVER
    assert error.status is S06
    assert refusal(S01, S06).reason == ProtocolReason.SKIPPED_ACCEPTANCE


@pytest.mark.parametrize("path", [(S04,), (S05,), (S01, S04), (S01, S05)])
def test_assigned_or_processing_before_accepted_is_refused(path: tuple[StatusCode, ...]) -> None:
    error = refusal(*path)
    assert (error.reason, error.culprit) == (ProtocolReason.SKIPPED_ACCEPTANCE, Party.RECEIVER)


@pytest.mark.parametrize("path", [(S03, S02), (S03, S04, S02), (S03, S06, S02), (S01, S03, S05, S02)])
def test_refusal_after_acceptance_is_refused(path: tuple[StatusCode, ...]) -> None:
    error = refusal(*path)
    assert (error.reason, error.culprit) == (ProtocolReason.REFUSED_AFTER_ACCEPTANCE, Party.RECEIVER)


@pytest.mark.parametrize("path", [(S02, S03), (S02, S04), (S01, S02, S06), (S02, S15), (S02, S16)])
def test_nothing_newer_follows_a_refusal(path: tuple[StatusCode, ...]) -> None:
    error = refusal(*path)
    assert (error.reason, error.culprit) == (ProtocolReason.STATUS_AFTER_REFUSAL, Party.RECEIVER)


def test_recall_after_refusal_is_refused() -> None:
    error = refusal(S01, S02, S13)
    assert (error.reason, error.culprit) == (ProtocolReason.RECALL_AFTER_REFUSAL, Party.SENDER)


@pytest.mark.parametrize(
    "path",
    [
        (S03, S13, S15, S04),  # newer than what was recalled
        (S01, S13, S15, S03),
        (S13, S15, S01),  # recalled before anything arrived: nothing is older
        (S03, S13, S15, S16),
        (S13, S15, S02),
    ],
)
def test_nothing_newer_follows_a_recall(path: tuple[StatusCode, ...]) -> None:
    error = refusal(*path)
    assert (error.reason, error.culprit) == (ProtocolReason.STATUS_AFTER_RECALL, Party.RECEIVER)


@pytest.mark.parametrize(
    "path", [(S15,), (S16,), (S01, S15), (S03, S16), (S03, S06, S15), (S03, S13, S16, S15)]
)
def test_recall_answer_without_a_pending_request_is_refused(path: tuple[StatusCode, ...]) -> None:
    error = refusal(*path)
    assert (error.reason, error.culprit) == (ProtocolReason.RECALL_ANSWER_WITHOUT_REQUEST, Party.RECEIVER)


@pytest.mark.parametrize("state", [State.SENT, State.ACCEPTED, State.COMPLETED])
def test_a_receiver_cannot_request_a_recall(state: DeliveryState) -> None:
    with pytest.raises(IllegalTransition) as info:
        advance(state, S13, Party.RECEIVER)
    assert (info.value.reason, info.value.culprit) == (ProtocolReason.WRONG_PARTY, Party.RECEIVER)


@pytest.mark.parametrize("status", RECEIVER_STATUSES)
def test_a_sender_cannot_send_receiver_statuses(status: StatusCode) -> None:
    with pytest.raises(IllegalTransition) as info:
        advance(State.ACCEPTED, status, Party.SENDER)
    assert (info.value.reason, info.value.culprit) == (ProtocolReason.WRONG_PARTY, Party.SENDER)


@pytest.mark.parametrize("state", list(DeliveryState))
def test_wrong_party_is_checked_before_every_other_rule(state: DeliveryState) -> None:
    before = State.ACCEPTED if state is State.RECALL_REQUESTED else None
    with pytest.raises(IllegalTransition) as info:
        advance(state, S03, Party.SENDER, before_recall=before)
    assert info.value.reason == ProtocolReason.WRONG_PARTY


def test_a_refusal_says_what_and_who() -> None:
    error = refusal(S01, S06)
    assert error.state is State.ARRIVED
    assert "06 (completed)" in error.message
    assert str(error).startswith("skipped-acceptance: ")
    assert str(error).endswith("(culprit: receiver)")
    named = error.about("DOC-1", "000.00.00.H38")
    assert (named.reason, named.culprit, named.status) == (error.reason, error.culprit, error.status)
    assert "DOC-1" in named.message and "000.00.00.H38" in named.message


def test_reasons_are_stable_strings() -> None:
    assert {reason.value for reason in ProtocolReason} == {
        "status-for-unknown-document",
        "status-from-non-recipient",
        "status-from-non-sender",
        "wrong-party",
        "skipped-acceptance",
        "refused-after-acceptance",
        "status-after-refusal",
        "status-after-recall",
        "recall-answer-without-request",
        "recall-after-refusal",
    }


# --- the caller's own mistakes ----------------------------------------------------------------


def test_a_pending_recall_without_its_remembered_state_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="before the recall"):
        advance(State.RECALL_REQUESTED, S15, Party.RECEIVER)


@pytest.mark.parametrize(
    ("state", "before"),
    [(State.ACCEPTED, State.SENT), (State.RECALL_REQUESTED, State.REFUSED), (State.RECALLED, State.RECALLED)],
)
def test_an_impossible_remembered_state_is_a_programming_error(
    state: DeliveryState, before: DeliveryState
) -> None:
    with pytest.raises(ValueError):
        advance(state, S01, Party.RECEIVER, before_recall=before)


def test_every_protocol_reason_is_a_stable_reason_code() -> None:
    from docexchange.errors import ReasonCode
    from docexchange.protocol.transitions import ProtocolReason

    assert {ReasonCode(reason.value) for reason in ProtocolReason} <= set(ReasonCode)
