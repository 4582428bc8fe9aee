"""Long notes are read whole (issue 15): up to 20,000 characters, the newest entry weighted, nothing cut silently."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from app.core.errors import InvalidInput
from app.core.models import Content
from app.core.triage import MAX_TEXT_LENGTH, triage
from app.core.triage.result import READ_LIMIT

NOTES = yaml.safe_load((Path(__file__).parents[2] / "cases" / "triage" / "long_notes.yaml").read_text())["notes"]
OLD_LIMIT = 5000  # what used to be read before the rest was cut


def entries_until(note: dict[str, Any], length: int) -> str:
    body = ""
    while len(body) < length:
        for entry in note["entries"]:
            body += entry.strip() + "\n"
    return body


@pytest.mark.parametrize("note", NOTES, ids=[note["id"] for note in NOTES])
def test_the_newest_gravest_entry_at_the_end_of_a_long_chronology_is_read(content: Content, note: Any) -> None:
    body = entries_until(note, note["length"])
    text = body + note["ending"]
    assert len(text) >= note["length"] > OLD_LIMIT
    before = triage(content, body)
    assert before.suggested_level in note["before_the_ending"] and not before.immediate_danger
    result = triage(content, text)
    assert result.suggested_level in note["accept"]
    assert result.immediate_danger == note["immediate_danger"]
    assert result.routes[0].id == "police_999"
    # The evidence for it is quoted from the ending, past where the old limit cut the note.
    found = [s for i in result.indicators if i.level == 4 for s in i.spans if s.start > OLD_LIMIT]
    assert found and all(result.redacted_text[s.start : s.end] == s.words for s in found)


def test_a_note_of_exactly_the_limit_is_read_to_its_last_words(content: Content) -> None:
    note = NOTES[0]
    ending = note["ending"]
    body = entries_until(note, MAX_TEXT_LENGTH)[: MAX_TEXT_LENGTH - len(ending)]
    text = body + ending
    assert len(text) == MAX_TEXT_LENGTH == 20_000
    result = triage(content, text)
    assert result.suggested_level == 4 and result.immediate_danger


def test_a_far_longer_note_is_refused_naming_the_limit_never_cut(content: Content) -> None:
    # The channels refuse more than MAX_TEXT_LENGTH (a 422, tests/web); the reading itself leaves room for redaction
    # placeholders ("[name]") that lengthen an accepted note, and refuses, never cuts, anything beyond.
    with pytest.raises(InvalidInput, match="20,000"):
        triage(content, "x " * (READ_LIMIT // 2) + "x")
    assert triage(content, "worried " * (MAX_TEXT_LENGTH // 8) + "x").redacted_text.endswith("x")


CHRONOLOGY = """01/09: Settled well into Year 4, a happy start.
08/09: Came in upset. Said his dad hit him across the face at the weekend.
15/09: School disco tonight, he was excited and helped set up the hall.
22/09: Quiet in class, ate all his lunch, played football at break.
"""


def test_in_a_chronology_a_present_moment_counts_in_its_own_entry_or_the_newest(content: Content) -> None:
    # "tonight" in an older entry about a school disco does not make the slap of another entry happen now ...
    older = triage(content, CHRONOLOGY)
    assert older.suggested_level == 4 and not older.immediate_danger
    # ... but in the newest entry it does, whatever entry the harm was written in.
    newest = triage(content, CHRONOLOGY + "29/09: He says he is scared to go home tonight.\n")
    assert newest.immediate_danger
    # Newest first, under a heading: the first dated entry is the newest, so its present moment counts too.
    lines = ["29/09: He says he is scared to go home tonight.", *reversed(CHRONOLOGY.splitlines())]
    assert triage(content, "Chronology, newest first\n" + "\n".join(lines)).immediate_danger
    # One description, not a dated chronology: a present moment counts anywhere (in doubt, the higher reading).
    undated = triage(content, " ".join(line.split(": ", 1)[1] for line in CHRONOLOGY.splitlines()))
    assert undated.immediate_danger
