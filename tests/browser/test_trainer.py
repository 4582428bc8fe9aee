"""The trainer page and the voting page in Chromium: pick a scenario, open a room, vote from a 'phone',
watch the chart update, reveal, and see the result on both screens."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from app.config import REPO_ROOT
from tests.app_server import AppServer

pytestmark = pytest.mark.browser

VAR = REPO_ROOT / "var"
AXE = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCENARIO = "disagreeing_with_the_front_door"


def serious_axe_violations(page: Any) -> list[str]:
    if not AXE.exists():
        return []
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']}: {v['help']}" for v in result["violations"] if v["impact"] in ("serious", "critical")]


def level_label(page: Any, level: int) -> str:
    return " ".join(page.inner_text(f"label:has(input[value='{level}'])").split())


def test_trainer_runs_a_classroom_vote(chromium: Any, app_server: AppServer) -> None:
    VAR.mkdir(exist_ok=True)
    names = {level["level"]: level["name"] for level in httpx.get(app_server.url + "/api/v1/levels").json()}
    assert sorted(names) == [1, 2, 3, 4]
    errors: list[str] = []
    presenter_context = chromium.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    phone_context = chromium.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, bypass_csp=True)
    try:
        presenter = presenter_context.new_page()
        presenter.on("pageerror", lambda e: errors.append(str(e)))
        presenter.goto(app_server.url + "/trainer")
        presenter.wait_for_selector(f"#scenario-select option[value={SCENARIO}]", state="attached")
        presenter.select_option("#scenario-select", SCENARIO)
        presenter.wait_for_selector("#stages .stage")
        assert presenter.locator("#stages .stage").count() == 1
        presenter.click("#next-stage")
        assert presenter.locator("#stages .stage").count() == 2
        assert presenter.is_disabled("#next-stage")  # two stages in this scenario

        presenter.click("#open-room")
        presenter.wait_for_function("document.getElementById('room-code').textContent.length === 6")
        code = presenter.text_content("#room-code") or ""
        join_url = presenter.text_content("#join-url") or ""
        assert re.fullmatch(r"[A-HJ-NP-Z2-9]{6}", code)
        assert join_url.endswith(f"/join/{code}")
        # The QR code of the join link, drawn by the server, shown large enough to scan across a room.
        qr = presenter.locator("#room-qr")
        presenter.wait_for_function("document.getElementById('room-qr').complete")
        assert qr.evaluate("img => img.naturalWidth") > 0
        box = qr.bounding_box()
        assert box is not None and box["width"] >= 300 and box["height"] >= 300

        phone = phone_context.new_page()
        phone.on("pageerror", lambda e: errors.append(str(e)))
        phone.goto(join_url)
        phone.wait_for_function("document.getElementById('room-title').textContent !== 'Classroom vote'")
        assert phone.text_content("#room-title") == "Disagreeing with the front door"
        assert phone.is_visible("label:has(input[value=now])")
        assert "Call 999 now" in phone.inner_text("label:has(input[value=now])")
        # Each level is named as the content names it (the partnership's edits reach the page), never otherwise.
        phone.wait_for_function("document.getElementById('level-name-4').textContent !== 'Level 4'")
        assert [level_label(phone, n) for n in range(1, 5)] == [f"{n} {names[n]}" for n in range(1, 5)]
        phone.check("input[name=level][value='3']")
        phone.click("#vote-form button[type=submit]")
        phone.wait_for_selector("#my-vote:has-text('You voted: Level 3')")
        assert phone.text_content("#my-vote") == f"You voted: Level 3, {names[3]}."
        phone.check("input[name=level][value='4']")  # a change of mind replaces the vote
        phone.click("#vote-form button[type=submit]")
        phone.wait_for_selector("#my-vote:has-text('You voted: Level 4')")
        assert phone.text_content("#my-vote") == f"You voted: Level 4, {names[4]}."
        assert "Your vote is in" in (phone.text_content("#status") or "")
        phone.screenshot(path=str(VAR / "trainer-phone-vote.png"), full_page=True)

        # The chart polls: wait for the poll that has seen the changed vote, not the one before it.
        presenter.wait_for_function(
            "[...document.querySelectorAll('#chart .count')].map(c => c.textContent).join() === '0,0,0,0,1'",
            timeout=10_000,
        )
        assert presenter.text_content("#vote-total") == "1 vote"
        counts = presenter.locator("#chart .count").all_inner_texts()
        assert counts == ["0", "0", "0", "0", "1"]  # Call 999, Level 1, 2, 3, 4
        presenter.screenshot(path=str(VAR / "trainer-votes.png"), full_page=True)

        presenter.click("#reveal")
        presenter.wait_for_selector("#result .result h3")
        assert "level 4" in (presenter.text_content("#result .result h3") or "")
        assert presenter.is_disabled("#reveal")

        phone.wait_for_selector("#result .result", timeout=10_000)
        assert f"level 4, {names[4]}" in (phone.text_content("#result h2") or "")
        assert phone.is_disabled("#vote-form button[type=submit]")
        # The phone keeps showing what was voted, beside the guidance, and after a reload too.
        assert "You voted: Level 4" in (phone.text_content("#my-vote") or "")
        assert phone.is_checked("input[name=level][value='4']")
        phone.reload()
        phone.wait_for_selector("#result .result")
        assert "You voted: Level 4" in (phone.text_content("#my-vote") or "")
        phone.screenshot(path=str(VAR / "trainer-phone-result.png"), full_page=True)

        presenter.click("#show-walk")
        presenter.wait_for_selector("#steps li")
        presenter.click("#all-steps")
        presenter.wait_for_selector("#outcome .result h3")
        assert "Level 4" in (presenter.text_content("#outcome .result h3") or "")
        badges = presenter.locator("#steps .badge").all_inner_texts()
        assert badges[-1] == "level so far 4"
        presenter.screenshot(path=str(VAR / "trainer-walkthrough.png"), full_page=True)

        assert serious_axe_violations(presenter) == []
        assert serious_axe_violations(phone) == []
        assert errors == []
    finally:
        presenter_context.close()
        phone_context.close()


@pytest.mark.parametrize("failure", ["network", "server"])
def test_vote_page_without_the_level_names_shows_level_numbers(
    chromium: Any, app_server: AppServer, failure: str
) -> None:
    opened = httpx.post(app_server.url + "/api/v1/classrooms", json={"scenario_id": SCENARIO}).json()
    context = chromium.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    errors: list[str] = []
    try:
        page = context.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        if failure == "network":
            page.route("**/api/v1/levels", lambda route: route.abort())
        else:
            page.route("**/api/v1/levels", lambda route: route.fulfill(status=503, body="{}"))
        page.goto(opened["join_url"])
        page.wait_for_selector("#vote-form:not([hidden])")
        page.check("input[name=level][value='2']")
        page.click("#vote-form button[type=submit]")
        page.wait_for_selector("#my-vote:has-text('You voted')")
        assert [level_label(page, n) for n in range(1, 5)] == [f"{n} Level {n}" for n in range(1, 5)]
        assert page.text_content("#my-vote") == "You voted: Level 2."
        assert errors == []
    finally:
        context.close()


def test_join_page_for_an_unknown_room(chromium: Any, app_server: AppServer) -> None:
    context = chromium.new_context(viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        page.goto(app_server.url + "/join/ZZZZZZ")
        page.wait_for_selector("#status:has-text('No classroom with the code ZZZZZZ')")
        assert page.is_hidden("#vote-form")
    finally:
        context.close()


def test_join_with_a_typed_code(chromium: Any, app_server: AppServer) -> None:
    opened = httpx.post(app_server.url + "/api/v1/classrooms", json={"scenario_id": SCENARIO}).json()
    context = chromium.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, bypass_csp=True
    )
    try:
        page = context.new_page()
        page.goto(app_server.url + "/join")
        assert page.is_visible("#code-input") and page.is_hidden("#vote-form")
        assert page.evaluate("document.activeElement.id") == "code-input"
        page.fill("#code-input", " " + opened["code"].lower() + " ")  # as a phone keyboard might type it
        page.click("#code-form button[type=submit]")
        page.wait_for_url(f"**/join/{opened['code']}")
        page.wait_for_selector("#vote-form:not([hidden])")
        assert page.text_content("#room-title") == "Disagreeing with the front door"
        assert page.is_hidden("#code-form")
        assert serious_axe_violations(page) == []
        page.goto(app_server.url + "/join")
        page.fill("#code-input", "ZZZZZZ")
        page.press("#code-input", "Enter")
        page.wait_for_selector("#status:has-text('No classroom with the code ZZZZZZ')")
        assert page.is_visible("#code-input")  # the box is offered again to correct the code
        assert page.input_value("#code-input") == "ZZZZZZ"
        assert page.text_content("#room-summary") == ""  # no "Opening classroom…" left behind
    finally:
        context.close()


def test_call_999_now_is_offered_and_revealed_for_a_child_in_danger(chromium: Any, app_server: AppServer) -> None:
    scenarios = httpx.get(app_server.url + "/api/v1/scenarios").json()
    danger = [
        s["id"]
        for s in scenarios
        if httpx.get(f"{app_server.url}/api/v1/scenarios/{s['id']}/walkthrough").json()["outcome"]["immediate_danger"]
    ]
    if not danger:
        pytest.skip("no scenario in the content has a child in immediate danger")
    opened = httpx.post(app_server.url + "/api/v1/classrooms", json={"scenario_id": danger[0]}).json()
    context = chromium.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        page.goto(opened["join_url"])
        page.wait_for_selector("#vote-form:not([hidden])")
        page.check("input[name=level][value=now]")
        page.click("#vote-form button[type=submit]")
        page.wait_for_selector("#my-vote:has-text('You voted: Call 999 now')")
        auth = {"Authorization": f"Bearer {opened['trainer_token']}"}
        httpx.post(f"{app_server.url}/api/v1/classrooms/{opened['code']}/reveal", headers=auth).raise_for_status()
        page.wait_for_selector("#result .result.danger", timeout=10_000)
        assert "call 999 now" in (page.text_content("#result h2") or "")
        assert "You voted: Call 999 now" in (page.text_content("#my-vote") or "")
    finally:
        context.close()
