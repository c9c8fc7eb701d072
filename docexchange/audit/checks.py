"""Prove the invariants of a run from its stores alone: nothing lost, nothing doubled, every status
sequence legal.

The audit trusts no runner and no report: it opens every agency's SQLite store (and the axis's) of
a state folder and checks

1. **every sent document is settled** — for each entry of each outgoing register and each of its
   recipients: the recipient registered it (electronically or from paper), the sender applied its
   refusal (status 02), the paper *original* went (routed on paper, a fallback, a follow-up, or the
   paper that goes with an unsigned copy — a paper *copy* of a signed document settles nothing),
   or it was recalled (13 asked and 15 agreed, or cancelled before it left the outbox). Anything
   else is an offender: still in the outbox, given up, sent but never settled, or never sent;
2. **no incoming number is used twice** in an agency's year (sổ đến);
3. **no document is registered twice** by one agency, and **nothing is registered that its issuer
   did not send**: an electronic registration must hold the very bytes in the issuer's outgoing
   register (when the issuer's store is in the folder);
4. **every status sequence is legal** — the statuses each side applied, replayed in order through
   the protocol's table (:mod:`docexchange.protocol`), raise no illegal transition;
5. what the axis still holds, by package state (for the record: the checks above decide).

Stores are opened as a node opens them (an older schema would be migrated); nothing else is written.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from docexchange.edxml.model import StatusCode
from docexchange.node.history import is_paper_original, receiver_view, sender_view
from docexchange.protocol import IllegalTransition
from docexchange.routing import Channel
from docexchange.store import (
    Direction,
    HubStore,
    IncomingEntry,
    NodeStore,
    OutboxItem,
    OutboxState,
    OutgoingEntry,
    PayloadKind,
    StatusLogEntry,
)

AXIS_STORE = "axis.sqlite"
_OPEN = (OutboxState.PENDING, OutboxState.IN_FLIGHT)
_RECALLED_EARLY = "recalled before delivery"


@dataclass(frozen=True, order=True)
class Offender:
    """One broken invariant: ``check`` is a stable code, ``detail`` says it in a sentence."""

    check: str
    agency: str
    document_id: str
    counterpart: str
    detail: str


@dataclass
class AuditResult:
    folder: Path
    agencies: int = 0
    documents: int = 0
    deliveries: int = 0
    settled: Counter[str] = field(default_factory=Counter)
    registered: int = 0
    statuses: int = 0
    packages: Counter[str] = field(default_factory=Counter)
    offenders: list[Offender] = field(default_factory=list)

    @property
    def sound(self) -> bool:
        return not self.offenders


class AuditError(Exception):
    """The folder holds no stores to audit."""


def state_folder(folder: Path) -> Path:
    """The folder holding the stores: ``folder`` itself, its ``state``, or a run's ``work/state``."""
    for candidate in (folder, folder / "state", folder / "work" / "state"):
        if candidate.is_dir() and any(p.suffix == ".sqlite" for p in candidate.iterdir()):
            return candidate
    raise AuditError(f"{folder}: no stores found (expected *.sqlite files here, in state/ or in work/state/)")


def audit(folder: Path) -> AuditResult:
    """Audit the stores under ``folder`` (see :func:`state_folder`)."""
    state = state_folder(folder)
    stores: dict[str, NodeStore] = {}
    try:
        for path in sorted(state.glob("*.sqlite")):
            if path.name != AXIS_STORE:
                stores[path.stem] = NodeStore(path, path.stem)
        result = AuditResult(folder=state, agencies=len(stores))
        if not stores:
            raise AuditError(f"{state}: no agency store (only {AXIS_STORE})")
        _Audit(stores, result).run()
        axis = state / AXIS_STORE
        if axis.exists():
            with HubStore(axis) as hub:
                _audit_axis(hub, result)
        result.offenders.sort()
        return result
    finally:
        for store in stores.values():
            store.close()


class _Audit:
    def __init__(self, stores: dict[str, NodeStore], result: AuditResult) -> None:
        self.stores = stores
        self.result = result
        self.incoming: dict[str, dict[str, IncomingEntry]] = {}
        self.logs: dict[str, dict[str, list[StatusLogEntry]]] = {}
        for agency, store in stores.items():
            entries = store.list_incoming()
            self.incoming[agency] = {e.document_id: e for e in entries}
            by_document: dict[str, list[StatusLogEntry]] = defaultdict(list)
            for entry in store.status_log():
                by_document[entry.document_id].append(entry)
            self.logs[agency] = by_document
            self._registers(agency, entries)

    def offend(self, check: str, agency: str, document_id: str, counterpart: str, detail: str) -> None:
        self.result.offenders.append(Offender(check, agency, document_id, counterpart, detail))

    def run(self) -> None:
        for agency, store in self.stores.items():
            outbox: dict[str, list[OutboxItem]] = defaultdict(list)
            for item in store.list_outbox():
                if item.kind is PayloadKind.DOCUMENT:
                    outbox[item.document_id].append(item)
            for entry in store.list_outgoing():
                self.result.documents += 1
                for recipient in entry.recipients:
                    self.result.deliveries += 1
                    self._settle(entry, recipient, outbox[entry.document_id])
                self._sender_sequence(entry)
            for document_id, received in self.incoming[agency].items():
                self._receiver_sequence(agency, received, store)
                self.result.statuses += len(self.logs[agency].get(document_id, ()))

    # -- 2, 3: the incoming register --------------------------------------------------------

    def _registers(self, agency: str, entries: list[IncomingEntry]) -> None:
        self.result.registered += len(entries)
        self.result.offenders.extend(register_offenders(agency, entries))

    # -- 1: every delivery settled ----------------------------------------------------------

    def _settle(self, entry: OutgoingEntry, recipient: str, items: list[OutboxItem]) -> None:
        sender, document_id = entry.agency_id, entry.document_id
        mine = [i for i in items if i.recipient == recipient]
        sender_log = [e for e in self.logs[sender].get(document_id, ()) if e.counterpart == recipient]
        registered = self.incoming.get(recipient, {}).get(document_id)
        if registered is not None:
            how = "paper" if registered.channel is Channel.PAPER else "electronic"
            self.result.settled[f"registered ({how})"] += 1
            return
        if any(_applied(e, StatusCode.REFUSED, Direction.IN) for e in sender_log):
            self.result.settled["refused"] += 1
            return
        originals = [i for i in mine if is_paper_original(i, mine)]
        if originals:
            self.result.settled["paper (fallback)" if originals[0].rerouted_from else "paper (routed)"] += 1
            return
        if self._recalled(sender_log, mine):
            self.result.settled["recalled"] += 1
            return
        self._unsettled(sender, document_id, recipient, mine)

    @staticmethod
    def _recalled(sender_log: list[StatusLogEntry], items: list[OutboxItem]) -> bool:
        """Recalled: the recipient agreed (15), or the document was cancelled before it left."""
        asked = any(
            e.direction is Direction.OUT and e.status_code is StatusCode.RECALL_REQUEST for e in sender_log
        )
        if asked and any(_applied(e, StatusCode.RECALL_AGREED, Direction.IN) for e in sender_log):
            return True
        electronic = [i for i in items if i.channel.electronic]
        return bool(electronic) and all(
            i.state is OutboxState.FAILED and i.last_error == _RECALLED_EARLY and i.attempts == 0
            for i in electronic
        )

    def _unsettled(self, sender: str, document_id: str, recipient: str, items: list[OutboxItem]) -> None:
        open_items = [i for i in items if i.state in _OPEN]
        sent = [i for i in items if i.state is OutboxState.SENT]
        given_up = [i for i in items if i.state is OutboxState.FAILED]
        if open_items:
            item = open_items[-1]
            what = f"still in {sender}'s outbox ({item.state.value} on {item.channel.value}, {item.attempts} attempts"
            detail = f"{what}{'; ' + item.last_error if item.last_error else ''})"
            self.offend("still-in-outbox", sender, document_id, recipient, detail)
        elif sent:
            item = sent[-1]
            where = "" if recipient in self.stores else f"; {recipient}'s store is not in this folder"
            self.offend(
                "unsettled",
                sender,
                document_id,
                recipient,
                f"sent by {item.channel.value} at {item.sent_at.isoformat() if item.sent_at else '?'}, but "
                f"neither registered, refused nor followed up on paper{where}",
            )
        elif given_up:
            item = given_up[-1]
            detail = f"given up on {item.channel.value} ({item.last_error}) with nothing on paper"
            self.offend("given-up", sender, document_id, recipient, detail)
        else:
            self.offend("never-sent", sender, document_id, recipient, f"no outbox item for {recipient}")

    def _provenance(self, agency: str, entry: IncomingEntry, data: bytes | None) -> None:
        """An electronic registration holds the bytes its issuer sent (the issuer's store permitting)."""
        issuer = self.stores.get(entry.issuing_agency)
        if issuer is None or entry.channel is Channel.PAPER or data is None:
            return
        sent = issuer.outgoing_message(entry.document_id)
        if sent is None:
            detail = f"{agency} registered {entry.document_id}, which {entry.issuing_agency} never sent"
            self.offend("registered-not-sent", agency, entry.document_id, entry.issuing_agency, detail)
        elif sent != data:
            detail = f"{agency} registered other bytes than {entry.issuing_agency} sent under this DocumentId"
            self.offend("registered-other-bytes", agency, entry.document_id, entry.issuing_agency, detail)

    # -- 4: legal status sequences ----------------------------------------------------------

    def _sender_sequence(self, entry: OutgoingEntry) -> None:
        log = self.logs[entry.agency_id].get(entry.document_id, [])
        try:
            sender_view(entry, log)
        except IllegalTransition as exc:
            self.offend(
                "illegal-status-sequence",
                entry.agency_id,
                entry.document_id,
                getattr(exc, "agency", "") or "",
                f"as sender: {exc.reason}: {exc.message}",
            )

    def _receiver_sequence(self, agency: str, entry: IncomingEntry, store: NodeStore) -> None:
        log = self.logs[agency].get(entry.document_id, [])
        data = store.incoming_message(entry.document_id)
        digest = hashlib.sha256(data).hexdigest() if data is not None else None
        self._provenance(agency, entry, data)
        try:
            receiver_view(entry, agency, log, digest)
        except IllegalTransition as exc:
            self.offend(
                "illegal-status-sequence",
                agency,
                entry.document_id,
                entry.issuing_agency,
                f"as receiver: {exc.reason}: {exc.message}",
            )


def register_offenders(agency: str, entries: Iterable[IncomingEntry]) -> list[Offender]:
    """Checks 2 and 3 on one agency's incoming register (the schema forbids both; the audit proves
    it from the rows, whatever wrote them)."""
    entries = list(entries)
    found = []
    for document_id, count in sorted(Counter(e.document_id for e in entries).items()):
        if count > 1:
            detail = f"{agency} registered {document_id} {count} times"
            found.append(Offender("registered-twice", agency, document_id, "", detail))
    numbers = Counter((e.year, e.incoming_number) for e in entries)
    for (year, number), count in sorted(numbers.items()):
        if count > 1:
            ids = ", ".join(
                sorted(e.document_id for e in entries if (e.year, e.incoming_number) == (year, number))
            )
            detail = f"{agency} gave incoming number {number}/{year} to {count} documents: {ids}"
            found.append(Offender("incoming-number-reused", agency, ids, "", detail))
    return found


def _applied(entry: StatusLogEntry, code: StatusCode, direction: Direction) -> bool:
    """A status the node applied (a refused one is logged with its reason, for the record)."""
    return entry.status_code is code and entry.direction is direction and entry.reason_code is None


# -- 5: the axis ----------------------------------------------------------------------------


def _audit_axis(hub: HubStore, result: AuditResult) -> None:
    """What the axis still holds: packages left in an inbox are listed, not offenders — their
    documents are settled or not by check 1 (a follow-up on paper settles one the recipient could
    not collect); nothing reaches a recipient twice, by check 3."""
    for package in hub.packages():
        result.packages[package.state.value] += 1
