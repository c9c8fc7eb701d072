"""Where a run's nodes live: all in the run's own process, or spread over worker processes.

The runner drives nodes only through a :class:`Cluster`: it asks which :class:`Host` holds an
agency and calls that host; after each call it collects what the nodes reported meanwhile, on
whichever host. Both clusters give the same calls the same effects, so ``run`` and
``run --processes N`` write the same stores and the same report.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Protocol

from docexchange.clock import Clock
from docexchange.edxml import StatusCode
from docexchange.node.model import Draft, FollowUp, SentDocument
from docexchange.pki import PkiStore
from docexchange.routing import Capabilities, Channel
from docexchange.sim.host import Collected, HostSpec, NodeHost, PaperRecord
from docexchange.sim.node_faults import WireJudge


class Host(Protocol):
    """The calls a coordinator makes to the process holding an agency's node (see NodeHost)."""

    async def sign(
        self, agency_id: str, draft: Draft, capabilities: Mapping[str, Capabilities], send_at: datetime
    ) -> SentDocument: ...
    async def pump(self, agency_id: str) -> int: ...
    async def poll(self, agency_id: str) -> int: ...
    async def act(self, agency_id: str, document_id: str, code: StatusCode) -> bool: ...
    async def follow_up(
        self, agency_id: str, document_id: str, recipient_id: str, settled: bool = False
    ) -> FollowUp: ...
    async def paper_record(self, agency_id: str, document_id: str) -> PaperRecord | None: ...
    async def register_paper(
        self, agency_id: str, document_id: str, sender: str, record: PaperRecord
    ) -> bool: ...
    async def due(self, agency_ids: list[str]) -> dict[str, timedelta | None]: ...
    async def mail_down(self, agency_id: str) -> None: ...
    async def mail_up(self, agency_id: str) -> None: ...
    async def resend(
        self, agency_id: str, document_id: str, recipient_id: str, copies: int
    ) -> int | None: ...
    async def forge(
        self, agency_id: str, document_id: str, recipient_id: str, channel: Channel, number: str
    ) -> bool: ...


class Cluster(ABC):
    @abstractmethod
    async def start(self) -> None: ...

    @abstractmethod
    def host(self, agency_id: str) -> Host:
        """The host holding ``agency_id``'s node."""

    @abstractmethod
    async def collect(self) -> Collected:
        """What every host's nodes reported since the last collection, each host's events in the
        order they happened (the runner orders them across hosts)."""

    @abstractmethod
    async def recipients_waiting(self) -> list[str]:
        """Agencies with packages waiting at the axis."""

    @abstractmethod
    async def axis_down(self) -> None: ...

    @abstractmethod
    async def axis_up(self) -> None: ...

    @abstractmethod
    async def revocations_changed(self) -> None:
        """The run's PKI folder has a new revocation: every process re-reads it."""

    @abstractmethod
    async def stop(self) -> None:
        """Stop every node and the axis and close their stores (the run's result reads them)."""

    async def due(self, agency_ids: list[str]) -> dict[str, timedelta | None]:
        """When each agency's outbox next falls due, from now on its own clock."""
        found: dict[str, timedelta | None] = {}
        by_host: dict[int, tuple[Host, list[str]]] = {}
        for agency_id in agency_ids:
            host = self.host(agency_id)
            by_host.setdefault(id(host), (host, []))[1].append(agency_id)
        for host, agencies in by_host.values():
            found.update(await host.due(agencies))
        return found


class LocalCluster(Cluster):
    """Every node and the axis in this process, in one :class:`NodeHost`."""

    def __init__(self, spec: HostSpec, clock: Clock, judge: WireJudge, pki: PkiStore) -> None:
        self.node_host = NodeHost(spec, clock, judge, pki)

    async def start(self) -> None:
        await self.node_host.start()

    def host(self, agency_id: str) -> Host:
        return self.node_host

    async def collect(self) -> Collected:
        return await self.node_host.collect()

    async def recipients_waiting(self) -> list[str]:
        return await self.node_host.recipients_waiting()

    async def axis_down(self) -> None:
        await self.node_host.axis_down()

    async def axis_up(self) -> None:
        await self.node_host.axis_up()

    async def revocations_changed(self) -> None:
        """One PKI object serves the run and the host: it knows already."""

    async def stop(self) -> None:
        await self.node_host.stop()
