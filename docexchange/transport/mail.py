"""The .gov.vn mail channel: each agency's records-office mailbox (văn thư) over SMTP with STARTTLS.

Documents and statuses travel as MIME messages with the edXML as a base64 ``application/xml``
attachment. This module holds the message format and the client; the server side is in
:mod:`docexchange.transport.mail_server`. What happens to a well-formed message (verification,
registers, statuses) is the node's business: the server hands the edXML bytes to a
:data:`MailDelivery` and answers 250 only once the node has them on disk.
"""

from __future__ import annotations

import ssl
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

import aiosmtplib

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
"""(mail from, recipient address, edXML bytes) → outcome; called once per local mailbox."""


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
