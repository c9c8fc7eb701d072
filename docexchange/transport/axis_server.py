"""The axis's HTTPS front (aiohttp) on a loopback port over mutual TLS, hardened for hostile peers.

Every response that is not a success is ``{"reason": code, "message": sentence}`` with a stable
reason code — the hub's refusals, the router's (404 ``not-found``, 405 ``method-not-allowed``),
and those aiohttp's HTTP parser raises before any handler runs (400 ``bad-request`` for a
malformed request, 431 ``headers-too-large`` for an oversized head, 413 ``too-large``).
Client errors are 4xx; a 5xx means the axis itself failed (500 ``internal-error``, a bug) or
cannot judge right now (503 ``revocation-unknown`` while its revocation status is stale,
``store-busy``) — the cases a client should retry. Nothing a peer sends is logged with a traceback:
each refusal is one log line.

Connections are bounded in time (:class:`~docexchange.transport.limits.ListenerLimits`): the TLS
handshake, the request head (from the connection or the previous response: also the keep-alive
idle time) and the request body each have a deadline, after which the connection is closed (a
body that stalls gets 408 ``request-timeout`` first). Hub work (parsing, SQLite) runs on one
dedicated worker thread, so a large upload never blocks the event loop, slow peers hold no thread,
and the store is only ever touched from that thread.
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import ssl
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from aiohttp import web
from aiohttp.http_exceptions import BadHttpMessage, BadHttpMethod, LineTooLong
from aiohttp.web_protocol import RequestHandler, RequestPayloadError

from docexchange.errors import DocexchangeError, ReasonCode
from docexchange.transport.addresses import printable
from docexchange.transport.axis_http import AxisService, http_status_for
from docexchange.transport.limits import DEFAULT_LIMITS, ListenerLimits
from docexchange.transport.tls import peer_certificate

T = TypeVar("T")

log = logging.getLogger("docexchange.axis")

ACK_MAX_BYTES = 4096  # an acknowledgement is two short strings
MAX_HEAD_LINE = 8190  # bytes in the request line or one header line
MAX_HEADERS = 100  # header fields in one request
RETRY_AFTER_SECONDS = 5  # what a 503 tells the client


def refusal(status: int, reason: ReasonCode | str, message: str) -> web.Response:
    """The JSON body every refusal of the axis carries."""
    code = reason.value if isinstance(reason, ReasonCode) else reason
    response = web.json_response({"reason": code, "message": message}, status=status)
    if status == 503:
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _one_line(text: str, limit: int = 300) -> str:
    """One log line a peer cannot forge or garble: no control characters, bounded."""
    return printable(" ".join(text.split()), limit)


def parser_refusal(
    status: int, exc: BaseException | None, message: str | None
) -> tuple[int, ReasonCode, str]:
    """What a request aiohttp could not even parse gets: status, reason code and sentence."""
    text = _one_line(str(getattr(exc, "message", None) or message or exc or "malformed request"))
    if isinstance(exc, LineTooLong):
        return (
            431,
            ReasonCode.HEADERS_TOO_LARGE,
            f"a line of the request head (the request line or a header) is longer than {MAX_HEAD_LINE} bytes",
        )
    if "too many headers" in text.lower():
        return 431, ReasonCode.HEADERS_TOO_LARGE, f"the request has more than {MAX_HEADERS} header fields"
    if status == 413:
        return 413, ReasonCode.TOO_LARGE, text
    if 400 <= status < 500:
        return status, ReasonCode.BAD_REQUEST, f"malformed HTTP request: {text}"
    if status == 504:
        return 503, ReasonCode.REQUEST_TIMEOUT, "the request took too long to handle"
    return 500, ReasonCode.INTERNAL_ERROR, text


class _HardenedRequestHandler(RequestHandler):
    """aiohttp's connection handler, answering its own errors in JSON and logging them in one line,
    and closing a connection whose peer stops reading what it is sent (no write makes progress
    for ``write_seconds``): pipelined requests from a client that never reads would otherwise hold
    the connection, and its buffers, for ever."""

    write_seconds = 60.0
    WRITE_CHECK_SECONDS = 0.5

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        self._write_stalled_since: float | None = None
        self._write_backlog = 0
        self._write_watch: asyncio.TimerHandle | None = self._loop.call_later(
            self.WRITE_CHECK_SECONDS, self._watch_writes
        )

    def _watch_writes(self) -> None:
        transport = self.transport
        if transport is None or transport.is_closing():
            return
        backlog = transport.get_write_buffer_size()
        now = self._loop.time()
        if backlog == 0 or backlog < self._write_backlog:
            self._write_stalled_since = None  # empty, or the peer is reading
        elif self._write_stalled_since is None:
            self._write_stalled_since = now
        elif now - self._write_stalled_since > self.write_seconds:
            log.info("axis: closing a connection whose peer has not read for %g s", self.write_seconds)
            transport.abort()
            return
        self._write_backlog = backlog
        self._write_watch = self._loop.call_later(self.WRITE_CHECK_SECONDS, self._watch_writes)

    def connection_lost(self, exc: BaseException | None) -> None:
        watch = getattr(self, "_write_watch", None)
        if watch is not None:
            watch.cancel()
        super().connection_lost(exc)

    def handle_error(
        self,
        request: Any,
        status: int = 500,
        exc: BaseException | None = None,
        message: str | None = None,
    ) -> web.StreamResponse:
        code, reason, sentence = parser_refusal(status, exc, message)
        if not (self._request_count == 1 and isinstance(exc, BadHttpMethod)):
            log.info("axis: %d %s from %s: %s", code, reason.value, request.remote, sentence)
        if request.writer.output_size > 0:
            raise ConnectionError("the response had started; the connection is closed instead")
        response = refusal(code, reason, sentence)
        response.force_close()
        return response

    def log_exception(self, *args: Any, **kw: Any) -> None:
        exc = kw.get("exc_info")
        detail = f": {type(exc).__name__}: {_one_line(str(exc))}" if isinstance(exc, BaseException) else ""
        log.warning("axis: %s%s", args[0] % args[1:] if args else "error", detail)


class AxisHttpServer:
    """Serves an :class:`AxisService` on a loopback port over mutual TLS (see the module doc)."""

    def __init__(
        self,
        service: AxisService,
        tls: ssl.SSLContext,
        *,
        host: str = "127.0.0.1",
        limits: ListenerLimits = DEFAULT_LIMITS,
    ) -> None:
        self.service = service
        self.tls = tls
        self.host = host
        self.limits = limits
        self.port = 0
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="axis")
        self._runner: web.AppRunner | None = None
        self._server: asyncio.base_events.Server | None = None

    async def _call(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)

    @web.middleware
    async def _errors(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        try:
            return await handler(request)
        except DocexchangeError as exc:
            if exc.temporary:  # the axis cannot judge now (stale revocation status): retry later
                log.info("axis: 503 %s: %s", exc.code.value, _one_line(exc.message))  # logged once elsewhere
                return refusal(503, exc.code, exc.message)
            log.info("axis: %d %s: %s", http_status_for(exc.code), exc.code.value, _one_line(exc.message))
            return refusal(http_status_for(exc.code), exc.code, exc.message)
        except web.HTTPRequestEntityTooLarge:
            return refusal(413, ReasonCode.TOO_LARGE, f"the body exceeds {self.service.max_bytes} bytes")
        except web.HTTPNotFound:
            return refusal(404, ReasonCode.NOT_FOUND, f"no such resource: {request.method} {request.path}")
        except web.HTTPMethodNotAllowed as exc:
            allowed = ", ".join(sorted(exc.allowed_methods))
            response = refusal(
                405, ReasonCode.METHOD_NOT_ALLOWED, f"{request.method} is not allowed on {request.path}"
            )
            response.headers["Allow"] = allowed
            return response
        except web.HTTPException as exc:
            return refusal(exc.status, ReasonCode.BAD_REQUEST, exc.reason)
        except (RequestPayloadError, BadHttpMessage) as exc:  # a body that cannot be read as sent
            log.info("axis: 400 bad-request: unreadable body: %s", _one_line(str(exc)))
            response = refusal(
                400, ReasonCode.BAD_REQUEST, f"the request body cannot be read: {_one_line(str(exc))}"
            )
            response.force_close()
            return response
        except ConnectionResetError:  # the client went away mid-request: nobody to answer
            log.info(
                "axis: the client closed the connection during %s %s", request.method, _one_line(request.path)
            )
            raise
        except TimeoutError:
            response = refusal(
                408,
                ReasonCode.REQUEST_TIMEOUT,
                f"the request body did not arrive within {self.limits.body_seconds:g} s",
            )
            response.force_close()
            return response
        except Exception as exc:  # a bug of ours: keep serving, say so in one line
            log.warning("axis: 500 internal-error: %s: %s", type(exc).__name__, _one_line(str(exc)))
            return refusal(500, ReasonCode.INTERNAL_ERROR, f"{type(exc).__name__}: {_one_line(str(exc))}")

    async def _agency(self, request: web.Request) -> str:
        cert = peer_certificate(request.transport.get_extra_info("ssl_object") if request.transport else None)
        return await self._call(self.service.authenticate, cert)

    async def _body(self, request: web.Request, limit: int) -> bytes:
        """The request body, within the size and time limits (413 / 408 otherwise)."""
        if request.content_length is not None and request.content_length > limit:
            raise DocexchangeError(
                ReasonCode.TOO_LARGE, f"the body ({request.content_length} bytes) exceeds {limit} bytes"
            )
        async with asyncio.timeout(self.limits.body_seconds):
            data = await request.content.read(limit + 1)
            while len(data) <= limit:
                more = await request.content.read(limit + 1 - len(data))
                if not more:
                    break
                data += more
        if len(data) > limit:
            raise DocexchangeError(ReasonCode.TOO_LARGE, f"the body exceeds {limit} bytes")
        return data

    async def _upload(self, request: web.Request) -> web.Response:
        agency = await self._agency(request)
        data = await self._body(request, self.service.max_bytes)
        to = request.query.get("to")
        recipients = to.split(",") if to is not None else None
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
        state, reason = read_ack(await self._body(request, ACK_MAX_BYTES))
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
                web.get("/v1/inbox", self._inbox, allow_head=False),  # a HEAD would count as a delivery
                web.get("/v1/packages/{package_id}", self._download, allow_head=False),
                web.post("/v1/packages/{package_id}/ack", self._ack),
                web.get("/v1/directory", self._directory, allow_head=False),
            ]
        )
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        manager = self._runner.server
        assert manager is not None
        manager.request_handler = _json_refusals(manager.request_handler)
        loop = asyncio.get_running_loop()

        def connection() -> RequestHandler:
            handler = _HardenedRequestHandler(
                manager,
                loop=loop,
                keepalive_timeout=self.limits.head_seconds,
                lingering_time=self.limits.body_seconds,
                max_line_size=MAX_HEAD_LINE,
                max_field_size=MAX_HEAD_LINE,
                max_headers=MAX_HEADERS,
                access_log=None,  # type: ignore[arg-type]
            )
            handler.write_seconds = self.limits.body_seconds  # a response must be read as fast
            return handler

        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, port))
        self.port = sock.getsockname()[1]
        self._server = await loop.create_server(
            connection, sock=sock, ssl=self.tls, ssl_handshake_timeout=self.limits.handshake_seconds
        )
        return self.port

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        self._executor.shutdown(wait=True)


def _json_refusals(
    inner: Callable[[web.BaseRequest], Awaitable[web.StreamResponse]],
) -> Callable[[web.BaseRequest], Awaitable[web.StreamResponse]]:
    """The outermost request handler: what aiohttp raises before the middleware runs (an
    unsupported ``Expect`` header, on any route) also gets the JSON body."""

    async def handle(request: web.BaseRequest) -> web.StreamResponse:
        try:
            return await inner(request)
        except web.HTTPException as exc:
            if exc.status < 400:
                raise
            if exc.status == 417:
                expect = printable(request.headers.get("Expect", ""), 80)
                message = f"the Expect header {expect!r} is not supported (only 100-continue)"
            else:
                message = _one_line(exc.text or exc.reason)
            log.info("axis: %d bad-request: %s", exc.status, message)
            return refusal(exc.status, ReasonCode.BAD_REQUEST, message)

    return handle


def read_ack(body: bytes) -> tuple[str, str]:
    """``(state, reason)`` from an acknowledgement body; DocexchangeError(BAD_REQUEST) otherwise.

    The body is at most :data:`ACK_MAX_BYTES`, and a nesting too deep for the parser is the
    client's error like any other malformed JSON, never the server's.
    """
    shape = 'the body must be a JSON object {"state": "done" | "processing" | "fail", "reason": text}'
    try:
        value = json.loads(body)
    except (ValueError, RecursionError):
        raise DocexchangeError(ReasonCode.BAD_REQUEST, shape) from None
    if not isinstance(value, dict) or not isinstance(value.get("state"), str):
        raise DocexchangeError(ReasonCode.BAD_REQUEST, shape)
    reason = value.get("reason", "")
    if not isinstance(reason, str):
        raise DocexchangeError(ReasonCode.BAD_REQUEST, shape)
    for text in (value["state"], reason):
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate from a \ud800 escape: no text can hold it
            raise DocexchangeError(
                ReasonCode.BAD_REQUEST, "the body holds text that is not valid Unicode"
            ) from None
    return value["state"], reason
