"""``docexchange serve``: the national axis and agency nodes as separate OS processes.

The axis runs in its own process; the agencies run one per process, or spread over
``--processes N`` worker processes. Each listens on ``--host`` (loopback by default) at ports the
OS gives; where everything listens is printed and written to ``STATE/deployment.json``. Nodes pump
their outboxes and poll the axis on the system clock. Ctrl-C or SIGTERM stops every process
gracefully: in-flight work is finished or left in the outbox, stores are closed. A process that
crashes is restarted on its state at its addresses (``--restarts``). Every process re-reads the
revocation list every ``--revocation-refresh`` seconds and fails closed when it could not for
``--revocation-max-age``; every listener closes connections that miss the handshake, head or body
deadline (``--handshake-timeout``, ``--head-timeout``, ``--body-timeout``). Exit 0 after a clean stop,
1 when a process cannot start or keeps crashing, 2 for bad arguments.
"""

from __future__ import annotations

import argparse
import ipaddress
import math
import sys
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from docexchange.errors import DocexchangeError, ReasonCode
from docexchange.pki import PkiStore
from docexchange.pki.freshness import FreshnessPolicy
from docexchange.registry import Registry, load_registry
from docexchange.serve import Deployment, ServeError, Supervisor, WorkerSpec, read_deployment
from docexchange.transport.limits import ListenerLimits


def register(sub: Any) -> None:
    parser = sub.add_parser("serve", help="run the axis and agency nodes as separate processes until stopped")
    parser.add_argument("--registry", metavar="FILE", help="agency registry (default: the 2008 registry)")
    parser.add_argument("--level2", action="store_true", help="include the registry's level-2 units")
    parser.add_argument("--certs", metavar="DIR", required=True, help="PKI folder (docexchange certs init)")
    parser.add_argument(
        "--agencies", nargs="+", metavar="ID", help="agencies to serve (default: all in the PKI)"
    )
    parser.add_argument(
        "--processes", type=int, metavar="N", help="node worker processes (default: one per agency)"
    )
    parser.add_argument("--state", metavar="DIR", default="build/serve", help="stores and deployment.json")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: loopback)")
    parser.add_argument(
        "--deployment",
        metavar="FILE",
        help="addresses fixed beforehand (deployment.json format): serve only the --agencies named "
        "(and the axis with --with-axis) at their addresses, reaching the rest where the file says",
    )
    parser.add_argument("--with-axis", action="store_true", help="with --deployment: this host runs the axis")
    parser.add_argument("--poll", type=float, default=1.0, metavar="SECONDS", help="axis polling interval")
    parser.add_argument(
        "--restarts",
        type=int,
        default=5,
        metavar="N",
        help="restart a crashed process on its state up to N times (0: a crash stops the network)",
    )
    limits, freshness = ListenerLimits(), FreshnessPolicy()
    parser.add_argument(
        "--revocation-refresh",
        type=float,
        default=freshness.refresh_seconds,
        metavar="SECONDS",
        help="how often every process re-reads the revocation list: a revocation reaches them all "
        f"within this (default {freshness.refresh_seconds:g})",
    )
    parser.add_argument(
        "--revocation-max-age",
        type=float,
        default=freshness.max_age_seconds,
        metavar="SECONDS",
        help="a process whose revocation status is older than this (the list cannot be read) "
        f"fails closed with revocation-unknown (default {freshness.max_age_seconds:g})",
    )
    parser.add_argument(
        "--handshake-timeout",
        type=float,
        default=limits.handshake_seconds,
        metavar="SECONDS",
        help=f"close connections whose TLS handshake takes longer (default {limits.handshake_seconds:g})",
    )
    parser.add_argument(
        "--head-timeout",
        type=float,
        default=limits.head_seconds,
        metavar="SECONDS",
        help="close connections that take longer to send an HTTP request head or an SMTP command, "
        f"or stay idle longer (default {limits.head_seconds:g})",
    )
    parser.add_argument(
        "--body-timeout",
        type=float,
        default=limits.body_seconds,
        metavar="SECONDS",
        help=f"close connections that take longer to send a request body or a message (default {limits.body_seconds:g})",
    )
    parser.add_argument(
        "--max-recipients",
        type=int,
        default=limits.max_recipients,
        metavar="N",
        help=f"RCPT lines per SMTP transaction; 452 past it (default {limits.max_recipients})",
    )
    parser.set_defaults(handler=run)


def _policies(args: argparse.Namespace) -> tuple[ListenerLimits, FreshnessPolicy]:
    """The listener limits and revocation freshness the options ask for (exit 2 when impossible)."""
    seconds = {
        "--revocation-refresh": args.revocation_refresh,
        "--revocation-max-age": args.revocation_max_age,
        "--handshake-timeout": args.handshake_timeout,
        "--head-timeout": args.head_timeout,
        "--body-timeout": args.body_timeout,
    }
    for option, value in seconds.items():
        if not math.isfinite(value) or value <= 0:
            raise DocexchangeError(
                ReasonCode.INVALID_ARGUMENT, f"{option} must be a positive number of seconds"
            )
    if args.revocation_max_age < args.revocation_refresh:
        raise DocexchangeError(
            ReasonCode.INVALID_ARGUMENT, "--revocation-max-age must be at least --revocation-refresh"
        )
    if args.max_recipients < 1:
        raise DocexchangeError(ReasonCode.INVALID_ARGUMENT, "--max-recipients must be at least 1")
    limits = ListenerLimits(
        handshake_seconds=args.handshake_timeout,
        head_seconds=args.head_timeout,
        body_seconds=args.body_timeout,
        max_recipients=args.max_recipients,
    )
    return limits, FreshnessPolicy(args.revocation_refresh, args.revocation_max_age)


def run(args: argparse.Namespace) -> int:
    certs = Path(args.certs)
    pki = PkiStore.open(certs)
    registry = load_registry(args.registry, include_level2=args.level2)
    given = _given(args.deployment)
    if given is not None and not args.agencies and not args.with_axis:
        raise DocexchangeError(
            ReasonCode.INVALID_ARGUMENT, "--deployment: name --agencies, --with-axis or both"
        )
    if args.agencies:
        agencies = list(args.agencies)
        twice = sorted({a for a in agencies if agencies.count(a) > 1})
        if twice:
            raise DocexchangeError(ReasonCode.INVALID_ARGUMENT, f"--agencies: {', '.join(twice)} named twice")
    else:
        agencies = [] if given is not None else [a for a in pki.agency_ids if a in registry]
    for agency_id in agencies:
        if agency_id not in registry:
            raise DocexchangeError(
                ReasonCode.INVALID_ARGUMENT, f"--agencies: {agency_id} is not in the registry"
            )
        if agency_id not in pki:
            raise DocexchangeError(
                ReasonCode.INVALID_ARGUMENT, f"--agencies: {agency_id} has no certificates in {certs}"
            )
    if not agencies and given is None:
        raise DocexchangeError(ReasonCode.INVALID_ARGUMENT, "no agency to serve")
    host: str = args.host
    ports: dict[str, int] = {}
    if given is not None:
        host, ports = _places(given, registry, agencies, args.host)
    processes = len(agencies) if args.processes is None else args.processes
    if agencies and not 1 <= processes <= len(agencies):
        raise DocexchangeError(
            ReasonCode.INVALID_ARGUMENT,
            f"--processes must be between 1 and {len(agencies)} (the agencies served)",
        )
    _ipv4(args.host, "--host")
    if args.restarts < 0:
        raise DocexchangeError(ReasonCode.INVALID_ARGUMENT, "--restarts must be 0 or more")
    if not math.isfinite(args.poll) or args.poll <= 0:
        raise DocexchangeError(ReasonCode.INVALID_ARGUMENT, "--poll must be a positive number of seconds")
    limits, freshness = _policies(args)
    state = Path(args.state)
    state.mkdir(parents=True, exist_ok=True)
    groups = [agencies[i::processes] for i in range(processes)] if agencies else []
    base = WorkerSpec(
        name="",
        role="",
        certs=str(certs.resolve()),
        state=str(state.resolve()),
        registry=str(Path(args.registry).resolve()) if args.registry else None,
        include_level2=args.level2,
        host=host,
        poll_seconds=args.poll,
        limits=limits,
        freshness=freshness,
    )
    console = Console()
    supervisor = Supervisor(
        base,
        groups,
        report=lambda text: console.print(text, highlight=False),
        on_ready=lambda deployment: _print(deployment, registry, state, console),
        max_restarts=args.restarts,
        given=given,
        with_axis=given is None or args.with_axis,
        ports=ports,
    )
    try:
        code = supervisor.run()
    except ServeError as exc:
        print(f"docexchange: serve: {exc}", file=sys.stderr)
        return 1
    left = sum(
        int(n)
        for child in supervisor.children
        if child.stopped
        for n in child.stopped.get("pending", {}).values()
    )
    console.print(
        f"Stopped: stores closed; {left} item(s) left in outboxes for the next start.", highlight=False
    )
    return code


def _ipv4(host: str, where: str) -> None:
    """The listeners are IPv4 sockets: anything else would fail only after processes started."""
    try:
        ipaddress.IPv4Address(host)
    except ValueError:
        raise DocexchangeError(
            ReasonCode.INVALID_ARGUMENT, f"{where}: {host!r} is not an IPv4 address"
        ) from None


def _given(path: str | None) -> Deployment | None:
    if path is None:
        return None
    try:
        deployment = read_deployment(Path(path))
    except (OSError, ValueError) as exc:
        raise DocexchangeError(ReasonCode.INVALID_ARGUMENT, f"--deployment: {exc}") from None
    for where, (host, port) in [("axis", deployment.axis), *deployment.mail.items()]:
        _ipv4(host, f"--deployment: {where}")
        if not 1 <= port <= 65535:
            raise DocexchangeError(
                ReasonCode.INVALID_ARGUMENT, f"--deployment: {where}: port {port} is not 1–65535"
            )
    return deployment


def _places(
    given: Deployment, registry: Registry, agencies: list[str], host: str
) -> tuple[str, dict[str, int]]:
    """Where this host's agencies listen, from the deployment file: one address for all of them."""
    hosts, ports = set(), {}
    for agency_id in agencies:
        domain = registry.get(agency_id).domain.lower()
        if domain not in given.mail:
            raise DocexchangeError(
                ReasonCode.INVALID_ARGUMENT, f"--deployment: no address for {domain} ({agency_id})"
            )
        hosts.add(given.mail[domain][0])
        ports[agency_id] = given.mail[domain][1]
    if len(hosts) > 1:
        raise DocexchangeError(
            ReasonCode.INVALID_ARGUMENT,
            f"--deployment: the agencies served here listen on several addresses ({', '.join(sorted(hosts))}); "
            "run one serve per address",
        )
    return (hosts.pop() if hosts else host), ports


def _print(deployment: Deployment, registry: Registry, state: Path, console: Console) -> None:
    table = Table(title="docexchange serve", show_header=True)
    for column in ("process", "pid", "agencies", "listens on"):
        table.add_column(column)
    axis_host, axis_port = deployment.axis
    axis_process = "axis" if "axis" in deployment.processes else "(elsewhere)"
    axis_pid = str(deployment.pids.get("axis", ""))
    table.add_row(axis_process, axis_pid, "trục liên thông", f"https://{axis_host}:{axis_port}/v1")
    for name, agencies in sorted(deployment.processes.items()):
        if name == "axis":
            continue
        for agency_id in agencies:
            domain = registry.get(agency_id).domain.lower()
            address = deployment.mail.get(domain)
            mail = f"smtp://{address[0]}:{address[1]} ({domain})" if address else "—"
            table.add_row(name, str(deployment.pids.get(name, "")), agency_id, mail)
    console.print(table)
    console.print(
        f"Ready: {state / 'deployment.json'}. Ctrl-C or SIGTERM stops every process.", highlight=False
    )
