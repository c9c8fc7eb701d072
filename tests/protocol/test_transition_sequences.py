"""Every reachable position of the machine, checked against the invariants of the table.

hypothesis is not installed, and the machine is small enough to explore completely: a position is
the record (state, before_recall, recall_refused) plus the set of statuses that changed it so far;
from SENT, every status is tried at every reachable position, with no length limit.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from docexchange.edxml.model import StatusCode
from docexchange.protocol import DeliveryState, Effect, IllegalTransition, Transition, advance, sender_of

from .helpers import S02, S03, S04, S05, S06, S13, S15, S16

PROGRESS = {S04, S05, S06}  # statuses that need 03 first


@dataclass(frozen=True)
class Node:
    state: DeliveryState
    before_recall: DeliveryState | None
    recall_refused: bool
    applied: frozenset[StatusCode]  # statuses that changed the record so far

    def step(self, status: StatusCode) -> Transition:
        return advance(
            self.state,
            status,
            sender_of(status),
            before_recall=self.before_recall,
            recall_refused=self.recall_refused,
        )


Outcomes = list[tuple[Node, StatusCode, Transition | IllegalTransition]]


def _explore() -> Outcomes:
    """(node, status, outcome) for every reachable node and every status."""
    start = Node(DeliveryState.SENT, None, False, frozenset())
    seen, queue, outcomes = {start}, [start], []
    while queue:
        node = queue.pop()
        for status in StatusCode:
            try:
                outcome: Transition | IllegalTransition = node.step(status)
            except IllegalTransition as exc:
                outcome = exc
            outcomes.append((node, status, outcome))
            if isinstance(outcome, Transition):
                applied = node.applied | {status} if outcome.changed else node.applied
                child = Node(outcome.state, outcome.before_recall, outcome.recall_refused, applied)
                if child not in seen:
                    seen.add(child)
                    queue.append(child)
    return outcomes


@pytest.fixture(scope="module")
def outcomes() -> Outcomes:
    return _explore()


def test_the_enumeration_is_not_trivial(outcomes: Outcomes) -> None:
    assert len(outcomes) > 500
    reached = {node.state for node, _, _ in outcomes}
    assert reached == set(DeliveryState)


def test_the_culprit_is_always_the_side_that_sent_the_status(outcomes: Outcomes) -> None:
    for _, status, outcome in outcomes:
        if isinstance(outcome, IllegalTransition):
            assert outcome.culprit is sender_of(status)


def test_a_terminal_state_is_never_left(outcomes: Outcomes) -> None:
    for node, _, outcome in outcomes:
        if node.state.terminal and isinstance(outcome, Transition):
            assert outcome.state is node.state
            assert not outcome.changed


def test_duplicates_and_stale_statuses_change_nothing(outcomes: Outcomes) -> None:
    for node, _, outcome in outcomes:
        if isinstance(outcome, Transition) and not outcome.changed:
            assert outcome.effect in (Effect.DUPLICATE, Effect.STALE)
            assert (outcome.state, outcome.before_recall, outcome.recall_refused) == (
                node.state,
                node.before_recall,
                node.recall_refused,
            )


def test_progress_never_comes_before_acceptance(outcomes: Outcomes) -> None:
    for node, status, outcome in outcomes:
        if isinstance(outcome, Transition) and outcome.changed and status in PROGRESS:
            assert S03 in node.applied, node.applied


def test_refusal_never_comes_after_acceptance(outcomes: Outcomes) -> None:
    for node, status, outcome in outcomes:
        if isinstance(outcome, Transition) and outcome.changed and status is S02:
            assert S03 not in node.applied, node.applied


def test_recall_answers_only_follow_a_recall_request(outcomes: Outcomes) -> None:
    for node, status, outcome in outcomes:
        if isinstance(outcome, Transition) and outcome.changed and status in (S15, S16):
            assert node.state is DeliveryState.RECALL_REQUESTED


def test_redelivering_an_applied_status_is_never_an_error(outcomes: Outcomes) -> None:
    """At-least-once delivery: any status already applied may come again, later, at no harm.

    The one exception is a recall (13) that reaches a receiver after it refused the document:
    the refusal and the recall crossed, and the table says ``recall-after-refusal``.
    """
    for node, status, outcome in outcomes:
        if status not in node.applied:
            continue
        if status is S13 and node.state is DeliveryState.REFUSED:
            assert isinstance(outcome, IllegalTransition)
            continue
        assert isinstance(outcome, Transition), (node, status, outcome)
        if status not in (S13, S16):  # a 13 or 16 may open or answer a new recall round
            assert not outcome.changed, (node, status)


def test_every_open_exchange_can_still_end(outcomes: Outcomes) -> None:
    for node, _, _ in outcomes:
        if node.state.terminal:
            continue
        recalled = node.step(S13)
        answer = advance(recalled.state, S15, sender_of(S15), before_recall=recalled.before_recall)
        assert answer.state is DeliveryState.RECALLED
