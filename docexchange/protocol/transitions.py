"""The exchange of one document with one recipient, as one state table.

Who sends what (DOMAIN.md §5)::

    receiver   01 arrived  02 refused  03 accepted  04 assigned  05 processing  06 completed
               15 recall agreed  16 recall refused
    sender     13 recall requested

The states of one (document, recipient) pair, as the sender's record and the receiver's own copy
both see them::

    SENT ──01──► ARRIVED ──03──► ACCEPTED ──04──► ASSIGNED ──05──► PROCESSING ──06──► COMPLETED
     │ └────────03────────────────►   forward skips after 03: 03→05, 03→06, 04→06
     └──02──► REFUSED ◄──02── ARRIVED                                              (terminal)

    SENT … COMPLETED ──13──► RECALL_REQUESTED ──15──► RECALLED                      (terminal)
                                             └──16──► back to the state before the recall

The rules, in the order :func:`advance` applies them:

1. A status sent by the wrong side is ``wrong-party`` (a receiver cannot send 13; a sender cannot
   send 01–06, 15 or 16). The culprit of every refusal below is the side that sent the status.
2. Delivery is at least once, so repeats are normal. The same status again is a *duplicate* and an
   older one (01 after 03, 04 after 06) is *stale*; both leave the record as it was and are never
   errors. A 13 while a recall is pending is a duplicate; a 16 repeated from a recall that was
   already refused is a duplicate.
3. 01 may be lost: 03 and 02 are legal straight from SENT.
4. Checks come before acceptance, so 02 is legal only before 03; after it, ``refused-after-acceptance``.
5. 04, 05 and 06 need 03 first (``skipped-acceptance``: "06 before 03" is refused); among themselves
   they move forward only, skips allowed (03→06).
6. The sender may recall (13) from any non-terminal state, SENT included (the 01 may be lost while
   the receiver already holds the document). The state before the recall is remembered. While the
   recall is pending, receiver statuses that crossed it in flight are judged against that
   remembered state and move it forward; a 02 that crossed it ends the exchange as REFUSED.
   15 → RECALLED; 16 → back to the remembered state. 15 or 16 with no recall pending is
   ``recall-answer-without-request``.
7. REFUSED and RECALLED are terminal. After 02 only the older 01 (stale) and 02 (duplicate) are
   accepted; anything else is ``status-after-refusal``, and a recall is ``recall-after-refusal``.
   After 15 a duplicate 15, the retried 13 and receiver statuses older than the recall are
   ignored; anything else is ``status-after-recall``.

The table :data:`TABLE` holds every (state, status) pair; rows RECALL_REQUESTED and RECALLED
delegate ladder statuses to the remembered state, through :class:`Rule` markers. Nothing here
reads a clock or does I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum, StrEnum
from typing import Final, TypeAlias

from docexchange.edxml.model import StatusCode


class Party(StrEnum):
    """The two sides of an exchange."""

    SENDER = "sender"
    RECEIVER = "receiver"


class DeliveryState(StrEnum):
    """Where one recipient stands with one document."""

    SENT = "sent"  # handed to a channel, no status yet
    ARRIVED = "arrived"  # 01
    REFUSED = "refused"  # 02, terminal
    ACCEPTED = "accepted"  # 03, registered
    ASSIGNED = "assigned"  # 04
    PROCESSING = "processing"  # 05
    COMPLETED = "completed"  # 06 (still recallable)
    RECALL_REQUESTED = "recall-requested"  # 13 sent, no answer yet
    RECALLED = "recalled"  # 15, terminal: the receiver destroyed its copy

    @property
    def terminal(self) -> bool:
        return self in TERMINAL_STATES


TERMINAL_STATES: Final = frozenset({DeliveryState.REFUSED, DeliveryState.RECALLED})


class ProtocolReason(StrEnum):
    """Stable reason codes of :class:`IllegalTransition`; the string value is the wire form."""

    STATUS_FOR_UNKNOWN_DOCUMENT = "status-for-unknown-document"  # raised by callers
    STATUS_FROM_NON_RECIPIENT = "status-from-non-recipient"  # raised by callers
    STATUS_FROM_NON_SENDER = "status-from-non-sender"  # raised by callers (receiver side)
    WRONG_PARTY = "wrong-party"
    SKIPPED_ACCEPTANCE = "skipped-acceptance"
    REFUSED_AFTER_ACCEPTANCE = "refused-after-acceptance"
    STATUS_AFTER_REFUSAL = "status-after-refusal"
    STATUS_AFTER_RECALL = "status-after-recall"
    RECALL_ANSWER_WITHOUT_REQUEST = "recall-answer-without-request"
    RECALL_AFTER_REFUSAL = "recall-after-refusal"


class IllegalTransition(Exception):
    """A status that the rules forbid; ``culprit`` is the side that misbehaved."""

    def __init__(
        self,
        reason: str,
        message: str,
        culprit: Party,
        *,
        status: StatusCode | None = None,
        state: DeliveryState | None = None,
    ) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.culprit = culprit
        self.status = status
        self.state = state

    def __str__(self) -> str:
        return f"{self.reason}: {self.message} (culprit: {self.culprit})"

    def about(self, document_id: str, agency: str) -> IllegalTransition:
        """The same refusal with the document and the other agency named in the message."""
        return IllegalTransition(
            self.reason,
            f"document {document_id}, agency {agency}: {self.message}",
            self.culprit,
            status=self.status,
            state=self.state,
        )


class Effect(StrEnum):
    """What a status did to the record."""

    CHANGED = "changed"
    DUPLICATE = "duplicate"  # the same status again: ignore (at-least-once delivery)
    STALE = "stale"  # an older status arriving late: ignore


@dataclass(frozen=True)
class Transition:
    """The outcome of one status: the record's new position, and whether anything changed.

    ``CHANGED`` may leave ``state`` as it was: a receiver status that crosses a pending recall
    moves only ``before_recall``.
    """

    previous: DeliveryState
    state: DeliveryState
    effect: Effect
    status: StatusCode
    by: Party
    before_recall: DeliveryState | None = None
    recall_refused: bool = False

    @property
    def changed(self) -> bool:
        return self.effect is Effect.CHANGED


class Rule(Enum):
    """Table entries that are not a plain target state or a refusal."""

    DUPLICATE = "the same status again"
    STALE = "an older status"
    AS_BEFORE_RECALL = "judged against the state before the pending recall, which it moves"
    RESUME = "back to the state before the recall"
    OLDER_THAN_RECALL = "stale if the receiver had already passed it before the recall"


@dataclass(frozen=True)
class RepeatedRecallRefusal:
    """A 16 with no recall pending: a duplicate if an earlier recall was refused, else ``otherwise``."""

    otherwise: ProtocolReason


Outcome: TypeAlias = DeliveryState | Rule | ProtocolReason | RepeatedRecallRefusal

SENT_BY: Final[Mapping[StatusCode, Party]] = {
    StatusCode.ARRIVED: Party.RECEIVER,
    StatusCode.REFUSED: Party.RECEIVER,
    StatusCode.ACCEPTED: Party.RECEIVER,
    StatusCode.ASSIGNED: Party.RECEIVER,
    StatusCode.PROCESSING: Party.RECEIVER,
    StatusCode.COMPLETED: Party.RECEIVER,
    StatusCode.RECALL_REQUEST: Party.SENDER,
    StatusCode.RECALL_AGREED: Party.RECEIVER,
    StatusCode.RECALL_REFUSED: Party.RECEIVER,
}

_S = DeliveryState
_C = StatusCode
_R = ProtocolReason
_NO_REQUEST = RepeatedRecallRefusal(_R.RECALL_ANSWER_WITHOUT_REQUEST)

TABLE: Final[Mapping[DeliveryState, Mapping[StatusCode, Outcome]]] = {
    _S.SENT: {
        _C.ARRIVED: _S.ARRIVED,
        _C.REFUSED: _S.REFUSED,
        _C.ACCEPTED: _S.ACCEPTED,
        _C.ASSIGNED: _R.SKIPPED_ACCEPTANCE,
        _C.PROCESSING: _R.SKIPPED_ACCEPTANCE,
        _C.COMPLETED: _R.SKIPPED_ACCEPTANCE,
        _C.RECALL_REQUEST: _S.RECALL_REQUESTED,
        _C.RECALL_AGREED: _R.RECALL_ANSWER_WITHOUT_REQUEST,
        _C.RECALL_REFUSED: _NO_REQUEST,
    },
    _S.ARRIVED: {
        _C.ARRIVED: Rule.DUPLICATE,
        _C.REFUSED: _S.REFUSED,
        _C.ACCEPTED: _S.ACCEPTED,
        _C.ASSIGNED: _R.SKIPPED_ACCEPTANCE,
        _C.PROCESSING: _R.SKIPPED_ACCEPTANCE,
        _C.COMPLETED: _R.SKIPPED_ACCEPTANCE,
        _C.RECALL_REQUEST: _S.RECALL_REQUESTED,
        _C.RECALL_AGREED: _R.RECALL_ANSWER_WITHOUT_REQUEST,
        _C.RECALL_REFUSED: _NO_REQUEST,
    },
    _S.ACCEPTED: {
        _C.ARRIVED: Rule.STALE,
        _C.REFUSED: _R.REFUSED_AFTER_ACCEPTANCE,
        _C.ACCEPTED: Rule.DUPLICATE,
        _C.ASSIGNED: _S.ASSIGNED,
        _C.PROCESSING: _S.PROCESSING,
        _C.COMPLETED: _S.COMPLETED,
        _C.RECALL_REQUEST: _S.RECALL_REQUESTED,
        _C.RECALL_AGREED: _R.RECALL_ANSWER_WITHOUT_REQUEST,
        _C.RECALL_REFUSED: _NO_REQUEST,
    },
    _S.ASSIGNED: {
        _C.ARRIVED: Rule.STALE,
        _C.REFUSED: _R.REFUSED_AFTER_ACCEPTANCE,
        _C.ACCEPTED: Rule.STALE,
        _C.ASSIGNED: Rule.DUPLICATE,
        _C.PROCESSING: _S.PROCESSING,
        _C.COMPLETED: _S.COMPLETED,
        _C.RECALL_REQUEST: _S.RECALL_REQUESTED,
        _C.RECALL_AGREED: _R.RECALL_ANSWER_WITHOUT_REQUEST,
        _C.RECALL_REFUSED: _NO_REQUEST,
    },
    _S.PROCESSING: {
        _C.ARRIVED: Rule.STALE,
        _C.REFUSED: _R.REFUSED_AFTER_ACCEPTANCE,
        _C.ACCEPTED: Rule.STALE,
        _C.ASSIGNED: Rule.STALE,
        _C.PROCESSING: Rule.DUPLICATE,
        _C.COMPLETED: _S.COMPLETED,
        _C.RECALL_REQUEST: _S.RECALL_REQUESTED,
        _C.RECALL_AGREED: _R.RECALL_ANSWER_WITHOUT_REQUEST,
        _C.RECALL_REFUSED: _NO_REQUEST,
    },
    _S.COMPLETED: {
        _C.ARRIVED: Rule.STALE,
        _C.REFUSED: _R.REFUSED_AFTER_ACCEPTANCE,
        _C.ACCEPTED: Rule.STALE,
        _C.ASSIGNED: Rule.STALE,
        _C.PROCESSING: Rule.STALE,
        _C.COMPLETED: Rule.DUPLICATE,
        _C.RECALL_REQUEST: _S.RECALL_REQUESTED,
        _C.RECALL_AGREED: _R.RECALL_ANSWER_WITHOUT_REQUEST,
        _C.RECALL_REFUSED: _NO_REQUEST,
    },
    _S.REFUSED: {
        _C.ARRIVED: Rule.STALE,
        _C.REFUSED: Rule.DUPLICATE,
        _C.ACCEPTED: _R.STATUS_AFTER_REFUSAL,
        _C.ASSIGNED: _R.STATUS_AFTER_REFUSAL,
        _C.PROCESSING: _R.STATUS_AFTER_REFUSAL,
        _C.COMPLETED: _R.STATUS_AFTER_REFUSAL,
        _C.RECALL_REQUEST: _R.RECALL_AFTER_REFUSAL,
        _C.RECALL_AGREED: _R.STATUS_AFTER_REFUSAL,
        _C.RECALL_REFUSED: RepeatedRecallRefusal(_R.STATUS_AFTER_REFUSAL),
    },
    _S.RECALL_REQUESTED: {
        _C.ARRIVED: Rule.AS_BEFORE_RECALL,
        _C.REFUSED: Rule.AS_BEFORE_RECALL,
        _C.ACCEPTED: Rule.AS_BEFORE_RECALL,
        _C.ASSIGNED: Rule.AS_BEFORE_RECALL,
        _C.PROCESSING: Rule.AS_BEFORE_RECALL,
        _C.COMPLETED: Rule.AS_BEFORE_RECALL,
        _C.RECALL_REQUEST: Rule.DUPLICATE,
        _C.RECALL_AGREED: _S.RECALLED,
        _C.RECALL_REFUSED: Rule.RESUME,
    },
    _S.RECALLED: {
        _C.ARRIVED: Rule.OLDER_THAN_RECALL,
        _C.REFUSED: Rule.OLDER_THAN_RECALL,
        _C.ACCEPTED: Rule.OLDER_THAN_RECALL,
        _C.ASSIGNED: Rule.OLDER_THAN_RECALL,
        _C.PROCESSING: Rule.OLDER_THAN_RECALL,
        _C.COMPLETED: Rule.OLDER_THAN_RECALL,
        _C.RECALL_REQUEST: Rule.STALE,
        _C.RECALL_AGREED: Rule.DUPLICATE,
        _C.RECALL_REFUSED: RepeatedRecallRefusal(_R.STATUS_AFTER_RECALL),
    },
}

_RECALL_STATES: Final = frozenset({DeliveryState.RECALL_REQUESTED, DeliveryState.RECALLED})


def sender_of(status: StatusCode) -> Party:
    """The side that sends ``status``: the sender for 13, the receiver for everything else."""
    return SENT_BY[status]


def advance(
    record_state: DeliveryState,
    status: StatusCode,
    by: Party,
    *,
    before_recall: DeliveryState | None = None,
    recall_refused: bool = False,
) -> Transition:
    """Apply ``status`` sent by ``by`` to a record in ``record_state``; see the module docstring.

    ``before_recall`` is the state remembered when the recall was requested: required in
    RECALL_REQUESTED, optional in RECALLED (unknown is judged as SENT: nothing is older), and
    must be None elsewhere. ``recall_refused`` says an earlier recall was answered 16, so a
    repeated 16 is a duplicate. Raises :class:`IllegalTransition` for a forbidden status and
    ``ValueError`` for an inconsistent record.
    """
    _check_position(record_state, before_recall)
    expected = SENT_BY[status]
    if by is not expected:
        raise _illegal(ProtocolReason.WRONG_PARTY, record_state, status, by)
    outcome = TABLE[record_state][status]
    position = _Position(record_state, before_recall, recall_refused)
    return _resolve(outcome, position, status, by)


@dataclass(frozen=True)
class _Position:
    state: DeliveryState
    before_recall: DeliveryState | None
    recall_refused: bool

    def stay(self, effect: Effect, status: StatusCode, by: Party) -> Transition:
        return Transition(self.state, self.state, effect, status, by, self.before_recall, self.recall_refused)

    def move(
        self, state: DeliveryState, before_recall: DeliveryState | None, status: StatusCode, by: Party
    ) -> Transition:
        return Transition(self.state, state, Effect.CHANGED, status, by, before_recall, self.recall_refused)


def _resolve(outcome: Outcome, at: _Position, status: StatusCode, by: Party) -> Transition:
    if isinstance(outcome, ProtocolReason):
        raise _illegal(outcome, at.state, status, by)
    if isinstance(outcome, RepeatedRecallRefusal):
        if at.recall_refused:
            return at.stay(Effect.DUPLICATE, status, by)
        raise _illegal(outcome.otherwise, at.state, status, by)
    if isinstance(outcome, DeliveryState):
        if outcome is DeliveryState.RECALL_REQUESTED:
            return at.move(outcome, at.state, status, by)
        if outcome is DeliveryState.RECALLED:
            return at.move(outcome, at.before_recall, status, by)
        return at.move(outcome, None, status, by)
    if outcome is Rule.DUPLICATE:
        return at.stay(Effect.DUPLICATE, status, by)
    if outcome is Rule.STALE:
        return at.stay(Effect.STALE, status, by)
    if outcome is Rule.RESUME:
        assert at.before_recall is not None  # checked by _check_position
        return Transition(
            at.state, at.before_recall, Effect.CHANGED, status, by, before_recall=None, recall_refused=True
        )
    if outcome is Rule.AS_BEFORE_RECALL:
        assert at.before_recall is not None
        inner = advance(at.before_recall, status, by, recall_refused=at.recall_refused)
        if not inner.changed:
            return at.stay(inner.effect, status, by)
        if inner.state.terminal:  # a refusal crossed the recall: nothing left to recall
            return at.move(inner.state, None, status, by)
        return at.move(at.state, inner.state, status, by)
    assert outcome is Rule.OLDER_THAN_RECALL
    earlier = TABLE[at.before_recall or DeliveryState.SENT][status]
    if earlier is Rule.DUPLICATE or earlier is Rule.STALE:
        return at.stay(Effect.STALE, status, by)
    raise _illegal(ProtocolReason.STATUS_AFTER_RECALL, at.state, status, by)


def _check_position(state: DeliveryState, before_recall: DeliveryState | None) -> None:
    if state is DeliveryState.RECALL_REQUESTED and before_recall is None:
        raise ValueError("a pending recall needs the state before the recall")
    if before_recall is not None and state not in _RECALL_STATES:
        raise ValueError(f"before_recall={before_recall} given for state {state}, which has no recall")
    if before_recall is not None and (before_recall.terminal or before_recall in _RECALL_STATES):
        raise ValueError(f"before_recall={before_recall} cannot precede a recall")


def _label(status: StatusCode) -> str:
    return f"{status.wire} ({status.name.lower().replace('_', ' ')})"


_EXPLANATIONS: Final[Mapping[ProtocolReason, str]] = {
    ProtocolReason.WRONG_PARTY: "status {status} is sent by the {expected}, not the {by}",
    ProtocolReason.SKIPPED_ACCEPTANCE: "status {status} before the document was accepted (03); it is {state}",
    ProtocolReason.REFUSED_AFTER_ACCEPTANCE: (
        "status {status} after the document was accepted (03); refusal comes before acceptance"
    ),
    ProtocolReason.STATUS_AFTER_REFUSAL: "status {status} after the document was refused (02)",
    ProtocolReason.STATUS_AFTER_RECALL: "status {status} after the document was recalled (15)",
    ProtocolReason.RECALL_ANSWER_WITHOUT_REQUEST: "status {status} answers a recall (13) that is not pending",
    ProtocolReason.RECALL_AFTER_REFUSAL: (
        "status {status}: the receiver refused the document (02), there is nothing to recall"
    ),
}


def _illegal(
    reason: ProtocolReason, state: DeliveryState, status: StatusCode, by: Party
) -> IllegalTransition:
    message = _EXPLANATIONS[reason].format(
        status=_label(status), expected=SENT_BY[status], by=by, state=state
    )
    return IllegalTransition(reason, message, by, status=status, state=state)
