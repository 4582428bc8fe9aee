"""The tokens of one description, with the indexes the reading looks things up in.

A note may be 20,000 characters (~3,500 tokens) with hundreds of matches; each index is built once, so looking
at a match's sentence costs that sentence, not the whole note.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from app.core.language.text import STOPWORDS, Token
from app.core.triage.lexicon import StemSequence


class Tokens(list[Token]):
    """A description's tokens (in order; sentence numbers never go down) and indexes over them."""

    def __init__(self, tokens: Iterable[Token]) -> None:
        super().__init__(tokens)
        self.stems: list[str] = [t.stem for t in self]
        self._bounds: dict[int, tuple[int, int]] = {}
        for i, token in enumerate(self):
            start = self._bounds.get(token.sentence, (i, i))[0]
            self._bounds[token.sentence] = (start, i + 1)
        # Content tokens: everything except small words and commas, and each one's place among them.
        self.content: list[int] = [i for i, t in enumerate(self) if t.word != "," and t.word not in STOPWORDS]
        self.position: dict[int, int] = {ti: ci for ci, ti in enumerate(self.content)}
        self.contains_memo: dict[tuple[tuple[str, bool], ...], bool] = {}
        self._by_stem: dict[str, list[int]] | None = None
        self._by_word: dict[tuple[str, str], list[int]] | None = None
        self._by_sentence: dict[int, list[int]] | None = None
        self._last_start: dict[tuple[StemSequence, ...], int] = {}
        self.safe_cues: list[Any] | None = None  # timing.safe_cues, found once

    def sentence_range(self, sentence: int) -> range:
        start, end = self._bounds.get(sentence, (0, 0))
        return range(start, end)

    def in_sentence(self, sentence: int) -> list[Token]:
        start, end = self._bounds.get(sentence, (0, 0))
        return self[start:end]

    def sentence_stems(self, sentence: int) -> list[str]:
        start, end = self._bounds.get(sentence, (0, 0))
        return self.stems[start:end]

    def with_stem(self, stem: str) -> list[int]:
        if self._by_stem is None:
            self._by_stem = defaultdict(list)
            for i, s in enumerate(self.stems):
                self._by_stem[s].append(i)
        return self._by_stem.get(stem, [])

    def with_prefix(self, prefixes: tuple[str, ...]) -> list[int]:
        """Tokens whose word or stem starts with one of `prefixes`."""
        if self._by_word is None:
            self._by_word = defaultdict(list)
            for i, t in enumerate(self):
                self._by_word[t.word, t.stem].append(i)
        return [
            i
            for (word, stem), indices in self._by_word.items()
            if word.startswith(prefixes) or stem.startswith(prefixes)
            for i in indices
        ]

    def by_sentence(self) -> dict[int, list[int]]:
        """Each sentence's token indices, commas left out."""
        if self._by_sentence is None:
            self._by_sentence = defaultdict(list)
            for i, token in enumerate(self):
                if token.word != ",":
                    self._by_sentence[token.sentence].append(i)
        return self._by_sentence

    def last_start(self, sequences: tuple[StemSequence, ...]) -> int:
        """Where the last occurrence of any of `sequences` starts (-1 when none occurs)."""
        if sequences not in self._last_start:
            stems, found = self.stems, -1
            for sequence in sequences:
                n = len(sequence)
                for i in range(len(stems) - n, found, -1):
                    if tuple(stems[i : i + n]) == sequence:
                        found = i
                        break
            self._last_start[sequences] = found
        return self._last_start[sequences]
