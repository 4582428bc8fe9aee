"""HTTP hardening as pure ASGI middleware: proxy headers, security headers, a body limit, rate limiting, CORS.

Why pure ASGI and few layers: this runs on every request. Each layer costs a coroutine and a wrapped
`send`, and the per-request work (header objects, hashing, a store write) used to cost more than the
bare framework (bench/RESULTS.md). So there are two layers, and each does the least it can per request:

    ProxyHeaders         uvicorn's ProxyHeadersMiddleware, only with THRESHOLD_TRUSTED_PROXIES: behind a trusted
                         proxy, the client address and scheme come from X-Forwarded-For and X-Forwarded-Proto
    SecurityHeaders      wraps even ServerErrorMiddleware so a 500 carries the headers too;
                         header lists are built once per kind of path, as raw bytes
    ServerErrorMiddleware (Starlette's)
    RequestGuard         CORS (Starlette's CORSMiddleware, only for requests that carry an Origin header),
                         then the rate limit (app/web/ratelimit.py), then the body limit; inside ServerErrorMiddleware so that a
                         body found too large while it streams still becomes a 413, not a 500
    ... observability, routes

The threat model behind each measure is in docs/security.md.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Iterable
from typing import Any

from fastapi import FastAPI
from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from app.config import Settings
from app.web.ratelimit import RATE_LIMIT_EXEMPT, RateCounter, parse_rate_limit

log = logging.getLogger("threshold.security")

# Rasa sends the whole conversation tracker with every action call; it outgrows the public limit.
BODY_LIMIT_OVERRIDES = {"/rasa/webhook": 1024 * 1024}
_DOCS_PATHS = frozenset({"/docs"})
# Swagger UI comes from this server (app/web/routes/pages.py) but sets inline styles; only /docs gets this.
# Nothing from another host, even here.
_DOCS_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
_HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")
_VARY_ORIGIN = b"Origin"


def trusted_proxies(spec: str) -> str | list[str]:
    """THRESHOLD_TRUSTED_PROXIES ("10.0.0.0/8, 192.168.0.1" or "*") as ProxyHeadersMiddleware's trusted hosts.

    Checked here because the middleware quietly ignores an entry that is not an address or a network, and a
    typo would then turn the rate limit on the proxy's address: a clear error at start-up instead.
    """
    entries = [e.strip() for e in spec.split(",") if e.strip()]
    if "*" in entries:
        return "*"
    hosts = []
    for entry in entries:
        try:
            network = ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise ValueError(f"THRESHOLD_TRUSTED_PROXIES: {entry!r} is not an IP address or network") from None
        hosts.append(str(network) if "/" in entry else str(network.network_address))
    return hosts


def is_tls(scope: Scope) -> bool:
    """Served over TLS: directly, or (set by ProxyHeadersMiddleware) via a trusted proxy that says so."""
    return scope.get("scheme") in ("https", "wss")


def content_security_policy(path: str, origins: Iterable[str]) -> str:
    """The CSP for a path: strict everywhere; /embed may be framed by the allowed origins; docs allow inline styles."""
    if path in _DOCS_PATHS:
        return _DOCS_CSP
    sources = " ".join(["'self'", *origins])
    ancestors = sources if _is_embed(path) else "'none'"
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"connect-src {sources}; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors {ancestors}"
    )


def _is_embed(path: str) -> bool:
    return path == "/embed" or path.startswith(("/embed/", "/embed."))


class SecurityHeaders:
    """Adds the security headers to every HTTP response, errors included (see docs/security.md).

    Also `Vary: Origin` on answers to requests without an Origin header, as CORSMiddleware adds it to
    every response it sees: a shared cache must not hand a same-origin answer to a cross-origin page.
    (Requests with an Origin header go through CORSMiddleware in RequestGuard, which sets Vary itself.)
    """

    def __init__(self, app: ASGIApp, origins: list[str]) -> None:
        self.app = app
        self.origins = origins
        # Built once per kind of path: (docs, embed, no-store) -> raw header pairs. At most eight entries.
        self._fixed: dict[tuple[bool, bool, bool], tuple[tuple[bytes, bytes], ...]] = {}

    def fixed_headers(self, path: str) -> tuple[tuple[bytes, bytes], ...]:
        kind = (path in _DOCS_PATHS, _is_embed(path), path.startswith(("/api/", "/admin")))
        found = self._fixed.get(kind)
        if found is None:
            pairs = [
                ("Content-Security-Policy", content_security_policy(path, self.origins)),
                ("X-Content-Type-Options", "nosniff"),
                ("Referrer-Policy", "no-referrer"),
                ("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()"),
                ("Cross-Origin-Opener-Policy", "same-origin"),
            ]
            if not kind[1]:
                pairs.append(("X-Frame-Options", "DENY"))  # for browsers that predate frame-ancestors
            if kind[2]:
                pairs.append(("Cache-Control", "no-store"))  # answers about a child never sit in a shared cache
            found = tuple((name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in pairs)
            self._fixed[kind] = found
        return found

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        fixed = self.fixed_headers(scope.get("path", ""))
        if is_tls(scope):
            fixed = (*fixed, _HSTS)
        has_origin = any(key == b"origin" for key, _ in scope.get("headers", ()))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                present = {key.lower() for key, _ in headers}
                headers += [pair for pair in fixed if pair[0] not in present]
                if not has_origin:
                    _add_vary_origin(headers)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _add_vary_origin(headers: list[tuple[bytes, bytes]]) -> None:
    """Append Origin to the Vary header (the one CORSMiddleware would build: all Vary values, joined)."""
    values = [value for key, value in headers if key.lower() == b"vary"]
    if not values:
        headers.append((b"vary", _VARY_ORIGIN))
        return
    headers[:] = [(key, value) for key, value in headers if key.lower() != b"vary"]
    headers.append((b"vary", b", ".join([*values, _VARY_ORIGIN])))


class BodyTooLarge(HTTPException):
    """Raised from `receive` when the streamed body passes the limit; FastAPI re-raises HTTPExceptions
    met while reading a body, so app/web/errors.py turns it into the usual JSON 413."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"The request body is larger than the limit of {limit} bytes.")


class RequestGuard:
    """CORS (when the request has an Origin header), then the rate limit, then the body limit, in one layer.

    The body limit refuses by Content-Length at once; bodies sent without one (chunked) are counted as
    they stream. A body with a valid Content-Length under the limit is not counted again: the HTTP server
    frames the body by that length, so no more bytes can arrive.
    """

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.max_bytes = settings.max_body_bytes
        limit = parse_rate_limit(settings.rate_limit)
        self.rate = RateCounter(limit[0], limit[1]) if limit is not None else None
        self.cors = CORSMiddleware(
            self._guarded,
            allow_origins=settings.origins(),
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Content-Type", "Accept"],
            expose_headers=["Retry-After"],
            max_age=600,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
        elif any(key == b"origin" for key, _ in scope["headers"]):
            await self.cors(scope, receive, send)  # preflights, Access-Control-* and Vary headers
        else:
            await self._guarded(scope, receive, send)

    async def _guarded(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope["path"]
        if self.rate is not None and path not in RATE_LIMIT_EXEMPT:
            store = getattr(scope["app"].state, "store", None) if "app" in scope else None
            if store is not None:
                refusal = await self.rate.refusal(scope, store)
                if refusal is not None:
                    await refusal(scope, receive, send)
                    return
        max_bytes = BODY_LIMIT_OVERRIDES.get(path, self.max_bytes)
        length: bytes | None = None
        chunked = False
        for key, value in scope["headers"]:
            if key == b"content-length" and length is None:
                length = value
            elif key == b"transfer-encoding":
                chunked = True
        if length is not None:
            digits = length.strip()
            if not digits.isdigit():
                await _error(400, "bad_request", "The Content-Length header is not a number.")(scope, receive, send)
                return
            if int(digits) > max_bytes:
                await _too_large(max_bytes)(scope, receive, send)
                return
            if not chunked:
                await self.app(scope, receive, send)
                return
        await self._counted(scope, receive, send, max_bytes)

    async def _counted(self, scope: Scope, receive: Receive, send: Send, max_bytes: int) -> None:
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > max_bytes:
                    raise BodyTooLarge(max_bytes)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if started:
                raise
            await _too_large(max_bytes)(scope, receive, send)


def _error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": code, "message": message}, status_code=status, headers=headers)


def _too_large(limit: int) -> JSONResponse:
    return _error(413, "too_large", f"The request body is larger than the limit of {limit} bytes.")


def install_security(app: FastAPI, settings: Settings) -> None:
    """Add the middleware above to `app` (call once, in create_app, after the routers)."""
    proxies = trusted_proxies(settings.trusted_proxies)
    app.add_middleware(RequestGuard, settings=settings)
    # Outside Starlette's ServerErrorMiddleware, so that even a 500 carries the headers.
    build_stack = app.build_middleware_stack

    def build_with_headers() -> Any:
        stack: ASGIApp = SecurityHeaders(build_stack(), settings.origins())
        # Outermost, so that every layer (headers, rate limit, logs) sees the client and scheme it found.
        return ProxyHeadersMiddleware(stack, trusted_hosts=proxies) if proxies else stack  # type: ignore[arg-type]

    app.build_middleware_stack = build_with_headers  # type: ignore[method-assign]
