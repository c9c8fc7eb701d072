"""A whole simulated network in one asyncio process, on loopback: the axis and agency nodes.

Each node gets its own SQLite store, a records-office mail server if it uses mail, and clients for
the axis and mail if it may use them; the directory maps mail domains to the ports the OS gave.
Used by ``docexchange demo`` and the end-to-end tests; later issues run nodes as processes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from docexchange.clock import Clock
from docexchange.node.agency import AgencyNode, ReceiverPolicy
from docexchange.node.directory import Directory
from docexchange.node.events import EventLog
from docexchange.node.hub import Hub
from docexchange.pki import AXIS_HOST, ChainCache, PkiStore
from docexchange.pki.freshness import RevocationFeed
from docexchange.registry import Registry
from docexchange.routing import CapabilitySource, RoutingRules
from docexchange.store import HubStore, NodeStore
from docexchange.transport.axis_http import AxisClient
from docexchange.transport.axis_server import AxisHttpServer
from docexchange.transport.limits import DEFAULT_LIMITS, ListenerLimits
from docexchange.transport.mail import MailClient, MailDelivery
from docexchange.transport.mail_server import MailServer, RecordsOfficeHandler
from docexchange.transport.memory import MemoryAxisClient, MemoryMailClient
from docexchange.transport.tls import client_context, server_context


@dataclass
class LoopbackNetwork:
    """The axis and agency nodes in one process. ``transport="loopback"`` (default) puts every
    exchange on real sockets (HTTPS with mutual TLS, SMTP with STARTTLS); ``"memory"`` calls the
    hub and records offices directly, for very large what-if runs."""

    state: Path
    registry: Registry
    pki: PkiStore
    clock: Clock
    rules: RoutingRules
    capabilities: CapabilitySource
    events: EventLog = field(default_factory=EventLog)
    transport: str = "loopback"
    power_safe: bool = True  # False: SQLite synchronous=NORMAL (a simulation run; see store.sqlite)
    store_cache_kib: int | None = None  # each node store's page cache; None: SQLite's default
    host: str = "127.0.0.1"  # where this process's listeners bind (loopback unless told otherwise)
    directory: Directory = field(default_factory=Directory)
    nodes: dict[str, AgencyNode] = field(default_factory=dict)
    chain_cache: ChainCache = field(default_factory=lambda: ChainCache(maxsize=16384))
    """One cache of path verdicts for the axis and every node of this process: each would
    otherwise build and verify every sender's path once for itself."""
    limits: ListenerLimits = DEFAULT_LIMITS  # deadlines and caps of every listener of this process
    revocation_feed: RevocationFeed | None = None
    """Served processes: the schedule-refreshed revocation status every node and the axis of
    this process verify against (None in simulations, which announce revocations themselves)."""
    hub: Hub | None = None
    _axis_server: AxisHttpServer | None = None
    _hub_store: HubStore | None = None
    _mail_servers: dict[str, MailServer] = field(default_factory=dict)
    _mailboxes: dict[str, MailDelivery] = field(default_factory=dict)  # memory transport only

    async def start_axis(self, port: int | None = None) -> None:
        self.state.mkdir(parents=True, exist_ok=True)
        self._hub_store = HubStore(self.state / "axis.sqlite", power_safe=self.power_safe)
        self.hub = Hub(
            self._hub_store,
            self.registry,
            self.pki,
            self.clock,
            chain_cache=self.chain_cache,
            revocation_feed=self.revocation_feed,
        )
        if self.transport == "memory":
            return
        self._axis_server = AxisHttpServer(
            self.hub, server_context(self.pki.service(), self.pki.root), host=self.host, limits=self.limits
        )
        if port is None:  # a restarted axis keeps its address
            port = self.directory.axis[1] if self.directory.axis is not None else 0
        self.directory.axis = (self.host, await self._axis_server.start(port))

    async def stop_axis(self) -> None:
        if self._axis_server is not None:
            await self._axis_server.stop()
            self._axis_server = None
        if self._hub_store is not None:
            self._hub_store.close()
            self._hub_store = None
        self.hub = None

    async def start_node(
        self, agency_id: str, policy: ReceiverPolicy | None = None, *, mail_port: int = 0
    ) -> AgencyNode:
        """Open the agency's store and start its node; ``mail_port`` 0: any free port (a node
        restarted after a crash asks for the one it had, so senders find it again)."""
        agency = self.registry.get(agency_id)
        caps = self.capabilities.of(agency_id)
        own = self.pki.organisation(agency_id)
        self.state.mkdir(parents=True, exist_ok=True)
        node = AgencyNode(
            agency=agency,
            registry=self.registry,
            pki=self.pki,
            store=NodeStore(
                self.state / f"{agency_id}.sqlite",
                agency_id,
                power_safe=self.power_safe,
                cache_kib=self.store_cache_kib,
            ),
            clock=self.clock,
            rules=self.rules,
            capabilities=self.capabilities,
            directory=self.directory,
            events=self.events,
            policy=policy or ReceiverPolicy(),
            chain_cache=self.chain_cache,
            revocation_feed=self.revocation_feed,
        )
        if self.transport == "memory":
            self._memory_channels(node)
        elif caps.axis and self.directory.axis is not None:
            host, port = self.directory.axis
            node.axis = AxisClient(
                port, client_context(self.pki.root, own), server_hostname=AXIS_HOST, host=host
            )
        if caps.mail and self.transport != "memory":
            handler = RecordsOfficeHandler(
                {agency.domain}, node.mail_delivery, node.mail_sender, limits=self.limits
            )
            server = MailServer(
                handler,
                server_context(own, self.pki.root),
                hostname=agency.domain,
                max_bytes=node.verifier.limits.max_bytes,
                host=self.host,
            )
            self.directory.publish_mail(agency.domain, self.host, await server.start(mail_port))
            self._mail_servers[agency_id] = server
            node.mail = MailClient(client_context(self.pki.root, own), self.directory.resolve_mail)
        self.nodes[agency_id] = node
        return node

    def _memory_channels(self, node: AgencyNode) -> None:
        caps = self.capabilities.of(node.id)
        if caps.axis:
            node.axis = MemoryAxisClient(lambda: self.hub, node.id)
        if caps.mail:
            self._mailboxes[node.agency.domain.lower()] = node.mail_delivery
            node.mail = MemoryMailClient(self._mailboxes.get)

    async def start(self, agency_ids: Iterable[str]) -> None:
        await self.start_axis()
        for agency_id in agency_ids:
            await self.start_node(agency_id)

    async def settle(self, rounds: int = 6) -> int:
        """Pump every outbox and poll the axis until nothing moves (or ``rounds`` pass)."""
        moved_total = 0
        for _ in range(rounds):
            moved = 0
            for node in self.nodes.values():
                moved += await node.pump()
            for node in self.nodes.values():
                moved += await node.poll_axis()
            moved_total += moved
            if moved == 0:
                break
        return moved_total

    async def mail_down(self, agency_id: str) -> None:
        """The agency's mail server stops answering (an outage): senders' connections are refused."""
        server = self._mail_servers.get(agency_id)
        if server is not None:
            await server.stop()
        if self.transport == "memory":
            self._mailboxes.pop(self.registry.get(agency_id).domain.lower(), None)

    async def mail_up(self, agency_id: str) -> None:
        """The agency's mail server answers again, at the address it had."""
        server = self._mail_servers.get(agency_id)
        if server is not None and not server.listening:
            await server.start(server.port)
        node = self.nodes.get(agency_id)
        if self.transport == "memory" and node is not None and node.mail is not None:
            self._mailboxes[node.agency.domain.lower()] = node.mail_delivery

    async def stop(self) -> None:
        for server in self._mail_servers.values():
            await server.stop()
        self._mail_servers.clear()
        for node in self.nodes.values():
            if node.axis is not None:
                await node.axis.close()
            node.close()
        await self.stop_axis()
