"""Browser fixtures: the real app under uvicorn (a subprocess, on the real content) and Debian's Chromium via
Playwright (no browser download: `executable_path` is Debian's /usr/bin/chromium).

Named apart from the fixtures in test_widget.py (its app runs in a thread, with a partner origin allowed) so
that neither shadows the other.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.app_server import AppServer
from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS


@pytest.fixture(scope="session")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    """The app on the real content (with its scenarios), rate limits off: a whole room shares one address."""
    data = tmp_path_factory.mktemp("app")
    app = AppServer(f"sqlite:///{data}/threshold.db", data)
    app.env["THRESHOLD_RATE_LIMIT"] = "off"
    app.start()
    yield app
    app.stop()


# Module scope: a sync Playwright keeps an event loop running in this thread while it is open, which would
# break the next module's Playwright and any later test that calls asyncio.run().
@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists():
        pytest.skip("needs Debian's chromium at /usr/bin/chromium")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()
