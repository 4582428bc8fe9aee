"""The widget in Chromium against the real app and content, as issue 15 asks: a typed danger "yes" and the
act-now card, a typed age and its echo, removing one recognised item, a 12,000-character paste, tap-to-call
links, and the phone layout at 390x844 (with a screenshot of a Level 3 outcome).

The widget renders the chat's wire contract (app/conversation/messages.py); these tests drive it through its
buttons and text box, and read the replies both as the API sent them and as the widget shows them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from app.config import REPO_ROOT
from tests.app_server import AppServer

pytestmark = pytest.mark.browser

AXE = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOT = REPO_ROOT / "var" / "widget-level3-phone.png"
LOG = "threshold-guide .log"
INPUT = "threshold-guide textarea"
ROOT = "document.querySelector('threshold-guide').shadowRoot"
PAYLOAD = re.compile(r"^/(\w+)(\{.*\})?$", re.DOTALL)
TEL = re.compile(r"^tel:\+?[0-9]{3,15}$")
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}

Body = dict[str, Any]


# --- Driving the widget ---------------------------------------------------------------------------


def turn(page: Any, act: Callable[[], None]) -> Body:
    """Do something that sends one chat message; the reply as the API sent it, once the widget has shown it."""
    with page.expect_response(lambda r: r.url.endswith("/api/v1/chat") and r.request.method == "POST") as reply:
        act()
    body: Body = reply.value.json()
    assert reply.value.ok, f"{reply.value.status}: {body}"
    page.wait_for_function(f"{ROOT}.querySelector('.log').getAttribute('aria-busy') === 'false'")
    return body


def open_widget(page: Any, url: str, tap: bool = False) -> Body:
    page.goto(url + "/")
    launcher = page.locator("threshold-guide .launcher")
    body = turn(page, launcher.tap if tap else launcher.click)
    settle(page)
    return body


def settle(page: Any) -> None:
    """Wait for the panel's rise and the messages' fade-in to finish, so that boxes and colours are final."""
    page.evaluate(f"() => Promise.all({ROOT}.getAnimations().map(a => a.finished))")


def choice(page: Any, title: str) -> Any:
    return page.locator(f"{LOG} .choices button").filter(has_text=re.compile(rf"^{re.escape(title)}$")).first


def click(page: Any, title: str, tap: bool = False) -> Body:
    button = choice(page, title)
    return turn(page, button.tap if tap else button.click)


def send(page: Any, text: str) -> Body:
    page.fill(INPUT, text)
    return turn(page, lambda: page.press(INPUT, "Enter"))


def kinds(body: Body) -> list[str]:
    return [m["kind"] for m in body["messages"]]


def parsed(payload: str) -> tuple[str, dict[str, Any]]:
    match = PAYLOAD.match(payload)
    assert match is not None, payload
    return match[1], json.loads(match[2]) if match[2] else {}


def question(body: Body) -> tuple[str, list[dict[str, str]]] | None:
    """The question the reply asks: its id and its buttons."""
    for message in reversed(body["messages"]):
        if message["kind"] == "question":
            for button in message["buttons"]:
                _, args = parsed(button["payload"])
                if "question_id" in args:
                    return str(args["question_id"]), message["buttons"]
    return None


def button_for(buttons: list[dict[str, str]], action: str, value: object) -> str:
    for button in buttons:
        name, args = parsed(button["payload"])
        if name == action and args.get("value") == value:
            return button["title"]
    raise AssertionError(f"no {action} button for {value!r} in {[b['title'] for b in buttons]}")


def answer_as(page: Any, body: Body, answers: dict[str, Any], tap: bool = False, limit: int = 80) -> Body:
    """Answer each question the chat asks with `answers[question_id]`, clicking the buttons that carry it."""
    for _ in range(limit):
        if "outcome" in kinds(body):
            return body
        asked = question(body)
        assert asked is not None, f"neither a question nor an outcome: {kinds(body)}"
        question_id, buttons = asked
        value = answers[question_id]
        if isinstance(value, list) and value:
            for item in value:
                body = click(page, button_for(question(body)[1], "toggle", item), tap)  # type: ignore[index]
            body = click(page, "Done", tap)
        else:
            body = click(page, button_for(buttons, "answer", value), tap)
    raise AssertionError("the outcome never came")


def answer_no_until(page: Any, body: Body, question_id: str) -> Body:
    """Answer No / None of these (the oldest age band) until the chat asks `question_id`."""
    for _ in range(40):
        asked = question(body)
        assert asked is not None, kinds(body)
        if asked[0] == question_id:
            return body
        titles = [b["title"] for b in asked[1]]
        title = next(t for t in ("No", "None of these", "12 to 17 years") if t in titles)
        body = click(page, title)
    raise AssertionError(f"{question_id} was never asked")


def level_3_scenario(url: str) -> dict[str, Any]:
    """A scenario whose answers reach Level 3 (not immediate danger), as the engine computes it today."""
    for item in httpx.get(url + "/api/v1/scenarios").json():
        if item["level"] == 3:
            walk = httpx.get(f"{url}/api/v1/scenarios/{item['id']}/walkthrough").json()
            if not walk["outcome"]["immediate_danger"]:
                return dict(httpx.get(f"{url}/api/v1/scenarios/{item['id']}").json())
    raise AssertionError("no Level 3 scenario in the content")


def axe_violations(page: Any) -> list[str]:
    if not AXE.exists():
        pytest.skip("needs node_modules/axe-core (make test installs it)")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async () => {
            const roots = [document, ...[...document.querySelectorAll('threshold-guide')].map(h => h.shadowRoot)];
            await Promise.all(roots.filter(Boolean).flatMap(r => r.getAnimations()).map(a => a.finished));
            const r = await axe.run(document, {runOnly: {type: 'tag',
                values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}});
            return r.violations.filter(v => ['serious', 'critical'].includes(v.impact))
                .map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '));
        }"""
    )
    return list(result)


def call_links(page: Any, within: str) -> list[dict[str, str | None]]:
    links = page.locator(f"{within} a[href^='tel:']")
    return list(
        links.evaluate_all(
            "ns => ns.map(a => ({href: a.getAttribute('href'), target: a.getAttribute('target'), text: a.textContent}))"
        )
    )


@pytest.fixture
def context(chromium: Any) -> Iterator[Any]:
    # bypass_csp lets the test inject axe-core into the strict-CSP pages; the widget never needs it.
    ctx = chromium.new_context(viewport={"width": 1100, "height": 900}, bypass_csp=True)
    yield ctx
    ctx.close()


@pytest.fixture
def phone(chromium: Any) -> Iterator[Any]:
    ctx = chromium.new_context(**PHONE, bypass_csp=True)
    yield ctx
    ctx.close()


# --- Tests -----------------------------------------------------------------------------------------


def test_a_typed_danger_yes_brings_the_act_now_card_at_once(context: Any, app_server: AppServer) -> None:
    page = context.new_page()
    open_widget(page, app_server.url)
    asked = click(page, "Which level is this?")
    assert question(asked) is not None
    body = send(page, "yes he's going home tonight")
    assert "act_now" in kinds(body), kinds(body)
    card = page.locator(f"{LOG} .msg.act_now").last
    assert card.is_visible()
    text = card.inner_text()
    assert "999" in text and "MASH" in text
    # Prominent: a thick red border, and first in the reply (nothing to read before it).
    assert card.evaluate("n => parseFloat(getComputedStyle(n).borderTopWidth)") >= 3
    assert card.evaluate("n => getComputedStyle(n).borderTopColor") == "rgb(164, 22, 26)"
    assert kinds(body)[0] in ("act_now", "alert")
    calls = call_links(page, f"{LOG} .msg.act_now")
    assert any(c["href"] == "tel:999" for c in calls), calls
    assert axe_violations(page) == []
    # Going on: every later reply starts with the 999 alert.
    body = click(page, "Go on with the questions")
    assert kinds(body)[0] == "alert", kinds(body)
    assert "999" in page.locator(f"{LOG} .msg.alert").last.inner_text()


def test_a_typed_age_is_read_as_an_age_and_echoed(context: Any, app_server: AppServer) -> None:
    page = context.new_page()
    open_widget(page, app_server.url)
    body = answer_no_until(page, click(page, "Which level is this?"), "age_stage")
    body = send(page, "7")
    assert "recorded" in kinds(body), kinds(body)
    echo = page.locator(f"{LOG} .msg.recorded").last
    assert echo.is_visible()
    assert re.search(r"Recorded: 5 to 11", echo.inner_text()), echo.inner_text()
    # The next question follows the echo (the age was recorded, not asked again).
    asked = question(body)
    assert asked is None or asked[0] != "age_stage"


def test_one_recognised_item_can_be_removed_on_its_own(context: Any, app_server: AppServer) -> None:
    page = context.new_page()
    open_widget(page, app_server.url)
    click(page, "Describe the concern")
    body = send(
        page,
        "Year 9 girl, attendance is 85% this term and she is often late. "
        "Mum says there is often no food in the house and the electricity has been cut off.",
    )
    assert "evidence" in kinds(body), kinds(body)
    evidence = next(m for m in body["messages"] if m["kind"] == "evidence")["evidence"]
    assert len(evidence) >= 2, evidence
    message = page.locator(f"{LOG} .msg.evidence").last
    shown = message.locator("li")
    assert shown.count() == len(evidence)
    words = message.evaluate(
        "n => { const c = n.cloneNode(true); c.querySelectorAll('button').forEach(b => b.remove()); return c.textContent; }"
    )
    for item in evidence:  # each item once: in the list with its button, not again in the text above it
        assert words.count(item["label"]) == 1, item["label"]
    for item, row in zip(evidence, shown.all(), strict=True):
        assert item["label"] in row.inner_text()
        for words in item["matched"]:
            assert f"\u201c{words}\u201d" in row.inner_text()  # the words that matched, quoted
    gone = evidence[0]
    remove = shown.first.get_by_role("button", name=re.compile(re.escape(gone["label"])))
    body = turn(page, remove.click)
    left = next(m for m in body["messages"] if m["kind"] == "evidence")["evidence"]
    assert [i["id"] for i in left] == [i["id"] for i in evidence[1:]]
    latest = page.locator(f"{LOG} .msg.evidence").last.locator("li")
    assert latest.count() == len(evidence) - 1
    assert not any(gone["label"] in row for row in latest.all_inner_texts())
    assert axe_violations(page) == []


def test_a_12000_character_paste_is_sent_whole(context: Any, app_server: AppServer) -> None:
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=app_server.url)
    page = context.new_page()
    open_widget(page, app_server.url)
    click(page, "Describe the concern")
    entry = "Chronology entry: he attended school today, ate his lunch and played football at break. "
    note = (entry * (12_000 // len(entry) + 1))[: 12_000 - 80]
    note += " Today: belt marks on his back and he is scared to go home tonight."
    note = note[-12_000:].rjust(12_000, ".")
    assert len(note) == 12_000
    page.evaluate("text => navigator.clipboard.writeText(text)", note)
    page.focus(INPUT)
    page.keyboard.press("Control+V")
    assert page.input_value(INPUT) == note  # pasted whole: no maxlength cut it
    assert page.locator("threshold-guide .counter").is_hidden()  # quiet below 15,000
    body = turn(page, lambda: page.press(INPUT, "Enter"))
    sent = page.locator(f"{LOG} .msg.user").last
    assert "Show all 12,000 characters sent" in sent.inner_text()
    assert "scared to go home tonight" in sent.inner_text()  # the end of the note is in view
    assert "error" not in (page.locator(f"{LOG} .msg.bot").last.get_attribute("class") or "")
    # The gravest fact, at the very end, was read: a danger alert, or evidence quoting its words.
    matched = " ".join(w for m in body["messages"] for i in m.get("evidence", []) for w in i["matched"])
    assert {"act_now", "alert"} & set(kinds(body)) or re.search(r"belt|scared|go home", matched), body


def test_the_counter_says_when_a_note_is_over_the_limit_and_nothing_is_cut(context: Any, app_server: AppServer) -> None:
    page = context.new_page()
    open_widget(page, app_server.url)
    counter = page.locator("threshold-guide .counter")
    page.fill(INPUT, "a" * 15_500)
    assert counter.is_visible()
    assert counter.inner_text() == "15,500 of 20,000 characters"
    page.fill(INPUT, "b" * 20_500)
    assert "500 over the 20,000 limit" in counter.inner_text()
    assert page.get_attribute(INPUT, "aria-invalid") == "true"
    users = page.locator(f"{LOG} .msg.user").count()
    page.press(INPUT, "Enter")
    assert "Not sent" in page.locator("threshold-guide .status").inner_text()
    assert page.locator(f"{LOG} .msg.user").count() == users  # nothing went
    assert len(page.input_value(INPUT)) == 20_500  # and nothing was cut
    page.fill(INPUT, "")
    assert counter.is_hidden()


def test_phone_numbers_are_tap_to_call_links(context: Any, app_server: AppServer) -> None:
    page = context.new_page()
    open_widget(page, app_server.url)
    click(page, "Which level is this?")
    body = click(page, "Yes")  # a child is in immediate danger
    links = [link for m in body["messages"] for link in m["links"]]
    assert any(link["url"] == "tel:999" for link in links), links
    calls = call_links(page, LOG)
    assert calls, "no tap-to-call link shown"
    for call in calls:
        assert TEL.match(call["href"] or ""), call
        assert call["target"] is None  # the phone's dialler, not a new tab
    for message in body["messages"]:
        numbers = [link["url"] for link in message["links"] if link["url"].startswith("tel:")]
        assert len(numbers) == len(set(numbers)), message
    # A plain question about a number gets the number to tap, exactly as the chat sent it.
    body = send(page, "what's the MASH number")
    sent = [link["url"] for link in body["messages"][-1]["links"] if link["url"].startswith("tel:")]
    assert sent, body
    latest = page.locator(f"{LOG} .msg.bot").last.locator("a[href^='tel:']")
    shown = latest.evaluate_all("ns => ns.map(a => a.getAttribute('href'))")
    assert shown == sent


def test_the_phone_layout_at_390_by_844(phone: Any, app_server: AppServer) -> None:
    page = phone.new_page()
    body = open_widget(page, app_server.url, tap=True)
    box = page.locator("threshold-guide .panel").bounding_box()
    assert box is not None
    assert (box["x"], box["y"], box["width"], box["height"]) == (0, 0, 390, 844)  # full screen
    # The header on one line: the title and both buttons share a row.
    parts = page.locator("threshold-guide .bar > :visible").all()
    boxes = [p.bounding_box() for p in parts]
    assert len(boxes) == 3
    assert max(b["y"] for b in boxes) < min(b["y"] + b["height"] for b in boxes), boxes
    assert page.locator("threshold-guide .bar h2").evaluate("n => n.scrollWidth <= n.clientWidth + 1")

    # A tapped choice does not stay highlighted: whatever now sits under the finger has the plain background.
    target = choice(page, "Which level is this?")
    spot = target.bounding_box()
    assert spot is not None
    body = click(page, "Which level is this?", tap=True)
    under = page.evaluate(
        f"""([x, y]) => {{
            const node = {ROOT}.elementFromPoint(x, y);
            const button = node && node.closest('button');
            return button ? getComputedStyle(button).backgroundColor : null;
        }}""",
        [spot["x"] + spot["width"] / 2, spot["y"] + spot["height"] / 2],
    )
    assert under in (None, "rgb(255, 255, 255)"), under
    for background in page.locator(f"{LOG} .choices button").evaluate_all(
        "ns => ns.map(n => getComputedStyle(n).backgroundColor)"
    ):
        assert background == "rgb(255, 255, 255)"

    # A Level 3 outcome: a short top card with tap-to-call numbers, the rest in sections to open.
    scenario = level_3_scenario(app_server.url)
    body = answer_as(page, body, {a["question"]: a["value"] for a in scenario["answers"]}, tap=True)
    outcome = next(m for m in body["messages"] if m["kind"] == "outcome")
    assert outcome["text"].startswith("Level 3")
    assert len(outcome["text"].split()) <= 120, len(outcome["text"].split())
    shown = page.locator(f"{LOG} .msg.outcome").last
    assert shown.locator(".headline").inner_text().startswith("Level 3")
    # Focus moved to the outcome (for screen readers) shows no ring after a tap: rings are for keyboard users.
    assert shown.evaluate(f"n => {ROOT}.activeElement === n")
    assert shown.evaluate("n => getComputedStyle(n).outlineStyle") == "none"
    sections = shown.locator("details")
    assert sections.count() == len(outcome["sections"]) >= 2
    assert shown.locator("details[open]").count() == 0  # closed until tapped
    first = outcome["sections"][0]
    sections.first.locator("summary").tap()
    assert sections.first.locator(".section-text").is_visible()
    assert first["text"].split("\n")[0] in sections.first.inner_text()
    calls = call_links(page, f"{LOG} .msg.outcome")
    assert calls and all(TEL.match(c["href"] or "") for c in calls)
    assert page.locator(LOG).evaluate("n => n.scrollWidth - n.clientWidth") <= 1  # no sideways scrolling
    sections.first.locator("summary").tap()  # closed again for the picture, from the level down
    shown.evaluate("n => { n.parentElement.scrollTop = n.offsetTop - 8; }")
    settle(page)
    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOT))
    assert axe_violations(page) == []
