"""A served network under attack and under revocation, as an outsider, a faulty peer and a valid
agency gone bad would meet it: real processes, real sockets, the real ``certs revoke`` command.

Every PKI here is a copy of its own: revoking in it must not touch the other tests' PKI.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from docexchange.audit import audit
from docexchange.clock import VIETNAM_TZ, Clock, FixedClock, SystemClock
from docexchange.node.network import LoopbackNetwork
from docexchange.pki import AXIS_HOST, PkiStore
from docexchange.registry import Registry
from docexchange.routing import Capabilities, CapabilityTable, RoutingRules
from docexchange.store import NodeStore
from docexchange.transport.tls import client_context
from tests.netpki import LAO_CAI_ID, VPCP_ID
from tests.node.helpers import draft, receipt
from tests.serve.served import SERVED, Served, kill_serve, start_serve, stop_serve

LIVE = ("--revocation-refresh", "0.3", "--revocation-max-age", "3")
SHORT_LIMITS = (
    "--handshake-timeout",
    "1",
    "--head-timeout",
    "1",
    "--body-timeout",
    "1.5",
    "--max-recipients",
    "3",
)
LAO_CAI_BY_MAIL = CapabilityTable({LAO_CAI_ID: Capabilities(axis=False, mail=True, certificate=True)})
QUICK_RETRY = RoutingRules(retry_delays=(timedelta(seconds=0.5),) * 120)


@pytest.fixture
def own_pki(tmp_path: Path, net_pki: PkiStore) -> PkiStore:
    directory = tmp_path / "certs"
    shutil.copytree(net_pki.directory, directory)
    return PkiStore.open(directory)


@pytest.fixture
def served_live(request: pytest.FixtureRequest, tmp_path: Path, own_pki: PkiStore) -> Iterator[Served]:
    marker = request.node.get_closest_marker("serve_args")
    served = start_serve(own_pki.directory, tmp_path / "state", *LIVE, *(marker.args if marker else ()))
    try:
        yield served
    finally:
        kill_serve(served)


@dataclass
class HttpReply:
    status: int
    body: bytes
    headers: dict[str, str]


async def axis_request(
    served: Served, pki: PkiStore, agency_id: str, method: str, path: str, body: bytes = b""
) -> HttpReply:
    """One request over mutual TLS with ``agency_id``'s organisation certificate, bytes as given."""
    host, port = served.deployment.axis
    context = client_context(pki.root, pki.organisation(agency_id))
    reader, writer = await asyncio.open_connection(host, port, ssl=context, server_hostname=AXIS_HOST)
    try:
        head = f"{method} {path} HTTP/1.1\r\nHost: {AXIS_HOST}\r\nContent-Length: {len(body)}\r\n\r\n"
        writer.write(head.encode() + body)
        await writer.drain()
        raw = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 15)
        lines = raw.decode("latin-1").split("\r\n")
        headers = {k.strip().lower(): v.strip() for k, _, v in (x.partition(":") for x in lines[1:] if x)}
        data = await asyncio.wait_for(reader.readexactly(int(headers.get("content-length", "0"))), 15)
        return HttpReply(int(lines[0].split()[1]), data, headers)
    finally:
        writer.close()


async def wait_for_axis(
    served: Served, pki: PkiStore, agency_id: str, status: int, within: float = 30
) -> tuple[HttpReply, float]:
    """Ask ``GET /v1/inbox`` until the axis answers ``status``; the reply and how long it took."""
    started = time.monotonic()
    while True:
        reply = await axis_request(served, pki, agency_id, "GET", "/v1/inbox")
        if reply.status == status or time.monotonic() - started > within:
            return reply, time.monotonic() - started
        await asyncio.sleep(0.1)


def revoke(pki: PkiStore, agency_id: str, at: datetime) -> None:
    """``docexchange certs revoke``: another process writing the shared PKI folder."""
    command = [sys.executable, "-m", "docexchange", "certs", "revoke", "--dir", str(pki.directory)]
    command += [agency_id, "--role", "organisation", "--at", at.isoformat()]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr


def wait_for_incoming(served: Served, agency_id: str, count: int) -> int:
    """How many documents ``agency_id`` has registered, once it is ``count`` (or after 15 s)."""
    registered = 0
    for _ in range(150):
        with NodeStore(served.state / f"{agency_id}.sqlite", agency_id) as store:
            registered = len(store.list_incoming())
        if registered >= count:
            break
        time.sleep(0.1)
    return registered


def outside_network(served: Served, pki: PkiStore, registry: Registry, clock: Clock) -> LoopbackNetwork:
    """Văn phòng Chính phủ outside the served processes (its store in a folder of its own), mailing
    Lào Cai. The served nodes cannot mail it back — its mail server is not in their deployment — so
    its documents are judged by what the served stores hold and its store is not audited."""
    return LoopbackNetwork(
        served.state.parent / "outside", registry, pki, clock, QUICK_RETRY, LAO_CAI_BY_MAIL,
        directory=served.deployment.directory(),
    )  # fmt: skip


def test_a_revocation_reaches_the_running_axis_and_nodes(
    served_live: Served, own_pki: PkiStore, net_registry: Registry
) -> None:
    """`certs revoke` while serving: the axis refuses the key on every endpoint within the refresh
    window; a document the revoked key signed after the revocation time is refused 02 cert-revoked
    by the running node, while one it signed before is registered."""
    signer = PkiStore.open(own_pki.directory)  # a key holder that ignores the revocation
    now = datetime.now(VIETNAM_TZ)

    async def scenario() -> tuple[float, dict[str, int], dict[str, tuple[int, str]], list[str]]:
        before, _ = await wait_for_axis(served_live, own_pki, VPCP_ID, 200)
        assert before.status == 200
        revoke(own_pki, VPCP_ID, now - timedelta(hours=1))
        refused, took = await wait_for_axis(served_live, own_pki, VPCP_ID, 403)
        assert json.loads(refused.body)["reason"] == "cert-revoked"
        endpoints = {
            "POST /v1/packages": ("POST", "/v1/packages", b"<edXML/>"),
            "GET /v1/inbox": ("GET", "/v1/inbox", b""),
            "GET /v1/packages/x": ("GET", "/v1/packages/x", b""),
            "POST /v1/packages/x/ack": ("POST", "/v1/packages/x/ack", b'{"state": "done"}'),
            "GET /v1/directory": ("GET", "/v1/directory", b""),
        }
        answers = {}
        for name, (method, path, body) in endpoints.items():
            reply = await axis_request(served_live, own_pki, VPCP_ID, method, path, body)
            answers[name] = (reply.status, reply.body.decode().split('"reason": "')[1].split('"')[0])
        others = {
            agency: (await axis_request(served_live, own_pki, agency, "GET", "/v1/directory")).status
            for agency in SERVED
        }
        clock = FixedClock(now - timedelta(hours=2))  # signed before the revocation time
        outside = outside_network(served_live, signer, net_registry, clock)
        vpcp = await outside.start_node(VPCP_ID)
        try:
            before_revocation = vpcp.send(draft(LAO_CAI_ID, subject="Ký trước khi thu hồi")).document_id
            await vpcp.pump()
            clock.set(datetime.now(VIETNAM_TZ))  # signed after it, with the revoked key
            after_revocation = vpcp.send(draft(LAO_CAI_ID, subject="Ký sau khi thu hồi")).document_id
            await vpcp.pump()
            mailed = [
                item.state.value
                for document_id in (before_revocation, after_revocation)
                for item in vpcp.store.list_outbox(document_id)
            ]
        finally:
            await outside.stop()
        return took, others, answers, [before_revocation, after_revocation, *mailed]

    took, others, answers, (signed_before, signed_after, *mailed) = asyncio.run(scenario())
    assert answers == {name: (403, "cert-revoked") for name in answers}
    assert others == {agency: 200 for agency in SERVED}  # only the revoked key is refused
    assert took < 30
    assert mailed == ["sent", "sent"]  # both taken by SMTP (250): the node judges the signature
    for _ in range(150):  # the served node verifies after the 250; wait until it has answered both
        with NodeStore(served_live.state / f"{LAO_CAI_ID}.sqlite", LAO_CAI_ID) as store:
            answered = {e.document_id for e in store.status_log() if e.direction.value == "out"}
        if {signed_before, signed_after} <= answered:
            break
        time.sleep(0.1)
    code, _ = stop_serve(served_live)
    assert code == 0
    with NodeStore(served_live.state / f"{LAO_CAI_ID}.sqlite", LAO_CAI_ID) as store:
        assert [e.document_id for e in store.list_incoming()] == [signed_before]
        refusals = [e for e in store.status_log(signed_after) if e.status_code.wire == "02"]
        assert [e.reason_code for e in refusals] == ["cert-revoked"]
        answers = store.list_outbox(signed_after)  # 01 then 02, waiting for a way back to the sender
        # (how many rows depends on how far its retries and channel fallbacks got before the stop)
        assert len(answers) >= 2 and {(i.kind.value, i.recipient) for i in answers} == {("status", VPCP_ID)}
    assert "Traceback" not in served_live.stderr
    assert audit(served_live.state).offenders == []


def test_stale_revocation_status_fails_closed_then_recovers(
    served_live: Served, own_pki: PkiStore, net_registry: Registry
) -> None:
    """A revocation list that cannot be read for longer than --revocation-max-age: the axis answers
    503 revocation-unknown, a records office 451 (the sender keeps the document and retries), each
    process says so in its log; once the list is readable again the document lands once."""
    good = own_pki.revocations_path.read_bytes()

    async def scenario() -> tuple[HttpReply, list[str], list[str], HttpReply]:
        # a list of the wrong shape: it once killed the refresher, leaving the process closed for good
        own_pki.revocations_path.write_text('{"revocations": [1]}', encoding="utf-8")
        stale, _ = await wait_for_axis(served_live, own_pki, LAO_CAI_ID, 503)
        # every process (the axis and both node workers) has said it fails closed: each goes stale
        # on its own clock, a refresh interval apart at most
        for _ in range(200):
            if served_live.stderr.count("failing closed:") >= len(served_live.deployment.pids):
                break
            await asyncio.sleep(0.05)
        outside = outside_network(served_live, own_pki, net_registry, SystemClock())
        vpcp = await outside.start_node(VPCP_ID)
        try:
            sent = vpcp.send(draft(LAO_CAI_ID, subject="Gửi khi danh sách thu hồi không đọc được"))
            await vpcp.pump()
            refused = [f"{i.state.value}: {i.last_error}" for i in vpcp.store.list_outbox(sent.document_id)]
            own_pki.revocations_path.write_bytes(good)
            fresh, _ = await wait_for_axis(served_live, own_pki, LAO_CAI_ID, 200)
            states: list[str] = []
            for _ in range(300):  # the sender retries every 0.5 s
                await vpcp.pump()
                states = [i.state.value for i in vpcp.store.list_outbox(sent.document_id)]
                if states == ["sent"]:
                    break
                await asyncio.sleep(0.1)
        finally:
            await outside.stop()
        return stale, refused, states, fresh

    stale, refused, states, fresh = asyncio.run(scenario())
    assert (stale.status, stale.headers["retry-after"]) == (503, "5")
    assert stale.body.startswith(b'{"reason": "revocation-unknown", "message": "the revocation status was')
    assert len(refused) == 1 and refused[0].startswith("pending: ") and "revocation-unknown" in refused[0]
    assert fresh.status == 200 and states == ["sent"]
    registered = wait_for_incoming(served_live, LAO_CAI_ID, 1)
    code, _ = stop_serve(served_live)
    assert code == 0
    assert registered == 1  # registered once, after the recovery
    log = served_live.stderr
    assert log.count("failing closed: the revocation status was last refreshed") == 3  # each process, once
    assert "verification resumes" in log and "Traceback" not in log
    assert audit(served_live.state).offenders == []


# -- hostile traffic against the served listeners, then a legitimate document ------------------


async def smtp_session(host: str, port: int, context: ssl.SSLContext | None, *lines: bytes) -> list[str]:
    """A raw SMTP session (STARTTLS with ``context`` when given); the reply to each line."""
    reader, writer = await asyncio.open_connection(host, port)

    async def reply() -> str:
        parts = []
        while True:
            line = await asyncio.wait_for(reader.readline(), 15)
            if not line:
                raise ConnectionError("closed")
            parts.append(line.decode("utf-8").rstrip())
            if line[3:4] != b"-":
                return "\n".join(parts)

    async def command(line: bytes) -> str:
        writer.write(line + b"\r\n")
        await writer.drain()
        return await reply()

    try:
        await reply()
        await command(b"EHLO test.gov.vn")
        if context is not None:
            await command(b"STARTTLS")
            await writer.start_tls(context, server_hostname="laocai.gov.vn")
            await command(b"EHLO test.gov.vn")
        return [await command(line) for line in lines]
    finally:
        writer.close()


@pytest.mark.serve_args(*SHORT_LIMITS)
def test_hostile_sessions_are_refused_with_reasons_and_a_document_lands_once(
    served_live: Served, own_pki: PkiStore, net_registry: Registry
) -> None:
    mail_host, mail_port = served_live.deployment.mail["laocai.gov.vn"]
    axis_host, axis_port = served_live.deployment.axis
    anonymous = client_context(own_pki.root)
    anonymous.check_hostname = False
    certified = client_context(own_pki.root, own_pki.organisation(VPCP_ID))
    certified.check_hostname = False
    mail_from = b"MAIL FROM:<vanthu@chinhphu.gov.vn>"

    async def scenario() -> tuple[list[list[str]], list[float], dict[str, str]]:
        # connections that dribble or stall, open while everything else happens
        stalled = [await asyncio.open_connection(axis_host, axis_port) for _ in range(3)]  # no handshake
        silent = [await asyncio.open_connection(mail_host, mail_port) for _ in range(3)]  # no command
        started = time.monotonic()
        replies = [
            await smtp_session(mail_host, mail_port, anonymous, mail_from),
            await smtp_session(mail_host, mail_port, certified, b"MAIL FROM:<vanthu@danang.gov.vn>"),
            await smtp_session(mail_host, mail_port, certified, b"MAIL FROM:<van\xffthu@chinhphu.gov.vn>"),
            await smtp_session(
                mail_host, mail_port, certified, mail_from, b"RCPT TO:<\xc3\x28@laocai.gov.vn>"
            ),
            await smtp_session(
                mail_host, mail_port, certified, mail_from, *[b"RCPT TO:<vanthu@laocai.gov.vn>"] * 4
            ),
            await smtp_session(mail_host, mail_port, None, mail_from),
        ]
        for method, path in (("GET", "/v1/nothing"), ("DELETE", "/v1/inbox")):
            reply = await axis_request(served_live, own_pki, VPCP_ID, method, path)
            replies.append([f"{reply.status} {reply.body.decode()}"])
        ack = await axis_request(served_live, own_pki, VPCP_ID, "POST", "/v1/packages/x/ack", b"[" * 4000)
        replies.append([f"{ack.status} {ack.body.decode()}"])
        closed = []
        for reader, writer in [*stalled, *silent]:
            async with asyncio.timeout(15):
                while await reader.read(4096):
                    pass
            closed.append(time.monotonic() - started)
            writer.close()
        outside = LoopbackNetwork(
            served_live.state, net_registry, own_pki, SystemClock(), QUICK_RETRY, CapabilityTable(),
            directory=served_live.deployment.directory(),
        )  # fmt: skip
        vpcp = await outside.start_node(VPCP_ID)
        try:
            sent = vpcp.send(draft(*SERVED))
            answered: dict[str, str] = {}
            for _ in range(300):
                await vpcp.pump()
                await vpcp.poll_axis()
                answered = receipt(outside, sent.document_id)
                if answered == {agency: "03" for agency in SERVED}:
                    break
                await asyncio.sleep(0.2)
        finally:
            await outside.stop()
        return replies, closed, answered

    replies, closed, answered = asyncio.run(scenario())
    assert replies[0] == [
        "530 5.7.0 unauthenticated: present an organisation certificate from the simulation's CA "
        "in the STARTTLS handshake"
    ]
    assert replies[1][0].startswith("550 5.7.1 sender-not-authenticated: the client certificate is ")
    assert replies[2] == ["553 5.1.7 bad-address: sender: the address is not valid UTF-8"]
    assert replies[3] == ["250 2.1.0 OK", "553 5.1.3 bad-address: recipient: the address is not valid UTF-8"]
    assert replies[4] == [
        "250 2.1.0 OK",
        *["250 2.1.5 OK"] * 3,
        "452 4.5.3 too-many-recipients: at most 3 recipients per message",
    ]
    assert replies[5] == ["530 5.7.0 starttls-required: Must issue a STARTTLS command first"]
    assert replies[6] == ['404 {"reason": "not-found", "message": "no such resource: GET /v1/nothing"}']
    assert replies[7] == [
        '405 {"reason": "method-not-allowed", "message": "DELETE is not allowed on /v1/inbox"}'
    ]
    assert replies[8][0].startswith(
        '400 {"reason": "bad-request", "message": "the body must be a JSON object'
    )
    assert all(seconds < 10 for seconds in closed)  # each stalled connection closed at its deadline
    assert answered == {agency: "03" for agency in SERVED}
    code, _ = stop_serve(served_live)
    assert code == 0
    for agency_id in SERVED:
        with NodeStore(served_live.state / f"{agency_id}.sqlite", agency_id) as store:
            assert len(store.list_incoming()) == 1  # the one legitimate document, once
    assert "Traceback" not in served_live.stderr
    result = audit(served_live.state)
    assert result.offenders == [] and result.deliveries == 2
