"""Garbage collection is off from importing app.main until the app has started, then on for good."""

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
    assert run.stdout.splitlines() == ["after import False", "after create_app False", "started True True"]


def test_collection_is_on_once_an_app_has_started(fixture_client: TestClient) -> None:
    assert fixture_client.get("/readyz").status_code == 200
    assert gc.isenabled()
