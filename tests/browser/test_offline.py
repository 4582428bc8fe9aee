"""Every page of the app, in Chromium, fetches nothing from another host and breaks no Content-Security-Policy.

tests/web/test_pages.py reads the HTML; this watches what the browser really requests once the scripts run
(Swagger UI on /docs, the widget on /, the presenter page with its QR code, the voting page).
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.app_server import AppServer

pytestmark = pytest.mark.browser


def test_no_page_fetches_anything_from_another_host(chromium: Any, app_server: AppServer) -> None:
    room = httpx.post(app_server.url + "/api/v1/classrooms", json={"scenario_id": "caring_for_mum"}).json()
    context = chromium.new_context(viewport={"width": 1100, "height": 900})
    requested: list[str] = []
    problems: list[str] = []
    context.on("request", lambda request: requested.append(request.url))
    context.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    try:
        page = context.new_page()
        # Failed loads are listed with their address by the response handler above.
        page.on(
            "console",
            lambda m: problems.append(m.text) if m.type == "error" and "Failed to load" not in m.text else None,
        )
        page.on("pageerror", lambda e: problems.append(str(e)))

        page.goto(app_server.url + "/docs")
        page.wait_for_selector(".opblock", timeout=20_000)  # Swagger UI ran and read /openapi.json
        assert page.locator(".opblock").count() > 10

        page.goto(app_server.url + "/")
        page.click("threshold-guide .launcher")
        page.wait_for_selector("threshold-guide .log .msg.bot")

        page.goto(app_server.url + "/embed")
        page.wait_for_selector("threshold-guide .log .msg.bot")

        page.goto(app_server.url + "/trainer")
        page.wait_for_selector("#scenario-select option[value=caring_for_mum]", state="attached")
        page.select_option("#scenario-select", "caring_for_mum")
        with page.expect_response(lambda r: r.url.endswith("/qr.svg")) as qr:
            page.click("#open-room")
        assert qr.value.ok
        page.wait_for_selector("#room-qr[src]")

        page.goto(app_server.url + "/join")
        page.wait_for_selector("#code-input")
        page.goto(room["join_url"])
        page.wait_for_selector("#vote-form:not([hidden])")
    finally:
        context.close()
    assert any(url.endswith("/docs/assets/swagger-ui-bundle.js") for url in requested)
    assert any("/qr.svg" in url for url in requested)
    elsewhere = [url for url in requested if not url.startswith((app_server.url + "/", "data:", "blob:"))]
    assert elsewhere == []
    assert problems == []  # a CSP violation or a script error shows here
