"""Anonymous usage counts for the quality assurance group, kept as store counters under `analytics:`.

Only levels, route ids, ISO weeks and feature names are counted: never text, ids of people or addresses.
Counting must never break the request it describes, so a store outage is logged and ignored.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import AsyncIterator
from typing import Any

from fastapi import Depends

from app.core import engine
from app.store import Store, StoreUnavailable
from app.web.deps import StoreDep

log = logging.getLogger("threshold.analytics")
PREFIX = "analytics:"


def _key(*parts: str | int) -> str:
    return PREFIX + ":".join(str(p) for p in parts)


async def count(store: Store, *parts: str | int) -> None:
    """Add one to the counter `analytics:<part>:<part>...`, e.g. count(store, "triage", "level", 3)."""
    try:
        await store.incr(_key(*parts))
    except StoreUnavailable as exc:
        log.warning("analytics count skipped: %s", exc)


def counted(*parts: str) -> Any:
    """A route dependency that counts each successful call: `dependencies=[analytics.counted("triage")]`.

    The count happens after the handler returns, so refused or failed requests are not counted.
    """

    async def count_after_success(store: StoreDep) -> AsyncIterator[None]:
        yield
        await count(store, *parts)

    return Depends(count_after_success)


def iso_week(today: dt.date | None = None) -> str:
    year, week, _ = (today or dt.date.today()).isocalendar()
    return f"{year}-W{week:02d}"


async def count_completed_assessment(
    store: Store, assessment_id: str, outcome: engine.Outcome | None, ttl: int, channel: str = "api"
) -> None:
    """Count an assessment once, when an answer first completes it: by level, by route, by ISO week and by
    channel (api: the assessments API; chat, rest: Rasa's REST channel; rasa: the Rasa actions).

    Why the marker: someone may change an answer after finishing; the marker (the random assessment id,
    expiring with the session) stops that being counted as a second assessment.
    """
    if outcome is None:
        return
    try:
        if await store.incr(f"analytics-seen:{assessment_id}", ttl=ttl) != 1:
            return
    except StoreUnavailable as exc:
        log.warning("analytics count skipped: %s", exc)
        return
    keys = [_key("assessments", "level", outcome.level)]
    keys += [_key("assessments", "route", route.id) for route in outcome.routes]
    keys.append(_key("assessments", "week", iso_week()))
    keys.append(_key("assessments", "channel", channel))
    try:
        await store.incr_each(keys)  # one round trip for the whole count
    except StoreUnavailable as exc:
        log.warning("analytics count skipped: %s", exc)


async def read_counts(store: Store) -> dict[str, dict[str, int]]:
    """All analytics counters grouped: {"assessments:level": {"3": 12, ...}, "triage:level": {...}}."""
    groups: dict[str, dict[str, int]] = {}
    for key, value in sorted((await store.counters(PREFIX)).items()):
        group, _, label = key.removeprefix(PREFIX).rpartition(":")
        groups.setdefault(group or label, {})[label if group else "total"] = value
    return groups
