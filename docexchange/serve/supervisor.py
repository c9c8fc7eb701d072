"""Start a network as separate OS processes, tell each where the others listen, stop them cleanly.

The axis starts first (the nodes' axis clients need its address), then the node workers; once
every process listens, the supervisor writes ``deployment.json`` into the state folder, sends it
to the node workers and reports where everything listens. On SIGINT or SIGTERM it orders every
worker to stop (nodes first, so nothing new reaches the axis, then the axis), waits for them, and
kills only a worker that does not stop within ``grace`` seconds.

A worker that dies on its own (a crash, kill -9) is restarted on the same state at the same
addresses, up to ``max_restarts`` times: its stores are SQLite files written before anything is
acknowledged, so it resumes where it stopped (the outbox puts in-flight items back; the axis
hands out again what was not acknowledged). Without restarts, or past the limit, the whole network
is stopped (exit 1): a half network would silently lose traffic.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import signal
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from docexchange.serve.deployment import Deployment
from docexchange.serve.worker import WorkerSpec, worker_main

START_TIMEOUT = 120.0


class ServeError(Exception):
    """A process could not start or died: the message says which and why."""


@dataclass
class _Child:
    spec: WorkerSpec
    process: BaseProcess
    conn: Connection
    stopped: dict[str, Any] | None = None


@dataclass
class Supervisor:
    base: WorkerSpec  # certs, state, registry, host, poll: shared by every worker
    groups: Sequence[Sequence[str]]  # the agencies of each node worker
    grace: float = 30.0
    report: Callable[[str], None] = print
    on_ready: Callable[[Deployment], None] | None = None  # once every process listens
    max_restarts: int = 5  # per worker; 0: a death stops the network
    given: Deployment | None = None  # addresses fixed beforehand (several hosts); None: the OS picks
    with_axis: bool = True  # this host runs the axis
    ports: dict[str, int] = field(default_factory=dict)  # agency → its mail port, when given
    _domains: dict[str, str] = field(default_factory=dict)  # agency → its mail domain
    children: list[_Child] = field(default_factory=list)
    deployment: Deployment | None = None
    _stopping: bool = False  # set by a signal handler: a plain flag (an Event's lock could deadlock)

    def run(self) -> int:
        """Start everything, serve until a signal, stop everything. Exit code."""
        previous = {sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            deployment = self.start()
            if self.on_ready is not None:
                self.on_ready(deployment)
            return self.serve()
        finally:
            self.shutdown()
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _on_signal(self, signum: int, frame: object) -> None:
        self._stopping = True

    def request_stop(self) -> None:
        self._stopping = True

    def _pause(self, seconds: float) -> bool:
        """Sleep up to ``seconds``; True when a stop was requested."""
        deadline = time.monotonic() + seconds
        while not self._stopping and time.monotonic() < deadline:
            time.sleep(0.05)
        return self._stopping

    # -- start ----------------------------------------------------------------------------------

    def start(self) -> Deployment:
        """Start the axis (when this host runs it), then the node workers; see the module doc."""
        context = multiprocessing.get_context("spawn")
        given = self.given
        deployment = Deployment(axis=given.axis if given is not None else ("", 0))
        if given is not None:
            deployment.mail.update(given.mail)
        if self.with_axis:
            spec = replace(self.base, name="axis", role="axis")
            if given is not None:
                spec = replace(spec, host=given.axis[0], axis_port=given.axis[1])
            axis = self._spawn(context, spec)
            host, port = self._listening(axis)["axis"]
            deployment.axis = (str(host), int(port))
            deployment.processes["axis"], deployment.pids["axis"] = [], axis.process.pid or 0
        node_base = replace(self.base, role="nodes", axis=deployment.axis)
        nodes = [
            self._spawn(
                context,
                replace(
                    node_base,
                    name=f"nodes-{i + 1}",
                    agencies=tuple(group),
                    mail_ports=tuple((a, self.ports[a]) for a in group if a in self.ports),
                ),
            )
            for i, group in enumerate(self.groups)
        ]
        for child in nodes:
            listening = self._listening(child)
            for domain, (h, p) in listening["mail"].items():
                deployment.mail[domain] = (str(h), int(p))
            self._domains.update(listening["domains"])
            deployment.processes[child.spec.name] = list(child.spec.agencies)
            deployment.pids[child.spec.name] = child.process.pid or 0
        deployment.write(Path(self.base.state))
        for child in nodes:
            child.conn.send({"deployment": deployment.to_json()})
        self.deployment = deployment
        return deployment

    def _spawn(self, context: Any, spec: WorkerSpec) -> _Child:
        parent, child_end = context.Pipe()
        process = context.Process(target=worker_main, args=(spec, child_end), name=spec.name, daemon=False)
        process.start()
        child_end.close()
        child = _Child(spec, process, parent)
        self.children.append(child)
        return child

    def _listening(self, child: _Child) -> dict[str, Any]:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self._stopping:
                raise ServeError("stopped while starting")
            if child.conn.poll(0.2):
                try:
                    message = child.conn.recv()
                except EOFError:
                    break
                if "failed" in message:
                    raise ServeError(f"{child.spec.name} could not start: {message['failed']}")
                if "listening" in message:
                    listening: dict[str, Any] = message["listening"]
                    return listening
            elif not child.process.is_alive():
                break
        raise ServeError(f"{child.spec.name} did not start (exit code {child.process.exitcode})")

    # -- serve ----------------------------------------------------------------------------------

    def serve(self) -> int:
        """Until a signal, restarting a worker that dies (or stopping, past the limit)."""
        restarts: dict[str, int] = {}
        while not self._pause(0.5):
            for index, child in enumerate(self.children):
                if child.process.is_alive():
                    continue
                name, pid, code = child.spec.name, child.process.pid, child.process.exitcode
                if restarts.get(name, 0) >= self.max_restarts:
                    self.report(
                        f"{name} (pid {pid}) stopped unexpectedly (exit code {code}); stopping the network"
                    )
                    return 1
                restarts[name] = restarts.get(name, 0) + 1
                self.report(
                    f"{name} (pid {pid}) stopped unexpectedly (exit code {code}); restarting it on the same "
                    f"state at the same addresses ({restarts[name]} of {self.max_restarts})"
                )
                try:
                    self._restart(index, child)
                except ServeError as exc:
                    if self._stopping:
                        return 0
                    self.report(f"{name}: the restart failed ({exc}); trying again")
                    failed = self.children[index].process
                    if failed.is_alive():  # started but never listened: make it count as dead
                        failed.kill()
                        failed.join()
        return 0

    def _restart(self, index: int, dead: _Child) -> None:
        assert self.deployment is not None
        deployment = self.deployment
        dead.conn.close()
        dead.process.join()
        context = multiprocessing.get_context("spawn")
        if dead.spec.role == "axis":
            spec = replace(dead.spec, axis_port=deployment.axis[1])
        else:
            domains = {a: self._domains.get(a, "") for a in dead.spec.agencies}
            ports = tuple((a, deployment.mail[d][1]) for a, d in domains.items() if d in deployment.mail)
            spec = replace(dead.spec, mail_ports=ports)
        child = self._spawn(context, spec)  # appended: move it to the dead one's place
        self.children.remove(child)
        self.children[index] = child
        self._listening(child)
        if spec.role == "nodes":
            child.conn.send({"deployment": deployment.to_json()})
        deployment.pids[spec.name] = child.process.pid or 0
        deployment.write(Path(self.base.state))

    # -- stop -----------------------------------------------------------------------------------

    def shutdown(self) -> None:
        """Nodes first, then the axis; each gets ``grace`` seconds before it is killed."""
        nodes = [c for c in self.children if c.spec.role == "nodes"]
        axes = [c for c in self.children if c.spec.role == "axis"]
        for group in (nodes, axes):
            for child in group:
                if child.process.is_alive():
                    with contextlib.suppress(OSError):
                        child.conn.send({"stop": True})
            self._join(group)
        for child in self.children:
            child.conn.close()

    def _join(self, group: list[_Child]) -> None:
        deadline = time.monotonic() + self.grace
        pending = {id(c.conn): c for c in group if c.process.is_alive()}
        while pending and time.monotonic() < deadline:
            ready = wait([c.conn for c in pending.values()], timeout=max(0.0, deadline - time.monotonic()))
            for conn in ready:
                child = pending[id(conn)]
                try:
                    message = child.conn.recv()
                except (EOFError, OSError):
                    del pending[id(conn)]
                    continue
                if "stopped" in message:
                    child.stopped = message["stopped"]
        for child in group:
            child.process.join(max(0.0, deadline - time.monotonic()))
            if child.process.is_alive():
                self.report(f"{child.spec.name} did not stop within {self.grace:.0f} s: killed")
                child.process.kill()
                child.process.join()
