"""The triage's word tables are data (app/core/triage/lexicon.yaml): every table is used, and a word YAML would read
as something else is refused with a message saying how to write it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from app.core.language.text import stem
from app.core.triage import lexicon

PACKAGE = Path(lexicon.__file__).parent


def test_every_table_in_the_file_is_read_by_the_code() -> None:
    tables = set(yaml.safe_load(lexicon.LEXICON_FILE.read_text()))
    code = "\n".join(path.read_text() for path in PACKAGE.glob("*.py"))
    unread = sorted(name for name in tables if not re.search(rf"[\"']{name}[\"']", code))
    assert unread == []


def test_a_word_yaml_reads_as_a_boolean_is_refused_with_how_to_write_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lexicon, "_TABLES", {"negators": {"words": [False, "not"]}})
    with pytest.raises(ValueError, match=r"'negators' holds \[False\], not text; quote it"):
        lexicon.words("negators")
    monkeypatch.setattr(lexicon, "_TABLES", {"negators": {"stems": ["no"]}})
    with pytest.raises(ValueError, match=r"'negators' must be a table of words"):
        lexicon.words("negators")


def test_tables_read_as_their_kind() -> None:
    assert {"no", "not", "never"} <= lexicon.NEGATORS  # words, as written
    assert stem("unexplained") in lexicon.DOUBT and stem("unexplained") != "unexplained"  # stems
    assert ("right", "now") in lexicon.NOW_PRESENT  # phrases, word by word
    assert ("not", "concern") in lexicon.POST_NEGATIONS  # sequences written as stems
    assert "cut off" in lexicon.EVERYDAY  # patterns, matched like indicator phrases
