"""The real content: loads, schemas are fresh, every fact is sourced, and no phone number is invented."""

from __future__ import annotations

import re
from collections import Counter

from app.config import REPO_ROOT
from app.content import content_files, render_schemas
from app.core.models import Content

# Every number the content may show is published: the MASH, out-of-hours and Bridgewater numbers on the council's
# and Bridgewater's pages, and the LADO on https://www.warrington.gov.uk/local-authority-designated-officer-lado.
PUBLISHED_NUMBERS = {"01925 443322", "01925 444400", "01925 867877", "01925 442079", "999", "101"}
# National lines, each with its published source in rules/content.yaml: NHS 111 (mental health option, nhs.uk) and
# the Modern Slavery and Exploitation Helpline (modernslaveryhelpline.org).
PUBLISHED_NUMBERS |= {"111", "08000 121 700"}


def test_schemas_are_up_to_date() -> None:
    for name, text in render_schemas().items():
        committed = (REPO_ROOT / "schemas" / name).read_text(encoding="utf-8")
        assert committed == text, f"schemas/{name} is stale. Run `make schema`."


def test_content_files_point_editors_at_their_schema() -> None:
    for path in content_files(REPO_ROOT):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# yaml-language-server: $schema="), path


def test_no_invented_phone_numbers(content: Content) -> None:
    phones = {c.phone for c in content.contacts.values() if c.phone}
    assert phones <= PUBLISHED_NUMBERS
    for path in content_files(REPO_ROOT):
        text = path.read_text(encoding="utf-8")
        for number in re.findall(r"\b0\d{3,4}[ ]?\d{3}[ ]?\d{3,4}\b", text):
            assert number in PUBLISHED_NUMBERS, f"{path.relative_to(REPO_ROOT)}: {number} is not a published number"


def test_indicator_library_is_broad(content: Content) -> None:
    assert len(content.indicators) >= 80
    by_level = Counter(i.level for i in content.indicators.values())
    assert all(by_level[level] > 0 for level in (1, 2, 3, 4))
    assert all(i.source.strip() for i in content.indicators.values())
    # Free text reads every concern, except the ones recorded by "Another worry not listed here" (issue 14):
    # a worry no option describes has no words of its own to match.
    other_worry = {
        i for q in content.assessment.questions for o in getattr(q, "options", []) if o.label == "Another worry not listed here"
        for i in o.indicators
    }  # fmt: skip
    assert all(i.phrases or i.triage for i in content.indicators.values() if not i.strength and i.id not in other_worry)


def test_every_level_names_routes_and_consent(content: Content) -> None:
    for level in content.levels.values():
        assert level.routes and level.consent and level.timeframe
    assert content.info.caveat and "999" in content.info.safety_line
