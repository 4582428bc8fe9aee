"""One contract, every store: SQLite and Redis must behave the same to the app."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from app.core.errors import Conflict
from app.store import Record, Store, StoreUnavailable, open_store, update_with_retry

pytestmark = pytest.mark.anyio


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("redis", id="redis", marks=pytest.mark.redis),
    ]
)
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    if request.param == "sqlite":
        opened = open_store(f"sqlite:///{tmp_path}/contract.db")
    else:
        opened = open_store(request.getfixturevalue("redis_url"))
    try:
        yield opened
    finally:
        await opened.close()


async def test_create_then_get(store: Store) -> None:
    assert await store.get("assessment", "a1") is None
    assert await store.put("assessment", "a1", {"state": {"answers": {"q": "yes"}}}, 60, None) == 1
    record = await store.get("assessment", "a1")
    assert record is not None
    assert record.data == {"state": {"answers": {"q": "yes"}}}
    assert record.version == 1


async def test_kinds_are_separate(store: Store) -> None:
    await store.put("assessment", "same", {"n": 1}, 60, None)
    await store.put("chat", "same", {"n": 2}, 60, None)
    assert (await store.get("assessment", "same")).data == {"n": 1}  # type: ignore[union-attr]
    assert (await store.get("chat", "same")).data == {"n": 2}  # type: ignore[union-attr]


async def test_creating_an_existing_key_conflicts(store: Store) -> None:
    await store.put("assessment", "a1", {"n": 1}, 60, None)
    with pytest.raises(Conflict, match="already exists"):
        await store.put("assessment", "a1", {"n": 2}, 60, None)
    assert (await store.get("assessment", "a1")).data == {"n": 1}  # type: ignore[union-attr]


async def test_update_bumps_the_version(store: Store) -> None:
    await store.put("assessment", "a1", {"n": 1}, 60, None)
    assert await store.put("assessment", "a1", {"n": 2}, 60, 1) == 2
    assert await store.put("assessment", "a1", {"n": 3}, 60, 2) == 3
    record = await store.get("assessment", "a1")
    assert record is not None
    assert (record.data, record.version) == ({"n": 3}, 3)


async def test_stale_version_conflicts_and_keeps_the_winner(store: Store) -> None:
    await store.put("assessment", "a1", {"n": 1}, 60, None)
    await store.put("assessment", "a1", {"n": 2}, 60, 1)
    with pytest.raises(Conflict, match="Someone else updated this"):
        await store.put("assessment", "a1", {"n": 99}, 60, 1)
    assert (await store.get("assessment", "a1")).data == {"n": 2}  # type: ignore[union-attr]


async def test_updating_a_missing_record_conflicts(store: Store) -> None:
    with pytest.raises(Conflict):
        await store.put("assessment", "nobody", {"n": 1}, 60, 1)
    assert await store.get("assessment", "nobody") is None


async def test_records_expire(store: Store) -> None:
    await store.put("assessment", "short", {"n": 1}, 1, None)
    await store.put("assessment", "long", {"n": 1}, 60, None)
    await asyncio.sleep(1.2)
    assert await store.get("assessment", "short") is None
    assert await store.get("assessment", "long") is not None
    # An expired key can be created afresh, and cannot be updated.
    with pytest.raises(Conflict):
        await store.put("assessment", "short", {"n": 2}, 60, 1)
    assert await store.put("assessment", "short", {"n": 3}, 60, None) == 1


async def test_update_renews_the_ttl(store: Store) -> None:
    await store.put("assessment", "a1", {"n": 1}, 1, None)
    await store.put("assessment", "a1", {"n": 2}, 60, 1)
    await asyncio.sleep(1.2)
    assert await store.get("assessment", "a1") is not None


async def test_delete(store: Store) -> None:
    await store.put("assessment", "a1", {"n": 1}, 60, None)
    assert await store.delete("assessment", "a1") is True
    assert await store.get("assessment", "a1") is None
    assert await store.delete("assessment", "a1") is False


async def test_incr_and_counters(store: Store) -> None:
    assert await store.incr("metric:starts") == 1
    assert await store.incr("metric:starts", 4) == 5
    assert await store.incr("metric:level:3") == 1
    assert await store.incr("other:thing") == 1
    assert await store.counters("metric:") == {"metric:starts": 5, "metric:level:3": 1}
    assert await store.counters("nothing:") == {}


async def test_incr_each_adds_one_to_every_counter_at_once(store: Store) -> None:
    await store.incr("level:3", 2)
    await store.incr_each(["level:3", "route:dsl", "route:mash"])
    await store.incr_each([])
    assert await store.counters("") == {"level:3": 3, "route:dsl": 1, "route:mash": 1}
    assert await store.incr("route:dsl") == 2  # the same counters incr uses


async def test_counter_prefix_is_literal(store: Store) -> None:
    await store.incr("rate:a*b")
    await store.incr("rate:aXb")
    assert await store.counters("rate:a*") == {"rate:a*b": 1}


async def test_counter_ttl_starts_at_the_first_hit(store: Store) -> None:
    await store.incr("rate:ip", ttl=1)
    await store.incr("rate:ip", ttl=60)  # a later hit does not extend the window
    await store.incr("total")
    await asyncio.sleep(1.2)
    assert await store.counters("rate:") == {}
    assert await store.incr("rate:ip", ttl=60) == 1
    assert await store.counters("") == {"rate:ip": 1, "total": 1}


async def test_purge_and_ping(store: Store) -> None:
    assert await store.purge_expired() >= 0
    assert await store.ping() is True


async def test_racing_updates_never_lose_one(store: Store) -> None:
    """Two tasks add to one record with read-modify-write: every increment survives, each version has one winner."""
    await store.put("assessment", "race", {"n": 0, "by": []}, 60, None)
    per_task = 40
    winners: dict[int, list[str]] = {}

    async def worker(name: str) -> None:
        done = 0
        while done < per_task:
            record = await store.get("assessment", "race")
            assert record is not None
            await asyncio.sleep(0)  # let the other task read the same version, so some writes must lose
            data = {"n": record.data["n"] + 1, "by": [*record.data["by"], name]}
            try:
                version = await store.put("assessment", "race", data, 60, record.version)
            except Conflict:
                continue  # the other task won this version: reload and try again
            winners.setdefault(version, []).append(name)
            done += 1

    await asyncio.wait_for(asyncio.gather(worker("a"), worker("b")), timeout=30)
    final = await store.get("assessment", "race")
    assert final is not None
    assert final.data["n"] == 2 * per_task
    assert final.version == 2 * per_task + 1
    assert sorted(winners) == list(range(2, 2 * per_task + 2))
    assert all(len(names) == 1 for names in winners.values())
    assert sorted(final.data["by"]) == ["a"] * per_task + ["b"] * per_task


class RivalWrites:
    """The store, with another request adding "rival" to the record between our read and our write, `times` times."""

    def __init__(self, store: Store, times: int) -> None:
        self.store = store
        self.times = times

    async def get(self, kind: str, key: str) -> Record | None:
        return await self.store.get(kind, key)

    async def put(self, kind: str, key: str, data: dict, ttl: int, expected_version: int | None) -> int:
        if self.times:
            self.times -= 1
            current = await self.store.get(kind, key)
            assert current is not None
            await self.store.put(kind, key, {"votes": [*current.data["votes"], "rival"]}, 60, current.version)
        return await self.store.put(kind, key, data, ttl, expected_version)


async def test_update_with_retry_applies_the_change_again_after_a_lost_race(store: Store) -> None:
    await store.put("classroom", "room", {"votes": []}, 60, None)
    seen: list[list[str]] = []

    def vote(record: Record | None) -> tuple[dict, int]:
        assert record is not None
        seen.append(list(record.data["votes"]))
        return {"votes": [*record.data["votes"], "me"]}, 60

    data = await update_with_retry(RivalWrites(store, 2), "classroom", "room", vote, attempts=3)  # type: ignore[arg-type]
    assert data == {"votes": ["rival", "rival", "me"]}
    assert seen == [[], ["rival"], ["rival", "rival"]]  # each try saw the winner's record
    final = await store.get("classroom", "room")
    assert final is not None and final.data == data and final.version == 4


async def test_update_with_retry_gives_up_after_its_attempts(store: Store) -> None:
    await store.put("classroom", "room", {"votes": []}, 60, None)

    def vote(record: Record | None) -> tuple[dict, int]:
        assert record is not None
        return {"votes": [*record.data["votes"], "me"]}, 60

    busy = RivalWrites(store, 5)
    with pytest.raises(Conflict, match="very busy"):
        await update_with_retry(busy, "classroom", "room", vote, attempts=3, busy="The room is very busy.")  # type: ignore[arg-type]
    final = await store.get("classroom", "room")
    assert final is not None and final.data == {"votes": ["rival"] * 3}  # ours never landed
    with pytest.raises(Conflict, match="Someone else updated this"):  # without `busy`, the store's own message
        await update_with_retry(busy, "classroom", "room", vote, attempts=1)  # type: ignore[arg-type]


async def test_update_with_retry_creates_a_missing_record_and_lets_the_change_refuse(store: Store) -> None:
    def start(record: Record | None) -> tuple[dict, int]:
        return {"n": 1 if record is None else record.data["n"] + 1}, 60

    assert await update_with_retry(store, "chat", "new", start, attempts=2) == {"n": 1}
    assert await update_with_retry(store, "chat", "new", start, attempts=2) == {"n": 2}

    def refuse(record: Record | None) -> tuple[dict, int]:
        raise Conflict("Voting has closed.")

    with pytest.raises(Conflict, match="Voting has closed"):
        await update_with_retry(store, "chat", "new", refuse, attempts=5)
    record = await store.get("chat", "new")
    assert record is not None and record.data == {"n": 2} and record.version == 2
    with pytest.raises(ValueError, match="at least 1"):
        await update_with_retry(store, "chat", "new", start, attempts=0)


@pytest.mark.redis
async def test_dead_redis_raises_store_unavailable_quickly() -> None:
    from tests.redis_server import free_port

    store = open_store(f"redis://127.0.0.1:{free_port()}/0")
    started = time.monotonic()
    with pytest.raises(StoreUnavailable, match=r"Redis session store at 127\.0\.0\.1"):
        await store.get("assessment", "a1")
    with pytest.raises(StoreUnavailable):
        await store.put("assessment", "a1", {}, 60, None)
    with pytest.raises(StoreUnavailable):
        await store.incr("x")
    assert await store.ping() is False
    assert time.monotonic() - started < 5
    await store.close()


async def test_a_redis_that_never_answers_raises_store_unavailable_within_the_deadline() -> None:
    """A hung server (connection accepted, no reply) must give a 503 within about a second, not hold a worker."""
    from app.store.redis import SOCKET_TIMEOUT_SECONDS

    async def accept_and_stay_silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()  # until the client gives up and closes

    silent = await asyncio.start_server(accept_and_stay_silent, "127.0.0.1", 0)
    port = silent.sockets[0].getsockname()[1]
    store = open_store(f"redis://127.0.0.1:{port}/0")
    try:
        for attempt in (store.get("assessment", "a1"), store.put("assessment", "a1", {}, 60, None)):
            started = time.monotonic()
            with pytest.raises(StoreUnavailable, match="did not answer"):
                await asyncio.wait_for(attempt, SOCKET_TIMEOUT_SECONDS + 5)  # fails, rather than hangs, without it
            assert SOCKET_TIMEOUT_SECONDS <= time.monotonic() - started < SOCKET_TIMEOUT_SECONDS + 2
    finally:
        await store.close()
        silent.close()


@pytest.mark.redis
async def test_redis_reloads_its_scripts_after_a_restart(redis_url: str) -> None:
    """A restarted Redis has forgotten the Lua scripts: writes must load them again, not fail."""
    import redis

    store = open_store(redis_url)
    await store.put("assessment", "a1", {"n": 1}, 60, None)
    await store.incr("hits")
    redis.Redis.from_url(redis_url).script_flush()
    assert await store.put("assessment", "a1", {"n": 2}, 60, 1) == 2
    assert await store.incr("hits") == 2
    await store.close()


@pytest.mark.redis
async def test_redis_connections_from_before_a_restart_are_replaced_without_an_error(tmp_path: Path) -> None:
    """Idle connections die with the server; the first commands after it is back must still succeed."""
    from tests.redis_server import RedisServer

    server = RedisServer(tmp_path)
    server.start()
    store = open_store(server.url)
    try:
        await asyncio.gather(*(store.put("assessment", f"a{i}", {"n": i}, 60, None) for i in range(4)))
        server.stop()
        server.start()
        assert await store.get("assessment", "a1") is None  # a new server (no persistence): empty, not an error
        assert await store.put("assessment", "a1", {"n": 1}, 60, None) == 1
        assert await store.incr("hits") == 1
        server.stop()
        with pytest.raises(StoreUnavailable):
            await store.get("assessment", "a1")
    finally:
        await store.close()
        server.stop()
