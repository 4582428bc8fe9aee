"""Free text loses control characters and is normalised to NFC; what a reader sees is kept."""

from __future__ import annotations

import pytest

from app.core.language.clean import clean_text

CASES = [
    pytest.param("plain words", "plain words", id="unchanged"),
    pytest.param("tab\tand\nnewline", "tab\tand\nnewline", id="tab-newline-kept"),
    pytest.param("windows\r\nline", "windows\nline", id="crlf"),
    pytest.param("old mac\rline", "old mac\nline", id="cr"),
    pytest.param("nul\x00byte", "nulbyte", id="nul"),
    pytest.param("\x1b[31mred\x1b[0m", "[31mred[0m", id="ansi-escape"),
    pytest.param("c1\x85\x9bcontrols", "c1controls", id="c1"),
    pytest.param("delete\x7f", "delete", id="del"),
    pytest.param("abc\u202edcba", "abcdcba", id="bidi-override"),
    pytest.param("zero\u200bwidth\ufeff", "zerowidth", id="zero-width"),
    pytest.param("lone \ud800 surrogate", "lone  surrogate", id="lone-surrogate"),
    pytest.param("cafe\u0301", "caf\u00e9", id="nfc"),
    pytest.param("family \U0001f468\u200d\U0001f469", "family \U0001f468\u200d\U0001f469", id="emoji-joiner-kept"),
]


@pytest.mark.parametrize(("raw", "expected"), CASES)
def test_clean_text(raw: str, expected: str) -> None:
    assert clean_text(raw) == expected


def test_cleaned_text_encodes_as_utf8() -> None:
    clean_text("bad \udcff end").encode("utf-8")
