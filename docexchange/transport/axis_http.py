"""The national axis over HTTPS (aiohttp): a server in front of the hub, and the client nodes use.

Modelled on the real axis (DOMAIN.md §5): upload a package, list the inbox, download, acknowledge
at transport level (done / processing / fail), the agency directory. Every request is authenticated
by the client's organisation certificate (mutual TLS under the simulation's root); the hub decides
everything else. Refusals carry a JSON body ``{"reason": code, "message": sentence}``.

    POST /v1/packages               body: edXML bytes       201 new / 200 duplicate
    GET  /v1/inbox                                          200 [package summaries]
    GET  /v1/packages/{id}                                  200 edXML bytes, hop records in X-Hops
    POST /v1/packages/{id}/ack      {"state", "reason"}     200
    GET  /v1/directory                                      200 [agencies]
"""

from __future__ import annotations

import asyncio
import json
import socket
import ssl
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import aiohttp
from aiohttp import web
from cryptography import x509

from docexchange.errors import DocexchangeError, ReasonCode
from docexchange.transport.errors import TransportError
from docexchange.transport.tls import peer_certificate

T = TypeVar("T")

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


def _refusal(status: int, reason: str, message: str) -> web.Response:
    return web.json_response({"reason": reason, "message": message}, status=status)


class AxisHttpServer:
    """Serves an :class:`AxisService` on a loopback port over mutual TLS.

    Hub work (parsing, SQLite) runs on one dedicated worker thread, so a large upload never
    blocks the event loop and the store is only ever touched from that thread.
    """

    def __init__(self, service: AxisService, tls: ssl.SSLContext, *, host: str = "127.0.0.1") -> None:
        self.service = service
        self.tls = tls
        self.host = host
        self.port = 0
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="axis")
        self._runner: web.AppRunner | None = None

    async def _call(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)

    @web.middleware
    async def _errors(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        try:
            return await handler(request)
        except DocexchangeError as exc:
            return _refusal(http_status_for(exc.code), exc.code.value, exc.message)
        except web.HTTPRequestEntityTooLarge:
            return _refusal(
                413, ReasonCode.TOO_LARGE.value, f"the body exceeds {self.service.max_bytes} bytes"
            )
        except web.HTTPException as exc:
            return _refusal(exc.status, ReasonCode.BAD_REQUEST.value, exc.reason)
        except Exception as exc:  # keep serving whatever happens in one request
            return _refusal(500, "internal-error", f"{type(exc).__name__}: {exc}")

    async def _agency(self, request: web.Request) -> str:
        cert = peer_certificate(request.transport.get_extra_info("ssl_object") if request.transport else None)
        return await self._call(self.service.authenticate, cert)

    async def _upload(self, request: web.Request) -> web.Response:
        agency = await self._agency(request)
        data = await request.read()
        to = request.query.get("to")
        recipients = [r for r in to.split(",")] if to is not None else None
        receipts, created = await self._call(self.service.upload, agency, data, recipients)
        return web.json_response({"packages": receipts}, status=201 if created else 200)

    async def _inbox(self, request: web.Request) -> web.Response:
        agency = await self._agency(request)
        return web.json_response({"packages": await self._call(self.service.inbox, agency)})

    async def _download(self, request: web.Request) -> web.Response:
        agency = await self._agency(request)
        data, hops = await self._call(self.service.download, agency, request.match_info["package_id"])
        headers = {"X-Hops": json.dumps(hops, ensure_ascii=True)}
        return web.Response(body=data, content_type="application/xml", headers=headers)

    async def _ack(self, request: web.Request) -> web.Response:
        agency = await self._agency(request)
        try:
            body = await request.json()
            state, reason = str(body["state"]), str(body.get("reason", ""))
        except (ValueError, KeyError, TypeError):
            raise DocexchangeError(
                ReasonCode.BAD_REQUEST, 'the body must be JSON {"state": …, "reason": …}'
            ) from None
        await self._call(self.service.acknowledge, agency, request.match_info["package_id"], state, reason)
        return web.json_response({"package_id": request.match_info["package_id"], "state": state})

    async def _directory(self, request: web.Request) -> web.Response:
        await self._agency(request)
        return web.json_response({"agencies": await self._call(self.service.directory)})

    async def start(self, port: int = 0) -> int:
        """Listen on ``host`` at ``port`` (0: any free one); returns it once connections are accepted."""
        app = web.Application(client_max_size=self.service.max_bytes, middlewares=[self._errors])
        app.add_routes(
            [
                web.post("/v1/packages", self._upload),
                web.get("/v1/inbox", self._inbox),
                web.get("/v1/packages/{package_id}", self._download),
                web.post("/v1/packages/{package_id}/ack", self._ack),
                web.get("/v1/directory", self._directory),
            ]
        )
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, port))
        self.port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock, ssl_context=self.tls).start()
        return self.port

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        self._executor.shutdown(wait=True)


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
