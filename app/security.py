"""HTTP hardening as pure ASGI middleware: security headers, a request body limit, rate limiting and CORS.

Why pure ASGI and not BaseHTTPMiddleware: these run on every request, and plain `(scope, receive, send)`
wrappers add no task or stream copying. The threat model behind each measure is in docs/security.md.

Order, outermost first:
    SecurityHeaders      wraps even ServerErrorMiddleware, so a 500 carries the headers too
    ServerErrorMiddleware (Starlette's)
    CORSMiddleware       answers preflights; adds CORS headers to 413/429 so the widget can read them
    RateLimit            per client, counted in the store so several processes share one budget
    BodyLimit            Content-Length checked first, streamed bytes counted as well
    ... routes
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import math
import re
import time
from collections.abc import Iterable
from typing import Any

import anyio
from fastapi import FastAPI
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.config import Settings
from app.store import StoreUnavailable

log = logging.getLogger("threshold.security")

# Never rate limited: probes from the orchestrator and the metrics scraper must always get through.
RATE_LIMIT_EXEMPT = frozenset({"/healthz", "/readyz", "/metrics"})
# Paths whose callers legitimately share one address: a classroom of phones on one Wi-Fi polling and voting,
# and a Rasa server calling its action server several times per user message. They get their own, larger bucket.
RATE_LIMIT_SCALE = {"/api/v1/classrooms": 10, "/rasa/": 20, "/webhooks/rest/": 5}
# Rasa sends the whole conversation tracker with every action call; it outgrows the public limit.
BODY_LIMIT_OVERRIDES = {"/rasa/webhook": 1024 * 1024}
_WINDOWS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
# Swagger UI and ReDoc load their code from a CDN and start it with an inline script; only they get this.
_DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com; "
    "font-src 'self' https://fonts.gstatic.com; img-src 'self' data: https://fastapi.tiangolo.com https://cdn.redoc.ly; "
    "worker-src 'self' blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)


def parse_rate_limit(spec: str) -> tuple[int, int] | None:
    """`"60/minute"` -> (60, 60): requests allowed and the window in seconds; `"off"` -> None."""
    spec = spec.strip().lower()
    if spec == "off":
        return None
    match = re.fullmatch(r"(\d+)\s*/\s*(second|minute|hour|day)", spec)
    if match is None:
        raise ValueError(f"THRESHOLD_RATE_LIMIT must look like 60/minute or be 'off', not {spec!r}")
    return int(match[1]), _WINDOWS[match[2]]


class TrustedProxies:
    """Which peers may tell us the real client (X-Forwarded-For) and scheme (X-Forwarded-Proto)."""

    def __init__(self, spec: str) -> None:
        entries = [e.strip() for e in spec.split(",") if e.strip()]
        self.any = "*" in entries
        self.networks = [ipaddress.ip_network(e, strict=False) for e in entries if e != "*"]

    def __contains__(self, address: object) -> bool:
        if self.any:
            return True
        try:
            ip = ipaddress.ip_address(str(address))
        except ValueError:
            return False
        return any(ip in network for network in self.networks)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")  # type: ignore[no-any-return]
    return None


def client_address(scope: Scope, proxies: TrustedProxies) -> str:
    """The socket peer; behind a trusted proxy, the nearest X-Forwarded-For hop that is not a trusted proxy.

    Why from the right: a client can write anything into X-Forwarded-For, and each proxy appends the address
    it saw. With one proxy in front this is the header's first hop; with a spoofed header it is still the
    address our own proxy saw.
    """
    peer = scope.get("client")
    address = peer[0] if peer else "unknown"
    forwarded = _header(scope, b"x-forwarded-for")
    if forwarded is None or address not in proxies:
        return address
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    for hop in reversed(hops):
        if hop not in proxies:
            return hop
    return hops[0] if hops else address


def is_tls(scope: Scope, proxies: TrustedProxies) -> bool:
    if scope.get("scheme") in ("https", "wss"):
        return True
    peer = scope.get("client")
    proto = _header(scope, b"x-forwarded-proto")
    return bool(peer and proto and peer[0] in proxies and proto.split(",")[0].strip().lower() == "https")


def content_security_policy(path: str, origins: Iterable[str]) -> str:
    """The CSP for a path: strict everywhere; /embed may be framed by the allowed origins; docs use a CDN."""
    if path in ("/docs", "/redoc", "/docs/oauth2-redirect"):
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
    """Adds the security headers to every HTTP response, errors included (see docs/security.md)."""

    def __init__(self, app: ASGIApp, origins: list[str], proxies: TrustedProxies) -> None:
        self.app = app
        self.origins = origins
        self.proxies = proxies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        fixed = [
            ("Content-Security-Policy", content_security_policy(path, self.origins)),
            ("X-Content-Type-Options", "nosniff"),
            ("Referrer-Policy", "no-referrer"),
            ("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()"),
            ("Cross-Origin-Opener-Policy", "same-origin"),
        ]
        if not _is_embed(path):
            fixed.append(("X-Frame-Options", "DENY"))  # for browsers that predate frame-ancestors
        if path.startswith(("/api/", "/admin")):
            fixed.append(("Cache-Control", "no-store"))  # answers about a child never sit in a shared cache
        if is_tls(scope, self.proxies):
            fixed.append(("Strict-Transport-Security", "max-age=31536000; includeSubDomains"))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in fixed:
                    if name not in headers:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyTooLarge(HTTPException):
    """Raised from `receive` when the streamed body passes the limit; FastAPI re-raises HTTPExceptions
    met while reading a body, so app/errors.py turns it into the usual JSON 413."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"The request body is larger than the limit of {limit} bytes.")


class BodyLimit:
    """Refuses request bodies larger than `max_bytes` with 413: by Content-Length, and by counting."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        max_bytes = BODY_LIMIT_OVERRIDES.get(scope.get("path", ""), self.max_bytes)
        length = _header(scope, b"content-length")
        if length is not None and (not length.strip().isdigit() or int(length) > max_bytes):
            if length.strip().isdigit():
                await _too_large(max_bytes)(scope, receive, send)
            else:
                await _error(400, "bad_request", "The Content-Length header is not a number.")(scope, receive, send)
            return
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


def _rate_bucket(path: str) -> tuple[str, int]:
    """The counter bucket and limit multiplier for a path."""
    for prefix, scale in RATE_LIMIT_SCALE.items():
        if path.startswith(prefix):
            return prefix, scale
    return "", 1


class RateLimit:
    """At most `limit` requests per client per fixed window, counted with `store.incr` (shared by processes).

    The counter key holds a short hash of the client address, never the address, and expires with its window.
    If the store cannot count, the request goes through: the route itself will answer 503 if the store is down.
    """

    def __init__(self, app: ASGIApp, limit: int, window: int, proxies: TrustedProxies) -> None:
        self.app = app
        self.limit = limit
        self.window = window
        self.proxies = proxies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        store = getattr(scope["app"].state, "store", None) if "app" in scope else None
        if scope["type"] != "http" or scope.get("path") in RATE_LIMIT_EXEMPT or store is None:
            await self.app(scope, receive, send)
            return
        now = time.time()
        window_start = int(now // self.window) * self.window
        client = hashlib.blake2b(client_address(scope, self.proxies).encode(), digest_size=8).hexdigest()
        bucket, scale = _rate_bucket(scope.get("path", ""))
        limit = self.limit * scale
        try:
            count = await anyio.to_thread.run_sync(store.incr, f"ratelimit:{client}:{bucket}:{window_start}", 1, self.window)
        except StoreUnavailable:
            count = 0
        if count > limit:
            retry_after = max(1, math.ceil(window_start + self.window - now))
            message = f"Too many requests: the limit is {limit} every {self.window} seconds. Try again shortly."
            await _error(429, "too_many_requests", message, {"Retry-After": str(retry_after)})(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": code, "message": message}, status_code=status, headers=headers)


def _too_large(limit: int) -> JSONResponse:
    return _error(413, "too_large", f"The request body is larger than the limit of {limit} bytes.")


def install_security(app: FastAPI, settings: Settings) -> None:
    """Add the middleware above to `app` (call once, in create_app, after the routers)."""
    proxies = TrustedProxies(settings.trusted_proxies)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    limit = parse_rate_limit(settings.rate_limit)
    if limit is not None:
        app.add_middleware(RateLimit, limit=limit[0], window=limit[1], proxies=proxies)
    if not any(m.cls is CORSMiddleware for m in app.user_middleware):
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.origins(),
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Content-Type", "Accept"],
            expose_headers=["Retry-After"],
            max_age=600,
        )
    # Outside Starlette's ServerErrorMiddleware, so that even a 500 carries the headers.
    build_stack = app.build_middleware_stack

    def build_with_headers() -> Any:
        return SecurityHeaders(build_stack(), settings.origins(), proxies)

    app.build_middleware_stack = build_with_headers  # type: ignore[method-assign]
