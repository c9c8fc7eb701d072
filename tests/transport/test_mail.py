"""The .gov.vn mail channel on real loopback sockets with STARTTLS from the simulation's CA."""

from __future__ import annotations

import smtplib
from collections.abc import AsyncIterator

import pytest

from docexchange.node.mail_peer import mail_sender_domain
from docexchange.pki import PkiStore
from docexchange.registry import Registry
from docexchange.transport.errors import TransportError
from docexchange.transport.mail import MailClient, MailOutcome, build_mail
from docexchange.transport.mail_server import MailServer, RecordsOfficeHandler
from docexchange.transport.tls import client_context, server_context
from tests.netpki import LAO_CAI_ID, VPCP_ID

EDXML = b"<edXML:edXMLEnvelope xmlns:edXML='http://www.mic.gov.vn/TBT/QCVN_102_2016'/>"


class Inbox:
    def __init__(self) -> None:
        self.received: list[tuple[str, str, bytes]] = []
        self.refuse_with: MailOutcome | None = None

    async def deliver(self, mail_from: str, recipient: str, edxml: bytes) -> MailOutcome:
        if self.refuse_with is not None:
            return self.refuse_with
        self.received.append((mail_from, recipient, edxml))
        return MailOutcome(True)


@pytest.fixture
async def lao_cai_mail(net_pki: PkiStore, net_registry: Registry) -> AsyncIterator[tuple[MailServer, Inbox]]:
    agency = net_registry.get(LAO_CAI_ID)
    inbox = Inbox()
    tls = server_context(net_pki.organisation(LAO_CAI_ID), net_pki.root)
    handler = RecordsOfficeHandler(
        {agency.domain}, inbox.deliver, lambda cert: mail_sender_domain(net_registry, cert)
    )
    server = MailServer(handler, tls, hostname=agency.domain, max_bytes=64 * 1024)
    await server.start()
    yield server, inbox
    await server.stop()


def client_for(net_pki: PkiStore, server: MailServer) -> MailClient:
    tls = client_context(net_pki.root, net_pki.organisation(VPCP_ID))
    return MailClient(tls, lambda domain: ("127.0.0.1", server.port), timeout=10)


async def test_document_is_delivered_over_starttls(
    lao_cai_mail: tuple[MailServer, Inbox], net_pki: PkiStore
) -> None:
    server, inbox = lao_cai_mail
    await client_for(net_pki, server).send(
        "vanthu@chinhphu.gov.vn", "vanthu@laocai.gov.vn", EDXML, "Văn bản 01"
    )
    assert inbox.received == [("vanthu@chinhphu.gov.vn", "vanthu@laocai.gov.vn", EDXML)]


async def test_relaying_to_a_foreign_domain_is_refused(
    lao_cai_mail: tuple[MailServer, Inbox], net_pki: PkiStore
) -> None:
    import asyncio

    server, inbox = lao_cai_mail

    def relay() -> tuple[int, bytes]:
        with _plain_smtplib(server.port, net_pki) as client:
            client.mail("vanthu@chinhphu.gov.vn")
            return client.rcpt("vanthu@example.com")

    code, text = await asyncio.to_thread(relay)
    assert code == 550 and text.startswith(b"5.7.1 relay-refused: relaying to example.com is refused")
    assert inbox.received == []


async def test_client_refuses_a_server_not_certified_for_the_recipient_domain(
    lao_cai_mail: tuple[MailServer, Inbox], net_pki: PkiStore
) -> None:
    server, inbox = lao_cai_mail  # Lào Cai's server answering for Đà Nẵng's domain
    with pytest.raises(TransportError) as failed:
        await client_for(net_pki, server).send("vanthu@chinhphu.gov.vn", "vanthu@danang.gov.vn", EDXML, "x")
    assert "CERTIFICATE_VERIFY_FAILED" in failed.value.message
    assert inbox.received == []


async def test_only_the_records_office_mailbox_receives(
    lao_cai_mail: tuple[MailServer, Inbox], net_pki: PkiStore
) -> None:
    server, _ = lao_cai_mail
    with pytest.raises(TransportError) as refused:
        await client_for(net_pki, server).send("vanthu@chinhphu.gov.vn", "giamdoc@laocai.gov.vn", EDXML, "x")
    assert refused.value.status == 550


async def test_node_refusal_becomes_554_with_the_reason(
    lao_cai_mail: tuple[MailServer, Inbox], net_pki: PkiStore
) -> None:
    server, inbox = lao_cai_mail
    inbox.refuse_with = MailOutcome(False, "malformed-xml", "not well-formed XML")
    with pytest.raises(TransportError) as refused:
        await client_for(net_pki, server).send("vanthu@chinhphu.gov.vn", "vanthu@laocai.gov.vn", b"<x", "x")
    assert refused.value.status == 554 and refused.value.reason == "5.7.0 malformed-xml"
    assert not refused.value.retryable


def _plain_smtplib(port: int, pki: PkiStore, agency_id: str = VPCP_ID) -> smtplib.SMTP:
    """Python's own SMTP client, presenting the agency's organisation certificate after STARTTLS."""
    context = client_context(pki.root, pki.organisation(agency_id))
    context.check_hostname = False  # loopback has no DNS for laocai.gov.vn; the chain is still verified
    client = smtplib.SMTP("127.0.0.1", port, local_hostname="chinhphu.gov.vn", timeout=10)
    client.starttls(context=context)
    client.ehlo()
    return client


async def test_a_plain_smtplib_client_can_deliver(
    lao_cai_mail: tuple[MailServer, Inbox], net_pki: PkiStore
) -> None:
    import asyncio

    server, inbox = lao_cai_mail

    def send() -> None:
        with _plain_smtplib(server.port, net_pki) as client:
            client.send_message(
                build_mail("vanthu@chinhphu.gov.vn", "vanthu@laocai.gov.vn", EDXML, "Văn bản")
            )

    await asyncio.to_thread(send)
    assert [edxml for _, _, edxml in inbox.received] == [EDXML]


async def test_hostile_input_gets_5xx_and_the_server_keeps_serving(
    lao_cai_mail: tuple[MailServer, Inbox], net_pki: PkiStore
) -> None:
    import asyncio

    server, inbox = lao_cai_mail

    def hostile() -> list[int]:
        codes = []
        with smtplib.SMTP("127.0.0.1", server.port, local_hostname="attacker", timeout=10) as plain:
            codes.append(plain.mail("x@chinhphu.gov.vn")[0])  # before STARTTLS: 530
        with _plain_smtplib(server.port, net_pki) as client:
            client.mail("vanthu@chinhphu.gov.vn")
            client.rcpt("vanthu@laocai.gov.vn")
            codes.append(client.data(b"Subject: no attachment\r\n\r\njust text\r\n")[0])
            client.rset()
            client.mail("vanthu@chinhphu.gov.vn")
            client.rcpt("vanthu@laocai.gov.vn")
            codes.append(client.data(b"Subject: big\r\n\r\n" + (b"A" * 98 + b"\r\n") * 700)[0])
            client.rset()
            client.send(b"GARBAGE \x00\xff\r\n")
            codes.append(client.getreply()[0])
        return codes

    assert await asyncio.to_thread(hostile) == [530, 554, 552, 500]
    await client_for(net_pki, server).send("vanthu@chinhphu.gov.vn", "vanthu@laocai.gov.vn", EDXML, "after")
    assert len(inbox.received) == 1


async def test_a_temporary_failure_is_451_and_the_sender_retries(
    lao_cai_mail: tuple[MailServer, Inbox], net_pki: PkiStore
) -> None:
    server, inbox = lao_cai_mail
    inbox.refuse_with = MailOutcome(False, "store-busy", "the register is locked", temporary=True)
    with pytest.raises(TransportError) as later:
        await client_for(net_pki, server).send("vanthu@chinhphu.gov.vn", "vanthu@laocai.gov.vn", EDXML, "x")
    assert later.value.status == 451 and later.value.retryable
