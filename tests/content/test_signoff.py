"""`python -m app content signoff`: one entry per `verify: true` in the real content, grouped, with file:line."""

from __future__ import annotations

import io
import json
import re
from collections import Counter

import pytest

from app.__main__ import main as app_main
from app.config import REPO_ROOT
from app.content import content_files
from app.content import signoff as so
from app.content.cli import main

# A `verify: true` (or `<key>_verify: true`) outside a comment, counted in the text, not through the loader.
VERIFY_LINE = re.compile(r"^[^#\n]*(?:\b|_)verify:\s*true\b", re.MULTILINE)


def verify_lines() -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for path in content_files(REPO_ROOT):
        text = path.read_text(encoding="utf-8")
        lines = [text.count("\n", 0, m.start()) + 1 for m in VERIFY_LINE.finditer(text)]
        if lines:
            found[path.relative_to(REPO_ROOT).as_posix()] = lines
    return found


@pytest.fixture(scope="module")
def items() -> list[so.SignoffItem]:
    return so.signoff_items(REPO_ROOT)


def test_one_item_per_verify_true_in_each_file(items: list[so.SignoffItem]) -> None:
    expected = {file: len(lines) for file, lines in verify_lines().items()}
    assert Counter(i.file for i in items) == expected
    assert sum(expected.values()) > 100


def test_each_item_points_at_the_start_of_what_its_verify_covers(items: list[so.SignoffItem]) -> None:
    lines = verify_lines()
    for file, verify_at in lines.items():
        starts = sorted(i.line for i in items if i.file == file)
        for start, verify in zip(starts, sorted(verify_at), strict=True):
            assert start <= verify, f"{file}: item at line {start}, its verify at {verify}"
        text = (REPO_ROOT / file).read_text(encoding="utf-8").splitlines()
        for start in starts:
            assert text[start - 1].strip(), f"{file}:{start} is a blank line"


def test_items_are_grouped_by_what_they_are(items: list[so.SignoffItem]) -> None:
    groups = {i.group for i in items}
    assert groups <= set(so.GROUPS)
    assert {"contacts", "levels", "rules", "procedures"} <= groups
    for item in items:
        if item.file == "rules/levels.yaml":
            assert item.group == "levels"
        if item.file.startswith("rules/indicators/") or item.file == "rules/decision.yaml":
            assert item.group == "rules"
        if item.where.startswith("contacts."):
            assert item.group == "contacts"
    phones = [i for i in items if i.group == "contacts"]
    assert any("01925" in i.value for i in phones)


def test_each_item_shows_its_value_and_source(items: list[so.SignoffItem]) -> None:
    for item in items:
        assert item.value and item.source, item.location  # every fact carries a source
        assert item.confirmed_by == "" and item.date == ""


def test_json_has_one_entry_per_verify_true(capsys: pytest.CaptureFixture[str]) -> None:
    out = io.StringIO()
    assert main(["signoff", str(REPO_ROOT), "--format", "json"], out) == 0
    entries = json.loads(out.getvalue())
    assert len(entries) == sum(len(lines) for lines in verify_lines().values())
    assert {"group", "location", "value", "source", "confirmed_by", "date"} <= set(entries[0])


def test_markdown_lists_groups_with_counts_and_empty_columns(items: list[so.SignoffItem]) -> None:
    text = so.render(items, "9.9.9+abc", "markdown")
    for group, count in so.counts(items).items():
        assert f"- {so.GROUPS[group]}: {count}" in text
    assert "| Where | Current value | Source | Confirmed by | Date |" in text
    assert all(f"| {i.location} |" in text for i in items)


def test_html_escapes_values_and_keeps_every_item(items: list[so.SignoffItem]) -> None:
    page = so.render(items, "9.9.9+abc", "html")
    assert page.startswith("<!doctype html>")
    assert page.count("<tr><td><code>") == len(items)
    tricky = [so.SignoffItem("other", "rules/x.yaml", 3, "x", "<script>alert(1)</script>", "a & b")]
    assert "<script>" not in so.html_sections(tricky)


def test_python_m_app_content_reaches_the_governance_commands() -> None:
    out = io.StringIO()
    assert app_main(["content", "signoff", "--format", "json"], out) == 0
    assert len(json.loads(out.getvalue())) == sum(len(lines) for lines in verify_lines().values())
