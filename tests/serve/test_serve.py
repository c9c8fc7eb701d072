"""``docexchange serve``: the axis and the agency nodes in separate OS processes, on loopback,
exchanging with a node outside them; a clean stop on SIGTERM; the audit of what they stored."""

from __future__ import annotations

import asyncio
import os
import signal
import smtplib
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from docexchange.audit import audit
from docexchange.clock import SystemClock
from docexchange.node.network import LoopbackNetwork
from docexchange.pki import PkiStore
from docexchange.registry import Registry
from docexchange.routing import CapabilityTable, Channel, RoutingRules
from docexchange.serve import DEPLOYMENT_FILE, Deployment, read_deployment
from docexchange.store import NodeStore
from tests.netpki import DA_NANG_ID, LAO_CAI_ID, VPCP_ID
from tests.node.helpers import draft, receipt
from tests.serve.served import SERVED, Served, kill_serve, start_serve, stop_serve


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture
def served(request: pytest.FixtureRequest, tmp_path: Path, net_pki: PkiStore) -> Iterator[Served]:
    """``docexchange serve`` in a subprocess; a test's ``serve_args`` marker adds options."""
    marker = request.node.get_closest_marker("serve_args")
    served = start_serve(net_pki.directory, tmp_path / "state", *(marker.args if marker is not None else ()))
    try:
        yield served
    finally:
        kill_serve(served)


def test_each_part_runs_in_its_own_process_and_sigterm_stops_them_all(
    served: Served, net_registry: Registry
) -> None:
    deployment = served.deployment
    assert sorted(deployment.processes) == ["axis", "nodes-1", "nodes-2"]
    assert sorted(a for agencies in deployment.processes.values() for a in agencies) == sorted(SERVED)
    pids = set(deployment.pids.values())
    assert len(pids) == 3 and served.process.pid not in pids and all(_alive(pid) for pid in pids)
    for agency_id in SERVED:
        domain = net_registry.get(agency_id).domain.lower()
        host, port = deployment.mail[domain]
        assert host == "127.0.0.1" and f"smtp://127.0.0.1:{port} ({domain})" in served.printed
        with smtplib.SMTP(host, port, timeout=10) as smtp:  # a records office that answers
            code, _ = smtp.ehlo("test.gov.vn")
            assert code == 250 and smtp.has_extn("starttls")
    assert f"https://127.0.0.1:{deployment.axis[1]}/v1" in served.printed
    code, out = stop_serve(served)
    assert code == 0 and "Stopped: stores closed; 0 item(s) left in outboxes for the next start." in out
    assert not any(_alive(pid) for pid in pids)
    for agency_id in SERVED:  # closed cleanly: the stores open and hold nothing half-done
        with NodeStore(served.state / f"{agency_id}.sqlite", agency_id) as store:
            assert store.recover() == 0


def test_a_document_sent_to_served_agencies_is_registered_answered_and_audited(
    served: Served, net_pki: PkiStore, net_registry: Registry
) -> None:
    async def exchange() -> tuple[str, dict[str, str], dict[str, Channel]]:
        outside = LoopbackNetwork(
            served.state,
            net_registry,
            net_pki,
            SystemClock(),
            RoutingRules(),
            CapabilityTable(),  # everyone on the axis (the served nodes answer on the channel
            # a document came by, and do not know this outside node's mail server)
            directory=served.deployment.directory(),
        )
        vpcp = await outside.start_node(VPCP_ID)
        try:
            sent = vpcp.send(draft(LAO_CAI_ID, DA_NANG_ID))
            channels = {d.recipient: d.channel for d in sent.decisions}
            await vpcp.pump()
            answered: dict[str, str] = {}
            for _ in range(300):  # the served nodes poll every 0.2 s; allow a minute
                await vpcp.poll_axis()
                answered = receipt(outside, sent.document_id)
                if answered == {LAO_CAI_ID: "03", DA_NANG_ID: "03"}:
                    break
                await asyncio.sleep(0.2)
            return sent.document_id, answered, channels
        finally:
            await outside.stop()

    document_id, answered, channels = asyncio.run(exchange())
    assert channels == {LAO_CAI_ID: Channel.AXIS, DA_NANG_ID: Channel.AXIS}
    assert answered == {LAO_CAI_ID: "03", DA_NANG_ID: "03"}
    code, _ = stop_serve(served)
    assert code == 0
    for agency_id, channel in channels.items():
        with NodeStore(served.state / f"{agency_id}.sqlite", agency_id) as store:
            entry = store.incoming(document_id)
            assert entry is not None and entry.channel is channel and entry.issuing_agency == VPCP_ID
    result = audit(served.state)
    assert result.offenders == [] and (result.agencies, result.deliveries) == (3, 2)


@pytest.mark.serve_args("--restarts", "0")
def test_without_restarts_a_worker_killed_outright_stops_the_whole_network_with_exit_1(
    served: Served,
) -> None:
    """A half network would lose traffic silently: the supervisor says which process died and
    stops the others."""
    victim = served.deployment.pids["nodes-1"]
    others = [pid for name, pid in served.deployment.pids.items() if name != "nodes-1"]
    os.kill(victim, signal.SIGKILL)
    out, _ = served.process.communicate(timeout=90)
    assert served.process.returncode == 1
    assert f"nodes-1 (pid {victim}) stopped unexpectedly (exit code -9); stopping the network" in out
    assert not any(_alive(pid) for pid in others)


PATIENT = RoutingRules(retry_delays=(timedelta(seconds=1),) * 60)  # a minute on the axis before mail


async def _send_through_a_crash(
    served: Served, net_pki: PkiStore, net_registry: Registry, victim: str
) -> list[str]:
    """Ten documents from a node outside the served processes to both served agencies; ``victim``
    is killed with SIGKILL after the first six were handed to the axis. Returns their ids once both
    agencies answered 03 for every one (or after two minutes)."""
    outside = LoopbackNetwork(
        served.state, net_registry, net_pki, SystemClock(), PATIENT, CapabilityTable(),
        directory=served.deployment.directory(),
    )  # fmt: skip
    vpcp = await outside.start_node(VPCP_ID)
    try:
        ids = [
            vpcp.send(draft(LAO_CAI_ID, DA_NANG_ID, subject=f"Văn bản số {i}")).document_id for i in range(6)
        ]
        await vpcp.pump()
        os.kill(served.deployment.pids[victim], signal.SIGKILL)
        ids += [
            vpcp.send(draft(LAO_CAI_ID, DA_NANG_ID, subject=f"Văn bản số {i}")).document_id
            for i in range(6, 10)
        ]
        for _ in range(600):
            await vpcp.pump()
            await vpcp.poll_axis()
            if all(receipt(outside, d) == {LAO_CAI_ID: "03", DA_NANG_ID: "03"} for d in ids):
                break
            await asyncio.sleep(0.2)
        return ids
    finally:
        await outside.stop()


def _landed_once(served: Served, ids: list[str]) -> None:
    code, out = stop_serve(served)
    assert code == 0, out
    for agency_id in SERVED:
        with NodeStore(served.state / f"{agency_id}.sqlite", agency_id) as store:
            registered = store.list_incoming()
            assert sorted(e.document_id for e in registered) == sorted(ids)  # each once, none missing
    with NodeStore(served.state / f"{VPCP_ID}.sqlite", VPCP_ID) as store:
        for document_id in ids:
            entry = store.outgoing(document_id)
            assert entry is not None and {r.recipient: r.status_code.wire for r in entry.receipt} == {
                LAO_CAI_ID: "03",
                DA_NANG_ID: "03",
            }
    result = audit(served.state)
    assert result.offenders == [] and result.deliveries == 2 * len(ids)


def test_the_axis_killed_mid_run_restarts_on_its_state_and_every_document_lands_once(
    served: Served, net_pki: PkiStore, net_registry: Registry
) -> None:
    """kill -9 of the axis: what it had acknowledged is delivered from its store after the restart;
    what the sender could not hand over meanwhile is retried with the same DocumentId."""
    killed = served.deployment.pids["axis"]
    ids = asyncio.run(_send_through_a_crash(served, net_pki, net_registry, "axis"))
    restarted = read_deployment(served.state / DEPLOYMENT_FILE)
    assert restarted.pids["axis"] != killed and restarted.axis == served.deployment.axis
    with NodeStore(served.state / f"{VPCP_ID}.sqlite", VPCP_ID) as store:
        retried = [i for d in ids[6:] for i in store.list_outbox(d) if i.kind.value == "document"]
        assert retried and all(i.channel is Channel.AXIS and i.state.value == "sent" for i in retried)
        assert any(i.attempts > 1 for i in retried)  # the axis was down: the same item tried again
    _landed_once(served, ids)


def test_an_agency_node_killed_mid_run_restarts_with_its_registers_and_outbox(
    served: Served, net_pki: PkiStore, net_registry: Registry
) -> None:
    """kill -9 of the process holding Lào Cai: restarted on its store, it collects from the axis
    what it had not acknowledged, registers nothing twice and answers everything."""
    victim = next(name for name, agencies in served.deployment.processes.items() if LAO_CAI_ID in agencies)
    killed = served.deployment.pids[victim]
    ids = asyncio.run(_send_through_a_crash(served, net_pki, net_registry, victim))
    restarted = read_deployment(served.state / DEPLOYMENT_FILE)
    assert restarted.pids[victim] != killed and restarted.mail == served.deployment.mail
    _landed_once(served, ids)


@pytest.mark.parametrize(
    ("options", "reason"),
    [
        (["--processes", "0"], "--processes must be between 1 and 2 (the agencies served)"),
        (["--agencies", "000.00.00.G99"], "--agencies: 000.00.00.G99 is not in the registry"),
        (["--host", "laocai.gov.vn"], "--host: 'laocai.gov.vn' is not an IPv4 address"),
        (["--host", "::1"], "--host: '::1' is not an IPv4 address"),
        (["--poll", "0"], "--poll must be a positive number of seconds"),
        (["--poll", "nan"], "--poll must be a positive number of seconds"),
        (["--agencies", LAO_CAI_ID, LAO_CAI_ID], f"--agencies: {LAO_CAI_ID} named twice"),
        (["--restarts", "-1"], "--restarts must be 0 or more"),
        (["--deployment", "missing.json"], "--deployment: "),
        (["--revocation-refresh", "0"], "--revocation-refresh must be a positive number of seconds"),
        (["--revocation-max-age", "inf"], "--revocation-max-age must be a positive number of seconds"),
        (
            ["--revocation-refresh", "10", "--revocation-max-age", "5"],
            "--revocation-max-age must be at least --revocation-refresh",
        ),
        (["--handshake-timeout", "-1"], "--handshake-timeout must be a positive number of seconds"),
        (["--head-timeout", "nan"], "--head-timeout must be a positive number of seconds"),
        (["--body-timeout", "0"], "--body-timeout must be a positive number of seconds"),
        (["--max-recipients", "0"], "--max-recipients must be at least 1"),
    ],
)
def test_bad_options_are_refused_with_exit_2_before_anything_starts(
    options: list[str], reason: str, net_pki: PkiStore, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from docexchange.cli.main import main

    base = ["serve", "--certs", str(net_pki.directory), "--state", str(tmp_path / "state")]
    if "--agencies" not in options:
        base += ["--agencies", *SERVED]
    assert main([*base, *options]) == 2
    err = capsys.readouterr().err
    assert err.startswith("docexchange: invalid-argument: ") and reason in err
    assert not (tmp_path / "state" / DEPLOYMENT_FILE).exists()


def test_a_deployment_file_with_an_impossible_address_is_refused(
    net_pki: PkiStore, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from docexchange.cli.main import main

    deployment = Deployment(axis=("10.77.0.1", 70000))
    file = deployment.write(tmp_path)
    command = [
        "serve",
        "--certs",
        str(net_pki.directory),
        "--state",
        str(tmp_path / "s"),
        "--deployment",
        str(file),
    ]
    assert main([*command, "--with-axis"]) == 2
    assert "--deployment: axis: port 70000 is not 1–65535" in capsys.readouterr().err
    deployment.axis = ("fe80::1", 7443)
    deployment.write(tmp_path)
    assert main([*command, "--with-axis"]) == 2
    assert "--deployment: axis: 'fe80::1' is not an IPv4 address" in capsys.readouterr().err
