"""Rate limiting per client, counted in the shared store with few writes (RateCounter), for RequestGuard.

The limit (THRESHOLD_RATE_LIMIT) and its tolerance are in docs/security.md; the measured reasons for batching
the writes are in bench/RESULTS.md.
"""

from __future__ import annotations

import hashlib
import math
import re
import time

from starlette.responses import JSONResponse
from starlette.types import Scope

from app.store import Store, StoreUnavailable
from app.web.errors import error_response

# Never rate limited: probes from the orchestrator and the metrics scraper must always get through.
RATE_LIMIT_EXEMPT = frozenset({"/healthz", "/readyz", "/metrics"})
# Paths whose callers legitimately share one address: a classroom of phones on one Wi-Fi polling and voting,
# and a Rasa server calling its action server several times per user message. They get their own, larger bucket.
RATE_LIMIT_SCALE = {"/api/v1/classrooms": 10, "/rasa/": 20, "/webhooks/rest/": 5}
_WINDOWS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


def parse_rate_limit(spec: str) -> tuple[int, int] | None:
    """`"60/minute"` -> (60, 60): requests allowed and the window in seconds; `"off"` -> None."""
    spec = spec.strip().lower()
    if spec == "off":
        return None
    match = re.fullmatch(r"(\d+)\s*/\s*(second|minute|hour|day)", spec)
    if match is None:
        raise ValueError(f"THRESHOLD_RATE_LIMIT must look like 60/minute or be 'off', not {spec!r}")
    return int(match[1]), _WINDOWS[match[2]]


def client_address(scope: Scope) -> str:
    """The client's address: the socket peer, or behind a trusted proxy the one ProxyHeadersMiddleware found."""
    peer = scope.get("client")
    return str(peer[0]) if peer else "unknown"


def _rate_bucket(path: str) -> tuple[str, int]:
    """The counter bucket and limit multiplier for a path."""
    for prefix, scale in RATE_LIMIT_SCALE.items():
        if path.startswith(prefix):
            return prefix, scale
    return "", 1


class RateCounter:
    """Per-client request counts in fixed windows, kept in the shared store with few writes.

    Each process counts requests in memory and adds them to the store's counter (`store.incr`) in one
    write once its unwritten requests reach a quarter of what the client had left at the last write;
    that write returns the total of every process, which decides. So a client far from its limit costs
    about one write per quarter of its remaining budget instead of one per request, and near the limit
    every request is written and checked. The tolerance, documented in docs/security.md: while a window
    is young, each process may let through up to a quarter of the remaining budget that the others do
    not yet know about.

    The counter key holds a short hash of the client address, never the address, and expires with its window.
    If the store cannot count, the request goes through: the route itself will answer 503 if the store is down.
    """

    def __init__(self, limit: int, window: int) -> None:
        self.limit = limit
        self.window = window
        self._window_start = 0
        self._counts: dict[str, list[int]] = {}  # store key -> [requests not yet written, total at last write]
        self._hashes: dict[str, str] = {}

    def _client(self, scope: Scope) -> str:
        address = client_address(scope)
        hashed = self._hashes.get(address)
        if hashed is None:
            if len(self._hashes) > 10_000:
                self._hashes.clear()
            hashed = self._hashes[address] = hashlib.blake2b(address.encode(), digest_size=8).hexdigest()
        return hashed

    async def refusal(self, scope: Scope, store: Store) -> JSONResponse | None:
        """None when the request may go on; otherwise the 429 to send."""
        now = time.time()
        window_start = int(now // self.window) * self.window
        if window_start != self._window_start:
            self._window_start = window_start
            self._counts.clear()  # earlier windows no longer decide anything; their keys expire in the store
        bucket, scale = _rate_bucket(scope.get("path", ""))
        limit = self.limit * scale
        key = f"ratelimit:{self._client(scope)}:{bucket}:{window_start}"
        counts = self._counts.get(key)
        if counts is None:
            counts = self._counts[key] = [0, 0]
        if counts[0] < (limit - counts[1]) // 4:
            counts[0] += 1  # far from the limit: counted here, written with a later request
            return None
        amount = counts[0] + 1
        counts[0] = 0
        try:
            total = await store.incr(key, amount, self.window)
        except StoreUnavailable:
            return None
        counts[1] = max(counts[1], total)
        if total <= limit:
            return None
        retry_after = max(1, math.ceil(window_start + self.window - now))
        message = f"Too many requests: the limit is {limit} every {self.window} seconds. Try again shortly."
        return error_response(429, "too_many_requests", message, {"Retry-After": str(retry_after)})
