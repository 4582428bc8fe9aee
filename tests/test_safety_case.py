"""docs/safety-case.md, the hazard log, stays true: every test it names exists, and the controls it names
that no other test covers are checked here."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from app.config import REPO_ROOT
from app.core.models import Content
from app.core.render import tel_url

LOG = REPO_ROOT / "docs" / "safety-case.md"
TESTS = REPO_ROOT / "tests"
COLUMNS = ["ID", "Hazard", "Cause", "Effect on a child", "Controls", "Verifying tests", "Residual risk"]
# The hazards issue 14 asks the log to cover, as words their row's hazard must contain.
REQUIRED = {
    "under-triage in the guided path": "under-triage in the guided path",
    "missed immediate danger": "missed immediate danger",
    "misread typed answers": "misread typed answers",
    "false matches from free text": "false matches from free text",
    "outdated law or contacts": "outdated law",
    "wrong local contacts": "wrong local contacts",
    "content edits that silently change outcomes": "content edits silently change outcomes",
    "a widget that fails to load": "widget fails to load",
}


def hazard_rows() -> list[dict[str, str]]:
    lines = LOG.read_text(encoding="utf-8").splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("| ID |"))
    assert [c.strip() for c in lines[header].strip("|").split("|")] == COLUMNS
    rows = []
    for line in lines[header + 2 :]:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        assert len(cells) == len(COLUMNS), line[:60]
        rows.append(dict(zip(COLUMNS, cells, strict=True)))
    return rows


def defined_tests() -> set[str]:
    """Every test function under tests/, by name (files move; names are what the log cites)."""
    names: set[str] = set()
    for path in TESTS.rglob("*.py"):
        names.update(re.findall(r"^\s*(?:async\s+)?def (test_\w+)", path.read_text(encoding="utf-8"), re.M))
    return names


def test_every_test_the_hazard_log_names_exists() -> None:
    defined = defined_tests()
    named = {name for row in hazard_rows() for name in re.findall(r"`(test_\w+)`", row["Verifying tests"])}
    assert len(named) >= 30
    missing = sorted(named - defined)
    assert not missing, f"docs/safety-case.md names tests that do not exist: {missing}"


def test_every_hazard_has_a_cause_effect_controls_tests_and_residual_risk() -> None:
    rows = hazard_rows()
    assert [r["ID"] for r in rows] == [f"H{i}" for i in range(1, len(rows) + 1)]
    for row in rows:
        assert all(row[c] for c in COLUMNS), row["ID"]
        assert re.search(r"`test_\w+`", row["Verifying tests"]), row["ID"]
        assert re.search(r"= [1-5]\b", row["Effect on a child"]), f"{row['ID']}: initial risk rating"
        assert re.search(r"= [1-5]\b", row["Residual risk"]), f"{row['ID']}: residual risk rating"


@pytest.mark.parametrize("hazard", sorted(REQUIRED))
def test_the_log_covers_the_hazards_issue_14_names(hazard: str) -> None:
    assert any(REQUIRED[hazard] in row["Hazard"].lower() for row in hazard_rows()), hazard


# --- Controls the log names that are checked here ---------------------------------------------------

INTERNAL = re.compile(r"digest|anchors|§|\.txt\b|\.md\b|\brules/|\bdialogues/|/work/")


def test_sources_shown_to_users_cite_public_documents(content: Content) -> None:
    sourced = [
        *content.indicators.values(),
        *content.rules,
        *content.routes.values(),
        *content.procedures.values(),
        *content.contacts.values(),
        *content.levels.values(),
    ]
    internal = [
        f"{type(item).__name__} {getattr(item, 'id', '')}: {item.source}"
        for item in sourced
        if INTERNAL.search(item.source)
    ]
    assert not internal, internal[:5]


def test_the_demo_page_says_call_999_without_the_widget(client: TestClient, content: Content) -> None:
    page = client.get("/")
    assert page.status_code == 200
    # in the page's own HTML, so it shows even when the widget's script never loads
    without_scripts = re.sub(r"<script.*?</script>", "", page.text, flags=re.S)
    assert re.search(r"call (?:<a [^>]*>)?999", without_scripts)
    _assert_tap_to_call_999_and_mash(without_scripts, content)


def _assert_tap_to_call_999_and_mash(html: str, content: Content) -> None:
    """999 and both MASH numbers as tap-to-call links, with the numbers the content holds (so a page cannot drift)."""
    links = dict(re.findall(r'<a href="(tel:[^"]+)">([^<]+)</a>', html))
    for contact_id in ("police_999", "mash_in_hours", "mash_out_of_hours"):
        phone = content.contacts[contact_id].phone
        assert phone is not None
        assert links.get(tel_url(phone)) == phone, (contact_id, links)


def test_the_widget_says_call_999_when_it_cannot_reach_the_guide(client: TestClient) -> None:
    script = client.get("/widget.js")
    assert script.status_code == 200
    failure = re.search(r"\.catch\(function \(failure\) \{(.*?)\n      \}\);", script.text, re.S)
    assert failure, "the widget's request failure handler"
    assert "cannot reach the guide" in failure.group(1)
    assert "call 999" in failure.group(1)


def test_the_embed_page_gives_999_and_the_mash_numbers_without_the_widget(client: TestClient, content: Content) -> None:
    """/embed shows only the chat: its own HTML carries tap-to-call 999 and the MASH numbers (from the content, so
    the page cannot drift from it), shown until the chat mounts (hazard H10)."""
    page = client.get("/embed")
    assert page.status_code == 200
    without_scripts = re.sub(r"<script.*?</script>", "", page.text, flags=re.S)
    fallback = re.search(r'<p class="fallback">(.*?)</p>', without_scripts, re.S)
    assert fallback, "the fallback line"
    assert "call" in fallback.group(1) and "999" in fallback.group(1)
    _assert_tap_to_call_999_and_mash(fallback.group(1), content)
    css = re.sub(r"/\*.*?\*/", "", client.get("/static/embed.css").text, flags=re.S)
    hiding = [rule for rule in re.findall(r"([^{}]*\.fallback[^{}]*)\{([^}]*)\}", css) if "none" in rule[1]]
    assert [selector.strip() for selector, _ in hiding] == ["main:has(threshold-guide) .fallback"]
