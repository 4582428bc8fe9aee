"""Background upkeep while the app runs: expired sessions are purged on start-up and every few minutes."""

from __future__ import annotations

import asyncio
import logging

from app.store.base import Store, StoreUnavailable

log = logging.getLogger("threshold.housekeeping")


async def purge_once(store: Store) -> int:
    """Delete expired records and counters; a store outage is logged, never raised (we try again later)."""
    try:
        removed = await store.purge_expired()
    except StoreUnavailable as exc:
        log.warning("purge of expired sessions skipped: %s", exc)
        return 0
    if removed:
        log.info("purged %d expired records", removed)
    return removed


async def _purge_every(store: Store, interval_seconds: float) -> None:
    while True:
        await asyncio.sleep(interval_seconds)
        await purge_once(store)


async def start_purging(store: Store, interval_seconds: float) -> asyncio.Task[None]:
    """Purge now, then every `interval_seconds` in a background task; cancel the task at shutdown."""
    await purge_once(store)
    return asyncio.create_task(_purge_every(store, interval_seconds), name="purge-expired-sessions")
