"""Session stores: where assessments, chats, classrooms and counters live between requests.

One small interface (here), two implementations: SQLite (embedded, the default, app/store/sqlite.py) and Redis
(scale-out, app/store/redis.py). Every record carries a version so that two racing updates cannot both win.

The interface is async so that routes run on the event loop: a thread-pool hop per request cost more
than the whole assessment turn (bench/RESULTS.md). Redis is awaited over the network (redis.asyncio);
SQLite is called inline, because a local read or write takes tens of microseconds, less than a hop.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from app.core.errors import Conflict


class StoreUnavailable(Exception):
    """The store cannot be reached or written; the request should be retried later (503)."""


@dataclass(frozen=True)
class Record:
    data: dict[str, Any]
    version: int


class Store(Protocol):
    async def get(self, kind: str, key: str) -> Record | None: ...

    async def put(self, kind: str, key: str, data: dict[str, Any], ttl: int, expected_version: int | None) -> int:
        """Write a record. `expected_version=None` creates it; otherwise the stored version must match
        (raises Conflict). Returns the new version."""
        ...

    async def delete(self, kind: str, key: str) -> bool: ...

    async def incr(self, key: str, amount: int = 1, ttl: int | None = None) -> int:
        """Add to a shared counter (created at 0) and return the new value."""
        ...

    async def incr_each(self, keys: Sequence[str]) -> None:
        """Add one to each counter (created at 0, no expiry) in one write: one round trip on Redis."""
        ...

    async def counters(self, prefix: str) -> dict[str, int]: ...

    async def purge_expired(self) -> int: ...

    async def ping(self) -> bool: ...

    async def close(self) -> None: ...


Change = Callable[[Record | None], tuple[dict[str, Any], int]]


async def update_with_retry(
    store: Store, kind: str, key: str, change: Change, attempts: int, busy: str | None = None
) -> dict[str, Any]:
    """Read the record (None when there is none), let `change` make the new data and its time to live in
    seconds, and write it only if nobody wrote in between (optimistic locking: the record's version). When
    another request won that race, read again and apply the change again, up to `attempts` times; after the
    last, raise Conflict (with `busy` as its message, if given). What `change` raises goes straight through.
    """
    if attempts < 1:
        raise ValueError("attempts must be at least 1")
    for attempt in range(attempts):
        record = await store.get(kind, key)
        data, ttl = change(record)
        try:
            await store.put(kind, key, data, ttl, record.version if record else None)
        except Conflict as exc:
            if attempt < attempts - 1:
                continue
            if busy is not None:
                raise Conflict(busy) from exc
            raise
        return data
    raise AssertionError("unreachable: the loop returns or raises")
