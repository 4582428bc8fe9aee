"""The embedded SQLite store (the default): see app/store/base.py for the interface."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pydantic_core

from app.core.errors import Conflict
from app.store.base import Record, StoreUnavailable

# No index on `expires`: every turn moves a record's expiry, and keeping that index cost almost half of each write
# (bench/RESULTS.md). The purge, every few minutes, reads the whole table instead (about 4 ms per 10,000 records).
_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    kind TEXT NOT NULL, key TEXT NOT NULL, data TEXT NOT NULL, version INTEGER NOT NULL, expires REAL NOT NULL,
    PRIMARY KEY (kind, key)
);
DROP INDEX IF EXISTS records_expires;
CREATE TABLE IF NOT EXISTS counters (key TEXT PRIMARY KEY, value INTEGER NOT NULL, expires REAL);
"""


class SqliteStore:
    """SQLite in WAL mode, one connection, called inline from the event loop (see the module docstring).

    The lock keeps the connection safe for a caller on another thread (tests drive stores from their own).
    """

    def __init__(self, path: Path | str) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = self._connect()

    def _connect(self) -> sqlite3.Connection:
        try:
            db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=2.0)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.executescript(_SCHEMA)
            return db
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"The session store at {self.path} cannot be opened: {exc}") from exc

    def _run(self, sql: str, params: tuple[Any, ...] = ()) -> sqlite3.Cursor:
        try:
            return self._db.execute(sql, params)
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"The session store is not available: {exc}") from exc

    async def get(self, kind: str, key: str) -> Record | None:
        with self._lock:
            row = self._run(
                "SELECT data, version FROM records WHERE kind=? AND key=? AND expires>?", (kind, key, time.time())
            ).fetchone()
        return Record(pydantic_core.from_json(row[0]), row[1]) if row else None

    async def put(self, kind: str, key: str, data: dict[str, Any], ttl: int, expected_version: int | None) -> int:
        now = time.time()
        text = pydantic_core.to_json(data).decode()  # as json.dumps(separators=(",", ":")), 5x faster
        with self._lock:
            if expected_version is None:
                self._run("DELETE FROM records WHERE kind=? AND key=? AND expires<=?", (kind, key, now))
                cursor = self._run("INSERT OR IGNORE INTO records VALUES (?, ?, ?, 1, ?)", (kind, key, text, now + ttl))
                if cursor.rowcount != 1:
                    raise Conflict("That record already exists.")
                return 1
            cursor = self._run(
                "UPDATE records SET data=?, version=version+1, expires=? "
                "WHERE kind=? AND key=? AND version=? AND expires>?",
                (text, now + ttl, kind, key, expected_version, now),
            )
            if cursor.rowcount != 1:
                raise Conflict("Someone else updated this at the same moment. Reload it and try again.")
            return expected_version + 1

    async def delete(self, kind: str, key: str) -> bool:
        with self._lock:
            return self._run("DELETE FROM records WHERE kind=? AND key=?", (kind, key)).rowcount == 1

    async def incr(self, key: str, amount: int = 1, ttl: int | None = None) -> int:
        now = time.time()
        expires = now + ttl if ttl else None
        with self._lock:
            self._run("DELETE FROM counters WHERE key=? AND expires IS NOT NULL AND expires<=?", (key, now))
            row = self._run(
                "INSERT INTO counters VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value=value+excluded.value "
                "RETURNING value",
                (key, amount, expires),
            ).fetchone()
        return int(row[0])

    async def incr_each(self, keys: Sequence[str]) -> None:
        with self._lock:
            self._run("BEGIN")
            try:
                for key in keys:
                    self._run(
                        "INSERT INTO counters VALUES (?, 1, NULL) ON CONFLICT(key) DO UPDATE SET value=value+1", (key,)
                    )
                self._run("COMMIT")
            except BaseException:
                if self._db.in_transaction:
                    self._db.rollback()
                raise

    async def counters(self, prefix: str) -> dict[str, int]:
        with self._lock:
            rows = self._run(
                "SELECT key, value FROM counters WHERE substr(key, 1, ?)=? AND (expires IS NULL OR expires>?)",
                (len(prefix), prefix, time.time()),
            ).fetchall()
        return {k: int(v) for k, v in rows}

    async def purge_expired(self) -> int:
        now = time.time()
        with self._lock:
            removed = self._run("DELETE FROM records WHERE expires<=?", (now,)).rowcount
            removed += self._run("DELETE FROM counters WHERE expires IS NOT NULL AND expires<=?", (now,)).rowcount
        return removed

    async def ping(self) -> bool:
        try:
            with self._lock:
                self._run("SELECT 1").fetchone()
            return True
        except StoreUnavailable:
            return False

    async def close(self) -> None:
        with self._lock:
            self._db.close()
