"""The parts every piece of an agency node works with, declared once for the mixins."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import TYPE_CHECKING

from docexchange.clock import Clock
from docexchange.node.events import EventLog, NodeEvent
from docexchange.pki import PkiStore
from docexchange.pki.freshness import RevocationFeed
from docexchange.registry import Agency, Registry
from docexchange.routing import CapabilitySource, Channel, RoutingRules
from docexchange.signing import MessageVerifier
from docexchange.signing.service import AgencySigner
from docexchange.store import NodeStore

if TYPE_CHECKING:
    from docexchange.edxml import Bussiness, DocumentMessage, StatusMessage
    from docexchange.node.model import Draft, ReceiverPolicy, SentDocument


class NodeParts:
    """Attributes set by :class:`~docexchange.node.agency.AgencyNode`, and the calls the mixins
    make to each other (each stub names the class that implements it)."""

    agency: Agency
    registry: Registry
    pki: PkiStore
    store: NodeStore
    clock: Clock
    rules: RoutingRules
    capabilities: CapabilitySource
    events: EventLog
    policy: ReceiverPolicy
    signer: AgencySigner
    verifier: MessageVerifier
    revocation_feed: RevocationFeed | None
    _worker: ThreadPoolExecutor

    @property
    def id(self) -> str:
        return self.agency.id

    def _event(
        self,
        document_id: str,
        what: str,
        channel: str = "",
        detail: str = "",
        counterpart: str = "",
        *,
        caused_at: datetime | None = None,
    ) -> None:
        self.events.add(
            NodeEvent(self.clock.now(), self.id, document_id, what, channel, detail, counterpart, caused_at)
        )

    def send(self, draft: Draft, *, bussiness: Bussiness | None = None) -> SentDocument:
        """Implemented by AgencyNode."""
        raise NotImplementedError

    def _recalled_before_arrival(self, document_id: str, sender: str) -> bool:
        """Implemented by RecallMixin."""
        raise NotImplementedError

    def _apply_bussiness(self, message: DocumentMessage, at: datetime, channel: Channel) -> None:
        """Implemented by RecallMixin."""
        raise NotImplementedError

    def _recall_requested(self, status: StatusMessage, channel: Channel) -> None:
        """Implemented by RecallMixin."""
        raise NotImplementedError
