"""What a node needs from its channels, satisfied both by the socket clients (HTTPS, SMTP) and by
the in-memory ones used for very large what-if runs. The node's code is the same either way."""

from __future__ import annotations

from typing import Any, Protocol

from docexchange.transport.axis_http import UploadReceipt


class AxisPort(Protocol):
    async def upload(self, data: bytes, recipients: list[str] | None = None) -> list[UploadReceipt]: ...
    async def inbox(self) -> list[dict[str, Any]]: ...
    async def download(self, package_id: str) -> tuple[bytes, list[dict[str, Any]]]: ...
    async def acknowledge(self, package_id: str, state: str, reason: str = "") -> None: ...
    async def close(self) -> None: ...


class MailPort(Protocol):
    async def send(self, sender: str, recipient: str, edxml: bytes, subject: str) -> None: ...
