"""One contract, every store: SQLite and Redis must behave the same to the app."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core.errors import Conflict
from app.store import Store, StoreUnavailable, open_store


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("redis", id="redis", marks=pytest.mark.redis),
    ]
)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "sqlite":
        opened = open_store(f"sqlite:///{tmp_path}/contract.db")
    else:
        opened = open_store(request.getfixturevalue("redis_url"))
    try:
        yield opened
    finally:
        opened.close()


def test_create_then_get(store: Store) -> None:
    assert store.get("assessment", "a1") is None
    assert store.put("assessment", "a1", {"state": {"answers": {"q": "yes"}}}, 60, None) == 1
    record = store.get("assessment", "a1")
    assert record is not None
    assert record.data == {"state": {"answers": {"q": "yes"}}}
    assert record.version == 1


def test_kinds_are_separate(store: Store) -> None:
    store.put("assessment", "same", {"n": 1}, 60, None)
    store.put("chat", "same", {"n": 2}, 60, None)
    assert store.get("assessment", "same").data == {"n": 1}  # type: ignore[union-attr]
    assert store.get("chat", "same").data == {"n": 2}  # type: ignore[union-attr]


def test_creating_an_existing_key_conflicts(store: Store) -> None:
    store.put("assessment", "a1", {"n": 1}, 60, None)
    with pytest.raises(Conflict, match="already exists"):
        store.put("assessment", "a1", {"n": 2}, 60, None)
    assert store.get("assessment", "a1").data == {"n": 1}  # type: ignore[union-attr]


def test_update_bumps_the_version(store: Store) -> None:
    store.put("assessment", "a1", {"n": 1}, 60, None)
    assert store.put("assessment", "a1", {"n": 2}, 60, 1) == 2
    assert store.put("assessment", "a1", {"n": 3}, 60, 2) == 3
    record = store.get("assessment", "a1")
    assert record is not None
    assert (record.data, record.version) == ({"n": 3}, 3)


def test_stale_version_conflicts_and_keeps_the_winner(store: Store) -> None:
    store.put("assessment", "a1", {"n": 1}, 60, None)
    store.put("assessment", "a1", {"n": 2}, 60, 1)
    with pytest.raises(Conflict, match="Someone else updated this"):
        store.put("assessment", "a1", {"n": 99}, 60, 1)
    assert store.get("assessment", "a1").data == {"n": 2}  # type: ignore[union-attr]


def test_updating_a_missing_record_conflicts(store: Store) -> None:
    with pytest.raises(Conflict):
        store.put("assessment", "nobody", {"n": 1}, 60, 1)
    assert store.get("assessment", "nobody") is None


def test_records_expire(store: Store) -> None:
    store.put("assessment", "short", {"n": 1}, 1, None)
    store.put("assessment", "long", {"n": 1}, 60, None)
    time.sleep(1.2)
    assert store.get("assessment", "short") is None
    assert store.get("assessment", "long") is not None
    # An expired key can be created afresh, and cannot be updated.
    with pytest.raises(Conflict):
        store.put("assessment", "short", {"n": 2}, 60, 1)
    assert store.put("assessment", "short", {"n": 3}, 60, None) == 1


def test_update_renews_the_ttl(store: Store) -> None:
    store.put("assessment", "a1", {"n": 1}, 1, None)
    store.put("assessment", "a1", {"n": 2}, 60, 1)
    time.sleep(1.2)
    assert store.get("assessment", "a1") is not None


def test_delete(store: Store) -> None:
    store.put("assessment", "a1", {"n": 1}, 60, None)
    assert store.delete("assessment", "a1") is True
    assert store.get("assessment", "a1") is None
    assert store.delete("assessment", "a1") is False


def test_incr_and_counters(store: Store) -> None:
    assert store.incr("metric:starts") == 1
    assert store.incr("metric:starts", 4) == 5
    assert store.incr("metric:level:3") == 1
    assert store.incr("other:thing") == 1
    assert store.counters("metric:") == {"metric:starts": 5, "metric:level:3": 1}
    assert store.counters("nothing:") == {}


def test_counter_prefix_is_literal(store: Store) -> None:
    store.incr("rate:a*b")
    store.incr("rate:aXb")
    assert store.counters("rate:a*") == {"rate:a*b": 1}


def test_counter_ttl_starts_at_the_first_hit(store: Store) -> None:
    store.incr("rate:ip", ttl=1)
    store.incr("rate:ip", ttl=60)  # a later hit does not extend the window
    store.incr("total")
    time.sleep(1.2)
    assert store.counters("rate:") == {}
    assert store.incr("rate:ip", ttl=60) == 1
    assert store.counters("") == {"rate:ip": 1, "total": 1}


def test_purge_and_ping(store: Store) -> None:
    assert store.purge_expired() >= 0
    assert store.ping() is True


def test_racing_updates_never_lose_one(store: Store) -> None:
    """Two threads add to one record with read-modify-write: every increment survives, each version has one winner."""
    store.put("assessment", "race", {"n": 0, "by": []}, 60, None)
    per_thread = 40
    winners: dict[int, list[str]] = {}
    lock = threading.Lock()

    def worker(name: str) -> None:
        done = 0
        while done < per_thread:
            record = store.get("assessment", "race")
            assert record is not None
            data = {"n": record.data["n"] + 1, "by": [*record.data["by"], name]}
            try:
                version = store.put("assessment", "race", data, 60, record.version)
            except Conflict:
                continue  # the other thread won this version: reload and try again
            with lock:
                winners.setdefault(version, []).append(name)
            done += 1

    threads = [threading.Thread(target=worker, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    final = store.get("assessment", "race")
    assert final is not None
    assert final.data["n"] == 2 * per_thread
    assert final.version == 2 * per_thread + 1
    assert sorted(winners) == list(range(2, 2 * per_thread + 2))
    assert all(len(names) == 1 for names in winners.values())
    assert sorted(final.data["by"]) == ["a"] * per_thread + ["b"] * per_thread


@pytest.mark.redis
def test_dead_redis_raises_store_unavailable_quickly() -> None:
    from tests.redis_server import free_port

    store = open_store(f"redis://127.0.0.1:{free_port()}/0")
    started = time.monotonic()
    with pytest.raises(StoreUnavailable, match=r"Redis session store at 127\.0\.0\.1"):
        store.get("assessment", "a1")
    with pytest.raises(StoreUnavailable):
        store.put("assessment", "a1", {}, 60, None)
    with pytest.raises(StoreUnavailable):
        store.incr("x")
    assert store.ping() is False
    assert time.monotonic() - started < 5
    store.close()


@pytest.mark.redis
def test_redis_reloads_its_scripts_after_a_restart(redis_url: str) -> None:
    """A restarted Redis has forgotten the Lua scripts: writes must load them again, not fail."""
    import redis

    store = open_store(redis_url)
    store.put("assessment", "a1", {"n": 1}, 60, None)
    store.incr("hits")
    redis.Redis.from_url(redis_url).script_flush()
    assert store.put("assessment", "a1", {"n": 2}, 60, 1) == 2
    assert store.incr("hits") == 2
    store.close()
