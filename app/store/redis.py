"""The Redis session store: the same records, versions, TTLs and counters as SqliteStore, shared by any
number of app processes.

A record is one Redis hash `tg:rec:{kind}:{key}` with fields `data` (JSON) and `version`; the key's own
expiry is the TTL. Writes run as Lua scripts, so checking the version and writing are one atomic step:
two processes racing on the same assessment cannot both win. Counters are plain `tg:cnt:{key}` integers.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Sequence
from typing import Any

import hiredis
import pydantic_core
import redis
import redis.asyncio
from redis.asyncio.connection import AbstractConnection

from app.core.errors import Conflict
from app.store.base import Record, StoreUnavailable

RECORD_PREFIX = "tg:rec:"
COUNTER_PREFIX = "tg:cnt:"

# KEYS[1] record key; ARGV: data, ttl seconds, expected version ("" = create). Returns the new version,
# or -1 when the version does not match (or the record to create already exists).
_PUT = """
local expected = ARGV[3]
local current = redis.call('HGET', KEYS[1], 'version')
if expected == '' then
  if current then return -1 end
  redis.call('HSET', KEYS[1], 'data', ARGV[1], 'version', 1)
  redis.call('EXPIRE', KEYS[1], ARGV[2])
  return 1
end
if current ~= expected then return -1 end
local version = tonumber(current) + 1
redis.call('HSET', KEYS[1], 'data', ARGV[1], 'version', version)
redis.call('EXPIRE', KEYS[1], ARGV[2])
return version
"""

# KEYS[1] counter key; ARGV: amount, ttl seconds ("" = none). The TTL is set when the counter is created,
# as in SqliteStore: a window counter expires a fixed time after its first hit.
_INCR = """
local existed = redis.call('EXISTS', KEYS[1])
local value = redis.call('INCRBY', KEYS[1], ARGV[1])
if existed == 0 and ARGV[2] ~= '' then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
return value
"""

_SHA = {script: hashlib.sha1(script.encode()).hexdigest() for script in (_PUT, _INCR)}
SOCKET_TIMEOUT_SECONDS = 1.0  # a dead Redis must answer 503 quickly, not keep a request waiting


class RedisStore:
    """Redis via redis.asyncio: requests wait on the network without holding the event loop.

    The commands of every turn (get, put, incr, delete) go through `_command`, a lean pool of redis-py
    connections; the rest (pipelines, scans, ping) through the ordinary client.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self._redis = redis.asyncio.Redis.from_url(
            url,
            socket_timeout=SOCKET_TIMEOUT_SECONDS,
            socket_connect_timeout=SOCKET_TIMEOUT_SECONDS,
            health_check_interval=30,
            decode_responses=True,
        )
        self._idle: list[AbstractConnection] = []

    async def _command(self, *args: str | int) -> Any:
        """One command on an idle connection (or a new one), which goes back to the idle list only after a
        clean reply. Why not the client: its pool and wrappers cost 140 µs of CPU per command here against 70
        for this (bench/RESULTS.md). A failure on a reused connection (Redis restarted since) is retried once on
        a new one, as the client's own retry does."""
        reused = bool(self._idle)
        connection = self._idle.pop() if reused else self._new_connection()
        try:
            async with asyncio.timeout(SOCKET_TIMEOUT_SECONDS):
                packed = hiredis.pack_command(args)  # type: ignore[arg-type]  # its stub allows one argument only
                await connection.send_packed_command(packed, check_health=False)
                reply = await connection.read_response()
        except TimeoutError as exc:
            await connection.disconnect()
            raise redis.TimeoutError(f"Redis did not answer within {SOCKET_TIMEOUT_SECONDS} s") from exc
        except redis.ResponseError:
            self._idle.append(connection)  # an error reply leaves the connection in step
            raise
        except redis.ConnectionError:
            await connection.disconnect()
            if not reused:
                raise
            return await self._command(*args)
        except BaseException:
            await connection.disconnect()  # a timeout or cancellation mid-reply: the connection is out of step
            raise
        self._idle.append(connection)
        return reply

    def _new_connection(self) -> AbstractConnection:
        """A connection without timeouts or health checks of its own: `_command` puts one deadline on the whole
        command instead. Why: with a socket timeout redis-py wraps every write in `asyncio.wait_for`, a new task
        per command, and every read in a timeout of its own (bench/RESULTS.md)."""
        pool = self._redis.connection_pool
        settings = {**pool.connection_kwargs, "socket_timeout": None, "health_check_interval": 0}
        return pool.connection_class(**settings)

    async def _script(self, script: str, key: str, *args: str | int) -> Any:
        """EVALSHA, loading the script on first use. Why not redis-py's Script: its per-call type checks cost
        more CPU than the round trip (bench/load.py)."""
        try:
            return await self._command("EVALSHA", _SHA[script], 1, key, *args)
        except redis.exceptions.NoScriptError:
            return await self._command("EVAL", script, 1, key, *args)

    def _unavailable(self, exc: redis.RedisError) -> StoreUnavailable:
        where = self._redis.connection_pool.connection_kwargs
        return StoreUnavailable(
            f"The Redis session store at {where.get('host')}:{where.get('port')} is not available: {exc}"
        )

    async def get(self, kind: str, key: str) -> Record | None:
        try:
            data, version = await self._command("HMGET", f"{RECORD_PREFIX}{kind}:{key}", "data", "version")
        except redis.RedisError as exc:
            raise self._unavailable(exc) from exc
        if data is None or version is None:
            return None
        return Record(pydantic_core.from_json(data), int(version))

    async def put(self, kind: str, key: str, data: dict[str, Any], ttl: int, expected_version: int | None) -> int:
        text = pydantic_core.to_json(data).decode()
        expected = "" if expected_version is None else str(expected_version)
        try:
            version = int(await self._script(_PUT, f"{RECORD_PREFIX}{kind}:{key}", text, ttl, expected))
        except redis.RedisError as exc:
            raise self._unavailable(exc) from exc
        if version < 0:
            if expected_version is None:
                raise Conflict("That record already exists.")
            raise Conflict("Someone else updated this at the same moment. Reload it and try again.")
        return version

    async def delete(self, kind: str, key: str) -> bool:
        try:
            return int(await self._command("DEL", f"{RECORD_PREFIX}{kind}:{key}")) == 1
        except redis.RedisError as exc:
            raise self._unavailable(exc) from exc

    async def incr(self, key: str, amount: int = 1, ttl: int | None = None) -> int:
        try:
            return int(await self._script(_INCR, f"{COUNTER_PREFIX}{key}", amount, ttl or ""))
        except redis.RedisError as exc:
            raise self._unavailable(exc) from exc

    async def incr_each(self, keys: Sequence[str]) -> None:
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                for key in keys:
                    pipe.incrby(f"{COUNTER_PREFIX}{key}", 1)
                await pipe.execute()
        except redis.RedisError as exc:
            raise self._unavailable(exc) from exc

    async def counters(self, prefix: str) -> dict[str, int]:
        try:
            keys = [
                k async for k in self._redis.scan_iter(match=_glob_escape(f"{COUNTER_PREFIX}{prefix}") + "*", count=500)
            ]
            values = await self._redis.mget(keys) if keys else []
        except redis.RedisError as exc:
            raise self._unavailable(exc) from exc
        # A counter can expire between SCAN and MGET: skip the ones that came back empty.
        return {k.removeprefix(COUNTER_PREFIX): int(v) for k, v in zip(keys, values, strict=True) if v is not None}  # type: ignore[arg-type]

    async def purge_expired(self) -> int:
        return 0  # Redis expires keys by itself

    async def ping(self) -> bool:
        try:
            return bool(await self._redis.ping())
        except redis.RedisError:
            return False

    async def close(self) -> None:
        while self._idle:
            await self._idle.pop().disconnect()
        await self._redis.aclose()


def _glob_escape(text: str) -> str:
    """Escape the characters SCAN MATCH treats as a pattern, so a prefix matches only itself."""
    return "".join(f"\\{c}" if c in "*?[]\\" else c for c in text)
