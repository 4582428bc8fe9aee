"""The rate counter's batched store writes (app/web/ratelimit.py RateCounter) and the merged security layer."""

from __future__ import annotations

from pathlib import Path

import anyio
import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.store import open_store
from app.web.ratelimit import RateCounter
from tests.conftest import FIXTURE_CONTENT, make_settings

SCOPE = {"type": "http", "path": "/api/v1/levels", "client": ("203.0.113.7", 1), "headers": []}


class CountingStore:
    """The SQLite store, with its `incr` calls counted."""

    def __init__(self, path: Path) -> None:
        self.inner = open_store(f"sqlite:///{path}")
        self.writes = 0

    async def incr(self, key: str, amount: int = 1, ttl: int | None = None) -> int:
        self.writes += 1
        return await self.inner.incr(key, amount, ttl)


def decisions(counter: RateCounter, store: CountingStore, n: int) -> list[bool]:
    async def run() -> list[bool]:
        return [await counter.refusal(SCOPE, store) is None for _ in range(n)]  # type: ignore[arg-type]

    return anyio.run(run)


def test_far_from_the_limit_requests_are_written_in_batches(tmp_path: Path, whole_window: None) -> None:
    store = CountingStore(tmp_path / "s.db")
    counter = RateCounter(120, 60)
    assert decisions(counter, store, 120) == [True] * 120
    assert store.writes < 40  # one write per request would be 120
    assert decisions(counter, store, 1) == [False]  # the 121st is refused: the store's total is exact
    assert anyio.run(store.inner.incr, next(iter(counter._counts)), 0) == 121


@pytest.mark.parametrize("processes", [2, 3])
def test_processes_sharing_a_store_stay_within_a_quarter_of_the_budget_each(
    tmp_path: Path, processes: int, whole_window: None
) -> None:
    store = CountingStore(tmp_path / "s.db")
    counters = [RateCounter(100, 60) for _ in range(processes)]
    allowed = 0
    for _ in range(100):
        for counter in counters:  # requests arrive at each process in turn
            allowed += decisions(counter, store, 1)[0]
    assert 100 <= allowed <= 100 + (processes - 1) * 25


def test_small_limits_are_checked_on_every_request(tmp_path: Path, whole_window: None) -> None:
    store = CountingStore(tmp_path / "s.db")
    counter = RateCounter(3, 60)
    assert decisions(counter, store, 4) == [True, True, True, False]
    assert store.writes == 4


def test_vary_origin_on_responses_with_and_without_an_origin(tmp_path: Path) -> None:
    app = create_app(make_settings(tmp_path, FIXTURE_CONTENT, allowed_origins="https://partner.example.org"))
    with TestClient(app) as client:
        assert client.get("/api/v1/levels").headers["Vary"] == "Origin"
        cross = client.get("/api/v1/levels", headers={"Origin": "https://partner.example.org"})
        assert cross.headers["Vary"] == "Origin"
        assert cross.headers["Access-Control-Allow-Origin"] == "https://partner.example.org"
