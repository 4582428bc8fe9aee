"""Classrooms: open a room for a scenario, take anonymous votes, reveal the guidance, draw the join QR code.

Classrooms live in the store (kind "classroom") so that several processes behave as one: every vote is a
read-modify-write guarded by the record's version, retried when another vote won. Rooms hold a scenario id,
a hash of the trainer's token, anonymous voter ids and their choices: no personal data. Voters reach a room
through a short code (kind "classroom_code"), an alias of the room's 128-bit id.
"""

from __future__ import annotations

import hashlib
import io
import secrets
import time
from collections.abc import Callable
from typing import Any

import segno

from app.core import scenarios as sc
from app.core import training
from app.core.errors import Conflict, UnknownItem
from app.core.models import Content
from app.store import Record, Store, update_with_retry
from app.web.schemas import Choice, RevealOut

KIND = "classroom"
CODE_KIND = "classroom_code"  # short join code -> the room's 128-bit id
NO_ROOM = "No classroom with that code. Check the code; rooms close a few hours after they open."
ROOM_TTL_SECONDS = 4 * 3600
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: easy to read aloud and type on a phone
CODE_LENGTH = 6
MAX_VOTERS = 2000
WRITE_ATTEMPTS = 8
# What a vote can say: "now" (call 999 now: a child is in immediate danger) or a level.
CHOICES = ("now", "1", "2", "3", "4")

Room = dict[str, Any]


def scenario(content: Content, scenario_id: str) -> sc.Scenario:
    found = content.scenarios.get(scenario_id)
    if found is None:
        raise UnknownItem(f"No scenario {scenario_id!r}. GET /api/v1/scenarios lists them.")
    return found


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def normal_code(code: str) -> str:
    return code.strip().upper()


def tokens_match(token: str, room: Room) -> bool:
    return secrets.compare_digest(token_hash(token), room["token_sha256"])


async def open_room(store: Store, scenario_id: str) -> tuple[str, str, str]:
    """A new room for the scenario: (room id, join code, trainer token). Only the token's hash is stored."""
    token = secrets.token_urlsafe(24)  # 192 bits
    room: Room = {
        "scenario_id": scenario_id,
        "token_sha256": token_hash(token),
        "votes": {},
        "revealed": False,
        "expires_at": time.time() + ROOM_TTL_SECONDS,
    }
    room_id = secrets.token_urlsafe(16)  # 128 bits; the short code below is only an alias for voters
    await store.put(KIND, room_id, room, ROOM_TTL_SECONDS, None)
    for _ in range(WRITE_ATTEMPTS):
        code = new_code()
        try:
            await store.put(CODE_KIND, code, {"room_id": room_id}, ROOM_TTL_SECONDS, None)
            return room_id, code, token
        except Conflict:  # the code is taken; draw another
            continue
    await store.delete(KIND, room_id)
    raise Conflict("Could not find a free classroom code. Try again.")


async def room_id(store: Store, code: str) -> str:
    alias = await store.get(CODE_KIND, normal_code(code))
    if alias is None:
        raise UnknownItem(NO_ROOM)
    return str(alias.data["room_id"])


async def load_by_id(store: Store, room_id: str) -> tuple[Room, int, int]:
    """The room, its version and its remaining lifetime in seconds."""
    record = await store.get(KIND, room_id)
    room, remaining = _alive(record)
    assert record is not None  # _alive refuses a missing room
    return room, record.version, remaining


def _alive(record: Record | None) -> tuple[Room, int]:
    """The room and its remaining lifetime in seconds; UnknownItem when it is gone or has expired."""
    remaining = int(record.data["expires_at"] - time.time()) if record else 0
    if record is None or remaining <= 0:
        raise UnknownItem(NO_ROOM)
    return record.data, remaining


async def load(store: Store, code: str) -> tuple[Room, int, int]:
    return await load_by_id(store, await room_id(store, code))


async def update(store: Store, code: str, change: Callable[[Room], Room]) -> Room:
    """Apply `change(room)` with optimistic locking; a racing vote makes us re-read and try again."""
    found = await room_id(store, code)

    def write(record: Record | None) -> tuple[Room, int]:
        room, remaining = _alive(record)
        return change(room), remaining

    return await update_with_retry(
        store, KIND, found, write, WRITE_ATTEMPTS, busy="The classroom is very busy just now. Try again."
    )


async def vote(store: Store, code: str, voter: str, choice: Choice) -> None:
    """One vote per voter: voting again replaces it, until the reveal."""

    def add_vote(room: Room) -> Room:
        if room["revealed"]:
            raise Conflict("Voting has closed: the trainer has revealed the guidance.")
        if voter not in room["votes"] and len(room["votes"]) >= MAX_VOTERS:
            raise Conflict("This classroom is full.")
        room["votes"][voter] = choice
        return room

    await update(store, code, add_vote)


async def close_voting(store: Store, code: str) -> Room:
    def close(room: Room) -> Room:
        room["revealed"] = True
        return room

    return await update(store, code, close)


def tally(room: Room) -> dict[str, int]:
    counts = dict.fromkeys(CHOICES, 0)
    for choice in room["votes"].values():
        counts[str(choice)] += 1
    return counts


def result(content: Content, room: Room) -> RevealOut:
    found = scenario(content, room["scenario_id"])
    outcome = training.walkthrough(content, found).outcome
    return RevealOut(
        level=outcome.level,
        level_name=outcome.level_name,
        immediate_danger=outcome.immediate_danger,
        reasons=training.reasons(outcome),
        teaching_points=training.teaching_points(found),
        teaching=found.teaching,
        votes=tally(room),
    )


def qr_svg(url: str) -> bytes:
    """The join link as a QR code: SVG, scalable (a viewBox, no fixed size), black on white with a quiet zone."""
    buffer = io.BytesIO()
    # Error correction M: still reads with 15% of the code lost (glare on a projector, a phone at an angle).
    segno.make(url, error="m").save(
        buffer,
        kind="svg",
        border=4,
        omitsize=True,
        xmldecl=False,
        dark="#000",
        light="#fff",
        title="QR code for the classroom's voting page",
    )
    return buffer.getvalue()
