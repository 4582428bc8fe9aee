"""The triage index: everything the reading needs from the content, compiled once per Content.

Extra recognisers are declared per indicator in YAML under `triage:` (all optional):
    attendance_below: 90          # fires when a stated attendance % is below this (tightest band wins)
    of: [missing_episode]         # fires when one of these indicators is recognised and ...
    repeated: true                #   ... the same sentence says it happens often or is getting worse
    age_under_months: 12          #   ... a child in the text is younger than this
    age_under_years: 13 / age_at_least_years: 16
    now: true                     #   ... an immediacy cue is near (lexicon.yaml, now_present: present / near / recent)
    now: {recent_of: [missing_episode]}   # as `now: true`; for these bases a just-past time ("last night") counts
    now: {today_of: [domestic_abuse_current]}  # ... and for these, "today", "this morning", "currently"
    age_under_years: {years: 13, older_reads_as: neglect_concerns}
                                  # about young children: when every child age stated is at least 13, it reads as
                                  # `older_reads_as` instead; with no age stated it holds (never understate)
    unless: [football, fell off]  # phrases that set the indicator's own phrase matches aside in that sentence
    adult_partner: true           # fires when a child's age (under 18) and an adult partner's age are both stated
    concepts: [{together: [[hit, punch*], [child, old]], unless: [another child], now: true}]
                                  # a concept: one word of every group in one sentence, none negated, and none
                                  # of the `unless` phrases in that sentence (for wording no phrase list foresees);
                                  # with `now: true`, only beside an immediacy cue
Without `of`, the conditions gate the indicator's own phrases.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from app.core import models as m
from app.core.language.text import STOPWORDS, normalise, stem, tokenise
from app.core.triage.lexicon import (
    CLASSES,
    EVERYDAY,
    EVERYDAY_WORDS,
    HISTORY,
    LIGHT_VERBS,
    NEGATORS,
    TOPIC_FRAMES,
)


@dataclass(frozen=True)
class Phrase:
    indicator_id: str
    text: str
    parts: tuple[tuple[str, bool], ...]  # (stem, or prefix when True)
    is_history: bool  # the phrase itself speaks of the past ("history of domestic abuse")
    exact: bool = False  # matched word for word, small words included ("had been cut", "out of school")
    gated: bool = False  # counts only when the indicator's `triage` conditions hold


@dataclass(frozen=True)
class Derived:
    indicator_id: str
    of: frozenset[str]
    repeated: bool
    age_under_months: float | None
    age_at_least_months: float | None
    context: tuple[tuple[tuple[str, bool], ...], ...] = ()  # one of these must appear somewhere in the text
    now: bool = False  # the description says it is happening now ("tonight", "with him now"), see NOW_PRESENT
    recent_of: frozenset[str] = frozenset()  # bases for which a just-past time ("last night") also counts
    today_of: frozenset[str] = frozenset()  # bases for which "today", "this morning" also count


@dataclass(frozen=True)
class Concept:
    indicator_id: str
    groups: tuple[tuple[tuple[str, bool], ...], ...]  # each group: (stem, or prefix when True) alternatives
    unless: tuple[tuple[tuple[tuple[str, bool], ...], bool], ...]  # (phrase parts, exact): rule it out in that sentence
    now: bool = False  # only with an immediacy cue beside it ("is waving a knife", "tonight")
    tables: tuple[tuple[frozenset[str], tuple[str, ...]], ...] = ()  # the groups as (stems, prefixes)


@dataclass(frozen=True)
class PhraseTable:
    """Phrases by their first word (or, for a prefix word like "bruis*", its first 3 letters)."""

    by_first: dict[str, list[Phrase]]
    by_prefix: dict[str, list[Phrase]]


GroupTable = tuple[frozenset[str], tuple[str, ...]]  # alternatives as (stems, prefixes), see group_tables


@dataclass(frozen=True)
class WordSense:
    """A word that names a harm, read in its everyday sense beside one of `with` and none of `not_with`."""

    word: GroupTable
    with_: GroupTable
    not_with: GroupTable


@dataclass(frozen=True)
class TriageIndex:
    """Everything triage needs from the content, compiled once: phrases by first word, numeric recognisers."""

    by_first: dict[str, list[Phrase]]
    by_prefix: dict[str, list[Phrase]]  # phrases starting with a prefix word ("bruis*"), by its first 3 letters
    attendance: list[tuple[float, str]]  # (threshold, indicator id), tightest first
    derived: list[Derived]
    gated: dict[str, Derived]  # gates on an indicator's own (or `triage.phrases`) phrases
    history_exempt: frozenset[str]  # indicators that are themselves about the past
    domain_of: dict[str, str]
    questions_for: dict[str, list[str]] = field(default_factory=dict)  # indicator id -> question ids
    adult_partner: tuple[str, ...] = ()  # indicators read from "15 year old ... her 32 year old boyfriend"
    concepts: tuple[Concept, ...] = ()  # word groups that must meet in one sentence (`triage.together`)
    # indicator -> (age in months, indicator it reads as instead): about young children only ("left alone" means
    # something else at 16); applies when every child age stated is at least that, never when no age is given.
    young_only: dict[str, tuple[float, str | None]] = field(default_factory=dict)
    positive: frozenset[str] = frozenset()  # level-1 and strength indicators: "not safe" negates "safe at home"
    # indicator -> phrases that set its own phrase matches aside in that sentence (`triage.unless`)
    unless: dict[str, tuple[tuple[tuple[tuple[str, bool], ...], bool], ...]] = field(default_factory=dict)
    red_flags: frozenset[str] = frozenset()  # indicators that mean immediate danger
    # indicator -> the lower indicator of its domain that is about the past ("domestic abuse in the past"): what a
    # match described only as past reads as, so a past harm weighs as its own content says, not as a possible one.
    past_reads_as: dict[str, str] = field(default_factory=dict)
    # Not from the content: everyday senses and topics (lexicon.yaml), which set harm words aside.
    everyday: PhraseTable = field(default_factory=lambda: PhraseTable({}, {}))
    everyday_words: tuple[WordSense, ...] = ()
    topics: PhraseTable = field(default_factory=lambda: PhraseTable({}, {}))


@functools.lru_cache(maxsize=8192)
def _word_parts(raw: str) -> tuple[tuple[tuple[str, bool], bool], ...]:
    """One word of a phrase as ((stem, is prefix), is small word) parts.

    Cached: the content's ~6,600 phrase words are ~1,700 distinct ones, and tokenising each once
    about halves the time to build the index at start-up.
    """
    if raw.endswith("*"):
        return (((normalise(raw[:-1]), True), False),)
    # Phrases are lower case, so short words are tried as capitals for abbreviations ("da", "dv").
    tokens = tokenise(raw.upper() if len(raw) <= 4 and raw.isalpha() else raw)
    return tuple(((t.stem, False), t.word in STOPWORDS) for t in tokens if t.word != ",")


def phrase_parts(phrase: str) -> tuple[tuple[tuple[str, bool], ...], bool]:
    """The words a phrase must match, and whether it must match word for word.

    Small words are skipped on both sides, except when that would leave a multi-word phrase with a single
    word: "had been cut" must not become "cut", so it is matched exactly.
    """
    every: list[tuple[str, bool]] = []
    small: list[bool] = []  # dropped from matching like the description's small words (by word, not stem)
    for raw in phrase.split():
        for part, is_small in _word_parts(raw):
            every.append(part)
            small.append(is_small)
    content = [p for p, is_small in zip(every, small, strict=True) if not is_small]
    if len(every) > 1 and len(content) <= 1:
        return tuple(every), True
    # A negator and a light verb, with small words that carry the meaning: "not want to be here" is not "did not
    # want to ask", "can't go on" is not "could not go to the party". Word for word, from the negator.
    if len(content) == 2 and content[0][0] in NEGATORS and content[1][0] in LIGHT_VERBS and small[-1]:
        return tuple(every[every.index(content[0]) :]), True
    return tuple(content), False


def build_index(content: m.Content) -> TriageIndex:
    by_first: dict[str, list[Phrase]] = defaultdict(list)
    by_prefix: dict[str, list[Phrase]] = defaultdict(list)
    attendance: list[tuple[float, str]] = []
    derived: list[Derived] = []
    gated: dict[str, Derived] = {}
    history_exempt: set[str] = set()
    adult_partner: list[str] = []
    concepts: list[Concept] = []
    young_only: dict[str, tuple[float, str | None]] = {}
    unless_of: dict[str, tuple[tuple[tuple[tuple[str, bool], ...], bool], ...]] = {}
    past_of_domain: dict[str, m.Indicator] = {}
    for indicator in content.indicators.values():
        hints: Mapping[str, Any] = indicator.triage or {}
        unknown = set(hints) - m.TRIAGE_HINT_KEYS
        if unknown:
            raise ValueError(
                f"indicator {indicator.id!r}: unknown triage keys {sorted(unknown)}; use {sorted(m.TRIAGE_HINT_KEYS)}"
            )
        now = hints.get("now", False)
        young = hints.get("age_under_years")
        if isinstance(young, Mapping):
            # {years: 13, older_reads_as: id}: about young children; holds when no age is stated.
            young_only[indicator.id] = (float(young["years"]) * 12, young.get("older_reads_as"))
            hints = {k: v for k, v in hints.items() if k != "age_under_years"}
        gate = Derived(
            indicator.id,
            frozenset(hints.get("of", [])),
            bool(hints.get("repeated", False)),
            _months(hints, "age_under_months", "age_under_years"),
            _months(hints, "age_at_least_months", "age_at_least_years"),
            tuple(phrase_parts(p)[0] for p in hints.get("context", [])),
            bool(now),
            frozenset(now.get("recent_of", [])) if isinstance(now, Mapping) else frozenset(),
            frozenset(now.get("today_of", [])) if isinstance(now, Mapping) else frozenset(),
        )
        has_conditions = (
            gate.now or gate.repeated or gate.age_under_months is not None or gate.age_at_least_months is not None
        )
        # With `triage.phrases`, only those phrases are gated; without `of`, conditions gate every phrase.
        own = (
            [(t, False) for t in indicator.phrases]
            if "phrases" in hints or gate.of
            else [(t, has_conditions or bool(gate.context)) for t in indicator.phrases]
        )
        own += [(t, True) for t in hints.get("phrases", [])]
        # Indicators about the past, and harms that count even when past (a disclosure of abuse last year
        # still goes to the MASH: `triage: {past_counts: true}`), are never weighed down as history.
        about_past = {stem(w) for w in re.findall(r"[a-z]+", indicator.text.lower())} & (HISTORY | {"past", "histori"})
        if about_past or hints.get("past_counts"):
            history_exempt.add(indicator.id)
        if about_past and not hints.get("past_counts") and not indicator.strength:
            past_of_domain[indicator.domain] = indicator
        for text, is_gated in own:
            parts, exact = phrase_parts(text)
            if not parts:
                continue
            stems = {p for p, _ in parts}
            is_history = bool(stems & HISTORY) or "histori" in stems
            _add(by_first, by_prefix, Phrase(indicator.id, text, parts, is_history, exact, is_gated))
        for concept in hints.get("concepts", []):
            # Each alternative in a group is one word (or "word*" for a prefix).
            groups = tuple(_group(map(str, group)) for group in concept["together"])
            unless = tuple(phrase_parts(str(u)) for u in concept.get("unless", []))
            concepts.append(
                Concept(indicator.id, groups, unless, bool(concept.get("now", False)), group_tables(groups))
            )
        if hints.get("unless"):
            unless_of[indicator.id] = tuple(phrase_parts(str(u)) for u in hints["unless"])
        if hints.get("adult_partner"):
            adult_partner.append(indicator.id)
        if "attendance_below" in hints:
            attendance.append((float(hints["attendance_below"]), indicator.id))
        if gate.of:
            derived.append(gate)
        elif has_conditions or gate.context:
            gated[indicator.id] = gate
    questions_for: dict[str, list[str]] = defaultdict(list)
    for question in content.assessment.questions:
        ids = (
            question.if_yes
            if isinstance(question, m.YesNoQuestion)
            else [i for o in question.options for i in o.indicators]
        )
        for indicator_id in ids:
            questions_for[indicator_id].append(question.id)
    return TriageIndex(
        dict(by_first),
        dict(by_prefix),
        sorted(attendance),
        derived,
        gated,
        frozenset(history_exempt),
        {i.id: i.domain for i in content.indicators.values()},
        dict(questions_for),
        tuple(adult_partner),
        tuple(concepts),
        young_only,
        frozenset(i.id for i in content.indicators.values() if i.level == 1 or i.strength),
        unless_of,
        frozenset(i.id for i in content.indicators.values() if i.red_flag),
        {
            i.id: past_of_domain[i.domain].id
            for i in content.indicators.values()
            if i.domain in past_of_domain and i.level > past_of_domain[i.domain].level and not i.red_flag
        },
        phrase_table("everyday", EVERYDAY),
        word_senses(EVERYDAY_WORDS),
        phrase_table("topic", TOPIC_FRAMES),
    )


def _months(hints: Mapping[str, Any], months_key: str, years_key: str) -> float | None:
    if months_key in hints:
        return float(hints[months_key])
    if years_key in hints:
        return float(hints[years_key]) * 12
    return None


def triage_index(content: m.Content) -> TriageIndex:
    """The index for this content, built on first use and kept with it (content is immutable)."""
    index = content._triage_index
    if not isinstance(index, TriageIndex):
        index = content._triage_index = build_index(content)
    return index


@dataclass
class Match:
    phrase: Phrase
    first: int  # index into the token list
    last: int


def _add(by_first: dict[str, list[Phrase]], by_prefix: dict[str, list[Phrase]], phrase: Phrase) -> None:
    if phrase.parts[0][1]:
        by_prefix[phrase.parts[0][0][:3]].append(phrase)
    else:
        for first in CLASSES.get(phrase.parts[0][0], {phrase.parts[0][0]}):
            by_first[first].append(phrase)


def phrase_table(label: str, texts: Iterable[str]) -> PhraseTable:
    """Phrases that are not an indicator's (everyday senses, topic frames), looked up like indicator phrases."""
    by_first: dict[str, list[Phrase]] = defaultdict(list)
    by_prefix: dict[str, list[Phrase]] = defaultdict(list)
    for text in texts:
        parts, exact = phrase_parts(text)
        if parts:
            _add(by_first, by_prefix, Phrase(label, text, parts, False, exact))
    return PhraseTable(dict(by_first), dict(by_prefix))


def _group(words: Iterable[str]) -> tuple[tuple[str, bool], ...]:
    """Alternative words as (stem, False), or (prefix, True) for "word*"."""
    return tuple((normalise(w[:-1]), True) if w.endswith("*") else (stem(normalise(w)), False) for w in words)


def word_senses(senses: Iterable[Mapping[str, list[str]]]) -> tuple[WordSense, ...]:
    return tuple(
        WordSense(*group_tables(tuple(_group(sense.get(key, [])) for key in ("word", "with", "not_with"))))
        for sense in senses
    )


def group_tables(
    groups: tuple[tuple[tuple[str, bool], ...], ...],
) -> tuple[tuple[frozenset[str], tuple[str, ...]], ...]:
    """Each group as (stems, prefixes): the same test as `part_matches`, in set form for speed."""
    return tuple(
        (
            frozenset(s for value, is_prefix in group if not is_prefix for s in {value, *CLASSES.get(value, ())}),
            tuple(value for value, is_prefix in group if is_prefix),
        )
        for group in groups
    )
