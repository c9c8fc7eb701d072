"""In-memory channels for very large what-if runs: the hub and the records offices called directly.

Everything above the transport is unchanged — parsing, verification, the protocol, the stores,
routing, retries — but no socket, TLS handshake or MIME encoding happens, so a run's report must
say that it used this transport. The axis client is bound to one agency at construction: that
wiring stands in for the mutual-TLS authentication of the socket path.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from docexchange.errors import DocexchangeError
from docexchange.transport.axis_http import AxisService, UploadReceipt, http_status_for
from docexchange.transport.errors import TransportError
from docexchange.transport.mail import MailDelivery


def _refused(exc: DocexchangeError) -> TransportError:
    status = http_status_for(exc.code)
    return TransportError(exc.code.value, exc.message, retryable=status >= 500, status=status)


class MemoryAxisClient:
    """An agency's connection to the in-process hub that ``hub()`` returns (None while it is down)."""

    def __init__(self, hub: Callable[[], AxisService | None], agency_id: str) -> None:
        self._hub = hub
        self.agency_id = agency_id

    @property
    def hub(self) -> AxisService:
        current = self._hub()
        if current is None:
            raise TransportError("axis-unreachable", "the axis is down", retryable=True)
        return current

    def _check(self) -> None:
        self.hub  # noqa: B018 - the property raises while the axis is down

    async def upload(self, data: bytes, recipients: list[str] | None = None) -> list[UploadReceipt]:
        self._check()
        try:
            receipts, _ = self.hub.upload(self.agency_id, data, recipients)
        except DocexchangeError as exc:
            raise _refused(exc) from None
        return [UploadReceipt(r["package_id"], r["recipient"], bool(r["duplicate"])) for r in receipts]

    async def inbox(self) -> list[dict[str, Any]]:
        self._check()
        return self.hub.inbox(self.agency_id)

    async def download(self, package_id: str) -> tuple[bytes, list[dict[str, Any]]]:
        self._check()
        try:
            return self.hub.download(self.agency_id, package_id)
        except DocexchangeError as exc:
            raise _refused(exc) from None

    async def acknowledge(self, package_id: str, state: str, reason: str = "") -> None:
        self._check()
        try:
            self.hub.acknowledge(self.agency_id, package_id, state, reason)
        except DocexchangeError as exc:
            raise _refused(exc) from None

    async def close(self) -> None:
        return None


class MemoryMailClient:
    """Hands a message straight to the records office serving the recipient's domain."""

    def __init__(self, resolve: Callable[[str], MailDelivery | None]) -> None:
        self.resolve = resolve

    async def send(self, sender: str, recipient: str, edxml: bytes, subject: str) -> None:
        domain = recipient.rpartition("@")[2].lower()
        deliver = self.resolve(domain)
        if deliver is None:
            raise TransportError("mail-unreachable", f"no mail server answers for {domain}", retryable=True)
        outcome = await deliver(sender, recipient, edxml)
        if not outcome.accepted:
            status = 451 if outcome.temporary else 554
            raise TransportError(outcome.reason, outcome.message, retryable=outcome.temporary, status=status)
