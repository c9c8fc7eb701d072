"""A records office's SMTP server: STARTTLS, an authenticated sender, bounded work, coded replies.

The server side of the .gov.vn mail channel is aiosmtpd, listening inside the running loop on a
port the OS gives (no threads, no fixed ports). What it enforces, in the order a session meets it:

- **STARTTLS first** (530 ``starttls-required`` otherwise), with a handshake deadline.
- **An authenticated sender.** After STARTTLS the client must have presented a certificate under
  the simulation's root (the handshake refuses one from another CA); without one ``MAIL FROM``
  gets 530 ``unauthenticated``. Who the certificate speaks for is the node's decision
  (:data:`MailAuthenticator`): an organisation certificate of an agency of the directory, whose
  own domain is then the only envelope sender it may use (550 ``sender-not-authenticated``).
  Revocation is not looked at here: it is checked where messages are verified, so a document
  signed after its signer's revocation is answered 02 ``cert-revoked`` like any other forgery.
- **Syntax-checked envelopes.** Addresses that are not mailboxes, or not UTF-8, get 553
  ``bad-address`` naming what is wrong, never a 500 or a traceback.
- **Bounded work.** At most ``max_recipients`` RCPT lines per transaction (452
  ``too-many-recipients`` past it), and the message is parsed and handed to the node once per
  distinct mailbox — a records office has one — whatever the RCPT count. Each command line, the
  message body and the node's processing have deadlines (:class:`ListenerLimits`); at most
  :data:`COMMANDS_PER_SESSION` uses of any one command per connection.
- **Coded replies.** Every 4xx/5xx reply reads ``NNN x.y.z reason-code: sentence``, aiosmtpd's own
  included (:func:`coded_reply`); an unexpected error is answered 451 ``internal-error`` and logged
  in one line.
"""

from __future__ import annotations

import asyncio
import logging
import re
import ssl
from collections.abc import Callable
from typing import Any, AnyStr

from aiosmtpd.smtp import SMTP, Envelope, Session, TLSSetupException, syntax
from cryptography import x509

from docexchange.errors import DocexchangeError, ReasonCode
from docexchange.transport.addresses import AddressError, parse_mailbox, printable
from docexchange.transport.limits import DEFAULT_LIMITS, ListenerLimits
from docexchange.transport.mail import RECORDS_OFFICE, MailDelivery, extract_edxml
from docexchange.transport.tls import peer_certificate

log = logging.getLogger("docexchange.mail")

COMMANDS_PER_SESSION = 100  # uses of any one command per connection (aiosmtpd answers 421 past it)

MailAuthenticator = Callable[[x509.Certificate], str]
"""(client certificate, verified by the handshake) → the mail domain it may send as; raises
:class:`~docexchange.errors.DocexchangeError` with the reason when it may not send at all."""


def _one_line(text: str) -> str:
    return printable(" ".join(text.split()), 400)


class RecordsEnvelope(Envelope):
    """aiosmtpd's envelope, counting the RCPT lines of its transaction."""

    def __init__(self) -> None:
        super().__init__()
        self.rcpt_lines = 0


class RecordsOfficeHandler:
    """aiosmtpd handler for the records-office mailboxes of the agencies a node serves."""

    def __init__(
        self,
        domains: set[str],
        deliver: MailDelivery,
        authenticate: MailAuthenticator,
        *,
        limits: ListenerLimits = DEFAULT_LIMITS,
    ) -> None:
        self.domains = {domain.lower() for domain in domains}
        self.deliver = deliver
        self.authenticate = authenticate
        self.limits = limits

    async def handle_MAIL(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, mail_options: list[str]
    ) -> str:
        try:
            mailbox = parse_mailbox(address)
        except AddressError as exc:
            return f"553 5.1.7 {ReasonCode.BAD_ADDRESS.value}: sender: {exc}"
        ssl_object = session.ssl.get("ssl_object") if session.ssl else None
        cert = peer_certificate(ssl_object if isinstance(ssl_object, ssl.SSLObject) else None)
        if cert is None:
            return (
                f"530 5.7.0 {ReasonCode.UNAUTHENTICATED.value}: present an organisation certificate "
                "from the simulation's CA in the STARTTLS handshake"
            )
        try:
            domain = self.authenticate(cert).lower()
        except DocexchangeError as exc:
            return f"530 5.7.0 {exc.code.value}: {_one_line(exc.message)}"
        if mailbox.domain != domain:
            return (
                f"550 5.7.1 {ReasonCode.SENDER_NOT_AUTHENTICATED.value}: the client certificate is "
                f"{domain}'s; it may send only from @{domain}, not @{mailbox.domain}"
            )
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 2.1.0 OK"

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        if isinstance(envelope, RecordsEnvelope):
            envelope.rcpt_lines += 1
            if envelope.rcpt_lines > self.limits.max_recipients:
                return (
                    f"452 4.5.3 {ReasonCode.TOO_MANY_RECIPIENTS.value}: at most "
                    f"{self.limits.max_recipients} recipients per message"
                )
        try:
            mailbox = parse_mailbox(address)
        except AddressError as exc:
            return f"553 5.1.3 {ReasonCode.BAD_ADDRESS.value}: recipient: {exc}"
        if mailbox.domain not in self.domains:
            refused = ReasonCode.RELAY_REFUSED.value
            return f"550 5.7.1 {refused}: relaying to {mailbox.domain} is refused"
        if mailbox.local.lower() != RECORDS_OFFICE:
            unknown = ReasonCode.UNKNOWN_RECIPIENT.value
            return f"550 5.1.1 {unknown}: only {RECORDS_OFFICE}@{mailbox.domain} receives documents"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if isinstance(server, RecordsOfficeSMTP):
            server.processing()  # the node's own work does not count against the body deadline
        raw = envelope.original_content or envelope.content
        if not isinstance(raw, bytes):
            raw = str(raw).encode("utf-8", "surrogateescape")
        try:
            edxml = extract_edxml(raw)
        except Exception as exc:  # any MIME defect is the sender's problem, never a crash
            return f"554 5.6.0 {ReasonCode.BAD_REQUEST.value}: {_one_line(str(exc))}"
        mailboxes: dict[str, str] = {}  # once per mailbox, as first spelled
        for rcpt in envelope.rcpt_tos:
            mailboxes.setdefault(rcpt.lower(), rcpt)
        results = [await self.deliver(envelope.mail_from or "", rcpt, edxml) for rcpt in mailboxes.values()]
        later = next((r for r in results if r.temporary), None)
        if later is not None:
            return f"451 4.3.0 {later.reason}: {_one_line(later.message)}"
        refused = next((r for r in results if not r.accepted), None)
        if refused is not None:
            return f"554 5.7.0 {refused.reason}: {_one_line(refused.message)}"
        return "250 2.0.0 OK: stored"

    async def handle_exception(self, error: Exception) -> str:
        """aiosmtpd's last resort: one log line, a temporary reply, no traceback."""
        if isinstance(error, TLSSetupException):  # the peer's handshake failed: aiosmtpd hangs up
            cause = error.__cause__ or error
            log.info("mail: STARTTLS handshake failed: %s", _one_line(str(cause)))
            return f"454 4.7.0 {ReasonCode.BAD_REQUEST.value}: TLS handshake failed"
        log.warning("mail session error: %s: %s", type(error).__name__, _one_line(str(error)))
        return (
            f"451 4.3.0 {ReasonCode.INTERNAL_ERROR.value}: the records office could not handle "
            "the command; try again later"
        )


# aiosmtpd's own refusals, by reply code: the enhanced status and reason code they get.
_STOCK: dict[int, tuple[str, ReasonCode]] = {
    421: ("4.7.0", ReasonCode.TOO_MANY_COMMANDS),
    500: ("5.5.2", ReasonCode.BAD_SYNTAX),
    501: ("5.5.4", ReasonCode.BAD_SYNTAX),
    502: ("5.5.1", ReasonCode.NOT_IMPLEMENTED),
    503: ("5.5.1", ReasonCode.BAD_SEQUENCE),
    504: ("5.5.4", ReasonCode.NOT_IMPLEMENTED),
    530: ("5.7.0", ReasonCode.STARTTLS_REQUIRED),
    552: ("5.3.4", ReasonCode.TOO_LARGE),
    553: ("5.1.3", ReasonCode.BAD_ADDRESS),
    554: ("5.7.0", ReasonCode.BAD_REQUEST),
    555: ("5.5.4", ReasonCode.BAD_SYNTAX),
}
_CODED = re.compile(r"[245]\d\d [245]\.\d{1,3}\.\d{1,3} [a-z][a-z0-9-]*: ")
_ENHANCED = re.compile(r"^[245]\.\d{1,3}\.\d{1,3} ")
_REPLY = re.compile(r"([245]\d\d)([ -])(.*)", re.DOTALL)


def coded_reply(status: str) -> str:
    """``status`` as sent: refusals in the ``NNN x.y.z reason: sentence`` form, nothing unencodable."""
    match = _REPLY.fullmatch(status)
    if match is None or match.group(1)[0] == "2" or match.group(1)[0] == "3":
        return printable(status, 1000)
    if _CODED.match(status):
        return printable(status, 500)
    code = int(match.group(1))
    enhanced, reason = _STOCK.get(code, (f"{code // 100}.0.0", ReasonCode.BAD_REQUEST))
    text = _ENHANCED.sub("", match.group(3)).removeprefix("Error: ").strip() or "refused"
    return printable(f"{code}{match.group(2)}{enhanced} {reason.value}: {text}", 500)


class RecordsOfficeSMTP(SMTP):
    """aiosmtpd's SMTP with the deadlines of :class:`ListenerLimits` and coded replies."""

    def __init__(self, handler: RecordsOfficeHandler, *, limits: ListenerLimits, **kwargs: Any) -> None:
        super().__init__(
            handler, timeout=limits.head_seconds, command_call_limit=COMMANDS_PER_SESSION, **kwargs
        )
        self.limits = limits

    def _create_envelope(self) -> RecordsEnvelope:
        return RecordsEnvelope()

    def processing(self) -> None:
        """The message is in: give the node its processing time before the connection closes."""
        self._reset_timeout(self.limits.processing_seconds)

    @syntax("STARTTLS", when="tls_context")
    async def smtp_STARTTLS(self, arg: str) -> None:
        if self._tls_protocol is not None:  # a second handshake inside the first: never
            await self.push(f"503 5.5.1 {ReasonCode.BAD_SEQUENCE.value}: TLS is already active")
            return
        self._reset_timeout(self.limits.handshake_seconds)
        await super().smtp_STARTTLS(arg)

    @syntax("DATA")
    async def smtp_DATA(self, arg: str) -> None:
        if self.envelope is not None and self.envelope.rcpt_tos and not arg:
            self._reset_timeout(self.limits.body_seconds)  # only when a message will follow
        await super().smtp_DATA(arg)
        self._reset_timeout()  # answered: the next command has the command deadline again

    @syntax("AUTH <mechanism>")
    async def smtp_AUTH(self, arg: str) -> None:
        await self.push(
            f"502 5.5.1 {ReasonCode.NOT_IMPLEMENTED.value}: a records office authenticates senders by "
            "the client certificate of the STARTTLS handshake"
        )

    async def push(self, status: AnyStr) -> None:
        text = status if isinstance(status, str) else status.decode("utf-8", "replace")
        if text.startswith("250-AUTH"):
            return  # no SASL mechanism is offered: the client certificate is the credential
        await super().push(coded_reply(text))


class MailServer:
    """A records office's SMTP server on a free loopback port, STARTTLS required."""

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
        return RecordsOfficeSMTP(
            self.handler,
            limits=self.handler.limits,
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
