"""Short names for status codes and a walker that threads a record's position through ``advance``."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from docexchange.clock import VIETNAM_TZ
from docexchange.edxml.model import StatusCode
from docexchange.protocol import DeliveryState, IllegalTransition, Transition, advance, sender_of

S01 = StatusCode.ARRIVED
S02 = StatusCode.REFUSED
S03 = StatusCode.ACCEPTED
S04 = StatusCode.ASSIGNED
S05 = StatusCode.PROCESSING
S06 = StatusCode.COMPLETED
S13 = StatusCode.RECALL_REQUEST
S15 = StatusCode.RECALL_AGREED
S16 = StatusCode.RECALL_REFUSED

T0 = datetime(2019, 3, 12, 8, 0, tzinfo=VIETNAM_TZ)


def minutes(n: int) -> datetime:
    return T0 + timedelta(minutes=n)


def walk(*statuses: StatusCode) -> list[Transition]:
    """Apply ``statuses`` from SENT, each sent by the side that sends it."""
    state, before, refused = DeliveryState.SENT, None, False
    transitions = []
    for status in statuses:
        transition = advance(state, status, sender_of(status), before_recall=before, recall_refused=refused)
        state, before, refused = transition.state, transition.before_recall, transition.recall_refused
        transitions.append(transition)
    return transitions


def end(*statuses: StatusCode) -> Transition:
    return walk(*statuses)[-1]


def refusal(*statuses: StatusCode) -> IllegalTransition:
    """The refusal raised by the last of ``statuses`` (the ones before it must be legal)."""
    walk(*statuses[:-1])
    with pytest.raises(IllegalTransition) as info:
        walk(*statuses)
    return info.value
