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


async def get_services(request: Request) -> Services:
    """All three at once, for the assessment routes that run on every turn: FastAPI solves each dependency
    separately, so one instead of three is a measurable part of a turn (bench/pipeline.py)."""
    state = request.app.state
    return Services(state.content, state.store, state.settings)


ContentDep = Annotated[Content, Depends(get_content)]
StoreDep = Annotated[Store, Depends(get_store)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
ServicesDep = Annotated[Services, Depends(get_services)]
