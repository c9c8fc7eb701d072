"""The national document exchange axis (Trục liên thông văn bản quốc gia) as a hub.

It authenticates every agency by its organisation certificate, refuses an upload whose ``From``
is not that agency, stores one package per recipient durably before answering, answers a second
upload of the same DocumentId for the same recipient as a duplicate, delivers at least once (a
package stays in the recipient's inbox until acknowledged done or fail), and records its hop
beside each package, signed. It does not verify document signatures — receivers do, before
accepting (Decision 28/2018) — but it refuses what is not a well-formed, schema-valid edXML
message addressed to known agencies.
"""

from __future__ import annotations

import base64
from typing import Any

from cryptography import x509

from docexchange.clock import Clock
from docexchange.edxml.envelope import EnvelopeSummary, summarize
from docexchange.edxml.frame import frame_of
from docexchange.edxml.model import StatusCode
from docexchange.edxml.namespaces import q
from docexchange.edxml.parse import DEFAULT_LIMITS, ParseLimits, parse_message
from docexchange.edxml.schema import MessageKind
from docexchange.errors import DocexchangeError, ReasonCode
from docexchange.node.hops import hop_payload, sign_hop
from docexchange.pki import (
    AXIS_HOST,
    ChainCache,
    PathValidator,
    PkiStore,
    RevocationSource,
    StoreRevocationSource,
)
from docexchange.pki.freshness import FreshRevocationSource, RevocationFeed
from docexchange.registry import Registry
from docexchange.store import HubStore, NewPackage, PackageRow, PayloadKind
from docexchange.transport.tls import authenticated_agency

HUB_ORGAN_ID = AXIS_HOST


def _summary(row: PackageRow) -> dict[str, Any]:
    return {
        "package_id": row.package_id,
        "kind": row.kind.value,
        "document_id": row.document_id,
        "sender": row.sender,
        "status_code": row.status_code.wire if row.status_code is not None else None,
        "priority": row.priority,
        "size": row.size,
        "sha256": row.sha256,
        "received_at": row.received_at.isoformat(),
        "state": row.state.value,
        "deliveries": row.deliveries,
    }


class Hub:
    """The axis's rules; transports (HTTP) call these methods with the authenticated agency."""

    def __init__(
        self,
        store: HubStore,
        registry: Registry,
        pki: PkiStore,
        clock: Clock,
        *,
        limits: ParseLimits = DEFAULT_LIMITS,
        chain_cache: ChainCache | None = None,
        revocation_feed: RevocationFeed | None = None,
    ) -> None:
        self.store = store
        self.registry = registry
        self.pki = pki
        self.clock = clock
        self.limits = limits
        self.max_bytes = limits.max_bytes
        revocation: RevocationSource = StoreRevocationSource(pki, clock)
        if revocation_feed is not None:  # a served axis: fail closed while the status is stale
            revocation = FreshRevocationSource(revocation, revocation_feed)
        self.validator = PathValidator(pki.root, revocation, cache=chain_cache)
        self.credential = pki.service()

    def authenticate(self, cert: x509.Certificate | None) -> str:
        agency_id = authenticated_agency(cert, self.validator, [self.pki.intermediate], self.clock.now())
        if agency_id not in self.registry:
            raise DocexchangeError(
                ReasonCode.UNAUTHENTICATED, f"{agency_id} is not an agency of the directory"
            )
        return agency_id

    def upload(
        self, agency_id: str, data: bytes, recipients: list[str] | None = None
    ) -> tuple[list[dict[str, Any]], bool]:
        """Queue ``data`` for its recipients (or the subset ``recipients`` names).

        A document goes to the agencies in its To list; a status to the agency whose document it
        answers (ResponseFor) — except the sender's own recall request (13), which names its
        recipients explicitly.
        """
        root, kind = parse_message(data, self.limits)
        try:
            summary = summarize(root, kind)
        except ValueError as exc:
            raise DocexchangeError(ReasonCode.SCHEMA_INVALID, str(exc)) from None
        if summary.sender != agency_id:
            raise DocexchangeError(
                ReasonCode.SENDER_NOT_AUTHENTICATED,
                f"the message says it comes from {summary.sender}, but the connection is {agency_id}'s",
            )
        targets = self._targets(summary, recipients)
        unknown = [r for r in targets if r not in self.registry]
        if unknown:
            raise DocexchangeError(
                ReasonCode.UNKNOWN_RECIPIENT, f"{', '.join(unknown)} is not in the directory"
            )
        now = self.clock.now()
        priority = _priority(root) if kind is MessageKind.DOCUMENT else 0
        receipts, created_any = [], False
        for recipient in targets:
            package = NewPackage(
                kind=PayloadKind.DOCUMENT if kind is MessageKind.DOCUMENT else PayloadKind.STATUS,
                document_id=summary.document_id,
                sender=agency_id,
                recipient=recipient,
                data=data,
                received_at=now,
                status_code=StatusCode(int(summary.status_code)) if summary.status_code else None,
                priority=priority,
            )
            with self.store.transaction():  # the package and its hop land together, or neither
                row, duplicate = self.store.accept(package)
                if not duplicate:
                    payload = hop_payload(row.package_id, HUB_ORGAN_ID, now, row.sha256)
                    self.store.add_hop(
                        row.package_id, HUB_ORGAN_ID, now, sign_hop(self.credential.key, payload)
                    )
            created_any = created_any or not duplicate
            receipts.append({"package_id": row.package_id, "recipient": recipient, "duplicate": duplicate})
        return receipts, created_any

    @staticmethod
    def _targets(summary: EnvelopeSummary, recipients: list[str] | None) -> tuple[str, ...]:
        own_recall = (
            summary.kind is MessageKind.STATUS and summary.status_code == StatusCode.RECALL_REQUEST.wire
        )
        if recipients is None:
            if own_recall:
                raise DocexchangeError(
                    ReasonCode.BAD_REQUEST, "a recall request (13) must name its recipients"
                )
            return summary.recipients
        if not recipients or len(set(recipients)) != len(recipients):
            raise DocexchangeError(ReasonCode.BAD_REQUEST, "the recipient list is empty or repeats an agency")
        if not own_recall:
            stray = [r for r in recipients if r not in summary.recipients]
            if stray:
                raise DocexchangeError(
                    ReasonCode.BAD_REQUEST, f"{', '.join(stray)} is not an addressee of this message"
                )
        return tuple(recipients)

    def inbox(self, agency_id: str) -> list[dict[str, Any]]:
        return [_summary(row) for row in self.store.inbox(agency_id)]

    def download(self, agency_id: str, package_id: str) -> tuple[bytes, list[dict[str, Any]]]:
        fetched = self.store.get(package_id, agency_id)
        if fetched is None:
            raise DocexchangeError(ReasonCode.UNKNOWN_PACKAGE, f"no package {package_id} for {agency_id}")
        self.store.mark_delivered(package_id, agency_id, self.clock.now())
        hops = [
            {
                "package_id": hop.package_id,
                "organ_id": hop.organ_id,
                "at": hop.at.isoformat(),
                "signature": base64.b64encode(hop.hub_signature or b"").decode(),
            }
            for hop in self.store.hops(package_id)
        ]
        return fetched.data, hops

    def acknowledge(self, agency_id: str, package_id: str, state: str, reason: str) -> None:
        if state not in ("done", "processing", "fail"):
            raise DocexchangeError(
                ReasonCode.BAD_REQUEST, f"acknowledgement {state!r} is not done, processing or fail"
            )
        if self.store.acknowledge(package_id, agency_id, state, reason, self.clock.now()) is None:
            raise DocexchangeError(ReasonCode.UNKNOWN_PACKAGE, f"no package {package_id} for {agency_id}")

    def directory(self) -> list[dict[str, Any]]:
        return [
            {"id": a.id, "name": a.name, "domain": a.domain, "mailbox": a.mailbox}
            for a in self.registry
            if a.id in self.pki
        ]


def _priority(root: Any) -> int:
    header = frame_of(root).message_header
    text = header.findtext(f"{q('OtherInfo')}/{q('Priority')}") if header is not None else None
    return int(text) if text and text.isdigit() else 0
