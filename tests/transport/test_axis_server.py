"""The axis HTTPS front against hostile requests, byte for byte, on real loopback sockets.

Each case asserts the exact status and JSON body, that nothing was logged with a traceback, and
that a legitimate upload afterwards is accepted exactly once.
"""

from __future__ import annotations

import asyncio
import json
import logging
import ssl
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from cryptography import x509

from docexchange.pki import AXIS_HOST, PkiStore
from docexchange.pki.freshness import RevocationStale
from docexchange.transport.axis_http import AxisClient
from docexchange.transport.axis_server import AxisHttpServer
from docexchange.transport.limits import ListenerLimits
from docexchange.transport.tls import client_context, server_context
from tests.netpki import LAO_CAI_ID, VPCP_ID
from tests.transport.test_axis_http import FakeAxis

SHORT = ListenerLimits(handshake_seconds=1.0, head_seconds=1.0, body_seconds=1.5)


class StaleAxis(FakeAxis):
    """An axis whose revocation status has gone stale: it cannot authenticate anyone now."""

    stale = False

    def authenticate(self, cert: x509.Certificate | None) -> str:
        if self.stale:
            raise RevocationStale("the revocation status was last refreshed 31.0 s ago")
        return super().authenticate(cert)


@dataclass
class Axis:
    server: AxisHttpServer
    service: StaleAxis
    pki: PkiStore

    def tls(self, agency_id: str = VPCP_ID) -> ssl.SSLContext:
        return client_context(self.pki.root, self.pki.organisation(agency_id))

    async def legitimate_upload_is_accepted_once(self) -> None:
        before = len(self.service.uploads)
        client = AxisClient(self.server.port, self.tls(), server_hostname=AXIS_HOST, timeout=10)
        try:
            receipts = await client.upload(b"<edXML/>")
        finally:
            await client.close()
        assert len(receipts) == 1
        assert self.service.uploads[before:] == [(VPCP_ID, b"<edXML/>")]


@pytest.fixture
async def axis(net_pki: PkiStore, caplog: pytest.LogCaptureFixture) -> AsyncIterator[Axis]:
    caplog.set_level(logging.DEBUG)
    service = StaleAxis(net_pki)
    server = AxisHttpServer(service, server_context(net_pki.service(), net_pki.root), limits=SHORT)
    await server.start()
    yield Axis(server, service, net_pki)
    await server.stop()
    tracebacks = [r for r in caplog.records if r.exc_info is not None or "Traceback" in r.getMessage()]
    assert tracebacks == [], "hostile input was logged with a traceback"


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> object:
        assert self.headers["content-type"].startswith("application/json")
        return json.loads(self.body)


async def raw(axis: Axis, request: bytes) -> Reply:
    """Send ``request`` as is over mutual TLS and read one response."""
    reader, writer = await asyncio.open_connection(
        "127.0.0.1", axis.server.port, ssl=axis.tls(), server_hostname=AXIS_HOST
    )
    try:
        writer.write(request)
        await writer.drain()
        return await read_reply(reader)
    finally:
        writer.close()


async def read_reply(reader: asyncio.StreamReader) -> Reply:
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {
        k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)
    }
    body = await asyncio.wait_for(reader.readexactly(int(headers.get("content-length", "0"))), 10)
    return Reply(status, headers, body)


def get(path: str, *extra: str) -> bytes:
    lines = [f"GET {path} HTTP/1.1", f"Host: {AXIS_HOST}", *extra, "", ""]
    return "\r\n".join(lines).encode("latin-1")


MALFORMED = "malformed HTTP request: "


@pytest.mark.parametrize(
    ("request_bytes", "status", "reason", "message"),
    [
        (
            get("/v1/inbox", "X-Big: " + "a" * 100_000),
            431,
            "headers-too-large",
            "a line of the request head (the request line or a header) is longer than 8190 bytes",
        ),
        (
            get("/v1/inbox?" + "q" * 20_000),
            431,
            "headers-too-large",
            "a line of the request head (the request line or a header) is longer than 8190 bytes",
        ),
        (
            get("/v1/inbox", *(f"X-H{i}: v" for i in range(5000))),
            431,
            "headers-too-large",
            "the request has more than 100 header fields",
        ),
        (
            b"POST /v1/packages HTTP/1.1\r\nHost: axis\r\nContent-Length: 5\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            400,
            "bad-request",
            MALFORMED,
        ),
        (
            b"POST /v1/packages HTTP/1.1\r\nHost: axis\r\nContent-Length: -1\r\n\r\n",
            400,
            "bad-request",
            MALFORMED,
        ),
        (b"GET /v1/\xff\xfe\x80 HTTP/1.1\r\nHost: axis\r\n\r\n", 400, "bad-request", MALFORMED),
        (b"GET /v1/inbox HTTP/9.9\r\nHost: axis\r\n\r\n", 400, "bad-request", MALFORMED),
        (b"\x00\x01\x02 nonsense\r\n\r\n", 400, "bad-request", MALFORMED),
        (get("/v1/nothing"), 404, "not-found", "no such resource: GET /v1/nothing"),
        (get("/"), 404, "not-found", "no such resource: GET /"),
        (
            b"DELETE /v1/inbox HTTP/1.1\r\nHost: axis\r\n\r\n",
            405,
            "method-not-allowed",
            "DELETE is not allowed on /v1/inbox",
        ),
    ],
    ids=[
        "100KB-header",
        "20KB-request-line",
        "5000-headers",
        "content-length-with-chunked",
        "negative-content-length",
        "raw-non-ascii-path",
        "bad-version",
        "binary-request-line",
        "unknown-route",
        "root",
        "wrong-method",
    ],
)
async def test_every_refusal_is_json_with_a_reason(
    axis: Axis, request_bytes: bytes, status: int, reason: str, message: str
) -> None:
    reply = await raw(axis, request_bytes)
    body = reply.json()
    assert isinstance(body, dict) and reply.status == status
    assert body["reason"] == reason
    if message == MALFORMED:
        assert body["message"].startswith(MALFORMED) and len(body["message"]) > len(MALFORMED)
    else:
        assert body["message"] == message
    await axis.legitimate_upload_is_accepted_once()


async def test_a_wrong_method_names_the_allowed_ones(axis: Axis) -> None:
    reply = await raw(axis, b"PUT /v1/packages HTTP/1.1\r\nHost: axis\r\nContent-Length: 0\r\n\r\n")
    assert (reply.status, reply.headers["allow"]) == (405, "POST")


@pytest.mark.parametrize(
    ("body", "status", "reason", "message"),
    [
        (b"[" * 100_000, 413, "too-large", "the body (100000 bytes) exceeds 4096 bytes"),
        (
            b"[" * 4000,
            400,
            "bad-request",
            'the body must be a JSON object {"state": "done" | "processing" | "fail", "reason": text}',
        ),
        (
            b'{"state": 3}',
            400,
            "bad-request",
            'the body must be a JSON object {"state": "done" | "processing" | "fail", "reason": text}',
        ),
    ],
    ids=["deep-and-large", "deeper-than-the-parser", "state-not-text"],
)
async def test_a_hostile_acknowledgement_is_a_client_error(
    axis: Axis, body: bytes, status: int, reason: str, message: str
) -> None:
    head = f"POST /v1/packages/p1/ack HTTP/1.1\r\nHost: axis\r\nContent-Length: {len(body)}\r\n\r\n"
    reply = await raw(axis, head.encode() + body)
    assert (reply.status, reply.json()) == (status, {"reason": reason, "message": message})
    await axis.legitimate_upload_is_accepted_once()


async def test_stale_revocation_status_is_503_with_retry_after(axis: Axis) -> None:
    axis.service.stale = True
    reply = await raw(axis, get("/v1/inbox"))
    assert (reply.status, reply.headers["retry-after"]) == (503, "5")
    assert reply.json() == {
        "reason": "revocation-unknown",
        "message": "the revocation status was last refreshed 31.0 s ago",
    }
    axis.service.stale = False
    await axis.legitimate_upload_is_accepted_once()


async def _closed_within(reader: asyncio.StreamReader, seconds: float) -> tuple[float, bytes]:
    """(seconds until the server hung up, what it sent before)."""
    started, received = time.monotonic(), b""
    async with asyncio.timeout(seconds):
        try:
            while chunk := await reader.read(4096):
                received += chunk
        except (ConnectionError, ssl.SSLError):
            pass
    return time.monotonic() - started, received


async def test_a_handshake_that_never_finishes_is_closed(axis: Axis) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", axis.server.port)  # TCP, no TLS
    writer.write(b"\x16\x03\x01")  # a ClientHello that never completes
    await axis.legitimate_upload_is_accepted_once()
    waited, received = await _closed_within(reader, 10)
    writer.close()
    assert waited < SHORT.handshake_seconds + 3 and received == b""


async def test_a_dribbled_request_head_is_closed_at_the_head_deadline(axis: Axis) -> None:
    reader, writer = await asyncio.open_connection(
        "127.0.0.1", axis.server.port, ssl=axis.tls(), server_hostname=AXIS_HOST
    )

    async def dribble() -> None:
        writer.write(b"GET /v1/inbox HTTP/1.1\r\n")
        for i in range(60):  # one header every 0.1 s: each is valid, the head never ends
            writer.write(f"X-Dribble-{i}: a\r\n".encode())
            await writer.drain()
            await asyncio.sleep(0.1)

    dribbler = asyncio.create_task(dribble())
    await axis.legitimate_upload_is_accepted_once()
    waited, _ = await _closed_within(reader, 10)
    dribbler.cancel()
    writer.close()
    assert waited < SHORT.head_seconds + 3  # well before the 6 s the dribble would take


async def test_a_dribbled_body_gets_408_and_is_closed(axis: Axis) -> None:
    reader, writer = await asyncio.open_connection(
        "127.0.0.1", axis.server.port, ssl=axis.tls(), server_hostname=AXIS_HOST
    )
    writer.write(b"POST /v1/packages HTTP/1.1\r\nHost: axis\r\nContent-Length: 1000\r\n\r\n<")
    started = time.monotonic()

    async def dribble() -> None:
        for _ in range(60):  # one byte every 0.1 s
            writer.write(b"a")
            await writer.drain()
            await asyncio.sleep(0.1)

    dribbler = asyncio.create_task(dribble())
    await axis.legitimate_upload_is_accepted_once()
    reply = await read_reply(reader)
    waited = time.monotonic() - started
    dribbler.cancel()
    writer.close()
    assert reply.status == 408 and reply.json() == {
        "reason": "request-timeout",
        "message": "the request body did not arrive within 1.5 s",
    }
    assert SHORT.body_seconds * 0.5 <= waited < SHORT.body_seconds + 3
    assert axis.service.uploads == [(VPCP_ID, b"<edXML/>")]  # only the legitimate one


async def test_an_idle_keep_alive_connection_is_closed(axis: Axis) -> None:
    reader, writer = await asyncio.open_connection(
        "127.0.0.1", axis.server.port, ssl=axis.tls(LAO_CAI_ID), server_hostname=AXIS_HOST
    )
    writer.write(get("/v1/inbox"))
    reply = await read_reply(reader)
    assert reply.status == 200
    waited, _ = await _closed_within(reader, 10)  # then says nothing more
    writer.close()
    assert waited < SHORT.head_seconds + 3


@pytest.mark.parametrize("path", ["/v1/packages", "/v1/nothing"])
async def test_an_unsupported_expect_header_is_417_in_json(axis: Axis, path: str) -> None:
    request = f"POST {path} HTTP/1.1\r\nHost: axis\r\nExpect: foo\r\nContent-Length: 8\r\n\r\n<edXML/>"
    reply = await raw(axis, request.encode())
    assert reply.status == 417 and reply.json() == {
        "reason": "bad-request",
        "message": "the Expect header 'foo' is not supported (only 100-continue)",
    }
    await axis.legitimate_upload_is_accepted_once()


async def test_a_body_that_cannot_be_decoded_is_400_not_500(axis: Axis) -> None:
    request = b"POST /v1/packages HTTP/1.1\r\nHost: axis\r\nContent-Encoding: gzip\r\nContent-Length: 5\r\n\r\nhello"
    reply = await raw(axis, request)
    body = reply.json()
    assert reply.status == 400 and isinstance(body, dict) and body["reason"] == "bad-request"
    assert body["message"].startswith("the request body cannot be read: ")
    await axis.legitimate_upload_is_accepted_once()


async def test_an_acknowledgement_with_a_lone_surrogate_is_400(axis: Axis) -> None:
    body = b'{"state": "processing", "reason": "\\ud800"}'
    head = f"POST /v1/packages/p1/ack HTTP/1.1\r\nHost: axis\r\nContent-Length: {len(body)}\r\n\r\n"
    reply = await raw(axis, head.encode() + body)
    assert (reply.status, reply.json()) == (
        400,
        {"reason": "bad-request", "message": "the body holds text that is not valid Unicode"},
    )


async def test_head_is_not_a_download(axis: Axis) -> None:
    """A HEAD would count as a delivery of the package: only GET downloads."""
    reader, writer = await asyncio.open_connection(
        "127.0.0.1", axis.server.port, ssl=axis.tls(), server_hostname=AXIS_HOST
    )
    writer.write(b"HEAD /v1/packages/p1 HTTP/1.1\r\nHost: axis\r\n\r\n")
    head = (await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)).decode("latin-1")
    writer.close()
    assert head.startswith("HTTP/1.1 405 ") and "\r\nAllow: GET\r\n" in head


async def test_a_client_that_never_reads_its_answers_is_disconnected(axis: Axis) -> None:
    _, writer = await asyncio.open_connection(
        "127.0.0.1", axis.server.port, ssl=axis.tls(), server_hostname=AXIS_HOST
    )
    writer.write(get("/v1/nothing") * 40_000)  # pipelined, about 10 MB of answers, never read
    manager = axis.server._runner.server if axis.server._runner else None
    assert manager is not None
    started = time.monotonic()
    backlog = 0
    while backlog == 0 and time.monotonic() - started < 10:  # its answers pile up unread
        await asyncio.sleep(0.1)
        transports = [c.transport for c in manager.connections if c.transport is not None]
        backlog = sum(t.get_write_buffer_size() for t in transports)
    assert backlog > 0
    while manager.connections and time.monotonic() - started < 30:
        await asyncio.sleep(0.2)
    assert manager.connections == []  # closed once its answers stopped moving for the body deadline
    assert time.monotonic() - started < 30
    writer.transport.abort()
    await axis.legitimate_upload_is_accepted_once()
