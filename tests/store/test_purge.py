"""Expired sessions are purged at start-up and then every purge interval."""

from __future__ import annotations

import time
from pathlib import Path

import anyio
from fastapi.testclient import TestClient

from app.main import create_app
from app.store import SqliteStore
from tests.conftest import FIXTURE_CONTENT, make_settings


def _keys(store: SqliteStore) -> set[str]:
    return {row[0] for row in store._db.execute("SELECT key FROM records").fetchall()}


def test_expired_sessions_are_purged_at_start_up_and_periodically(tmp_path: Path) -> None:
    before = SqliteStore(tmp_path / "threshold.db")
    anyio.run(before.put, "assessment", "expired-before-start", {"state": {}}, 0, None)
    anyio.run(before.put, "assessment", "alive", {"state": {}}, 3600, None)
    anyio.run(before.close)
    with TestClient(create_app(make_settings(tmp_path, FIXTURE_CONTENT, purge_interval_seconds=1))) as client:
        store: SqliteStore = client.app.state.store  # type: ignore[attr-defined]
        assert _keys(store) == {"alive"}  # purged during start-up
        client.portal.call(store.put, "chat", "expires-while-running", {"state": {}}, 0, None)
        assert "expires-while-running" in _keys(store)
        deadline = time.monotonic() + 5
        while "expires-while-running" in _keys(store) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _keys(store) == {"alive"}
