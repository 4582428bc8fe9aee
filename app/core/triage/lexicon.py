"""The triage's word tables (lexicon.yaml beside this file), read once at import, and how to look them up.

The tables are data: negators and what they reach, time words, people, safety cues. The code that uses them
lives in negation.py, timing.py, people.py and recognise.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from app.core.language.data import load_tables
from app.core.language.text import STOPWORDS, Token, stem

LEXICON_FILE = Path(__file__).resolve().parent / "lexicon.yaml"

StemSequence = tuple[str, ...]  # a phrase as the stems of its words


_TABLES = load_tables(LEXICON_FILE)


def _items(name: str, kind: str) -> list[Any]:
    table = _TABLES.get(name)
    if not isinstance(table, dict) or list(table) != [kind]:
        raise ValueError(f"{LEXICON_FILE}: {name!r} must be a table of {kind} ({{{kind}: [...]}})")
    items = table[kind]
    flat = [w for seq in items for w in seq] if kind == "sequences" else items
    bad = [w for w in flat if not isinstance(w, str)]
    if bad:
        raise ValueError(f"{LEXICON_FILE}: {name!r} holds {bad!r}, not text; quote it ('no', 'on', 'off')")
    return list(items)


def cue_table(phrases: Iterable[str]) -> tuple[StemSequence, ...]:
    """Phrases as the stems of their words, in the order given."""
    return tuple(tuple(stem(w) for w in phrase.split()) for phrase in phrases)


def stems(name: str) -> frozenset[str]:
    """A `stems` table: its words reduced to stems."""
    return frozenset(stem(w) for w in _items(name, "stems"))


def words(name: str) -> frozenset[str]:
    """A `words` table, compared as written."""
    return frozenset(_items(name, "words"))


def phrases(name: str) -> tuple[StemSequence, ...]:
    """A `phrases` table, each phrase as the stems of its words."""
    return cue_table(_items(name, "phrases"))


def patterns(name: str) -> tuple[str, ...]:
    """A `patterns` table: phrases written like indicator phrases, matched by the same rules (index.phrase_parts)."""
    return tuple(_items(name, "patterns"))


def word_senses(name: str) -> list[dict[str, list[str]]]:
    """A list of {word, with, not_with} word lists (everyday_words)."""
    senses = _TABLES.get(name)
    if not isinstance(senses, list) or not all(
        isinstance(s, dict) and set(s) <= {"word", "with", "not_with"} for s in senses
    ):
        raise ValueError(f"{LEXICON_FILE}: {name!r} must be a list of {{word, with, not_with}} lists")
    for sense in senses:
        bad = [w for group in sense.values() for w in group if not isinstance(w, str)]
        if bad:
            raise ValueError(f"{LEXICON_FILE}: {name!r} holds {bad!r}, not text; quote it ('no', 'on', 'off')")
    return [{key: [str(w) for w in group] for key, group in sense.items()} for sense in senses]


def sequences(name: str) -> tuple[StemSequence, ...]:
    """A `sequences` table: stem sequences written as stems."""
    return tuple(tuple(seq) for seq in _items(name, "sequences"))


def has_sequence(stems_: list[str], sequences_: Iterable[StemSequence]) -> bool:
    """Whether one of the sequences appears, word for word, in `stems_`."""
    for sequence in sequences_:
        n = len(sequence)
        if any(tuple(stems_[i : i + n]) == sequence for i in range(len(stems_) - n + 1)):
            return True
    return False


def clause_numbers(tokens: list[Token]) -> list[int]:
    """Clause number per token: a new clause at each comma or sentence break."""
    clause, out, sentence = 0, [], 0
    for token in tokens:
        if token.sentence != sentence or token.word == ",":
            clause += 1
            sentence = token.sentence
        out.append(clause)
    return out


# --- Negation -----------------------------------------------------------------------------------------------------
NEGATORS = words("negators")
NEGATION_FILLER = stems("negation_filler") | STOPWORDS
HARM_WHEN_NEGATED = stems("harm_when_negated")
BEFORE_HARM = stems("before_harm")
POST_NEGATIONS = sequences("post_negations")
LIST_JOINERS = words("list_joiners")
SERVICE_NOUNS = stems("service_nouns")
BARE_ANSWERS = words("bare_answers")
DENIAL_NOUNS = stems("denial_nouns")

# --- History, repetition and the present moment -------------------------------------------------------------------
HISTORY = stems("history")
HISTORY_PAIRS = sequences("history_pairs")
CURRENT = stems("current")
REPEATED = stems("repeated")
REPEATED_PAIRS = sequences("repeated_pairs")
SINGLE = sequences("single")
NOW_PRESENT = phrases("now_present")
NOW_TODAY = phrases("now_today")
NOW_NEAR = phrases("now_near")
HANDOVER = frozenset(phrases("handover"))
NOW_RECENT = phrases("now_recent")
NOW = NOW_PRESENT + NOW_NEAR + NOW_TODAY + NOW_RECENT
CUE_KIND = dict.fromkeys(NOW_PRESENT, "present") | dict.fromkeys(NOW_NEAR, "near")
CUE_KIND |= dict.fromkeys(NOW_TODAY, "today")
CUE_KIND |= dict.fromkeys(NOW_RECENT, "recent")
HARM_ING = stems("harm_ing")
WEAK_NOW = frozenset(phrases("weak_now"))
REPORTING = stems("reporting")
ARRANGEMENT = stems("arrangement")
ARRANGED_CUES = stems("arranged_cues")
FREQUENCY_BEFORE = stems("frequency_before")
WEEKDAYS = words("weekdays")
JUST_VERBS = stems("just_verbs")
INTENT_VERBS = stems("intent_verbs")
SETTLED_AFTER_NOW = stems("settled_after_now")
FUTURE = stems("future")
NOW_ADVERBS = stems("now_adverbs")
HOURS = stems("hours")
PERFECT = words("perfect")
SETTLED_BEFORE_NOW = stems("settled_before_now")
NOW_BLOCKERS = words("now_blockers")
CUE_NEGATION_GAP = stems("cue_negation_gap")
NUMBERS: dict[str, int] = {str(k): int(v) for k, v in _TABLES["numbers"].items()}

# --- Made safe or already handled ---------------------------------------------------------------------------------
SAFE_DATED = phrases("safe_dated")
SAFE_CHILD = phrases("safe_child")
SAFE_REMOVED = phrases("safe_removed")
SAFE_RECENT = phrases("safe_recent")
SAFE_CARER_BACK = phrases("safe_carer_back")
UNACCOUNTED = stems("unaccounted")
SAFE_UNDONE = stems("safe_undone")
HABIT = words("habit")
COUNT_WORDS = words("count_words")
HABIT_PAIRS = phrases("habit_pairs")
STATE_CUES = words("state_cues")
SAFE_UNDONE_LATER = phrases("safe_undone_later")
REFUSES = stems("refuses")
ALONE_AFTER = stems("alone_after")
GOING = words("going")
GONE_WORDS = stems("gone_words")

# --- People -------------------------------------------------------------------------------------------------------
SIBLINGS = stems("siblings")
PARENTS = stems("parents")
CHILDREN = stems("children")
STAFF = stems("staff")
ADULTS = PARENTS | stems("other_adults")
# In a phrase, "parent" stands for anyone caring for the child, "child" for any child word, "staff" for anyone who
# works or volunteers with children.
CLASSES: dict[str, frozenset[str]] = {stem("parent"): PARENTS, stem("child"): CHILDREN, stem("staff"): STAFF}
AGE_UNITS = stems("age_units")
PRONOUNS = words("pronouns")
BE_AFTER_S = words("be_after_s")
LEFT_WORDS = words("left_words")
BABY_WORDS = stems("baby_words")
DOUBT = stems("doubt")
DOUBT_PAIRS = phrases("doubt_pairs")
_PERSON_KINDS: dict[str, tuple[str | None, bool]] = {
    "female_adults": ("f", False),
    "male_adults": ("m", False),
    "boys": ("m", True),
    "girls": ("f", True),
    "children": (None, True),
    "adults": (None, False),
}
# stem -> (gender or None, is a child); a later group wins a shared stem, as the file lists them.
PERSON_STEMS: dict[str, tuple[str | None, bool]] = {
    stem(str(w)): _PERSON_KINDS[group] for group, members in _TABLES["person_words"].items() for w in members
}

# --- Content ids the reading treats specially ---------------------------------------------------------------------
CHILD_DOMAINS = words("child_domains")
PARENT_DOMAINS = words("parent_domains")
ABSENCE_FLAGS = words("absence_flags")
ACCESS_FLAGS = words("access_flags")
RECENT_STILL_DANGER = ACCESS_FLAGS | words("recent_still_danger")

# --- Matching -----------------------------------------------------------------------------------------------------
CONTRACTED = words("contracted")
LIGHT_VERBS = stems("light_verbs")

# --- Everyday senses and topics -----------------------------------------------------------------------------------
EVERYDAY = patterns("everyday")
EVERYDAY_WORDS = word_senses("everyday_words")
TOPIC_FRAMES = patterns("topic_frames")
TELLING = stems("telling")
ENGLISH_HINTS = words("english_hints")
