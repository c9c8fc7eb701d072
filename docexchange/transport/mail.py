"""The .gov.vn mail channel: each agency's records-office mailbox (văn thư) over SMTP with STARTTLS.

Documents and statuses travel as MIME messages with the edXML as a base64 ``application/xml``
attachment. The server side is aiosmtpd, listening inside the running loop on a port it is given
by the OS (no fixed ports, no threads); it refuses relaying for foreign domains, requires STARTTLS
from the simulation's CA, and answers oversized or malformed messages with 5xx and a reason. What
happens to a well-formed message (verification, registers, statuses) is the node's business: the
handler hands the edXML bytes to ``deliver`` and answers 250 only once the node has them on disk.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

import aiosmtplib
from aiosmtpd.smtp import SMTP, Envelope, Session

from docexchange.errors import ReasonCode
from docexchange.transport.errors import TransportError

RECORDS_OFFICE = "vanthu"
EDXML_TYPE = "application/xml"


@dataclass(frozen=True)
class MailOutcome:
    """What the node made of a delivered message: stored (250) or refused (5xx with a reason)."""

    accepted: bool
    reason: str = ""
    message: str = ""
    temporary: bool = False  # 451: the sender's MTA should try again later


MailDelivery = Callable[[str, str, bytes], Awaitable[MailOutcome]]
"""(mail from, recipient address, edXML bytes) → outcome; called once per local recipient."""


def _one_line(text: str) -> str:
    return " ".join(text.split())[:400]


def build_mail(sender: str, recipient: str, edxml: bytes, subject: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = subject
    message.set_content("Văn bản điện tử kèm theo (edXML, QCVN 102:2016).\n")
    message.add_attachment(edxml, maintype="application", subtype="xml", filename="edxml.xml")
    return message


def extract_edxml(raw: bytes) -> bytes:
    """The single edXML attachment of a MIME message; ValueError saying what is wrong otherwise."""
    message = BytesParser(policy=policy.default).parsebytes(raw)
    parts = [part for part in message.walk() if part.get_content_type() == EDXML_TYPE]
    if len(parts) != 1:
        raise ValueError(f"the message carries {len(parts)} edXML attachments; exactly one is expected")
    payload = parts[0].get_payload(decode=True)
    if not isinstance(payload, bytes) or not payload:
        raise ValueError("the edXML attachment is empty or not decodable")
    return payload


class RecordsOfficeHandler:
    """aiosmtpd handler for the records-office mailboxes of the agencies a node serves."""

    def __init__(self, domains: set[str], deliver: MailDelivery) -> None:
        self.domains = {domain.lower() for domain in domains}
        self.deliver = deliver

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        local, _, domain = address.rpartition("@")
        if domain.lower() not in self.domains:
            refused = ReasonCode.RELAY_REFUSED.value
            return f"550 5.7.1 {refused}: relaying to {domain or '(no domain)'} is refused"
        if local.lower() != RECORDS_OFFICE:
            unknown = ReasonCode.UNKNOWN_RECIPIENT.value
            return f"550 5.1.1 {unknown}: only {RECORDS_OFFICE}@{domain} receives documents"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or envelope.content
        if not isinstance(raw, bytes):
            raw = str(raw).encode("utf-8", "surrogateescape")
        try:
            edxml = extract_edxml(raw)
        except Exception as exc:  # any MIME defect is the sender's problem, never a crash
            return f"554 5.6.0 {ReasonCode.BAD_REQUEST.value}: {_one_line(str(exc))}"
        results = [await self.deliver(envelope.mail_from or "", rcpt, edxml) for rcpt in envelope.rcpt_tos]
        later = next((r for r in results if r.temporary), None)
        if later is not None:
            return f"451 4.3.0 {later.reason}: {_one_line(later.message)}"
        refused = next((r for r in results if not r.accepted), None)
        if refused is not None:
            return f"554 5.7.0 {refused.reason}: {_one_line(refused.message)}"
        return "250 2.0.0 OK: stored"


class MailServer:
    """An aiosmtpd server on a free loopback port, STARTTLS required."""

    def __init__(
        self,
        handler: RecordsOfficeHandler,
        tls: ssl.SSLContext,
        *,
        hostname: str,
        max_bytes: int,
        host: str = "127.0.0.1",
    ) -> None:
        self.handler = handler
        self.tls = tls
        self.hostname = hostname
        self.max_bytes = max_bytes
        self.host = host
        self.port = 0
        self._server: asyncio.base_events.Server | None = None

    def _protocol(self) -> SMTP:
        return SMTP(
            self.handler,
            hostname=self.hostname,  # never ask the OS for the FQDN
            tls_context=self.tls,
            require_starttls=True,
            data_size_limit=self.max_bytes,
            enable_SMTPUTF8=True,
            decode_data=False,
            ident="docexchange records office",
        )

    async def start(self, port: int = 0) -> int:
        """Listen on ``port`` (0: one the OS picks; a restarted server passes its old one)."""
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(self._protocol, self.host, port)
        self.port = self._server.sockets[0].getsockname()[1]
        return self.port

    @property
    def listening(self) -> bool:
        return self._server is not None

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None


class MailClient:
    """Sends edXML to another agency's records office; ``resolve`` plays DNS: domain → (host, port)."""

    def __init__(
        self, tls: ssl.SSLContext, resolve: Callable[[str], tuple[str, int]], *, timeout: float = 30.0
    ) -> None:
        self.tls = tls
        self.resolve = resolve
        self.timeout = timeout

    async def send(self, sender: str, recipient: str, edxml: bytes, subject: str) -> None:
        domain = recipient.rpartition("@")[2]
        try:
            host, port = self.resolve(domain)
        except KeyError:
            raise TransportError(
                "no-mail-server", f"no mail server is known for {domain}", retryable=False
            ) from None
        message = build_mail(sender, recipient, edxml, subject)
        client = aiosmtplib.SMTP(hostname=host, port=port, timeout=self.timeout, start_tls=False)
        try:
            await client.connect()
            await client.starttls(server_hostname=domain, tls_context=self.tls)
            await client.send_message(message)
        except aiosmtplib.SMTPResponseException as exc:
            reason, _, text = exc.message.partition(": ")
            retryable = 400 <= exc.code < 500
            raise TransportError(
                reason or "smtp-refused", text or exc.message, retryable=retryable, status=exc.code
            ) from None
        except aiosmtplib.SMTPRecipientsRefused as exc:
            first: Any = exc.recipients[0] if exc.recipients else None
            code = getattr(first, "code", 550)
            raise TransportError("smtp-refused", str(exc), retryable=400 <= code < 500, status=code) from None
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            raise TransportError("mail-unreachable", f"{type(exc).__name__}: {exc}", retryable=True) from None
        finally:
            if client.is_connected:
                try:
                    await client.quit()
                except (aiosmtplib.SMTPException, OSError):
                    client.close()
