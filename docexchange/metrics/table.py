"""Every delivery of a run as columns: what the report and ``documents.csv`` are computed from.

A year of the national axis is millions of documents; as objects they do not fit in memory, as
columns they take tens of bytes each. Both engines end here: the protocol engine's results (read
from the stores, :class:`~docexchange.metrics.outcomes.DeliveryResult`) are converted with
:meth:`ResultTable.from_results`; the plan engine builds the columns directly, a day at a time.

Documents are rows ``0..N-1`` (per-document columns, prefix ``doc_``), deliveries rows ``0..D-1``
(``document`` says whose). Categorical values are small integers indexing the tuples below;
times are float epoch seconds, NaN for "did not happen". DocumentIds are made on demand
(:attr:`ResultTable.document_ids`): the plan engine has no need of a string per document until a
file is written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt

from docexchange.metrics.outcomes import DeliveryResult, Outcome, PaperReason, Settlement
from docexchange.registry import Tier
from docexchange.routing import Channel, RouteReason

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.integer[Any]]  # any width: columns are stored as narrow as they can be
Flags = npt.NDArray[np.bool_]

CHANNELS: tuple[Channel, ...] = tuple(Channel)
OUTCOMES: tuple[Outcome, ...] = tuple(Outcome)
SETTLEMENTS: tuple[Settlement, ...] = tuple(Settlement)
PAPER_REASONS: tuple[PaperReason, ...] = tuple(PaperReason)
TIERS: tuple[Tier, ...] = tuple(Tier)
ROUTE_REASONS: tuple[str, ...] = tuple(r.value for r in RouteReason)
NONE = -1
"""The code of "no value" in a categorical column (no paper reason, no refusal)."""


def code_of(values: Sequence[object], value: object) -> int:
    return values.index(value)


def stamp(t: datetime | None) -> float:
    return np.nan if t is None else t.timestamp()


def _register_number(document_id: str) -> int:
    """The number of a DocumentId's số/ký hiệu ("<sender>,<date>,<number>/<code>"), 0 if none."""
    parts = document_id.split(",")
    head = parts[2].split("/")[0] if len(parts) > 2 else ""
    return int(head) if head.isdigit() else 0


@dataclass(frozen=True)
class ResultTable:
    """The columns (see the module doc). ``agencies`` names what ``doc_sender``/``recipient`` index."""

    agencies: tuple[str, ...]
    types: tuple[str, ...]
    refusals: tuple[str, ...]
    reasons: tuple[str, ...]  # route reasons (RouteReason values)
    # per document
    doc_sender: Ints
    doc_tier: Ints  # into TIERS
    doc_type: Ints
    doc_signed: Floats
    doc_send: Floats  # when the records office was to send it
    doc_secret: Flags
    doc_urgent: Flags
    doc_direction: Flags
    # per delivery
    document: Ints
    recipient: Ints
    routed: Ints  # the first routing decision's channel, into CHANNELS
    route_reason: Ints  # into reasons
    legal_value: Flags
    paper_copy: Flags
    recipient_uses_mail: Flags
    outcome: Ints  # into OUTCOMES
    settlement: Ints  # into SETTLEMENTS
    paper_reason: Ints  # into PAPER_REASONS, or NONE
    channel: Ints  # what carried it in the end, into CHANNELS
    sent: Floats
    arrived: Floats
    accepted: Floats
    completed: Floats
    refusal: Ints  # into refusals, or NONE
    id_of: Callable[[int], str] = field(repr=False, compare=False, default=str)
    """The DocumentId of document row ``i``."""

    @property
    def documents(self) -> int:
        return len(self.doc_sender)

    @property
    def deliveries(self) -> int:
        return len(self.document)

    def document_ids(self) -> list[str]:
        return [self.id_of(i) for i in range(self.documents)]

    @property
    def paper_original(self) -> Flags:
        """Per delivery: the paper copy (if any) is the original the recipient registers."""
        flags: Flags = (self.routed == code_of(CHANNELS, Channel.PAPER)) | ~self.legal_value
        return flags

    @classmethod
    def from_results(cls, results: Iterable[DeliveryResult]) -> ResultTable:
        """The columns of the protocol engine's results, in the order the plan engine makes them:
        documents in signing order, then sender, then register number; recipients by identifier."""
        rows = sorted(
            results,
            key=lambda r: (
                r.delivery.signed_at,
                r.delivery.sender,
                _register_number(r.delivery.document_id),
                r.delivery.document_id,
                r.delivery.recipient,
            ),
        )
        document_ids: list[str] = []
        index: dict[str, int] = {}
        agencies = sorted({r.delivery.sender for r in rows} | {r.delivery.recipient for r in rows})
        agency = {a: i for i, a in enumerate(agencies)}
        types = sorted({r.delivery.type_code for r in rows})
        refusals = sorted({r.refusal for r in rows if r.refusal is not None})
        reasons = sorted({r.delivery.reason for r in rows})
        firsts: list[DeliveryResult] = []
        document = []
        for r in rows:
            known = index.get(r.delivery.document_id)
            if known is None:
                known = index[r.delivery.document_id] = len(document_ids)
                document_ids.append(r.delivery.document_id)
                firsts.append(r)
            document.append(known)
        d = [r.delivery for r in firsts]

        def ints(values: Iterable[int]) -> Ints:
            return np.fromiter(values, dtype=np.int64)

        def floats(values: Iterable[float]) -> Floats:
            return np.fromiter(values, dtype=np.float64)

        def flags(values: Iterable[bool]) -> Flags:
            return np.fromiter(values, dtype=bool)

        return cls(
            agencies=tuple(agencies),
            types=tuple(types),
            refusals=tuple(refusals),
            reasons=tuple(reasons),
            doc_sender=ints(agency[x.sender] for x in d),
            doc_tier=ints(code_of(TIERS, x.sender_tier) for x in d),
            doc_type=ints(types.index(x.type_code) for x in d),
            doc_signed=floats(x.signed_at.timestamp() for x in d),
            doc_send=floats(x.send_at.timestamp() for x in d),
            doc_secret=flags(x.secret for x in d),
            doc_urgent=flags(x.urgent for x in d),
            doc_direction=flags(x.direction for x in d),
            document=ints(document),
            recipient=ints(agency[r.delivery.recipient] for r in rows),
            routed=ints(code_of(CHANNELS, r.delivery.channel) for r in rows),
            route_reason=ints(reasons.index(r.delivery.reason) for r in rows),
            legal_value=flags(r.delivery.legal_value for r in rows),
            paper_copy=flags(r.delivery.paper_copy for r in rows),
            recipient_uses_mail=flags(r.delivery.recipient_uses_mail for r in rows),
            outcome=ints(code_of(OUTCOMES, r.outcome) for r in rows),
            settlement=ints(code_of(SETTLEMENTS, r.settlement) for r in rows),
            paper_reason=ints(
                NONE if r.paper_reason is None else code_of(PAPER_REASONS, r.paper_reason) for r in rows
            ),
            channel=ints(code_of(CHANNELS, r.channel) for r in rows),
            sent=floats(stamp(r.sent_at) for r in rows),
            arrived=floats(stamp(r.arrived_at) for r in rows),
            accepted=floats(stamp(r.accepted_at) for r in rows),
            completed=floats(stamp(r.completed_at) for r in rows),
            refusal=ints(NONE if r.refusal is None else refusals.index(r.refusal) for r in rows),
            id_of=document_ids.__getitem__,
        )


__all__ = [
    "CHANNELS",
    "NONE",
    "OUTCOMES",
    "PAPER_REASONS",
    "ROUTE_REASONS",
    "SETTLEMENTS",
    "TIERS",
    "ResultTable",
    "code_of",
]
