"""``run --processes N``: a simulation's nodes in worker processes, the axis in one more.

The coordinator (the run's own process) keeps the agenda, the clock and the fault decisions; each
worker holds a :class:`~docexchange.sim.host.NodeHost` for its agencies and answers calls over a
pipe. The clock lives in shared memory (:class:`~docexchange.clock.SharedClock`): the coordinator
moves it between steps, and a node answering a message from another process stamps it with the
same instant as in a single-process run. Nodes reach each other and the axis over real HTTPS and
SMTP on loopback, across processes.

Messages are tuples:

    coordinator → worker  ("call", n, method, args)      a NodeHost method, one at a time
                          ("answer", n, verdict)          the answer to a worker's question
    worker → coordinator  ("reply", n, True, result, collected)   or ("reply", n, False, "why", None)
                          ("ask", n, args)                what the wire does to some bytes
                                                          (FaultInjector.judge), asked mid-call

An axis outage kills the axis process with SIGKILL and, when it ends, starts a new one on the same
store at the same address: what the axis acknowledged must survive that, and the run's report is
the same as a single-process run's, where the axis stops gracefully. A worker that dies otherwise
ends the run with :class:`WorkerError` naming it.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import multiprocessing
import os
import signal
import sys
import threading
import traceback
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from multiprocessing.connection import Connection
from multiprocessing.reduction import ForkingPickler
from pathlib import Path
from types import MappingProxyType
from typing import Any

from docexchange.clock import SharedClock
from docexchange.edxml import StatusCode
from docexchange.node.model import Draft, FollowUp, SentDocument
from docexchange.routing import Capabilities, Channel
from docexchange.sim.cluster import Cluster, Host
from docexchange.sim.host import Addresses, Collected, HostSpec, NodeHost, PaperRecord
from docexchange.sim.node_faults import WireJudge, WireVerdict
from docexchange.sim.scenario import Scenario

STOP_SECONDS = 60.0  # a worker that has not stopped by then is killed

_CONTEXT = multiprocessing.get_context("spawn")  # the coordinator runs threads: never fork it

_CALLS = frozenset(
    {
        "start",
        "publish",
        "stop",
        "sign",
        "pump",
        "poll",
        "act",
        "follow_up",
        "paper_record",
        "register_paper",
        "due",
        "collect",
        "recipients_waiting",
        "axis_down",
        "axis_up",
        "mail_down",
        "mail_up",
        "revocations_changed",
        "resend",
        "forge",
    }
)


def _mapping_proxy(items: dict[Any, Any]) -> MappingProxyType[Any, Any]:
    return MappingProxyType(items)


def _reduce_mapping_proxy(proxy: MappingProxyType[Any, Any]) -> tuple[Any, tuple[dict[Any, Any]]]:
    return _mapping_proxy, (dict(proxy),)


# A scenario keeps its tables read-only in mapping proxies; a worker gets its own copy of them.
ForkingPickler.register(MappingProxyType, _reduce_mapping_proxy)


_PLAIN = frozenset({"start", "publish", "stop", "collect"})
"""Calls whose reply is the result alone; every other reply carries what the host's nodes
reported during the call (saves a collection round trip per step)."""


class WorkerError(Exception):
    """A worker process failed a call or died: the message names it and says why."""


def shared_cell() -> Any:
    """The shared memory a :class:`SharedClock` keeps its instant in, for spawned workers."""
    return _CONTEXT.RawValue("q", 0)


def spread(agency_ids: Sequence[str], processes: int) -> list[tuple[str, ...]]:
    """Agencies dealt over at most ``processes`` groups, in turn (so tiers mix in every group)."""
    count = max(1, min(processes, len(agency_ids)))
    return [tuple(agency_ids[i::count]) for i in range(count)]


# ── the worker ──────────────────────────────────────────────────────────────────────────────


def worker_main(spec: HostSpec, cell: Any, conn: Connection) -> None:
    """Process entry point (multiprocessing, spawn)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the coordinator, which stops us
    try:
        asyncio.run(_WorkerLoop(spec, cell, conn).run())
    except Exception:
        traceback.print_exc(file=sys.stderr)
        sys.exit(1)


class _WorkerLoop:
    def __init__(self, spec: HostSpec, cell: Any, conn: Connection) -> None:
        self.spec = spec
        self.cell = cell
        self.conn = conn
        self.calls: asyncio.Queue[tuple[Any, ...] | None] = asyncio.Queue()
        self.asked: dict[int, asyncio.Future[WireVerdict]] = {}
        self.counter = itertools.count()

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        threading.Thread(target=self._read, args=(loop,), name="pipe", daemon=True).start()
        host: NodeHost | None = None
        try:
            while (message := await self.calls.get()) is not None:
                _, number, method, args = message
                if method == "stop" and host is None:  # never started: nothing to close
                    self._reply(number, True, None)
                    return
                try:
                    if method not in _CALLS:
                        raise WorkerError(f"no such call: {method}")
                    if host is None:  # the first call builds the host, so its failure is answered too
                        host = NodeHost(self.spec, SharedClock(self.cell), _AskingJudge(self))
                    result = await getattr(host, method)(*args)
                except Exception as exc:
                    detail = "".join(traceback.format_exception_only(exc)).strip()
                    traceback.print_exc(file=sys.stderr)
                    self._reply(number, False, detail)
                    continue
                if method == "stop":
                    host = None  # stopped: nothing left to close
                    self._reply(number, True, result)
                    return
                # what the call made the nodes report comes with its result
                self._reply(number, True, result, None if method in _PLAIN else await host.collect())
        finally:
            if host is not None:
                await host.stop()

    def _reply(self, number: int, ok: bool, value: Any, collected: Collected | None = None) -> None:
        with contextlib.suppress(OSError):  # the coordinator is gone: the loop ends on the pipe's end
            self.conn.send(("reply", number, ok, value, collected))

    def _read(self, loop: asyncio.AbstractEventLoop) -> None:
        """A daemon thread: the pipe's recv blocks, and must not keep the process alive at exit."""
        while True:
            try:
                message = self.conn.recv()
            except (EOFError, OSError):  # the coordinator is gone: stop
                loop.call_soon_threadsafe(self._orphaned)
                return
            loop.call_soon_threadsafe(self._dispatch, message)

    def _orphaned(self) -> None:
        """No coordinator: a question to it is never answered, so the call in hand fails and the
        loop ends, closing the stores."""
        for future in self.asked.values():
            if not future.done():
                future.set_exception(WorkerError("the coordinator is gone"))
        self.asked.clear()
        self.calls.put_nowait(None)

    def _dispatch(self, message: tuple[Any, ...]) -> None:
        if message[0] == "answer":
            future = self.asked.pop(message[1], None)
            if future is not None and not future.done():
                future.set_result(message[2])
        else:
            self.calls.put_nowait(message)

    async def ask(self, *args: Any) -> WireVerdict:
        number = next(self.counter)
        future: asyncio.Future[WireVerdict] = asyncio.get_running_loop().create_future()
        self.asked[number] = future
        self.conn.send(("ask", number, args))
        return await future


class _AskingJudge:
    """The wire's decisions, asked of the coordinator (which counts them across every worker)."""

    def __init__(self, worker: _WorkerLoop) -> None:
        self.worker = worker

    async def judge(self, key: str, status: bool, alterable: bool) -> WireVerdict:
        return await self.worker.ask(key, status, alterable)


# ── the coordinator's side ──────────────────────────────────────────────────────────────────


class WorkerLink:
    """One worker process as the coordinator sees it: calls out, answers to its questions."""

    def __init__(
        self, name: str, spec: HostSpec, cell: Any, judge: WireJudge, reported: Collected | None = None
    ) -> None:
        self.name = name
        self.spec = spec
        self.judge = judge
        self.reported = reported if reported is not None else Collected()  # what replies brought
        self.loop = asyncio.get_running_loop()
        self.conn, child = _CONTEXT.Pipe(duplex=True)
        self.process = _CONTEXT.Process(target=worker_main, args=(spec, cell, child), name=name, daemon=True)
        self.process.start()
        child.close()
        self.pending: dict[int, asyncio.Future[Any]] = {}
        self.counter = itertools.count()
        self.lost = False
        self.gone = asyncio.Event()  # the pipe is closed: the process has ended
        self.killed = False
        self.host = RemoteHost(self)
        threading.Thread(target=self._read, name=f"{name}-pipe", daemon=True).start()

    def _read(self) -> None:
        while True:
            try:
                message = self.conn.recv()
            except (EOFError, OSError):
                with contextlib.suppress(RuntimeError):  # the coordinator's loop has ended
                    self.loop.call_soon_threadsafe(self._gone)
                return
            with contextlib.suppress(RuntimeError):
                self.loop.call_soon_threadsafe(self._dispatch, message)

    def _dispatch(self, message: tuple[Any, ...]) -> None:
        if message[0] == "reply":
            _, number, ok, value, collected = message
            if collected is not None:
                self.reported.merge(collected)
            future = self.pending.pop(number, None)
            if future is None or future.done():
                return
            if ok:
                future.set_result(value)
            else:
                future.set_exception(WorkerError(f"{self.name}: {value}"))
        elif message[0] == "ask":
            self.loop.create_task(self._answer(message[1], message[2]))

    async def _answer(self, number: int, args: tuple[Any, ...]) -> None:
        verdict = await self.judge.judge(*args)
        with contextlib.suppress(OSError):
            self.conn.send(("answer", number, verdict))

    def _gone(self) -> None:
        """The pipe reached its end: the process has exited (or closed it, which it does only then)."""
        self.lost = True
        self.process.join(timeout=5)
        for future in self.pending.values():
            if not future.done():
                future.set_exception(WorkerError(self.why()))
        self.pending.clear()
        self.conn.close()
        self.gone.set()

    def why(self) -> str:
        what = "was killed" if self.killed else f"died (exit code {self.process.exitcode})"
        return f"worker process {self.name} {what}"

    async def call(self, method: str, *args: Any) -> Any:
        if self.lost:
            raise WorkerError(self.why())
        number = next(self.counter)
        future: asyncio.Future[Any] = self.loop.create_future()
        self.pending[number] = future
        try:
            self.conn.send(("call", number, method, args))
        except OSError:  # it died: say how, once the pipe's end is seen
            self.pending.pop(number, None)
            await self.gone.wait()
            raise WorkerError(self.why()) from None
        return await future

    async def kill(self) -> None:
        """SIGKILL: no chance to finish anything or close a store."""
        self.killed = True
        if self.process.pid is not None and self.process.is_alive():
            os.kill(self.process.pid, signal.SIGKILL)
        await self.loop.run_in_executor(None, self.process.join)
        await self.gone.wait()

    async def stop(self) -> None:
        """Ask the worker to stop (it closes its stores), then reap it; kill it if it hangs."""
        if not self.lost:
            with contextlib.suppress(WorkerError, TimeoutError):
                await asyncio.wait_for(self.call("stop"), STOP_SECONDS)
        await self.loop.run_in_executor(None, self.process.join, STOP_SECONDS)
        if self.process.is_alive():
            await self.kill()
        await self.gone.wait()


class RemoteHost:
    """A :class:`~docexchange.sim.cluster.Host` in a worker process."""

    def __init__(self, link: WorkerLink) -> None:
        self.link = link

    async def sign(
        self, agency_id: str, draft: Draft, capabilities: Mapping[str, Capabilities], send_at: datetime
    ) -> SentDocument:
        result: SentDocument = await self.link.call("sign", agency_id, draft, dict(capabilities), send_at)
        return result

    async def pump(self, agency_id: str) -> int:
        return int(await self.link.call("pump", agency_id))

    async def poll(self, agency_id: str) -> int:
        return int(await self.link.call("poll", agency_id))

    async def act(self, agency_id: str, document_id: str, code: StatusCode) -> bool:
        return bool(await self.link.call("act", agency_id, document_id, code))

    async def follow_up(
        self, agency_id: str, document_id: str, recipient_id: str, settled: bool = False
    ) -> FollowUp:
        return FollowUp(await self.link.call("follow_up", agency_id, document_id, recipient_id, settled))

    async def paper_record(self, agency_id: str, document_id: str) -> PaperRecord | None:
        result: PaperRecord | None = await self.link.call("paper_record", agency_id, document_id)
        return result

    async def register_paper(
        self, agency_id: str, document_id: str, sender: str, record: PaperRecord
    ) -> bool:
        return bool(await self.link.call("register_paper", agency_id, document_id, sender, record))

    async def due(self, agency_ids: list[str]) -> dict[str, timedelta | None]:
        result: dict[str, timedelta | None] = await self.link.call("due", agency_ids)
        return result

    async def mail_down(self, agency_id: str) -> None:
        await self.link.call("mail_down", agency_id)

    async def mail_up(self, agency_id: str) -> None:
        await self.link.call("mail_up", agency_id)

    async def resend(self, agency_id: str, document_id: str, recipient_id: str, copies: int) -> int | None:
        result: int | None = await self.link.call("resend", agency_id, document_id, recipient_id, copies)
        return result

    async def forge(
        self, agency_id: str, document_id: str, recipient_id: str, channel: Channel, number: str
    ) -> bool:
        return bool(await self.link.call("forge", agency_id, document_id, recipient_id, channel, number))


class ProcessCluster(Cluster):
    """The axis in one worker process, the agencies dealt over ``processes`` more."""

    def __init__(
        self,
        scenario: Scenario,
        workdir: Path,
        agency_ids: Sequence[str],
        processes: int,
        clock: SharedClock,
        judge: WireJudge,
    ) -> None:
        self.scenario = scenario
        self.workdir = workdir
        self.groups = spread(agency_ids, processes)
        self.cell = clock.cell
        self.judge = judge
        self.axis: WorkerLink | None = None
        self.axis_address: tuple[str, int] | None = None
        self.nodes: list[WorkerLink] = []
        self._by_agency: dict[str, WorkerLink] = {}
        self._by_domain: dict[str, WorkerLink] = {}
        self._reported = Collected()  # what the replies of the calls since the last collection brought
        self.axis_pids: list[int] = []  # every axis process, in turn
        self.killed: list[int] = []  # the axis processes killed by outages

    async def start(self) -> None:
        await self._start_axis(0)
        assert self.axis_address is not None
        for index, group in enumerate(self.groups, start=1):
            spec = HostSpec(self.scenario, self.workdir, group, axis_address=self.axis_address)
            link = WorkerLink(f"nodes-{index}", spec, self.cell, self.judge, self._reported)
            self.nodes.append(link)
            self._by_agency.update({agency_id: link for agency_id in group})
        started: list[Addresses] = await asyncio.gather(*(link.call("start") for link in self.nodes))
        mail: dict[str, tuple[str, int]] = {}
        for link, addresses in zip(self.nodes, started, strict=True):
            mail.update(addresses.mail)
            self._by_domain.update({domain: link for domain in addresses.mail})
        await asyncio.gather(*(link.call("publish", mail) for link in self.nodes))

    async def _start_axis(self, port: int) -> None:
        spec = HostSpec(self.scenario, self.workdir, (), axis=True, axis_port=port)
        self.axis = WorkerLink("axis", spec, self.cell, self.judge, self._reported)
        assert self.axis.process.pid is not None
        self.axis_pids.append(self.axis.process.pid)
        addresses: Addresses = await self.axis.call("start")
        self.axis_address = addresses.axis

    def host(self, agency_id: str) -> Host:
        return self._by_agency[agency_id].host

    async def collect(self) -> Collected:
        """What the calls' replies brought, and what the workers they sent mail to have: a node
        hears from another process only by mail (the axis waits to be polled)."""
        collected = self._reported.drain()
        others = {
            self._by_domain[d].name: self._by_domain[d] for d in collected.mailed if d in self._by_domain
        }
        for part in await asyncio.gather(*(others[name].call("collect") for name in sorted(others))):
            collected.merge(part)
        return collected

    async def recipients_waiting(self) -> list[str]:
        assert self.axis is not None
        result: list[str] = await self.axis.call("recipients_waiting")
        return result

    async def axis_down(self) -> None:
        """The axis process is killed outright (kill -9)."""
        assert self.axis is not None and self.axis.process.pid is not None
        self.killed.append(self.axis.process.pid)
        await self.axis.kill()

    async def axis_up(self) -> None:
        """A new axis process on the killed one's store, at its address."""
        assert self.axis_address is not None
        await self._start_axis(self.axis_address[1])

    async def revocations_changed(self) -> None:
        links = [*self.nodes, *([self.axis] if self.axis is not None and not self.axis.killed else [])]
        await asyncio.gather(*(link.call("revocations_changed") for link in links))

    async def stop(self) -> None:
        """Nodes first (nothing new reaches the axis), then the axis. WorkerError if a worker had
        died meanwhile: what it held may not have been stored."""
        await asyncio.gather(*(link.stop() for link in self.nodes))
        if self.axis is not None and not self.axis.killed:
            await self.axis.stop()
        links = [*self.nodes, *([self.axis] if self.axis is not None else [])]
        dead = [link.why() for link in links if not link.killed and link.process.exitcode != 0]
        if dead:
            raise WorkerError("; ".join(dead))
