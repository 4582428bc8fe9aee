"""Tidying of free text from the internet before anything reads it: control characters out, Unicode in NFC.

Why: control characters (NUL, escape sequences, bidirectional overrides) can hide text from a reader,
corrupt logs and terminals, or break storage; lone surrogates cannot even be encoded as UTF-8. NFC makes
"é" typed two ways compare equal, so matching and redaction see one spelling.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["clean_text"]

# C0 and C1 controls except tab and newline; lone surrogates; zero-width and bidirectional controls that
# make text read differently from what it is (U+200D, the emoji joiner, is kept).
_UNWANTED = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]"
)


def clean_text(text: str) -> str:
    """Return `text` with line endings as newlines, unwanted control characters removed, and in NFC."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", _UNWANTED.sub("", text))
