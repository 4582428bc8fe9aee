"""Shared fixtures: apps built with explicit settings, on the tiny fixture content or the real content."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.config import REPO_ROOT, Settings
from app.content import load_content
from app.core.models import Content
from app.main import create_app
from app.store import Record
from tests.redis_server import redis_server, redis_url  # noqa: F401  (fixtures for @pytest.mark.redis tests)

FIXTURE_CONTENT = Path(__file__).parent / "fixtures" / "content"


@pytest.fixture(scope="session")
def fixture_content() -> Content:
    return load_content(FIXTURE_CONTENT)


@pytest.fixture(scope="session")
def content() -> Content:
    """The real content in rules/ and dialogues/."""
    return load_content(REPO_ROOT)


def make_settings(tmp_path: Path, content_dir: Path = REPO_ROOT, **overrides: object) -> Settings:
    return Settings(
        content_dir=content_dir, session_store=f"sqlite:///{tmp_path}/threshold.db", data_dir=tmp_path, **overrides
    )  # type: ignore[arg-type]


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    """A client for the app on the real content and a fresh SQLite file."""
    with TestClient(create_app(make_settings(tmp_path))) as test_client:
        yield test_client


@pytest.fixture
def fixture_client(tmp_path: Path) -> Iterator[TestClient]:
    """A client for the app on the tiny fixture content."""
    with TestClient(create_app(make_settings(tmp_path, FIXTURE_CONTENT))) as test_client:
        yield test_client


@pytest.fixture
def whole_window() -> None:
    """Rate-limit windows are whole wall-clock minutes: start a counting test well inside one."""
    left = 60 - time.time() % 60
    if left < 5:
        time.sleep(left + 0.1)


def stored(client: TestClient, kind: str, key: str) -> Record | None:
    """A record from the app's store, read on the app's own event loop (the store is async)."""
    return client.portal.call(client.app.state.store.get, kind, key)  # type: ignore[attr-defined,union-attr]
