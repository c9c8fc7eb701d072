"""The records office's SMTP server against hostile clients, on real loopback sockets.

Every case asserts the exact reply (code, enhanced status, reason code and sentence), and every
hostile session is followed by a legitimate document that arrives exactly once.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pytest

from docexchange.clock import VIETNAM_TZ
from docexchange.node.mail_peer import mail_sender_domain
from docexchange.pki import PkiStore
from docexchange.registry import Registry
from docexchange.transport.limits import ListenerLimits
from docexchange.transport.mail import MailClient, MailOutcome, build_mail
from docexchange.transport.mail_server import MailServer, RecordsOfficeHandler, coded_reply
from docexchange.transport.tls import client_context, server_context
from tests.netpki import DA_NANG_ID, LAO_CAI_ID, VPCP_ID

EDXML = b"<edXML:edXMLEnvelope xmlns:edXML='http://www.mic.gov.vn/TBT/QCVN_102_2016'/>"
FROM, TO = "vanthu@chinhphu.gov.vn", "vanthu@laocai.gov.vn"
SHORT = ListenerLimits(handshake_seconds=1.0, head_seconds=1.0, body_seconds=1.5, max_recipients=3)


@dataclass
class Inbox:
    received: list[tuple[str, str, bytes]] = field(default_factory=list)
    slow: float = 0.0

    async def deliver(self, mail_from: str, recipient: str, edxml: bytes) -> MailOutcome:
        if self.slow:
            await asyncio.sleep(self.slow)  # a node verifying a large document
        self.received.append((mail_from, recipient, edxml))
        return MailOutcome(True)


@dataclass
class Office:
    server: MailServer
    inbox: Inbox
    pki: PkiStore

    def client(self) -> MailClient:
        tls = client_context(self.pki.root, self.pki.organisation(VPCP_ID))
        return MailClient(tls, lambda domain: ("127.0.0.1", self.server.port), timeout=10)

    async def legitimate_document_arrives_once(self) -> None:
        before = len(self.inbox.received)
        await self.client().send(FROM, TO, EDXML, "Văn bản hợp lệ")
        assert self.inbox.received[before:] == [(FROM, TO, EDXML)]


@pytest.fixture
async def office(net_pki: PkiStore, net_registry: Registry) -> AsyncIterator[Office]:
    agency = net_registry.get(LAO_CAI_ID)
    inbox = Inbox()
    handler = RecordsOfficeHandler(
        {agency.domain}, inbox.deliver, lambda cert: mail_sender_domain(net_registry, cert), limits=SHORT
    )
    tls = server_context(net_pki.organisation(LAO_CAI_ID), net_pki.root)
    server = MailServer(handler, tls, hostname=agency.domain, max_bytes=64 * 1024)
    await server.start()
    yield Office(server, inbox, net_pki)
    await server.stop()


class RawSession:
    """A byte-level SMTP client: sends exactly what the test says, reads whole replies."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, port: int) -> RawSession:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        session = cls(reader, writer)
        greeting = await session.reply()
        assert greeting.startswith("220 ")
        return session

    async def reply(self) -> str:
        lines = []
        while True:
            line = await asyncio.wait_for(self.reader.readline(), 10)
            if not line:
                raise ConnectionError("closed by the server")
            lines.append(line.decode("utf-8").rstrip("\r\n"))
            if line[3:4] != b"-":
                return "\n".join(lines)

    async def command(self, line: bytes) -> str:
        self.writer.write(line + b"\r\n")
        await self.writer.drain()
        return await self.reply()

    async def starttls(self, context: ssl.SSLContext) -> None:
        assert (await self.command(b"EHLO chinhphu.gov.vn")).startswith("250")
        assert (await self.command(b"STARTTLS")).startswith("220")
        await self.writer.start_tls(context, server_hostname="laocai.gov.vn")
        assert (await self.command(b"EHLO chinhphu.gov.vn")).startswith("250")

    async def closed_by_server(self, within: float) -> float:
        """Seconds until the server hangs up (reading whatever it sends meanwhile)."""
        started = time.monotonic()
        async with asyncio.timeout(within):
            while await self.reader.read(4096):
                pass
        return time.monotonic() - started

    def close(self) -> None:
        self.writer.close()


def certified(pki: PkiStore, agency_id: str = VPCP_ID) -> ssl.SSLContext:
    context = client_context(pki.root, pki.organisation(agency_id))
    context.check_hostname = False
    return context


def anonymous(pki: PkiStore) -> ssl.SSLContext:
    context = client_context(pki.root)
    context.check_hostname = False
    return context


async def authenticated(office: Office, agency_id: str = VPCP_ID) -> RawSession:
    session = await RawSession.open(office.server.port)
    await session.starttls(certified(office.pki, agency_id))
    return session


async def test_starttls_without_a_client_certificate_gets_530_unauthenticated(office: Office) -> None:
    session = await RawSession.open(office.server.port)
    await session.starttls(anonymous(office.pki))
    assert await session.command(f"MAIL FROM:<{FROM}>".encode()) == (
        "530 5.7.0 unauthenticated: present an organisation certificate from the simulation's CA "
        "in the STARTTLS handshake"
    )
    assert (await session.command(f"RCPT TO:<{TO}>".encode())).startswith("503 5.5.1 bad-sequence: ")
    session.close()
    assert office.inbox.received == []
    await office.legitimate_document_arrives_once()


async def test_mail_before_starttls_gets_530_starttls_required(office: Office) -> None:
    session = await RawSession.open(office.server.port)
    assert (await session.command(b"EHLO attacker")).startswith("250")
    assert await session.command(f"MAIL FROM:<{FROM}>".encode()) == (
        "530 5.7.0 starttls-required: Must issue a STARTTLS command first"
    )
    session.close()
    await office.legitimate_document_arrives_once()


async def test_a_certificate_of_another_ca_fails_the_handshake(
    office: Office, net_registry: Registry, tmp_path: Path
) -> None:
    foreign = PkiStore.init(  # same agency, same names, another root
        tmp_path / "foreign",
        net_registry.filtered([VPCP_ID]),
        algorithm="ecdsa-p256",
        not_before=datetime(2018, 1, 1, tzinfo=VIETNAM_TZ),
    )
    context = client_context(office.pki.root, foreign.organisation(VPCP_ID))
    context.check_hostname = False
    session = await RawSession.open(office.server.port)
    with pytest.raises((ssl.SSLError, ConnectionError)):
        await session.starttls(context)
    session.close()
    await office.legitimate_document_arrives_once()


async def test_a_certified_agency_may_use_only_its_own_domain(office: Office) -> None:
    session = await authenticated(office)  # Văn phòng Chính phủ's certificate
    assert await session.command(b"MAIL FROM:<vanthu@danang.gov.vn>") == (
        "550 5.7.1 sender-not-authenticated: the client certificate is chinhphu.gov.vn's; "
        "it may send only from @chinhphu.gov.vn, not @danang.gov.vn"
    )
    assert await session.command(b"MAIL FROM:<vanthu@ChinhPhu.gov.vn>") == "250 2.1.0 OK"
    session.close()
    await office.legitimate_document_arrives_once()


async def test_the_receiving_agency_s_own_certificate_cannot_send_as_another(office: Office) -> None:
    session = await authenticated(office, DA_NANG_ID)
    assert (await session.command(f"MAIL FROM:<{FROM}>".encode())).startswith(
        "550 5.7.1 sender-not-authenticated: the client certificate is danang.gov.vn's"
    )
    session.close()


@pytest.mark.parametrize(
    ("line", "reply"),
    [
        (
            b"MAIL FROM:<vanthu\xff\xfe@chinhphu.gov.vn>",
            "553 5.1.7 bad-address: sender: the address is not valid UTF-8",
        ),
        (
            b"MAIL FROM:<no-at-sign>",
            "553 5.1.7 bad-address: sender: the address has no local part and domain (local@domain)",
        ),
        (
            b"MAIL FROM:<a..b@chinhphu.gov.vn>",
            "553 5.1.7 bad-address: sender: the local part is not a dot-atom of at most 64 octets",
        ),
        (
            b"MAIL FROM:<" + b"a" * 65 + b"@chinhphu.gov.vn>",
            "553 5.1.7 bad-address: sender: the local part is not a dot-atom of at most 64 octets",
        ),
        (
            b"MAIL FROM:<vanthu@localhost>",
            "553 5.1.7 bad-address: sender: the domain is not a host name of letter-digit-hyphen labels",
        ),
        (
            b"MAIL FROM:<vanthu@chinh_phu.gov.vn>",
            "553 5.1.7 bad-address: sender: the domain is not a host name of letter-digit-hyphen labels",
        ),
    ],
)
async def test_bad_sender_addresses_get_553_with_what_is_wrong(
    office: Office, line: bytes, reply: str
) -> None:
    session = await authenticated(office)
    assert await session.command(line) == reply
    session.close()
    await office.legitimate_document_arrives_once()


@pytest.mark.parametrize(
    ("line", "reply"),
    [
        (
            b"RCPT TO:<vanthu\xc3\x28@laocai.gov.vn>",
            "553 5.1.3 bad-address: recipient: the address is not valid UTF-8",
        ),
        (b"RCPT TO:<\xff>", "553 5.1.3 bad-address: recipient: the address is not valid UTF-8"),
        (
            b"RCPT TO:<vanthu@laocai>",
            "553 5.1.3 bad-address: recipient: the domain is not a host name of letter-digit-hyphen labels",
        ),
        (b"RCPT TO:<vanthu@example.com>", "550 5.7.1 relay-refused: relaying to example.com is refused"),
        (
            b"RCPT TO:<giamdoc@laocai.gov.vn>",
            "550 5.1.1 unknown-recipient: only vanthu@laocai.gov.vn receives documents",
        ),
    ],
)
async def test_bad_recipients_are_refused_by_name_never_with_500(
    office: Office, line: bytes, reply: str
) -> None:
    session = await authenticated(office)
    assert await session.command(f"MAIL FROM:<{FROM}>".encode()) == "250 2.1.0 OK"
    assert await session.command(line) == reply
    session.close()
    await office.legitimate_document_arrives_once()


async def test_rcpt_lines_are_capped_and_the_message_is_handled_once(office: Office) -> None:
    session = await authenticated(office)
    assert await session.command(f"MAIL FROM:<{FROM}>".encode()) == "250 2.1.0 OK"
    for spelling in (TO, "VANTHU@laocai.gov.vn", "vanthu@LaoCai.gov.vn"):
        assert await session.command(f"RCPT TO:<{spelling}>".encode()) == "250 2.1.5 OK"
    for _ in range(3):
        assert await session.command(f"RCPT TO:<{TO}>".encode()) == (
            "452 4.5.3 too-many-recipients: at most 3 recipients per message"
        )
    assert (await session.command(b"DATA")).startswith("354")
    message = build_mail(FROM, TO, EDXML, "Một văn bản, ba dòng RCPT").as_bytes()
    session.writer.write(message.replace(b"\n", b"\r\n").rstrip(b"\r\n") + b"\r\n.\r\n")
    assert await session.reply() == "250 2.0.0 OK: stored"
    assert office.inbox.received == [(FROM, TO, EDXML)]  # one delivery for three RCPT lines
    assert await session.command(b"RSET") == "250 OK"  # a new transaction starts a new count
    assert await session.command(f"MAIL FROM:<{FROM}>".encode()) == "250 2.1.0 OK"
    assert await session.command(f"RCPT TO:<{TO}>".encode()) == "250 2.1.5 OK"
    session.close()
    await office.legitimate_document_arrives_once()


@pytest.mark.parametrize(
    ("line", "reply"),
    [
        (b"FROB", '500 5.5.2 bad-syntax: command "FROB" not recognized'),
        (b"GARBAGE \x00\xff", '500 5.5.2 bad-syntax: command "GARBAGE" not recognized'),
        (b"HELO", "501 5.5.4 bad-syntax: Syntax: HELO hostname"),
        (b"RCPT TO:<vanthu@laocai.gov.vn>", "503 5.5.1 bad-sequence: need MAIL command"),
        (
            b"MAIL <vanthu@chinhphu.gov.vn>",
            "501 5.5.4 bad-syntax: Syntax: MAIL FROM: <address> [SP <mail-parameters>]",
        ),
        (b"DATA", "503 5.5.1 bad-sequence: need RCPT command"),
    ],
)
async def test_stock_refusals_carry_a_reason_code(office: Office, line: bytes, reply: str) -> None:
    session = await authenticated(office)
    assert await session.command(line) == reply
    session.close()
    await office.legitimate_document_arrives_once()


@pytest.mark.parametrize(
    ("stock", "coded"),
    [
        ("500 Error: bad syntax", "500 5.5.2 bad-syntax: bad syntax"),
        (
            "502 5.5.1 Too many unrecognized commands, goodbye.",
            "502 5.5.1 not-implemented: Too many unrecognized commands, goodbye.",
        ),
        ("421 4.7.0 RCPT sent too many times", "421 4.7.0 too-many-commands: RCPT sent too many times"),
        ("552 Error: Too much mail data", "552 5.3.4 too-large: Too much mail data"),
        ("554 5.7.0 bad-request: already coded", "554 5.7.0 bad-request: already coded"),
        ("250 OK", "250 OK"),
        ("500 Error: \udcff\x07", "500 5.5.2 bad-syntax: \ufffd?"),
    ],
)
def test_coded_reply_rewrites_stock_refusals(stock: str, coded: str) -> None:
    assert coded_reply(stock) == coded


async def test_a_silent_client_is_closed_at_the_command_deadline(office: Office) -> None:
    session = await RawSession.open(office.server.port)
    legit = asyncio.create_task(office.legitimate_document_arrives_once())  # served meanwhile
    waited = await session.closed_by_server(within=10)
    await legit
    assert SHORT.head_seconds * 0.5 <= waited < SHORT.head_seconds + 3
    session.close()


async def test_a_client_that_never_finishes_starttls_is_closed(office: Office) -> None:
    session = await RawSession.open(office.server.port)
    assert (await session.command(b"EHLO attacker")).startswith("250")
    assert (await session.command(b"STARTTLS")).startswith("220")
    session.writer.write(b"\x16\x03\x01")  # the first bytes of a ClientHello, then nothing
    await office.legitimate_document_arrives_once()
    waited = await session.closed_by_server(within=10)
    assert waited < SHORT.handshake_seconds + 3
    session.close()


async def test_a_dribbled_message_is_closed_at_the_body_deadline(office: Office) -> None:
    session = await authenticated(office)
    assert await session.command(f"MAIL FROM:<{FROM}>".encode()) == "250 2.1.0 OK"
    assert await session.command(f"RCPT TO:<{TO}>".encode()) == "250 2.1.5 OK"
    assert (await session.command(b"DATA")).startswith("354")
    started = time.monotonic()

    async def dribble() -> None:
        for _ in range(80):  # one line every 0.1 s: each line is valid, the whole never ends
            session.writer.write(b"X-Dribble: a\r\n")
            await session.writer.drain()
            await asyncio.sleep(0.1)

    dribbler = asyncio.create_task(dribble())
    await office.legitimate_document_arrives_once()
    with pytest.raises((ConnectionError, ssl.SSLError)):
        while True:
            await session.reply()  # nothing to read until the server hangs up
    waited = time.monotonic() - started
    dribbler.cancel()
    assert SHORT.body_seconds * 0.5 <= waited < SHORT.body_seconds + 5  # not the 8 s dribble
    assert office.inbox.received == [(FROM, TO, EDXML)]  # only the legitimate one
    session.close()


async def test_processing_time_does_not_count_against_the_body_deadline(office: Office) -> None:
    office.inbox.slow = SHORT.body_seconds + 0.5  # the node takes longer than the body may
    await office.legitimate_document_arrives_once()


async def test_a_second_starttls_is_refused(office: Office) -> None:
    session = await authenticated(office)
    assert await session.command(b"STARTTLS") == "503 5.5.1 bad-sequence: TLS is already active"
    assert await session.command(f"MAIL FROM:<{FROM}>".encode()) == "250 2.1.0 OK"  # the session goes on
    session.close()
    await office.legitimate_document_arrives_once()


async def test_no_sasl_is_offered_the_certificate_is_the_credential(office: Office) -> None:
    session = await RawSession.open(office.server.port)
    await session.starttls(anonymous(office.pki))
    ehlo = await session.command(b"EHLO chinhphu.gov.vn")
    assert "AUTH" not in ehlo and ehlo.startswith("250-")
    assert await session.command(b"AUTH PLAIN AGFkbWluAHNlY3JldA==") == (
        "502 5.5.1 not-implemented: a records office authenticates senders by the client certificate "
        "of the STARTTLS handshake"
    )
    assert await session.command(b"AUTH LOGIN") == await session.command(b"AUTH PLAIN")
    session.close()


@pytest.fixture
async def patient_office(net_pki: PkiStore, net_registry: Registry) -> AsyncIterator[Office]:
    """Command deadline 1 s, body 6 s: a connection closed in under 3 s had the command deadline."""
    limits = ListenerLimits(handshake_seconds=1.0, head_seconds=1.0, body_seconds=6.0)
    inbox = Inbox()
    handler = RecordsOfficeHandler(
        {"laocai.gov.vn"}, inbox.deliver, lambda cert: mail_sender_domain(net_registry, cert), limits=limits
    )
    server = MailServer(
        handler, server_context(net_pki.organisation(LAO_CAI_ID), net_pki.root),
        hostname="laocai.gov.vn", max_bytes=64 * 1024,
    )  # fmt: skip
    await server.start()
    yield Office(server, inbox, net_pki)
    await server.stop()


async def test_after_a_refused_data_the_command_deadline_applies_again(patient_office: Office) -> None:
    session = await authenticated(patient_office)
    assert await session.command(b"DATA") == "503 5.5.1 bad-sequence: need RCPT command"
    assert await session.closed_by_server(within=10) < 3
    session.close()


async def test_after_a_message_the_command_deadline_applies_again(patient_office: Office) -> None:
    session = await authenticated(patient_office)
    assert await session.command(f"MAIL FROM:<{FROM}>".encode()) == "250 2.1.0 OK"
    assert await session.command(f"RCPT TO:<{TO}>".encode()) == "250 2.1.5 OK"
    assert (await session.command(b"DATA")).startswith("354")
    message = build_mail(FROM, TO, EDXML, "Văn bản").as_bytes()
    session.writer.write(message.replace(b"\n", b"\r\n").rstrip(b"\r\n") + b"\r\n.\r\n")
    assert await session.reply() == "250 2.0.0 OK: stored"
    assert await session.closed_by_server(within=10) < 3  # not the 300 s processing allowance
    session.close()
