"""Several hosts: network namespaces joined by a bridge, each running its own ``docexchange serve``
with the addresses of a shared deployment file — the axis on one, Lào Cai on another, Đà Nẵng on a
third — and Văn phòng Chính phủ sending from this test's own namespace over the axis and over
mail. Needs root (``ip netns``); without it the test is skipped and says so."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from docexchange.audit import audit
from docexchange.pki import PkiStore
from docexchange.registry import Registry
from docexchange.routing import Channel
from docexchange.serve import Deployment
from docexchange.store import NodeStore
from tests.netpki import DA_NANG_ID, LAO_CAI_ID, VPCP_ID

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("ip") is None,
    reason="the multi-host test creates network namespaces (ip netns) and veth pairs, which needs "
    "root and iproute2; run the suite as root to include it",
)

SUBNET = "10.77.0"
TAG = f"dx{os.getpid() % 10000}"
HOSTS = {"ax": f"{SUBNET}.1", "a": f"{SUBNET}.2", "b": f"{SUBNET}.3"}  # namespace suffix → address
HERE = f"{SUBNET}.254"  # this test's end, in its own namespace
PORT_AXIS, PORT_MAIL = 7443, 2525
ROOT = Path(__file__).resolve().parents[2]


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, text=True)


@pytest.fixture
def namespaces() -> Iterator[dict[str, str]]:
    """A switch namespace with a bridge; one namespace per host, wired to it by a veth pair."""
    switch = f"{TAG}sw"
    names = {key: f"{TAG}{key}" for key in (*HOSTS, "me")}
    probe = subprocess.run(["ip", "netns", "add", switch], capture_output=True, text=True, check=False)
    if probe.returncode != 0:  # root without CAP_NET_ADMIN (some containers)
        pytest.skip(f"root, but network namespaces cannot be created here: {probe.stderr.strip()}")
    try:
        _ip("-n", switch, "link", "add", "br0", "type", "bridge")
        _ip("-n", switch, "link", "set", "br0", "up")
        for key, name in names.items():
            address = HOSTS.get(key, HERE)
            _ip("netns", "add", name)
            _ip("-n", name, "link", "set", "lo", "up")
            _ip("link", "add", f"{name}0", "type", "veth", "peer", "name", f"{name}1")
            _ip("link", "set", f"{name}0", "netns", name)
            _ip("link", "set", f"{name}1", "netns", switch)
            _ip("-n", switch, "link", "set", f"{name}1", "master", "br0", "up")
            _ip("-n", name, "addr", "add", f"{address}/24", "dev", f"{name}0")
            _ip("-n", name, "link", "set", f"{name}0", "up")
        yield names
    finally:
        for name in (*names.values(), switch):
            subprocess.run(["ip", "netns", "del", name], capture_output=True, check=False)


def _serve(
    namespace: str, net_pki: PkiStore, deployment: Path, state: Path, *extra: str
) -> subprocess.Popen[str]:
    command = ["ip", "netns", "exec", namespace, sys.executable, "-m", "docexchange", "serve"]
    command += ["--certs", str(net_pki.directory), "--state", str(state), "--deployment", str(deployment)]
    command += ["--poll", "0.2", *extra]
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )
    assert process.stdout is not None
    for line in process.stdout:
        if line.startswith("Ready: "):
            return process
    process.wait(30)
    raise AssertionError(
        f"serve in {namespace} exited {process.returncode}: {process.stderr.read() if process.stderr else ''}"
    )


def test_three_hosts_exchange_over_the_axis_and_mail_at_the_deployment_addresses(
    namespaces: dict[str, str], tmp_path: Path, net_pki: PkiStore, net_registry: Registry
) -> None:
    def domain(agency_id: str) -> str:
        return net_registry.get(agency_id).domain.lower()

    deployment = Deployment(axis=(HOSTS["ax"], PORT_AXIS))
    deployment.mail = {
        domain(LAO_CAI_ID): (HOSTS["a"], PORT_MAIL),
        domain(DA_NANG_ID): (HOSTS["b"], PORT_MAIL),
        domain(VPCP_ID): (HERE, PORT_MAIL),
    }
    file = deployment.write(tmp_path)
    processes = []
    try:
        processes.append(_serve(namespaces["ax"], net_pki, file, tmp_path / "ax", "--with-axis"))
        processes.append(_serve(namespaces["a"], net_pki, file, tmp_path / "a", "--agencies", LAO_CAI_ID))
        processes.append(_serve(namespaces["b"], net_pki, file, tmp_path / "b", "--agencies", DA_NANG_ID))
        document_id = _send_from_own_namespace(namespaces["me"], tmp_path, net_pki, net_registry, deployment)
    finally:
        codes = []
        for process in processes:
            process.send_signal(signal.SIGTERM)
            process.communicate(timeout=90)
            codes.append(process.returncode)
    assert codes == [0, 0, 0]
    for host, agency_id, channel in (("a", LAO_CAI_ID, Channel.AXIS), ("b", DA_NANG_ID, Channel.MAIL)):
        with NodeStore(tmp_path / host / f"{agency_id}.sqlite", agency_id) as store:
            entry = store.incoming(document_id)
            assert entry is not None and entry.channel is channel
    together = tmp_path / "together"  # the stores of every host, audited as one network
    together.mkdir()
    for folder in ("ax", "a", "b", "me"):
        for path in (tmp_path / folder).glob("*.sqlite*"):
            shutil.copy(path, together / path.name)
    result = audit(together)
    assert result.offenders == [] and (result.agencies, result.deliveries) == (3, 2)


def _send_from_own_namespace(
    namespace: str, tmp_path: Path, net_pki: PkiStore, net_registry: Registry, deployment: Deployment
) -> str:
    """Run the sender inside its namespace: a child process, since a namespace is per process."""
    script = tmp_path / "send.py"
    script.write_text(SENDER, encoding="utf-8")
    done = subprocess.run(
        [
            "ip",
            "netns",
            "exec",
            namespace,
            sys.executable,
            str(script),
            str(tmp_path),
            str(net_pki.directory),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    document_id, answered = done.stdout.strip().splitlines()[-1].split(" ", 1)
    assert answered == "03,03", done.stdout
    return document_id


SENDER = """
import asyncio, sys
from pathlib import Path
from docexchange.clock import SystemClock
from docexchange.node.network import LoopbackNetwork
from docexchange.pki import PkiStore
from docexchange.registry import load_registry
from docexchange.routing import RoutingRules
from docexchange.serve import read_deployment
from tests.netpki import DA_NANG_ID, LAO_CAI_ID, VPCP_ID
from tests.node.helpers import DA_NANG_MAIL_ONLY, draft, receipt

async def main(folder: Path, certs: Path) -> None:
    deployment = read_deployment(folder / "deployment.json")
    registry = load_registry().filtered([VPCP_ID, LAO_CAI_ID, DA_NANG_ID])
    net = LoopbackNetwork(folder / "me", registry, PkiStore.open(certs), SystemClock(), RoutingRules(),
                          DA_NANG_MAIL_ONLY, directory=deployment.directory(), host="@HERE@")
    vpcp = await net.start_node(VPCP_ID, mail_port=@PORT@)
    try:
        sent = vpcp.send(draft(LAO_CAI_ID, DA_NANG_ID))
        answered = {}
        for _ in range(600):
            await vpcp.pump()
            await vpcp.poll_axis()
            answered = receipt(net, sent.document_id)
            if answered == {LAO_CAI_ID: "03", DA_NANG_ID: "03"}:
                break
            await asyncio.sleep(0.2)
        print(sent.document_id, ",".join(answered.get(a, "-") for a in (LAO_CAI_ID, DA_NANG_ID)))
    finally:
        await net.stop()

asyncio.run(main(Path(sys.argv[1]), Path(sys.argv[2])))
""".replace("@HERE@", HERE).replace("@PORT@", str(PORT_MAIL))
