"""The widget in a real browser: Debian's Chromium driven by Playwright, against the app under uvicorn."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
import uvicorn

from app.config import REPO_ROOT, Settings
from app.main import create_app
from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.browser

playwright_api = pytest.importorskip("playwright.sync_api")
AXE = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOT = REPO_ROOT / "var" / "widget-outcome.png"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# A page on another site that embeds the widget: "localhost" is another origin than the app's 127.0.0.1, and
# both are loopback, so Chromium's private-network rules allow the calls.
HOST_PORT = free_port()
HOST_ORIGIN = f"http://localhost:{HOST_PORT}"
LEVEL = re.compile(r"Level [1-4]")

# Selectors pierce the open shadow root (Playwright's CSS engine does that by default).
LAUNCHER = "threshold-guide .launcher"
PANEL = "threshold-guide .panel"
LOG = "threshold-guide .log"
INPUT = "threshold-guide textarea"


@dataclass(frozen=True)
class AppServer:
    url: str


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    """The app under uvicorn in a thread, on a free loopback port and a temporary SQLite file."""
    data = tmp_path_factory.mktemp("widget")
    settings = Settings(
        content_dir=REPO_ROOT,
        session_store=f"sqlite:///{data}/threshold.db",
        data_dir=data,
        allowed_origins=HOST_ORIGIN,
        rate_limit="off",
        log_level="WARNING",
    )
    port = free_port()
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning", access_log=False)
    uvicorn_server = uvicorn.Server(config)
    thread = threading.Thread(target=uvicorn_server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not uvicorn_server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the app did not start")
        time.sleep(0.05)
    yield AppServer(f"http://127.0.0.1:{port}")
    uvicorn_server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")  # see tests/browser/conftest.py: a sync Playwright must close with its module
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("needs Debian's chromium (make test installs it)")
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    # bypass_csp lets the test inject axe-core into our strict-CSP pages; the widget itself never needs it.
    ctx = browser.new_context(viewport={"width": 1100, "height": 900}, bypass_csp=True)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: Any, server: AppServer) -> Any:
    page = context.new_page()
    page.goto(server.url + "/")
    return page


def open_panel(page: Any) -> None:
    page.click(LAUNCHER)
    page.wait_for_selector(f"{LOG} .msg.bot")


def bot_messages(page: Any) -> list[str]:
    return page.locator(f"{LOG} .msg.bot").all_inner_texts()


def click_choice(page: Any, title: str) -> None:
    count = len(bot_messages(page))
    page.locator(f"{LOG} .choices button", has_text=title).first.click()
    page.wait_for_function(
        "n => document.querySelector('threshold-guide').shadowRoot.querySelectorAll('.msg.bot').length > n", arg=count
    )


def latest_choices(page: Any) -> list[str]:
    return page.locator(f"{LOG} .choices button").all_inner_texts()


# The quiet answer to each kind of question: no concern (or the oldest age band).
QUIET = ("No", "None of these", "Not that I know of", "12 to 17 years")


def answer_all_no(page: Any, limit: int = 60) -> None:
    """Answer every question with its quiet answer (QUIET) until the outcome shows."""
    for _ in range(limit):
        if page.locator(f"{LOG} .msg.outcome").count():
            return
        choices = latest_choices(page)
        for title in QUIET:
            if title in choices:
                click_choice(page, title)
                break
        else:
            raise AssertionError(f"no way forward from choices {choices}")
    raise AssertionError("the outcome never came")


def axe_violations(page: Any) -> list[dict[str, Any]]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async () => {
            // Messages fade in: measure contrast once every animation has finished, not half-way through.
            const roots = [document, ...[...document.querySelectorAll('threshold-guide')].map(h => h.shadowRoot)];
            await Promise.all(roots.filter(Boolean).flatMap(r => r.getAnimations()).map(a => a.finished));
            const r = await axe.run(document, {runOnly: {type: 'tag',
                values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}});
            return r.violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target)}));
        }"""
    )
    return [v for v in result if v["impact"] in ("serious", "critical")]


def test_launcher_opens_the_panel_and_escape_closes_it(page: Any) -> None:
    launcher = page.get_by_role("button", name=re.compile("threshold", re.I))
    assert launcher.get_attribute("aria-expanded") == "false"
    launcher.click()
    page.wait_for_selector(f"{LOG} .msg.bot")
    assert page.locator(PANEL).is_visible()
    log = page.locator(LOG)
    assert log.get_attribute("role") == "log"
    assert log.get_attribute("aria-live") == "polite"
    assert "999" in bot_messages(page)[0]
    focused = page.evaluate("document.querySelector('threshold-guide').shadowRoot.activeElement?.tagName")
    assert focused == "TEXTAREA"
    page.keyboard.press("Escape")
    assert not page.locator(PANEL).is_visible()
    focused = page.evaluate("document.querySelector('threshold-guide').shadowRoot.activeElement?.className")
    assert focused == "launcher"


def test_full_assessment_by_clicking_reaches_an_outcome(page: Any) -> None:
    open_panel(page)
    click_choice(page, "Which level is this?")
    assert latest_choices(page) == ["Yes", "No", "Don't know"]
    answer_all_no(page)
    outcome = page.locator(f"{LOG} .msg.outcome").inner_text()
    assert LEVEL.search(outcome)
    assert page.locator(f"{LOG} .msg.outcome button", has_text="Copy summary").is_visible()
    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.locator(PANEL).screenshot(path=str(SCREENSHOT))


def test_immediate_danger_shows_the_alert_first_from_then_on(page: Any) -> None:
    open_panel(page)
    click_choice(page, "Which level is this?")
    click_choice(page, "Yes")
    kinds = page.locator(f"{LOG} .msg.bot").evaluate_all("ns => ns.map(n => n.dataset.kind)")
    assert kinds[-1] == "act_now"  # what to do at once; the questions are offered, not forced
    assert "999" in page.locator(f"{LOG} .msg.act_now").last.inner_text()
    assert latest_choices(page) == ["Go on with the questions", "Stop here"]
    click_choice(page, "Go on with the questions")
    kinds = page.locator(f"{LOG} .msg.bot").evaluate_all("ns => ns.map(n => n.dataset.kind)")
    assert kinds[-2:] == ["alert", "question"]
    assert "999" in page.locator(f"{LOG} .msg.alert").last.inner_text()
    click_choice(page, "No")
    kinds = page.locator(f"{LOG} .msg.bot").evaluate_all("ns => ns.map(n => n.dataset.kind)")
    assert kinds[-2:] == ["alert", "question"]


def test_keyboard_only_run(page: Any) -> None:
    for _ in range(40):  # Tab from the top of the page to the launcher
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement?.tagName") == "THRESHOLD-GUIDE":
            break
    page.keyboard.press("Enter")
    page.wait_for_selector(f"{LOG} .msg.bot")
    page.keyboard.type("which level is this?")
    page.keyboard.press("Enter")
    page.wait_for_function("document.querySelector('threshold-guide').shadowRoot.querySelector('.msg.question')")
    active = "document.querySelector('threshold-guide').shadowRoot.activeElement?.textContent"
    for _ in range(80):
        if page.locator(f"{LOG} .msg.outcome").count():
            break
        # Move with Tab / Shift+Tab to the quiet answer (QUIET), press Enter.
        choices = latest_choices(page)
        target = next(t for t in QUIET if t in choices)
        for _ in range(2 * len(choices) + 4):
            focused = page.evaluate(active)
            if focused == target:
                break
            ahead = focused in choices and choices.index(focused) < choices.index(target)
            page.keyboard.press("Tab" if ahead else "Shift+Tab")
        assert page.evaluate(active) == target
        count = len(bot_messages(page))
        page.keyboard.press("Enter")
        page.wait_for_function(
            "n => document.querySelector('threshold-guide').shadowRoot.querySelectorAll('.msg.bot').length > n",
            arg=count,
        )
    assert LEVEL.search(page.locator(f"{LOG} .msg.outcome").inner_text())
    # Focus is on the outcome (read from its level down), with a visible ring for the keyboard user.
    ring = page.evaluate(
        "(() => { const a = document.querySelector('threshold-guide').shadowRoot.activeElement;"
        " return a && a.classList.contains('outcome') ? getComputedStyle(a).outlineStyle : null; })()"
    )
    assert ring == "solid"
    page.keyboard.press("Escape")
    assert page.evaluate("document.querySelector('threshold-guide').shadowRoot.activeElement?.className") == "launcher"


def test_typed_description_is_triaged_and_confirmed(page: Any) -> None:
    open_panel(page)
    click_choice(page, "Describe the concern")
    count = len(bot_messages(page))
    page.fill(INPUT, "Year 9 girl, attendance is 85% this term and she is often late.")
    page.press(INPUT, "Enter")
    page.wait_for_function(
        "n => document.querySelector('threshold-guide').shadowRoot.querySelectorAll('.msg.bot').length > n", arg=count
    )
    recognised = page.locator(f"{LOG} .msg.evidence").last
    assert "From your description I recognised" in recognised.inner_text()
    assert "attendance" in recognised.locator(".evidence-list").inner_text().lower()
    click_choice(page, "Confirm these")
    assert "confirmed" in " ".join(bot_messages(page)[-2:]).lower()
    assert latest_choices(page)  # the questions go on from what was confirmed


def test_markup_in_user_text_is_shown_as_text_and_runs_nothing(page: Any) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    open_panel(page)
    hostile = "<img src=x onerror=alert(1)>"
    count = len(bot_messages(page))
    page.fill(INPUT, hostile)
    page.press(INPUT, "Enter")
    page.wait_for_function(
        "n => document.querySelector('threshold-guide').shadowRoot.querySelectorAll('.msg.bot').length > n", arg=count
    )
    page.wait_for_timeout(300)
    assert hostile in page.locator(f"{LOG} .msg.user").last.inner_text()
    assert page.evaluate("document.querySelector('threshold-guide').shadowRoot.querySelectorAll('img').length") == 0
    assert dialogs == []
    assert latest_choices(page)  # a reply with a way forward, not a dead end


def test_axe_finds_no_serious_or_critical_violations(page: Any) -> None:
    if not AXE.exists():
        pytest.skip("needs node_modules/axe-core (make test installs it)")
    open_panel(page)
    assert axe_violations(page) == []
    click_choice(page, "Which level is this?")
    answer_all_no(page)
    assert axe_violations(page) == []


def test_axe_on_the_embed_page(context: Any, server: AppServer) -> None:
    if not AXE.exists():
        pytest.skip("needs node_modules/axe-core (make test installs it)")
    page = context.new_page()
    page.goto(server.url + "/embed")
    page.wait_for_selector(f"{LOG} .msg.bot")
    assert page.locator(LAUNCHER).is_hidden()
    assert axe_violations(page) == []


HOSTILE_PAGE = """<!doctype html><html lang="en"><head><title>Partner</title><style>
html, body { color: red !important; font-size: 3px !important; visibility: hidden; letter-spacing: 1em; }
*:not(html):not(body):not(threshold-guide) { display: none !important; color: red !important; }
button { display: none !important; background: red !important; font-size: 1px !important; }
div, section, textarea { display: none !important; }
</style></head><body><h1>Partner site</h1><button>Host button</button>
<script src="%s/widget.js" data-title="Partner guide" data-accent="#ffff00" async></script></body></html>"""


@pytest.fixture(scope="session")
def partner_site(server: AppServer) -> Iterator[str]:
    """The hostile partner page, served from another origin."""
    body = (HOSTILE_PAGE % server.url).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", HOST_PORT), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield HOST_ORIGIN + "/"
    httpd.shutdown()
    httpd.server_close()


def test_widget_survives_hostile_css_on_another_site(context: Any, partner_site: str) -> None:
    page = context.new_page()
    page.goto(partner_site)
    launcher = page.locator(LAUNCHER)
    launcher.wait_for(state="visible")
    assert launcher.is_visible()
    open_panel(page)  # the chat API is called across origins through the CORS allow-list
    assert page.locator(PANEL).is_visible()
    assert "999" in bot_messages(page)[0]
    size = page.locator(f"{LOG} .msg.bot").first.evaluate("n => parseFloat(getComputedStyle(n).fontSize)")
    assert size >= 14
    # data-accent #ffff00 fails AA behind white text, so the widget falls back to its dark default.
    header_bg = page.locator("threshold-guide .bar").evaluate("n => getComputedStyle(n).backgroundColor")
    assert header_bg == "rgb(31, 78, 121)"


def test_reload_keeps_the_conversation_and_a_new_tab_starts_fresh(context: Any, page: Any, server: AppServer) -> None:
    open_panel(page)
    click_choice(page, "Which level is this?")
    click_choice(page, "No")
    question = bot_messages(page)[-1]
    page.reload()
    page.wait_for_selector(f"{LOG} .msg.bot")
    resumed = bot_messages(page)
    assert "Welcome back" in resumed[-1]
    assert question.split("\n")[0] in resumed[-1]
    assert context.cookies() == []

    tab = context.new_page()  # a new tab: its own sessionStorage
    tab.goto(server.url + "/")
    open_panel(tab)
    fresh = bot_messages(tab)
    assert "Welcome back" not in " ".join(fresh)
    assert "999" in fresh[0]


def test_start_again_clears_the_server_session(page: Any, server: AppServer) -> None:
    open_panel(page)
    click_choice(page, "Which level is this?")
    key = f"threshold-guide:{server.url}:session"
    old = page.evaluate("k => sessionStorage.getItem(k)", key)
    page.locator("threshold-guide button.clear").click()
    page.wait_for_function("([k, old]) => (sessionStorage.getItem(k) || old) !== old", arg=[key, old])
    assert httpx.delete(f"{server.url}/api/v1/chat/{old}").status_code == 404
    texts = bot_messages(page)
    assert "999" in texts[-1]


def test_at_200_percent_zoom_everything_stays_usable(browser: Any, server: AppServer) -> None:
    # A 1280 x 900 window zoomed to 200% lays out as a 640 x 450 CSS-pixel viewport at twice the density.
    ctx = browser.new_context(viewport={"width": 640, "height": 450}, device_scale_factor=2)
    page = ctx.new_page()
    page.goto(server.url + "/")
    open_panel(page)
    click_choice(page, "Which level is this?")
    box = page.locator(PANEL).bounding_box()
    assert box is not None
    assert box["x"] >= 0 and box["y"] >= 0
    assert box["x"] + box["width"] <= 640 and box["y"] + box["height"] <= 450
    assert page.locator(LOG).evaluate("n => n.scrollWidth - n.clientWidth") <= 1
    assert page.locator("threshold-guide form button").is_visible()
    no = page.locator(f"{LOG} .choices button", has_text="No").first
    no.scroll_into_view_if_needed()
    assert no.is_visible()
    page.locator(PANEL).screenshot(path=str(SCREENSHOT.with_name("widget-zoom-200.png")))
    ctx.close()


def test_reduced_motion_turns_animation_off(browser: Any, server: AppServer) -> None:
    ctx = browser.new_context(reduced_motion="reduce")
    page = ctx.new_page()
    page.goto(server.url + "/")
    open_panel(page)
    assert page.locator(f"{LOG} .msg.bot").first.evaluate("n => getComputedStyle(n).animationName") == "none"
    ctx.close()


def test_copy_and_print_give_the_whole_summary(context: Any, page: Any, server: AppServer) -> None:
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url)
    open_panel(page)
    click_choice(page, "Which level is this?")
    answer_all_no(page)
    outcome = page.locator(f"{LOG} .msg.outcome")
    outcome.locator("button", has_text="Copy summary").click()
    status = page.locator("threshold-guide .status")
    status.filter(has_text="Summary copied").wait_for()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert LEVEL.search(copied) and "Content version" in copied, copied[:300]
    with page.expect_popup() as opened:
        outcome.locator("button", has_text="Print summary").click()
    printed = opened.value.locator("pre").inner_text()
    assert printed == copied


def test_the_embed_page_shows_999_until_the_chat_mounts(context: Any, server: AppServer) -> None:
    """Hazard H10: with the widget's script blocked, /embed still shows tap-to-call 999 and the MASH numbers; once
    the chat mounts, the line gives way to the chat's own."""
    blocked = context.new_page()
    blocked.route("**/widget.js", lambda route: route.abort())
    blocked.goto(server.url + "/embed")
    fallback = blocked.locator("p.fallback")
    assert fallback.is_visible()
    assert {a.get_attribute("href") for a in fallback.locator("a").all()} >= {"tel:999", "tel:01925443322"}
    blocked.close()
    loaded = context.new_page()
    loaded.goto(server.url + "/embed")
    loaded.wait_for_selector(f"{LOG} .msg.bot")
    assert loaded.locator("p.fallback").is_hidden()
    loaded.close()
