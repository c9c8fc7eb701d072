"""One OS process of a served network: the axis, or a group of agency nodes.

The supervisor talks to each worker over a pipe, with small dicts:

    worker → supervisor  {"listening": {"axis": [host, port]}}
                      or {"listening": {"mail": {domain: [host, port]}, "domains": {agency: domain}}}
    supervisor → worker  {"deployment": {...}}   every address, once all processes listen (nodes only)
    supervisor → worker  {"stop": True}          finish what is in hand, close the stores, exit 0
    worker → supervisor  {"stopped": {...}}      what was left in the outboxes, for the log
    worker → supervisor  {"failed": "..."}       could not start: the reason, then exit 1

Every process keeps its revocation status fresh (:class:`~docexchange.pki.freshness.RevocationFeed`,
re-read every ``freshness.refresh_seconds``) and logs on stderr, one line per event.

Nodes run live on the system clock: each round pumps every outbox (what is due is sent, failures
are retried or fall back by the routing rules) and, every ``poll_seconds``, polls the axis. A stop
request, SIGTERM or the supervisor's pipe closing ends the loop after the round in hand: mail
servers stop first (nothing new is taken), then the axis clients and the stores close. Anything
not yet sent stays in the outbox for the next start. SIGINT is ignored here: Ctrl-C reaches the
whole process group, and the supervisor orders the stop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
import threading
import traceback
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from docexchange.clock import SystemClock
from docexchange.node.directory import Directory
from docexchange.node.network import LoopbackNetwork
from docexchange.pki import PkiStore
from docexchange.pki.freshness import FreshnessPolicy, RevocationFeed
from docexchange.registry import load_registry
from docexchange.routing import CapabilityTable, RoutingRules
from docexchange.serve.deployment import read_deployment_json
from docexchange.store import OutboxState
from docexchange.transport.limits import DEFAULT_LIMITS, ListenerLimits

log = logging.getLogger("docexchange.revocation")

ROUND_SECONDS = 0.2  # a round of pumping when nothing else wakes the loop


@dataclass(frozen=True)
class WorkerSpec:
    name: str
    role: str  # "axis" or "nodes"
    certs: str
    state: str
    registry: str | None = None
    include_level2: bool = False
    agencies: tuple[str, ...] = ()
    axis: tuple[str, int] | None = None
    host: str = "127.0.0.1"
    axis_port: int = 0
    mail_ports: tuple[tuple[str, int], ...] = ()  # agency → port, to restart where it listened
    poll_seconds: float = 1.0
    limits: ListenerLimits = DEFAULT_LIMITS
    freshness: FreshnessPolicy = field(default_factory=FreshnessPolicy)


LOG_FORMAT = "%(asctime)s {name} %(levelname)s %(message)s"


def configure_logging(name: str) -> None:
    """One line per event on stderr, prefixed with the process's name; libraries kept quiet."""
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING, format=LOG_FORMAT.format(name=name))
    for noisy in ("mail.log", "aiohttp.access", "asyncio"):
        logging.getLogger(noisy).setLevel(logging.ERROR)


def worker_main(spec: WorkerSpec, conn: Connection) -> None:
    """Process entry point (multiprocessing, spawn)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    configure_logging(spec.name)
    try:
        code = asyncio.run(_Worker(spec, conn).run())
    except Exception as exc:  # never a silent death: the supervisor is told why
        with contextlib.suppress(OSError):
            conn.send({"failed": f"{type(exc).__name__}: {exc}"})
        traceback.print_exc(file=sys.stderr)
        code = 1
    sys.exit(code)


class _Worker:
    def __init__(self, spec: WorkerSpec, conn: Connection) -> None:
        self.spec = spec
        self.conn = conn
        self.stop = asyncio.Event()
        self.inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    async def run(self) -> int:
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGTERM, self.stop.set)
        threading.Thread(target=self._read_pipe, args=(loop,), name="pipe", daemon=True).start()
        registry = load_registry(self.spec.registry, include_level2=self.spec.include_level2)
        pki = PkiStore.open(Path(self.spec.certs))
        feed = RevocationFeed(pki, self.spec.freshness)
        state = Path(self.spec.state)
        net = LoopbackNetwork(
            state,
            registry,
            pki,
            SystemClock(),
            RoutingRules(),
            CapabilityTable(),
            directory=Directory(axis=self.spec.axis),
            host=self.spec.host,
            limits=self.spec.limits,
            revocation_feed=feed,
        )
        refresher = asyncio.create_task(self._refresh(feed))
        try:
            if self.spec.role == "axis":
                await net.start_axis(self.spec.axis_port)
                assert net.directory.axis is not None
                self.conn.send({"listening": {"axis": list(net.directory.axis)}})
                await self._until_stopped()
                left: dict[str, Any] = {}
            else:
                ports = dict(self.spec.mail_ports)
                for agency_id in self.spec.agencies:
                    await net.start_node(agency_id, mail_port=ports.get(agency_id, 0))
                domains = {a: registry.get(a).domain.lower() for a in self.spec.agencies}
                mail = {d: list(a) for d, a in net.directory.mail.items()}
                self.conn.send({"listening": {"mail": mail, "domains": domains}})
                if not await self._deployment(net):
                    return 0
                await self._serve_nodes(net)
                left = {
                    agency_id: len(node.store.list_outbox(state=OutboxState.PENDING))
                    for agency_id, node in net.nodes.items()
                }
        finally:
            refresher.cancel()
            await net.stop()
        with contextlib.suppress(OSError):
            self.conn.send({"stopped": {"pending": left}})
        return 0

    async def _refresh(self, feed: RevocationFeed) -> None:
        """Re-read the revocation list on schedule, for as long as the process serves."""
        while not self.stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stop.wait(), feed.policy.refresh_seconds)
            try:
                feed.refresh()  # catches what a file can hold; this guards the schedule itself
            except Exception as exc:  # the refresher must outlive any one failure
                log.error("revocation refresh failed: %s: %s", type(exc).__name__, exc)

    def _read_pipe(self, loop: asyncio.AbstractEventLoop) -> None:
        """A daemon thread: the pipe's recv blocks, and must not keep the process alive at exit."""
        while True:
            try:
                message = self.conn.recv()
            except (EOFError, OSError):  # the supervisor is gone: stop as if told to
                message = {"stop": True}
            if message.get("stop"):
                loop.call_soon_threadsafe(self.stop.set)
                return
            loop.call_soon_threadsafe(self.inbox.put_nowait, message)

    async def _until_stopped(self) -> None:
        await self.stop.wait()

    async def _deployment(self, net: LoopbackNetwork) -> bool:
        """Wait for every address (or a stop); False when stopped first."""
        getter = asyncio.create_task(self.inbox.get())
        stopper = asyncio.create_task(self.stop.wait())
        await asyncio.wait({getter, stopper}, return_when=asyncio.FIRST_COMPLETED)
        stopper.cancel()
        if not getter.done():
            getter.cancel()
            return False
        message = getter.result()
        deployment = read_deployment_json(message["deployment"])
        net.directory.mail.update(deployment.mail)
        return True

    async def _serve_nodes(self, net: LoopbackNetwork) -> None:
        loop = asyncio.get_running_loop()
        next_poll = loop.time()
        while not self.stop.is_set():
            for node in net.nodes.values():
                await node.pump()
            if loop.time() >= next_poll:
                for node in net.nodes.values():
                    await node.poll_axis()
                next_poll = loop.time() + self.spec.poll_seconds
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stop.wait(), ROUND_SECONDS)
