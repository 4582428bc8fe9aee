"""Session stores (app/store/base.py): SQLite by default, Redis to scale out; open_store picks one by URL."""

from __future__ import annotations

from app.store.base import Record, Store, StoreUnavailable, update_with_retry
from app.store.sqlite import SqliteStore

__all__ = ["Record", "SqliteStore", "Store", "StoreUnavailable", "open_store", "update_with_retry"]


def open_store(url: str) -> Store:
    """Open the store named by THRESHOLD_SESSION_STORE."""
    if url.startswith("sqlite:///"):
        return SqliteStore(url.removeprefix("sqlite:///"))
    if url.startswith(("redis://", "rediss://")):
        from app.store.redis import RedisStore  # only deployments that scale out need redis-py loaded

        return RedisStore(url)
    raise ValueError(f"THRESHOLD_SESSION_STORE must start with sqlite:/// or redis://, not {url!r}")
