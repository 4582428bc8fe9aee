"""FastAPI dependencies: the content, the store and the settings of the running app.

Why `async def`: they only read app.state, and FastAPI runs a plain `def` dependency on the thread pool,
which costs a thread hop per dependency per request (the largest overhead in bench/load.py profiles).
"""

from __future__ import annotations

from typing import Annotated, NamedTuple

from fastapi import Depends, Request

from app.config import Settings
from app.core.models import Content
from app.store import Store


async def get_content(request: Request) -> Content:
    return request.app.state.content  # type: ignore[no-any-return]


async def get_store(request: Request) -> Store:
    return request.app.state.store  # type: ignore[no-any-return]


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


class Services(NamedTuple):
    content: Content
    store: Store
    settings: Settings


def services(request: Request) -> Services:
    """All three at once, called by the assessment routes that run on every turn. Why not a dependency: FastAPI
    solves each one on every request, about 3% of a turn's instructions (bench/RESULTS.md)."""
    state = request.app.state
    return Services(state.content, state.store, state.settings)


ContentDep = Annotated[Content, Depends(get_content)]
StoreDep = Annotated[Store, Depends(get_store)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
