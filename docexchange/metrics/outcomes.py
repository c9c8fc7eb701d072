"""What became of each delivery, read from the agencies' stores after a run.

The sender's store says what it sent and on which channel (outbox), what came back (status log);
the recipient's store says what it registered and how (incoming register) and what it refused
(its status log). Nothing here trusts the runner's intentions: a delivery counts as *legal* only
when the recipient registered the signed document it received electronically.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from docexchange.edxml import StatusCode
from docexchange.routing import Channel
from docexchange.sim.ledger import Delivery
from docexchange.store import Direction, NodeStore, OutboxItem, OutboxState, PayloadKind, StatusLogEntry


class Outcome(StrEnum):
    LEGAL = "legal"
    INFO_ONLY = "info_only"
    PAPER = "paper"
    LOST = "lost"  # none of the above: must never happen


class PaperReason(StrEnum):
    SECRET = "secret"
    NO_CAPABILITY = "no_capability"
    FALLBACK = "fallback_after_retries"
    REFUSED = "refused_resent"
    NO_RECEIPT = "no_receipt_followed_up"  # sent, never answered: the paper original followed


class Settlement(StrEnum):
    """How an electronic delivery ended, for the reconciliation."""

    NOT_ELECTRONIC = "not-electronic"
    DELIVERED = "delivered"
    REFUSED = "refused"
    FALLEN_BACK = "fallen-back"
    LOST = "lost"


@dataclass(frozen=True, slots=True)
class DeliveryResult:
    delivery: Delivery
    outcome: Outcome
    settlement: Settlement
    paper_reason: PaperReason | None
    channel: Channel  # the channel that carried it in the end (paper for paper)
    sent_at: datetime | None  # first electronic hand-over to a channel
    arrived_at: datetime | None  # status 01's timestamp, as the sender received it
    accepted_at: datetime | None  # 03 (electronic) or the paper original's registration
    completed_at: datetime | None  # 06
    refusal: str | None  # reason code of a 02


def _first(
    log: list[StatusLogEntry], counterpart: str, code: StatusCode, direction: Direction
) -> StatusLogEntry | None:
    for entry in log:
        if entry.counterpart == counterpart and entry.status_code is code and entry.direction is direction:
            return entry
    return None


class StoreReader:
    """Reads each document's rows once (a document has several deliveries)."""

    def __init__(self, stores: Mapping[str, NodeStore]) -> None:
        self.stores = stores
        self._outbox: dict[tuple[str, str], list[OutboxItem]] = {}
        self._log: dict[tuple[str, str], list[StatusLogEntry]] = {}

    def outbox(self, agency: str, document_id: str) -> list[OutboxItem]:
        key = (agency, document_id)
        if key not in self._outbox:
            if len(self._outbox) > 4096:
                self._outbox.clear()
            self._outbox[key] = self.stores[agency].list_outbox(document_id)
        return self._outbox[key]

    def log(self, agency: str, document_id: str) -> list[StatusLogEntry]:
        key = (agency, document_id)
        if key not in self._log:
            if len(self._log) > 4096:
                self._log.clear()
            self._log[key] = self.stores[agency].status_log(document_id)
        return self._log[key]

    def result(self, delivery: Delivery) -> DeliveryResult:
        d = delivery
        items = [
            i
            for i in self.outbox(d.sender, d.document_id)
            if i.recipient == d.recipient and i.kind is PayloadKind.DOCUMENT
        ]
        electronic = [i for i in items if i.channel.electronic]
        sent = [i for i in electronic if i.state is OutboxState.SENT and i.sent_at is not None]
        sent_at = min((i.sent_at for i in sent if i.sent_at is not None), default=None)
        by_id = {i.id: i for i in items}
        rerouted = [
            by_id.get(i.rerouted_from) for i in items if i.channel is Channel.PAPER and i.rerouted_from
        ]
        fell_back = any(origin is None or origin.state is not OutboxState.SENT for origin in rerouted)
        followed_up = any(origin is not None and origin.state is OutboxState.SENT for origin in rerouted)
        plain_paper = [i for i in items if i.channel is Channel.PAPER and i.rerouted_from is None]
        resent = len(plain_paper) > (1 if d.paper_copy else 0)
        sender_log = self.log(d.sender, d.document_id)
        arrived = _first(sender_log, d.recipient, StatusCode.ARRIVED, Direction.IN)
        accepted = _first(sender_log, d.recipient, StatusCode.ACCEPTED, Direction.IN)
        completed = _first(sender_log, d.recipient, StatusCode.COMPLETED, Direction.IN)
        receiver_log = self.log(d.recipient, d.document_id)
        refused = _first(receiver_log, d.sender, StatusCode.REFUSED, Direction.OUT)
        incoming = self.stores[d.recipient].incoming(d.document_id)
        registered_electronically = incoming is not None and incoming.channel is not Channel.PAPER
        paper_registered = (
            incoming.date_received if incoming is not None and incoming.channel is Channel.PAPER else None
        )
        final_channel = sent[-1].channel if sent else Channel.PAPER

        def paper(reason: PaperReason, settlement: Settlement) -> DeliveryResult:
            return DeliveryResult(
                d, Outcome.PAPER, settlement, reason, Channel.PAPER, sent_at,
                arrived.at if arrived else None, paper_registered, None,
                refused.reason_code if refused else None,
            )  # fmt: skip

        if d.secret:
            return paper(PaperReason.SECRET, Settlement.NOT_ELECTRONIC)
        if d.channel is Channel.PAPER:
            return paper(PaperReason.NO_CAPABILITY, Settlement.NOT_ELECTRONIC)
        if registered_electronically and d.legal_value:
            # Even if paper followed (the sender heard nothing in time): the recipient registered
            # the signed electronic copy, which has the legal value.
            return DeliveryResult(
                d, Outcome.LEGAL, Settlement.DELIVERED, None, final_channel, sent_at,
                arrived.at if arrived else None, accepted.at if accepted else None,
                completed.at if completed else None, None,
            )  # fmt: skip
        if fell_back:
            return paper(PaperReason.FALLBACK, Settlement.FALLEN_BACK)
        if followed_up:
            return paper(PaperReason.NO_RECEIPT, Settlement.FALLEN_BACK)
        if not d.legal_value:
            outcome, settlement = (
                (Outcome.INFO_ONLY, Settlement.DELIVERED) if sent else (Outcome.LOST, Settlement.LOST)
            )
            return DeliveryResult(
                d,
                outcome,
                settlement,
                None,
                final_channel,
                sent_at,
                None,
                paper_registered,
                None,
                None,
            )
        if refused is not None:
            if resent:
                return paper(PaperReason.REFUSED, Settlement.REFUSED)
            return DeliveryResult(
                d, Outcome.LOST, Settlement.REFUSED, None, final_channel, sent_at,
                arrived.at if arrived else None, None, None, refused.reason_code,
            )  # fmt: skip
        return DeliveryResult(
            d, Outcome.LOST, Settlement.LOST, None, final_channel, sent_at, None, None, None, None
        )


def refusals_by_reason(stores: Mapping[str, NodeStore]) -> dict[str, int]:
    """Status 02 sent by every node, by reason code."""
    counts: dict[str, int] = defaultdict(int)
    for store in stores.values():
        for entry in store.status_log():
            if entry.direction is Direction.OUT and entry.status_code is StatusCode.REFUSED:
                counts[entry.reason_code or "unspecified"] += 1
    return dict(counts)
