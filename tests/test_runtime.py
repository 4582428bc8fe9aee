"""Garbage collection is off from create_app until the app has started, then on for good; importing changes nothing."""

from __future__ import annotations

import gc
import subprocess
import sys

from fastapi.testclient import TestClient

from app.config import REPO_ROOT
from tests.conftest import FIXTURE_CONTENT

START_IN_A_FRESH_PROCESS = f"""
import asyncio, gc, sys, tempfile
import app.main
from app.config import Settings
print("after import", gc.isenabled())
with tempfile.TemporaryDirectory() as tmp:
    app_ = app.main.create_app(Settings(content_dir={str(FIXTURE_CONTENT)!r}, session_store=f"sqlite:///{{tmp}}/t.db"))
    print("after create_app", gc.isenabled())

    async def start() -> None:
        async with app_.router.lifespan_context(app_):
            print("started", gc.isenabled(), gc.get_freeze_count() > 0)

    asyncio.run(start())
"""


def test_collection_waits_for_start_up_then_resumes_with_start_up_objects_frozen() -> None:
    run = subprocess.run(
        [sys.executable, "-c", START_IN_A_FRESH_PROCESS], cwd=REPO_ROOT, capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == ["after import True", "after create_app False", "started True True"]


IMPORT_EVERYTHING = """
import gc, pkgutil, importlib, app
for module in pkgutil.walk_packages(app.__path__, "app."):
    if not module.name.startswith(("app.rasa.actions", "app.__main__", "app.content.__main__")):
        importlib.import_module(module.name)
print(gc.isenabled(), gc.get_freeze_count())
"""


def test_importing_the_app_leaves_the_collector_alone() -> None:
    run = subprocess.run(
        [sys.executable, "-c", IMPORT_EVERYTHING], cwd=REPO_ROOT, capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["True", "0"]


def test_collection_is_on_once_an_app_has_started(fixture_client: TestClient) -> None:
    assert fixture_client.get("/readyz").status_code == 200
    assert gc.isenabled()


START_ON_REDIS = f"""
import asyncio, gc
import app.main
from app.config import Settings
app_ = app.main.create_app(Settings(content_dir={str(FIXTURE_CONTENT)!r}, session_store="redis://127.0.0.1:1/0"))

async def start() -> None:
    async with app_.router.lifespan_context(app_):  # opening a Redis store does not connect yet
        import redis.asyncio.client
        walked = any(o is redis.asyncio.client.Redis for generation in (0, 1, 2) for o in gc.get_objects(generation))
        print("redis client walked by collections:", walked)

asyncio.run(start())
"""


def test_the_redis_client_imported_at_start_up_is_frozen_too() -> None:
    """The Redis store imports its client when it opens; left unfrozen, every full collection walks it (26 ms)."""
    run = subprocess.run(
        [sys.executable, "-c", START_ON_REDIS], cwd=REPO_ROOT, capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == ["redis client walked by collections: False"]
