"""The national axis over HTTPS: its interface, and the client nodes use (the server is in
:mod:`docexchange.transport.axis_server`).

Modelled on the real axis (DOMAIN.md §5): upload a package, list the inbox, download, acknowledge
at transport level (done / processing / fail), the agency directory. Every request is authenticated
by the client's organisation certificate (mutual TLS under the simulation's root); the hub decides
everything else. Every refusal carries a JSON body ``{"reason": code, "message": sentence}``.

    POST /v1/packages               body: edXML bytes       201 new / 200 duplicate
    GET  /v1/inbox                                          200 [package summaries]
    GET  /v1/packages/{id}                                  200 edXML bytes, hop records in X-Hops
    POST /v1/packages/{id}/ack      {"state", "reason"}     200
    GET  /v1/directory                                      200 [agencies]
"""

from __future__ import annotations

import json
import ssl
from dataclasses import dataclass
from typing import Any, Protocol

import aiohttp
from cryptography import x509

from docexchange.errors import ReasonCode
from docexchange.transport.errors import TransportError

_STATUS_FOR: dict[ReasonCode, int] = {
    ReasonCode.TOO_LARGE: 413,
    ReasonCode.UNAUTHENTICATED: 401,
    ReasonCode.SENDER_NOT_AUTHENTICATED: 403,
    ReasonCode.CERT_REVOKED: 403,
    ReasonCode.CERT_EXPIRED: 403,
    ReasonCode.CERT_NOT_YET_VALID: 403,
    ReasonCode.CERT_WRONG_PURPOSE: 403,
    ReasonCode.UNTRUSTED_CHAIN: 403,
    ReasonCode.REVOCATION_UNKNOWN: 403,
    ReasonCode.UNKNOWN_RECIPIENT: 404,
    ReasonCode.UNKNOWN_PACKAGE: 404,
    ReasonCode.STORE_CONFLICT: 409,
    ReasonCode.NOT_FOUND: 404,
    ReasonCode.METHOD_NOT_ALLOWED: 405,
    ReasonCode.REQUEST_TIMEOUT: 408,
    ReasonCode.HEADERS_TOO_LARGE: 431,
    ReasonCode.INTERNAL_ERROR: 500,
    ReasonCode.STORE_BUSY: 503,
}


def http_status_for(code: ReasonCode) -> int:
    """The HTTP status a refusal with this reason gets (400 unless listed)."""
    return _STATUS_FOR.get(code, 400)


class AxisService(Protocol):
    """What the HTTP front needs from the hub; every method may raise DocexchangeError."""

    max_bytes: int

    def authenticate(self, cert: x509.Certificate | None) -> str: ...
    def upload(
        self, agency_id: str, data: bytes, recipients: list[str] | None = None
    ) -> tuple[list[dict[str, Any]], bool]: ...
    def inbox(self, agency_id: str) -> list[dict[str, Any]]: ...
    def download(self, agency_id: str, package_id: str) -> tuple[bytes, list[dict[str, Any]]]: ...
    def acknowledge(self, agency_id: str, package_id: str, state: str, reason: str) -> None: ...
    def directory(self) -> list[dict[str, Any]]: ...


@dataclass(frozen=True)
class UploadReceipt:
    package_id: str
    recipient: str
    duplicate: bool


class AxisClient:
    """A node's connection to the axis: mutual TLS with its organisation certificate."""

    def __init__(
        self,
        port: int,
        tls: ssl.SSLContext,
        *,
        server_hostname: str,
        host: str = "127.0.0.1",
        timeout: float = 30.0,
    ) -> None:
        self.base = f"https://{host}:{port}/v1"
        self.tls = tls
        self.server_hostname = server_hostname
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    async def _request(self, method: str, path: str, **kwargs: Any) -> tuple[int, bytes, dict[str, str]]:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=self.timeout)
        try:
            async with self._session.request(
                method, f"{self.base}{path}", ssl=self.tls, server_hostname=self.server_hostname, **kwargs
            ) as response:
                body = await response.read()
                headers = {k: v for k, v in response.headers.items()}
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            raise TransportError("axis-unreachable", f"{type(exc).__name__}: {exc}", retryable=True) from None
        if response.status >= 400:
            try:
                detail = json.loads(body)
                reason, message = str(detail["reason"]), str(detail["message"])
            except (ValueError, KeyError, TypeError):
                reason, message = "http-error", body[:200].decode("utf-8", "replace")
            raise TransportError(reason, message, retryable=response.status >= 500, status=response.status)
        return response.status, body, headers

    async def upload(self, data: bytes, recipients: list[str] | None = None) -> list[UploadReceipt]:
        params = {"to": ",".join(recipients)} if recipients is not None else None
        headers = {"Content-Type": "application/xml"}
        _, body, _ = await self._request("POST", "/packages", data=data, headers=headers, params=params)
        return [
            UploadReceipt(p["package_id"], p["recipient"], bool(p["duplicate"]))
            for p in json.loads(body)["packages"]
        ]

    async def inbox(self) -> list[dict[str, Any]]:
        _, body, _ = await self._request("GET", "/inbox")
        packages: list[dict[str, Any]] = json.loads(body)["packages"]
        return packages

    async def download(self, package_id: str) -> tuple[bytes, list[dict[str, Any]]]:
        _, body, headers = await self._request("GET", f"/packages/{package_id}")
        return body, json.loads(headers.get("X-Hops", "[]"))

    async def acknowledge(self, package_id: str, state: str, reason: str = "") -> None:
        await self._request("POST", f"/packages/{package_id}/ack", json={"state": state, "reason": reason})

    async def directory(self) -> list[dict[str, Any]]:
        _, body, _ = await self._request("GET", "/directory")
        agencies: list[dict[str, Any]] = json.loads(body)["agencies"]
        return agencies

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
