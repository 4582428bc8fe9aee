"""Free-text triage: read a practitioner's description, say which indicators it recognised and why, and
suggest a level through the same decision rules as the guided assessment (`engine.decide`).

How it reads, in order:
1. Redact identifying details (nothing else ever sees the raw text).
2. Tokenise with light stems, abbreviations and spelling variants (`text.py`).
3. Match indicator `phrases` from the YAML, allowing a couple of small words between phrase words.
4. Weigh each match in its clause: negation ("no concerns about", "denies"), history ("last year"),
   frequency ("three times", "getting worse"), ages ("8 week old") and attendance figures ("87%").
5. Indicators seen now are *present*; ones described only in the past are *possible*, which lifts the
   level by at most the content's `doubt.max_lift`, and the result says what would settle it.
6. An immediate-danger (red flag) indicator described as past or made safe ("last month", "on the ward",
   "police protection", "he has been arrested") is *possible*: level 4 through the engine, but not immediate
   danger (see `_made_safe`).

Extra recognisers are declared per indicator in YAML under `triage:` (all optional):
    attendance_below: 90          # fires when a stated attendance % is below this (tightest band wins)
    of: [missing_episode]         # fires when one of these indicators is recognised and ...
    repeated: true                #   ... the same sentence says it happens often or is getting worse
    age_under_months: 12          #   ... a child in the text is younger than this
    age_under_years: 13 / age_at_least_years: 16
    now: true                     #   ... an immediacy cue is near (see _NOW_PRESENT: present / near / recent)
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

Negatives: a negator reaches forward over fillers ("no obvious signs of"), except when it is part of the harm
("won't stop bleeding", "can't breathe", "not been fed", "no food in the house"): then a concern is not negated,
while a level-1 or strength indicator still is ("not safe at home" is not "safe at home").

Who did what: a match in a domain about the child's own behaviour is set aside when the nearest person before it
in its clause is an adult ("mum self-harms"), and one in a domain about the parents is set aside when that person
is a child ("the 14 year old drinks cider"); a match beside a sibling carries a note to check who is at risk.
"""

from __future__ import annotations

import functools
import re
import time
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, Field

from app.core import models as m
from app.core.engine import decide
from app.core.language.redact import redact
from app.core.language.text import STOPWORDS, Token, ages_in_months, attendance_percent, normalise, stem, tokenise
from app.core.triage.lexicon import (
    ABSENCE_FLAGS,
    ACCESS_FLAGS,
    ADULTS,
    AGE_UNITS,
    ALONE_AFTER,
    ARRANGED_CUES,
    ARRANGEMENT,
    BABY_WORDS,
    BARE_ANSWERS,
    BE_AFTER_S,
    BEFORE_HARM,
    CHILD_DOMAINS,
    CHILDREN,
    CONTRACTED,
    COUNT_WORDS,
    CUE_KIND,
    CUE_NEGATION_GAP,
    CURRENT,
    DOUBT,
    DOUBT_PAIRS,
    ENGLISH_HINTS,
    FREQUENCY_BEFORE,
    FUTURE,
    GOING,
    GONE_WORDS,
    HABIT,
    HABIT_PAIRS,
    HANDOVER,
    HARM_ING,
    HARM_WHEN_NEGATED,
    HISTORY,
    HISTORY_PAIRS,
    HOURS,
    INTENT_VERBS,
    JUST_VERBS,
    LEFT_WORDS,
    LIST_JOINERS,
    NEGATION_FILLER,
    NEGATORS,
    NOW,
    NOW_ADVERBS,
    NOW_BLOCKERS,
    NUMBERS,
    PARENT_DOMAINS,
    PARENTS,
    PERFECT,
    PERSON_STEMS,
    POST_NEGATIONS,
    PRONOUNS,
    RECENT_STILL_DANGER,
    REFUSES,
    REPEATED,
    REPEATED_PAIRS,
    REPORTING,
    SAFE_CARER_BACK,
    SAFE_CHILD,
    SAFE_DATED,
    SAFE_RECENT,
    SAFE_REMOVED,
    SAFE_UNDONE,
    SAFE_UNDONE_LATER,
    SERVICE_NOUNS,
    SETTLED_AFTER_NOW,
    SETTLED_BEFORE_NOW,
    SIBLINGS,
    SINGLE,
    STAFF,
    STATE_CUES,
    UNACCOUNTED,
    WEAK_NOW,
    WEEKDAYS,
    clause_numbers,
    clause_stems,
    has_sequence,
    sentence_stems,
)

__all__ = [
    "MAX_TEXT_LENGTH",
    "TriageIndex",
    "TriageResult",
    "build_index",
    "prefill_answers",
    "triage",
    "triage_index",
]

MAX_TEXT_LENGTH = 5000


MAX_GAP = 2  # content words allowed between two words of a phrase ("bruising on her upper arm")


NEGATION_REACH = 5  # tokens back from a match that a negation word can reach


FOLLOW_UP_LIMIT = 8


def _negator_is_the_harm(tokens: list[Token], i: int) -> bool:
    """Whether the negator at `i` is part of a harm ("won't wake", "not been fed"), not a denial of one."""
    for j in range(i + 1, min(len(tokens), i + 4)):
        if tokens[j].sentence != tokens[i].sentence:
            return False
        if tokens[j].stem in HARM_WHEN_NEGATED:
            return True
        if tokens[j].stem not in BEFORE_HARM:
            return False
    return False


HANDOVER_REACH = 2


def _arrangement_in(stems: list[str], tokens: list[Token], i: int) -> bool:
    if stems[i] not in ARRANGED_CUES:
        return False
    return any(stems[j] in ARRANGEMENT for j in range(len(tokens)) if tokens[j].sentence == tokens[i].sentence)


# "go" is the stem of "went", "gone" and "going round" too: only "going to" and "going abroad" speak of the future.
_GO = stem("going")


def _future_in(stems: list[str], tokens: list[Token], i: int) -> bool:
    sentence = tokens[i].sentence
    for j in range(len(tokens)):
        if tokens[j].sentence != sentence or stems[j] not in FUTURE:
            continue
        if stems[j] != _GO:
            return True
        nxt = tokens[j + 1].word if j + 1 < len(tokens) and tokens[j + 1].sentence == sentence else ""
        if tokens[j].word == "going" and nxt in ("to", "abroad", "away", "back", "home"):
            return True
    return False


def _habitual_verb(tokens: list[Token], i: int, prev: str) -> bool:
    """A cue verb after "has been" or "keeps" ("has been collecting the kids", "keeps turning up"), or in a clause
    that describes someone ("an older boyfriend who picks her up"): a habit. The simple present otherwise stays a
    cue ("he picks her up at 3" is today's plan)."""
    return prev in ("been", "keep", "who", "that", "which")


def _duration_end(tokens: list[Token], stems: list[str], i: int) -> int | None:
    """The index of "hours" in "for (the past) three hours" starting at `i`, when it runs up to now: "for the past
    two hours", or a perfect tense before it ("has not been seen for three hours"; not "missing for a few hours
    one evening")."""
    for j in range(i + 1, min(len(tokens), i + 5)):
        if tokens[j].sentence != tokens[i].sentence:
            return None
        if stems[j] in HOURS:
            span = stems[i:j]
            before = [stems[k] for k in range(max(0, i - 6), i) if tokens[k].sentence == tokens[i].sentence]
            up_to_now = "past" in span or "last" in span or any(s in PERFECT for s in before)
            return j if up_to_now else None
    return None


_TIMES = re.compile(
    r"\b(\d+|two|three|four|five|six|seven|eight|nine|ten|several|many|multiple|a few)\s+(?:times|occasions|episodes|incidents)\b"
)


_MONTHS_AGO = re.compile(r"\b(\d+|" + "|".join(NUMBERS) + r")\s+months?\s+ago\b")


_CLASSES = {stem("parent"): PARENTS, stem("child"): CHILDREN, stem("staff"): STAFF}


NO_RECOGNITION_GUIDANCE = (
    "We could not recognise a concern in this description. Please use the guided questions instead; "
    "they do not depend on how the situation is worded. If a child is in immediate danger, call 999 now."
)


EXPLAINED_GUIDANCE = (
    "Set aside because the description explains it: {words}. Check the explanation fits what happened and the "
    "child's age, and watch for a pattern."
)


TRIAGE_CAVEAT = (
    "This suggestion was read from your words by matching them to published indicators. Check each "
    "recognised item, correct anything misread, and answer the open questions; your professional "
    "judgement decides."
)


class RecognisedIndicator(BaseModel):
    id: str
    text: str
    level: int
    domain: str
    evidence: list[str] = Field(description="The words in the (redacted) description that matched.")
    negated: bool = False
    historic: bool = Field(False, description="Described as past; weighs as 'possible', not 'present'.")
    note: str | None = None


class RouteRef(BaseModel):
    id: str
    name: str


class QuestionRef(BaseModel):
    id: str
    text: str


class TriageResult(BaseModel):
    suggested_level: int | None
    level_name: str | None
    confirmed_level: int | None = Field(None, description="The level from what was read as current.")
    immediate_danger: bool
    indicators: list[RecognisedIndicator]
    routes: list[RouteRef]
    follow_up_questions: list[QuestionRef]
    redacted_text: str
    redacted: dict[str, int] = Field(default_factory=dict, description="Kinds of identifying detail removed.")
    content_version: str
    caveat: str
    settle: list[str] = Field(default_factory=list, description="What would settle doubt between levels.")
    guidance: str | None = None
    rules: list[str] = Field(default_factory=list, description="Ids of the decision rules that set the level.")
    elapsed_ms: float = 0.0


@dataclass(frozen=True)
class _Phrase:
    indicator_id: str
    text: str
    parts: tuple[tuple[str, bool], ...]  # (stem, or prefix when True)
    is_history: bool  # the phrase itself speaks of the past ("history of domestic abuse")
    exact: bool = False  # matched word for word, small words included ("had been cut", "out of school")
    gated: bool = False  # counts only when the indicator's `triage` conditions hold


@dataclass(frozen=True)
class _Derived:
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
class _Concept:
    indicator_id: str
    groups: tuple[tuple[tuple[str, bool], ...], ...]  # each group: (stem, or prefix when True) alternatives
    unless: tuple[tuple[tuple[tuple[str, bool], ...], bool], ...]  # (phrase parts, exact): rule it out in that sentence
    now: bool = False  # only with an immediacy cue beside it ("is waving a knife", "tonight")
    tables: tuple[tuple[frozenset[str], tuple[str, ...]], ...] = ()  # the groups as (stems, prefixes)


@dataclass(frozen=True)
class TriageIndex:
    """Everything triage needs from the content, compiled once: phrases by first word, numeric recognisers."""

    by_first: dict[str, list[_Phrase]]
    by_prefix: dict[str, list[_Phrase]]  # phrases starting with a prefix word ("bruis*"), by its first 3 letters
    attendance: list[tuple[float, str]]  # (threshold, indicator id), tightest first
    derived: list[_Derived]
    gated: dict[str, _Derived]  # gates on an indicator's own (or `triage.phrases`) phrases
    history_exempt: frozenset[str]  # indicators that are themselves about the past
    domain_of: dict[str, str]
    questions_for: dict[str, list[str]] = field(default_factory=dict)  # indicator id -> question ids
    adult_partner: tuple[str, ...] = ()  # indicators read from "15 year old ... her 32 year old boyfriend"
    concepts: tuple[_Concept, ...] = ()  # word groups that must meet in one sentence (`triage.together`)
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


def _phrase_parts(phrase: str) -> tuple[tuple[tuple[str, bool], ...], bool]:
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
    return tuple(content), False


def build_index(content: m.Content) -> TriageIndex:
    by_first: dict[str, list[_Phrase]] = defaultdict(list)
    by_prefix: dict[str, list[_Phrase]] = defaultdict(list)
    attendance: list[tuple[float, str]] = []
    derived: list[_Derived] = []
    gated: dict[str, _Derived] = {}
    history_exempt: set[str] = set()
    adult_partner: list[str] = []
    concepts: list[_Concept] = []
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
        gate = _Derived(
            indicator.id,
            frozenset(hints.get("of", [])),
            bool(hints.get("repeated", False)),
            _months(hints, "age_under_months", "age_under_years"),
            _months(hints, "age_at_least_months", "age_at_least_years"),
            tuple(_phrase_parts(p)[0] for p in hints.get("context", [])),
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
            parts, exact = _phrase_parts(text)
            if not parts:
                continue
            stems = {p for p, _ in parts}
            is_history = bool(stems & HISTORY) or "histori" in stems
            phrase = _Phrase(indicator.id, text, parts, is_history, exact, is_gated)
            if parts[0][1]:
                by_prefix[parts[0][0][:3]].append(phrase)
            else:
                for first in _CLASSES.get(parts[0][0], {parts[0][0]}):
                    by_first[first].append(phrase)
        for concept in hints.get("concepts", []):
            # Each alternative in a group is one word (or "word*" for a prefix).
            groups = tuple(
                tuple(
                    (normalise(w[:-1]), True) if w.endswith("*") else (stem(normalise(w)), False)
                    for w in map(str, group)
                )
                for group in concept["together"]
            )
            unless = tuple(_phrase_parts(str(u)) for u in concept.get("unless", []))
            concepts.append(
                _Concept(indicator.id, groups, unless, bool(concept.get("now", False)), _group_tables(groups))
            )
        if hints.get("unless"):
            unless_of[indicator.id] = tuple(_phrase_parts(str(u)) for u in hints["unless"])
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
    )


def _months(hints: Mapping[str, Any], months_key: str, years_key: str) -> float | None:
    if months_key in hints:
        return float(hints[months_key])
    if years_key in hints:
        return float(hints[years_key]) * 12
    return None


def triage_index(content: m.Content) -> TriageIndex:
    """The index for this content, built on first use and kept with it (content is immutable)."""
    index = content.__dict__.get("_triage_index")
    if index is None:
        index = build_index(content)
        content.__dict__["_triage_index"] = index
    return index


@dataclass
class _Match:
    phrase: _Phrase
    first: int  # index into the token list
    last: int


def _find_matches(index: TriageIndex, tokens: list[Token]) -> list[_Match]:
    # Content tokens: everything except small words and commas, remembering their place in `tokens`.
    content = [i for i, t in enumerate(tokens) if t.word != "," and t.word not in STOPWORDS]
    position = {ti: ci for ci, ti in enumerate(content)}
    matches: list[_Match] = []
    for ti, token in enumerate(tokens):
        candidates = index.by_first.get(token.stem, [])
        heads = {token.word[:3], token.stem[:3]}
        prefixed = [p for head in heads for p in index.by_prefix.get(head, ()) if _part_matches(p.parts[0], token)]
        for phrase in [*candidates, *prefixed]:
            if phrase.exact:
                end = _match_exact(phrase.parts, tokens, ti)
            elif ti in position:
                end = _match_rest(phrase.parts, tokens, content, position[ti])
            else:
                end = None
            if end is not None and not _splits_an_expansion(tokens, ti, end):
                matches.append(_Match(phrase, ti, end))
    return _drop_contained(matches)


def _splits_an_expansion(tokens: list[Token], first: int, last: int) -> bool:
    """A match that takes part of an expanded abbreviation and words outside it ("self harming ... CAMHS" is not
    "harm ... children"). Expanded words share the abbreviation's span."""
    if tokens[first].start == tokens[last].start:
        return False  # wholly inside one word or abbreviation
    # Contractions share a span too ("wasn't" -> was, not) and may be split: "not collected".
    starts_inside = (
        first > 0 and tokens[first - 1].start == tokens[first].start and tokens[first].word not in CONTRACTED
    )
    ends_inside = (
        last + 1 < len(tokens)
        and tokens[last + 1].start == tokens[last].start
        and tokens[last + 1].word not in CONTRACTED
    )
    return starts_inside or ends_inside


def _part_matches(part: tuple[str, bool], token: Token) -> bool:
    value, is_prefix = part
    if is_prefix:
        return token.word.startswith(value) or token.stem.startswith(value)
    return token.stem == value or token.stem in _CLASSES.get(value, ())


def _match_exact(parts: tuple[tuple[str, bool], ...], tokens: list[Token], start: int) -> int | None:
    end = start + len(parts) - 1
    if end >= len(tokens) or tokens[end].sentence != tokens[start].sentence:
        return None
    if all(_part_matches(part, tokens[start + k]) for k, part in enumerate(parts)):
        return end
    return None


def _match_rest(parts: tuple[tuple[str, bool], ...], tokens: list[Token], content: list[int], ci: int) -> int | None:
    position = ci
    sentence = tokens[content[ci]].sentence
    for part in parts[1:]:
        for step in range(1, MAX_GAP + 2):
            nxt = position + step
            if nxt >= len(content) or tokens[content[nxt]].sentence != sentence:
                return None
            if _part_matches(part, tokens[content[nxt]]):
                position = nxt
                break
        else:
            return None
    return content[position]


def _drop_contained(matches: list[_Match]) -> list[_Match]:
    """A more specific phrase wins over a shorter one inside it ("history of domestic abuse" over "domestic abuse").

    Specific means more words to match, not a wider span: a span can be wide only because of gaps.
    """
    kept = []
    for match in matches:
        inside = any(
            other is not match
            and other.phrase.indicator_id != match.phrase.indicator_id
            and other.first <= match.first
            and match.last <= other.last
            and len(other.phrase.parts) > len(match.phrase.parts)
            for other in matches
        )
        if not inside:
            kept.append(match)
    return kept


LIST_ITEM_WORDS = 4  # a comma-separated item this short continues the list a negation began


def _negation_reaches(tokens: list[Token], clauses: list[int], first: int, concern: bool = True) -> bool:
    """Whether a negator before `first`, in its clause, reaches it over fillers and list items ("no drug or alcohol use").

    For a concern, a negator that is part of the harm ("won't stop bleeding") does not negate it."""
    clause = clauses[first]
    for i in range(first - 1, max(-1, first - 1 - NEGATION_REACH - 3), -1):
        if clauses[i] != clause:
            return False
        if tokens[i].stem in NEGATORS or tokens[i].word in NEGATORS:
            return not (concern and _negator_is_the_harm(tokens, i))
        in_list = i + 1 < len(tokens) and tokens[i + 1].word in LIST_JOINERS
        if tokens[i].stem not in NEGATION_FILLER and tokens[i].word not in NEGATION_FILLER and not in_list:
            return False
    return False


def _negated_list_clauses(tokens: list[Token], clauses: list[int]) -> set[int]:
    """Clauses that are items of a list a negation began: "no concerns about drugs, alcohol or exploitation"."""
    negated: set[int] = set()
    words_in: dict[int, set[int]] = defaultdict(set)
    first_of: dict[int, int] = {}
    for i, (token, clause) in enumerate(zip(tokens, clauses, strict=True)):
        if token.word != ",":
            words_in[clause].add(token.start)
            first_of.setdefault(clause, i)
    carrying = False
    for clause in sorted(words_in):
        first = first_of[clause]
        starts_list = (
            first > 0 and tokens[first - 1].word == "," and tokens[first - 1].sentence == tokens[first].sentence
        )
        if carrying and starts_list and len(words_in[clause]) <= LIST_ITEM_WORDS:
            negated.add(clause)
            continue
        # A clause carries its negation into the list when it opens with one: "no concerns re drugs";
        # but not when the negative is a harm itself: "no food in the house, no heating".
        opening = [i for i in (first, first + 1) if i < len(tokens) and clauses[i] == clause]
        carrying = any(tokens[i].stem in NEGATORS and not _negator_is_the_harm(tokens, i) for i in opening)
    return negated


def _denies_a_service(tokens: list[Token], match: _Match, clauses: list[int]) -> bool:
    after = match.last + 1
    return after < len(tokens) and clauses[after] == clauses[match.last] and tokens[after].stem in SERVICE_NOUNS


def _is_negated(
    tokens: list[Token], match: _Match, clauses: list[int], listed: set[int] | None = None, concern: bool = True
) -> bool:
    if match.phrase.parts[0][0] in NEGATORS:
        return False
    if concern and _denies_a_service(tokens, match, clauses):
        return False
    clause = clauses[match.first]
    if listed and clause in listed:
        return True
    if _negation_reaches(tokens, clauses, match.first, concern):
        return True
    if _answered_no(tokens, match.last):
        return True
    after = [
        t.stem
        for t, c in zip(tokens[match.last + 1 : match.last + 6], clauses[match.last + 1 :], strict=False)
        if c == clause
    ]
    after = [s for s in after if s not in STOPWORDS or s in ("not", "no")]
    return has_sequence(after[:3], POST_NEGATIONS)


ANSWER_REACH = 4  # words after the match, in its sentence, before the answer


def _answered_no(tokens: list[Token], last: int) -> bool:
    """Whether the words after a match end their sentence and the next "sentence" is only a no ("DV - no")."""
    sentence = tokens[last].sentence
    rest = [t for t in tokens[last + 1 :] if t.word != ","]
    tail = [t for t in rest if t.sentence == sentence]
    answer = [t for t in rest if t.sentence == sentence + 1]
    return (
        len(tail) <= ANSWER_REACH
        and 0 < len(answer) <= 2
        and answer[0].word in ("no", "none", "nil", "negative", "denied")
        and all(t.word in BARE_ANSWERS for t in answer)
    )


def _is_historic(tokens: list[Token], match: _Match, clauses: list[int], source: str) -> bool:
    if match.phrase.is_history:
        return False
    stems = clause_stems(tokens, clauses, clauses[match.first])
    if any(s in CURRENT for s in stems):
        return False
    if any(s in HISTORY for s in stems) or has_sequence(_without_passive_used(stems), HISTORY_PAIRS):
        return True
    span = source[tokens[clauses.index(clauses[match.first])].start : tokens[match.last].end + 60].lower()
    ago = _MONTHS_AGO.search(span)
    return bool(ago and int(NUMBERS.get(ago.group(1), ago.group(1) if ago.group(1).isdigit() else 0)) >= 6)


def _without_passive_used(stems: list[str]) -> list[str]:
    """Drop "used" where it is passive ("being used to hold drugs"), so only "used to" of the past remains; and
    "past" or "last" in "for the past two hours", "over the last year", which run up to now."""
    return [
        s
        for i, s in enumerate(stems)
        if not (s == "used" and i > 0 and stems[i - 1] in ("being", "be", "is", "are", "get"))
        and not (s in ("past", "last") and i > 1 and stems[i - 1] == "the" and stems[i - 2] in ("for", "over"))
    ]


def _is_repeated(tokens: list[Token], sentence: int, source: str) -> bool:
    stems = sentence_stems(tokens, sentence)
    if has_sequence(stems, SINGLE):
        return False
    if any(s in REPEATED for s in stems) or has_sequence(stems, REPEATED_PAIRS):
        return True
    sentence_tokens = [t for t in tokens if t.sentence == sentence]
    text = source[sentence_tokens[0].start : sentence_tokens[-1].end].lower() if sentence_tokens else ""
    times = _TIMES.search(text)
    return bool(times and times.group(1) not in ("1", "one"))


@dataclass
class _Reading:
    evidence: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    present: set[str] = field(default_factory=set)
    historic: set[str] = field(default_factory=set)
    negated: set[str] = field(default_factory=set)
    notes: dict[str, str] = field(default_factory=dict)
    handled: set[str] = field(default_factory=set)  # red flags described as past or made safe (see _made_safe)
    past_read: set[str] = field(default_factory=set)  # historic matches read as their domain's past indicator
    explained: set[str] = field(default_factory=set)  # matches set aside by an explanation in the note (`unless`)


BABY_MONTHS = 12


def _doubts_the_explanation(tokens: list[Token]) -> bool:
    stems = [t.stem for t in tokens]
    return any(s in DOUBT for s in stems) or has_sequence(stems, DOUBT_PAIRS)


def _about_an_adult(tokens: list[Token], match: _Match, clauses: list[int]) -> bool:
    """True when the nearest person named before the match, in its clause, is an adult ("mum has anxiety")."""
    clause = clauses[match.first]
    for i in range(match.first - 1, max(-1, match.first - 9), -1):
        if clauses[i] != clause:
            return False
        word = tokens[i].stem
        if word in CHILDREN or (word == "old" and i > 0 and tokens[i - 1].stem == "year"):
            return False
        if word in ADULTS:
            return True
    return False


def _is_possessive(tokens: list[Token], i: int, source: str) -> bool:
    """ "dad's methadone" (an owner), not "dad's in hospital" (dad is)."""
    if not source[tokens[i].start : tokens[i].end].endswith(("'s", "\u2019s")) or i + 1 >= len(tokens):
        return False
    return tokens[i + 1].word not in BE_AFTER_S


PERSON_REACH = 12  # tokens back, within the sentence, to look for who a match is about


PRONOUN_REACH = 40  # tokens back, across sentences, to look for whom a pronoun stands


_PRONOUN_GENDER = {"he": "m", "she": "f"}  # subjects only: "his dad drinks" is about dad


def _pronoun_means_a_child(tokens: list[Token], first: int) -> bool:
    """Whether the words at `first` follow a "he"/"she" (with no person named in between) that stands for a child:
    the nearest person of that gender named before it is a child ("Y10 boy ... Mum says he won't get out of bed")."""
    if tokens[first].stem in PERSON_STEMS or tokens[first].stem in PARENTS:
        return False  # the words name their own person ("dad drinks")
    pronoun = None
    for i in range(first - 1, max(-1, first - 4), -1):
        if tokens[i].sentence != tokens[first].sentence:
            return False
        if tokens[i].word in _PRONOUN_GENDER:
            pronoun = i
            break
        if tokens[i].stem in PERSON_STEMS:
            return False
    if pronoun is None:
        return False
    gender = _PRONOUN_GENDER[tokens[pronoun].word]
    for i in range(pronoun - 1, max(-1, pronoun - 1 - PRONOUN_REACH), -1):
        word = tokens[i].stem
        is_age = word == "old" and i > 0 and tokens[i - 1].stem in AGE_UNITS
        kind = (None, True) if is_age else PERSON_STEMS.get(word)
        if kind is None or kind[0] not in (None, gender):
            continue
        return kind[1]
    return False


def _nearest_person(tokens: list[Token], first: int, source: str | None = None) -> str | None:
    """Who the words at `first` are most likely about: the nearest person named before them in the sentence.

    "child" for a child word or a stated age ("14 year old"), "adult" for a parent or other adult, None when a
    pronoun comes first (it could be anyone) or nobody is named. Given the `source`, "dad's" in "swallowed
    dad's methadone" is passed over as an owner, not a person the words are about.
    """
    for i in range(first - 1, max(-1, first - 1 - PERSON_REACH), -1):
        if tokens[i].sentence != tokens[first].sentence:
            return None
        word = tokens[i].stem
        if source is not None and _is_possessive(tokens, i, source):
            continue
        if tokens[i].word in PRONOUNS:
            return None
        if word in ADULTS or word in STAFF:
            return "adult"
        if word in CHILDREN or word in SIBLINGS or (word == "old" and i > 0 and tokens[i - 1].stem in AGE_UNITS):
            return "child"
    return None


def _read(index: TriageIndex, text: str, age: float | None, indicators_domain: Mapping[str, str]) -> _Reading:
    tokens = tokenise(text)
    clauses = clause_numbers(tokens)
    normalised = normalise(text)
    source = text if len(normalised) == len(text) else normalised
    ages = ages_in_months(normalised) + ([age * 12] if age is not None else [])
    reading = _Reading()
    listed = _negated_list_clauses(tokens, clauses)
    current_sentences: dict[str, set[int]] = defaultdict(set)
    at: dict[str, list[int]] = defaultdict(list)  # indicator -> token indices where it was read as current
    cues = _now_cues(tokens, source)
    explained: dict[tuple[str, int], bool] = {}  # (indicator, sentence) -> an `unless` phrase is there
    # An explanation sets a harm aside only when nothing in the note doubts it and no baby is named: a baby who
    # is not yet mobile does not get bruises from play, and "the story keeps changing" is the concern itself.
    may_explain = (
        not any(a < BABY_MONTHS for a in ages)
        and not any(t.stem in BABY_WORDS for t in tokens)
        and not _doubts_the_explanation(tokens)
    )

    for match in _find_matches(index, tokens):
        indicator_id = match.phrase.indicator_id
        words = source[tokens[match.first].start : tokens[match.last].end]
        if words not in reading.evidence[indicator_id]:
            reading.evidence[indicator_id].append(words)
        if _is_negated(tokens, match, clauses, listed, concern=indicator_id not in index.positive):
            reading.negated.add(indicator_id)
            continue
        if indicator_id in index.unless and may_explain:
            key = (indicator_id, tokens[match.first].sentence)
            if key not in explained:
                # The sentence or the next ("Bruise on his shin. Mum says he fell off his scooter.")
                explained[key] = any(
                    _sentence_has_any(tokens, sentence, index.unless[indicator_id]) for sentence in (key[1], key[1] + 1)
                )
            if explained[key]:
                reading.explained.add(indicator_id)
                continue  # "bruise on his shin from football": the words explain it away
        gate = index.gated.get(indicator_id)
        if match.phrase.gated and (
            gate is None or not _gate_open(gate, tokens, tokens[match.first].sentence, source, ages, cues)
        ):
            continue
        if indicators_domain.get(indicator_id) in PARENT_DOMAINS and _pronoun_means_a_child(tokens, match.first):
            continue  # "Mum says he won't get out of bed": "he" is the boy, not mum
        if indicators_domain.get(indicator_id) in CHILD_DOMAINS and _about_an_adult(tokens, match, clauses):
            continue
        if indicator_id not in index.history_exempt and _is_historic(tokens, match, clauses, source):
            reading.historic.add(indicator_id)
            reading.notes.setdefault(
                indicator_id, "Described as in the past, so it weighs less; confirm whether it is still happening."
            )
            continue
        reading.present.add(indicator_id)
        current_sentences[indicator_id].add(tokens[match.first].sentence)
        at[indicator_id].append(match.first)
        if any(tokens[i].stem in SIBLINGS for i in range(max(0, match.first - 4), match.first)):
            reading.notes.setdefault(indicator_id, "The words may be about a sibling; check who is at risk.")

    for concept in index.concepts:
        words = _concept_words(concept, tokens, clauses, listed, source)
        concept_cues = _cues_near(cues, words[1], recent=False, today=True) if words and concept.now else []
        if words and concept.now and not concept_cues:
            continue
        if words and concept_cues:
            words = ([*words[0], *(c for c in concept_cues if c not in words[0])], words[1], words[2])
        if (
            words
            and indicators_domain.get(concept.indicator_id) in PARENT_DOMAINS
            and _nearest_person(tokens, words[2]) == "child"
            and not any(stem(normalise(w)) in CHILDREN | {"old"} for w in words[0])  # "toddler swallowed methadone"
        ):
            continue
        if words and concept.indicator_id not in reading.present:
            stems = sentence_stems(tokens, words[1])
            past = any(s in HISTORY for s in stems) or has_sequence(_without_passive_used(stems), HISTORY_PAIRS)
            if past and concept.indicator_id not in index.history_exempt and not any(s in CURRENT for s in stems):
                reading.historic.add(concept.indicator_id)
                reading.evidence[concept.indicator_id].extend(words[0])
                continue
            reading.present.add(concept.indicator_id)
            current_sentences[concept.indicator_id].add(words[1])
            at[concept.indicator_id].append(words[2])
            reading.evidence[concept.indicator_id].extend(
                w for w in words[0] if w not in reading.evidence[concept.indicator_id]
            )
            reading.notes.setdefault(
                concept.indicator_id, "Read from words that appear together: " + ", ".join(words[0]) + "."
            )

    for rule in index.derived:
        opened = [
            (base, s)
            for base in rule.of
            for s in current_sentences.get(base, ())
            if _gate_open(rule, tokens, s, source, ages, cues, base in rule.recent_of, base in rule.today_of)
        ]
        if opened:
            reading.present.add(rule.indicator_id)
            at[rule.indicator_id].extend(i for base, s in opened for i in at.get(base, ()) if tokens[i].sentence == s)
            bases = [e for base in dict.fromkeys(b for b, _ in opened) for e in reading.evidence.get(base, [])]
            if rule.now:
                bases += [
                    w for base, s in opened for w in _cues_near(cues, s, base in rule.recent_of, base in rule.today_of)
                ]
            reading.evidence[rule.indicator_id].extend(b for b in bases if b not in reading.evidence[rule.indicator_id])
            reading.notes.setdefault(rule.indicator_id, _gate_note(rule))

    partner = _adult_partner(normalised, ages) if index.adult_partner else None
    if partner:
        for indicator_id in index.adult_partner:
            reading.present.add(indicator_id)
            reading.evidence[indicator_id].append(partner)
            reading.notes.setdefault(
                indicator_id, "A child and an adult partner's ages were both read from the description."
            )

    percent = attendance_percent(normalised)
    if percent is not None:
        band = next((ind for threshold, ind in index.attendance if percent < threshold), None)
        if band is not None:
            reading.present.add(band)
            reading.evidence[band].append(f"{percent:g}%")
            reading.notes.setdefault(band, f"Attendance of {percent:g}% was read from the description.")
            reading.negated.discard(band)

    _apply_young_only(index, reading, ages, left_by_a_carer=any(t.word in LEFT_WORDS for t in tokens))
    for indicator_id in sorted(reading.present & index.red_flags):
        safe = _safe_cues(tokens, source)
        # Made safe only when every place it was read says so; a red flag read some other way stays.
        reasons = [
            _made_safe(
                tokens,
                clauses,
                i,
                safe,
                cues,
                source,
                recent_counts=indicator_id not in RECENT_STILL_DANGER,
                dated_counts=indicator_id not in ACCESS_FLAGS,
                absence=indicator_id in ABSENCE_FLAGS,
            )
            for i in at.get(indicator_id, ())
        ]
        if reasons and all(reasons):
            reading.present.discard(indicator_id)
            reading.handled.add(indicator_id)
            reading.notes[indicator_id] = (
                f"Read as past or already made safe ({reasons[0]}): level 4, but not immediate danger; "
                "confirm the child is safe now."
            )
    # Negated only if never also seen un-negated; present beats historic.
    reading.negated -= reading.present | reading.historic | reading.handled
    reading.historic -= reading.present
    reading.explained -= reading.present | reading.historic | reading.handled | reading.negated
    # "There was DV from dad in the past, he left last year": the domain's own past indicator, present; the
    # historic match stays listed (with its settle question) but does not lift the level as a possible harm.
    # Only when the note also says the person has gone: a past harm by someone still around stays possible.
    gone = _person_gone(tokens, source)
    for indicator_id in sorted(reading.historic):
        past = index.past_reads_as.get(indicator_id)
        if past is None or not gone:
            continue
        reading.past_read.add(indicator_id)
        reading.present.add(past)
        reading.negated.discard(past)
        reading.evidence[past].extend(
            e for e in reading.evidence.get(indicator_id, []) if e not in reading.evidence[past]
        )
        reading.notes.setdefault(past, "Read from a harm described as in the past.")
    return reading


def _person_gone(tokens: list[Token], source: str) -> bool:
    """Whether the note says someone has left or is out of reach ("dad left last year", "moved out", "in prison")."""
    return any(t.stem in GONE_WORDS or t.word in GONE_WORDS for t in tokens) or any(
        cue.kind == "removed" for cue in _safe_cues(tokens, source)
    )


_NOW_BY_FIRST: dict[str, list[tuple[str, ...]]] = defaultdict(list)


for _cue in sorted(NOW, key=len, reverse=True):  # the longest cue from a word wins ("since last night")
    _NOW_BY_FIRST[_cue[0]].append(_cue)


def _cue_negated(stems: list[str], tokens: list[Token], i: int) -> bool:
    """ "not in immediate danger tonight", "no plans to travel this weekend"; but not "has not returned since last night"."""
    for j in range(i - 1, max(-1, i - 5), -1):
        if tokens[j].sentence != tokens[i].sentence:
            return False
        if stems[j] in NEGATORS:
            return True
        if stems[j] not in CUE_NEGATION_GAP:
            return False
    return False


@dataclass(frozen=True)
class _Cue:
    words: str
    sentence: int
    kind: str  # present, near or recent (see NOW_PRESENT)
    first: int = -1  # token index where the cue starts
    reach: int = 1  # sentences either side it counts for (a hand-over back to the carer reaches further)


def _now_cues(tokens: list[Token], source: str) -> list[_Cue]:
    """The words anywhere in the description that put it in the present or the next few hours, with their strength."""
    found: list[_Cue] = []
    stems = [t.stem for t in tokens]
    for i, token in enumerate(tokens):
        if token.word == ",":
            continue
        end, kind = None, "near"
        for cue in _NOW_BY_FIRST.get(token.stem, ()):
            if tuple(stems[i : i + len(cue)]) == cue:
                end, kind = i + len(cue) - 1, CUE_KIND[cue]
                break
        nxt = stems[i + 1] if i + 1 < len(tokens) and tokens[i + 1].sentence == token.sentence else ""
        prev = stems[i - 1] if i > 0 and tokens[i - 1].sentence == token.sentence else ""
        if end is not None and kind == "near" and _habitual_verb(tokens, i, prev):
            continue  # "picks her up in a car", "has been collecting the kids": what usually happens
        if end is not None and kind == "near" and _arrangement_in(stems, tokens, i):
            continue  # "CAMHS are seeing her tomorrow", "appointment on Friday": help arranged, not a harm due
        if end is not None and kind == "today" and prev in FREQUENCY_BEFORE:
            continue  # "twice this week", "three times today": how often, not when
        if end is not None and tuple(stems[i : end + 1]) in WEAK_NOW:
            near = range(max(0, i - 3), min(len(tokens), end + 4))
            if any(stems[j] in REPORTING for j in near if tokens[j].sentence == token.sentence):
                continue
        # "going on Friday", "this weekend": a named day, singular ("on Mondays" is a habit, not a date).
        if end is None and token.word in WEEKDAYS and prev in ("this", "next", "by"):
            end = i
        elif end is None and token.word in WEEKDAYS and prev == "on" and _future_in(stems, tokens, i):
            end = i  # "flying out on Friday", not "this happened on Sunday"
        if (
            end is None
            and token.stem == "now"
            and prev not in NOW_BLOCKERS
            and prev not in SETTLED_BEFORE_NOW
            and nxt not in SETTLED_AFTER_NOW
        ):
            end = i
        elif (
            end is None
            and token.stem == "just"
            and (nxt in JUST_VERBS or tokens[min(i + 1, len(tokens) - 1)].word.endswith("ed"))
        ):
            # "has just told me" dates the telling (recent); "has just turned up", "just found" is now.
            end, kind = i + 1, "recent" if nxt in REPORTING else "near"
        elif (
            end is None and token.stem == "go" and nxt == "to" and i + 2 < len(tokens) and stems[i + 2] in INTENT_VERBS
        ):
            end, kind = i + 2, "present"
        elif end is None and token.word in ("is", "are", "s", "re") and nxt in HARM_ING:
            end, kind = i + 1, "present"
        elif (
            end is None
            and token.word in ("is", "are", "s", "re")
            and nxt in NOW_ADVERBS
            and i + 2 < len(tokens)
            and stems[i + 2] in HARM_ING
        ):
            end, kind = i + 2, "present"  # "is now kicking the car", "is still hitting her"
        elif end is None and token.stem == "for" and (hours := _duration_end(tokens, stems, i)) is not None:
            end = hours  # "for three hours", "for the past two hours": near, since it may date a past harm
        elif end is None and token.word in WEEKDAYS and prev == stem("since"):
            end, kind = i, "present"  # "has not come home since Friday"
        if end is None or end >= len(tokens):
            continue
        # "not in immediate danger tonight", "no plans to travel this weekend": a negated cue does not count.
        if _cue_negated(stems, tokens, i):
            continue
        words = source[token.start : tokens[end].end]
        if all(c.words != words for c in found):
            # "Dad is collecting him at 3" is today's plan; "Mum collects the kids" is a routine and stays near.
            handover = tuple(stems[i : end + 1]) in HANDOVER and token.word.endswith("ing")
            reach = HANDOVER_REACH if handover else 1
            found.append(_Cue(words, token.sentence, kind, i, reach))
    return found


def _cues_near(cues: list[_Cue], sentence: int, recent: bool, today: bool = False) -> list[str]:
    """The cues that count for a harm read in `sentence`: present ones anywhere, the others in that sentence or
    the one before or after ("Going to Sudan on Friday; mum says she will become a woman there."); "today" ones
    with `today` or `recent`, just-past ones with `recent`."""
    return [
        c.words
        for c in cues
        if c.kind == "present"
        or (abs(c.sentence - sentence) <= c.reach and (c.kind == "near" or recent or (today and c.kind == "today")))
    ]


_SAFE_KIND = (
    dict.fromkeys(SAFE_CARER_BACK, "carer_back")
    | dict.fromkeys(SAFE_DATED, "dated")
    | dict.fromkeys(SAFE_RECENT, "recent")
    | dict.fromkeys(SAFE_CHILD, "child_safe")
)


_SAFE_KIND |= dict.fromkeys(SAFE_REMOVED, "removed")


_SAFE_BY_FIRST: dict[str, list[tuple[str, ...]]] = defaultdict(list)


for _safe in sorted(_SAFE_KIND, key=len, reverse=True):
    _SAFE_BY_FIRST[_safe[0]].append(_safe)


def _habit_words(tokens: list[Token], sentence: int) -> str | None:
    stems = [t.stem for t in tokens if t.sentence == sentence]
    words = [t.word for t in tokens if t.sentence == sentence]
    for k, word in enumerate(words):
        if word in HABIT:
            return word
        if word == "keeps" and not (k and words[k - 1] in ("story", "explanation", "account", "version")):
            return word  # "keeps turning up drunk"; not "the story keeps changing"
        if word in ("times", "occasions") and k and (words[k - 1] in COUNT_WORDS or words[k - 1].isdigit()):
            return f"{words[k - 1]} {word}"  # "three times this week"
    for pair in HABIT_PAIRS:
        for k in range(len(stems) - len(pair) + 1):
            if tuple(stems[k : k + len(pair)]) == pair:
                return " ".join(words[k : k + len(pair)])
    return None


@dataclass(frozen=True)
class _Safe:
    words: str
    first: int
    last: int
    kind: str  # dated, child_safe or removed


def _safe_cues(tokens: list[Token], source: str) -> list[_Safe]:
    """Words anywhere in the description that say a danger has passed or is being dealt with."""
    found: list[_Safe] = []
    stems = [t.stem for t in tokens]
    for i, token in enumerate(tokens):
        for cue in _SAFE_BY_FIRST.get(token.stem, ()):
            end = i + len(cue) - 1
            if tuple(stems[i : end + 1]) != cue or tokens[min(end, len(tokens) - 1)].sentence != token.sentence:
                continue
            kind = _SAFE_KIND[cue]
            before = [stems[j] for j in range(max(0, i - 3), i) if tokens[j].sentence == token.sentence]
            if any(s in NEGATORS for s in before):
                break  # "has not been arrested", "not safe now"
            if kind in ("dated", "recent") and before and before[-1] == stem("since"):
                break  # "missing since yesterday" runs up to now
            wider = [stems[j] for j in range(max(0, i - 5), i) if tokens[j].sentence == token.sentence]
            if kind == "child_safe" and before and (tokens[i - 1].word in GOING or REFUSES & set(wider)):
                break  # "has to go back home", "refusing to go to hospital": not there yet
            after = [
                stems[j] for j in range(end + 1, min(len(tokens), end + 6)) if tokens[j].sentence == token.sentence
            ]
            if kind == "child_safe" and after and after[0] in ALONE_AFTER:
                break  # "is home alone", "home on her own"
            if kind == "removed" and any(s in SAFE_UNDONE for s in after):
                break  # "arrested but released", "bail conditions breached"
            found.append(_Safe(source[token.start : tokens[end].end], i, end, kind))
            break
        else:
            # "on Friday night", "at the weekend", with nothing in the sentence about the future: a past date.
            prev = stems[i - 1] if i and tokens[i - 1].sentence == token.sentence else ""
            day = token.word in WEEKDAYS and prev == "on"
            weekend = token.stem == "weekend" and prev == "the" and i > 1 and stems[i - 2] == "at"
            if (day or weekend) and not _future_in(stems, tokens, i):
                found.append(_Safe(source[tokens[i - 1 - weekend].start : token.end], i, i, "dated"))
    return found


def _made_safe(
    tokens: list[Token],
    clauses: list[int],
    at: int,
    safe: list[_Safe],
    cues: list[_Cue],
    source: str,
    recent_counts: bool = True,
    absence: bool = False,
    dated_counts: bool = True,
) -> str | None:
    """The words that say the harm read at token `at` has passed, is handled or is a habit with nothing happening
    now, or None. `recent_counts`: whether "yesterday" and "last night" date this harm (see SAFE_RECENT)."""
    sentence = tokens[at].sentence
    habit = _habit_words(tokens, sentence)
    timed = [
        c
        for c in cues
        if (c.kind == "present" or (c.kind in ("near", "today") and abs(c.sentence - sentence) <= 1))
        and c.words.lower() not in STATE_CUES
    ]
    if habit and not timed:
        return habit  # "often found wandering the estate": a pattern to refer today, not an emergency
    for cue in safe:
        cue_sentence = tokens[cue.first].sentence
        if (
            (cue.kind == "recent" and not recent_counts)
            or (cue.kind == "dated" and not dated_counts)
            or (cue.kind == "carer_back" and not absence)
        ):
            continue
        if cue.kind in ("dated", "recent"):
            if clauses[cue.first] != clauses[at]:
                continue
        elif not 0 <= cue_sentence - sentence <= 1:
            continue
        if cue.kind == "child_safe" and _nearest_person(tokens, cue.first, source) == "adult":
            continue  # "mum is in hospital": not the child
        if (
            cue.kind == "child_safe"
            and cue.last < at
            and cue_sentence == sentence
            and UNACCOUNTED & {t.stem for t in tokens if t.sentence == sentence}
        ):
            continue  # "placed with foster carers, has not been seen since": missing from the safe place
        if any(c.kind == "present" and c.first > cue.last for c in cues):
            continue  # "... arrested, but he is outside right now"
        if has_sequence([t.stem for t in tokens[cue.last + 1 :]], SAFE_UNDONE_LATER):
            continue  # "admitted ..., parents want to take him home"
        return cue.words
    return None


def _group_tables(
    groups: tuple[tuple[tuple[str, bool], ...], ...],
) -> tuple[tuple[frozenset[str], tuple[str, ...]], ...]:
    """Each group as (stems, prefixes): the same test as `_part_matches`, in set form for speed."""
    return tuple(
        (
            frozenset(s for value, is_prefix in group if not is_prefix for s in {value, *_CLASSES.get(value, ())}),
            tuple(value for value, is_prefix in group if is_prefix),
        )
        for group in groups
    )


def _concept_words(
    concept: _Concept, tokens: list[Token], clauses: list[int], listed: set[int], source: str
) -> tuple[list[str], int, int] | None:
    """The words, one per group, that meet in one sentence (none negated), that sentence and the first word's
    index; else None."""
    # Which tokens each group's words match, once; most concepts stop here because some group has none.
    matching: list[set[int]] = []
    for exact, prefixes in concept.tables:
        hits = {
            i
            for i, token in enumerate(tokens)
            if token.stem in exact
            or (prefixes and (token.word.startswith(prefixes) or token.stem.startswith(prefixes)))
        }
        if not hits:
            return None
        matching.append(hits)
    by_sentence: dict[int, list[int]] = defaultdict(list)
    for i, token in enumerate(tokens):
        if token.word != ",":
            by_sentence[token.sentence].append(i)
    for sentence, indices in by_sentence.items():
        chosen: list[int] = []
        for hits in matching:
            hit = next(
                (
                    i
                    for i in indices
                    if i in hits
                    and i not in chosen  # one word cannot stand for two groups ("wrapped" in both)
                    and clauses[i] not in listed
                    and not _negation_reaches(tokens, clauses, i)
                ),
                None,
            )
            if hit is None:
                break
            chosen.append(hit)
        else:
            if concept.unless and _sentence_has_any(tokens, sentence, concept.unless):
                continue
            return [source[tokens[i].start : tokens[i].end] for i in chosen], sentence, min(chosen)
    return None


def _sentence_has_any(
    tokens: list[Token], sentence: int, phrases: tuple[tuple[tuple[tuple[str, bool], ...], bool], ...]
) -> bool:
    """Whether one of `phrases` ((parts, exact) as from `_phrase_parts`) appears in the sentence."""
    sentence_tokens = [t for t in tokens if t.sentence == sentence and t.word != ","]
    return any(
        any(_match_exact(parts, sentence_tokens, k) is not None for k in range(len(sentence_tokens)))
        if exact
        else _contains(sentence_tokens, parts)
        for parts, exact in phrases
    )


_STATED_AGE = re.compile(r"\b(\d{1,2})\s*(?:-|\s)?(?:years?\s*old|year-old|yrs?\s*old|yo|y/o)?\b")


_PARTNER_AFTER = re.compile(r"^\W{0,3}(?:boyfriend|girlfriend|partner|lover|fianc[eé])\b")


_PARTNER_BEFORE = re.compile(
    r"\b(?:boyfriend|girlfriend|partner|father|dad)(?: of the baby)?(?: who)? is(?: a| an)?\s*$"
)


# A 16 or 17 year old may lawfully have a partner a little older ("her 19 year old boyfriend"); a partner this
# many years older, or any adult partner of a child under 16, is the concern.
PARTNER_AGE_GAP = 5


def _adult_partner(normalised: str, ages: list[float]) -> str | None:
    """The words stating an adult partner's age beside a child's: "15yo ... her 32 year old boyfriend"."""
    child_ages = [age for age in ages if age < 18 * 12]
    if not child_ages:
        return None
    youngest = min(child_ages) / 12
    for found in _STATED_AGE.finditer(normalised):
        partner_age = int(found.group(1))
        if not 18 <= partner_age <= 80 or (youngest >= 16 and partner_age - youngest < PARTNER_AGE_GAP):
            continue
        after = _PARTNER_AFTER.search(normalised[found.end() : found.end() + 20])
        if after:
            return normalised[found.start() : found.end() + after.end()]
        window = max(0, found.start() - 40)
        before = _PARTNER_BEFORE.search(normalised[window : found.start()])
        if before:
            return normalised[window + before.start() : found.end()]
    return None


INDEPENDENT_AGE_MONTHS = 16 * 12


def _apply_young_only(index: TriageIndex, reading: _Reading, ages: list[float], left_by_a_carer: bool = True) -> None:
    """Indicators about young children, when every child's age stated is older: read as `older_reads_as` instead."""
    child_ages = [a for a in ages if a < 18 * 12]
    if not child_ages:
        return  # no age given: keep the reading about a young child (never understate)
    for indicator_id, (months, instead) in index.young_only.items():
        if indicator_id not in reading.present or min(child_ages) < months:
            continue
        reading.present.discard(indicator_id)
        evidence = reading.evidence.pop(indicator_id, [])
        reading.notes.pop(indicator_id, None)
        # At 16 or 17, staying home on their own is ordinary; being *left* ("left in the flat for a week") still is not.
        if instead and (min(child_ages) < INDEPENDENT_AGE_MONTHS or left_by_a_carer):
            reading.present.add(instead)
            reading.evidence[instead].extend(e for e in evidence if e not in reading.evidence[instead])
            reading.notes.setdefault(
                instead, f"Read with the young person's age ({min(child_ages) / 12:g}): not a young child alone."
            )


def _gate_open(
    gate: _Derived,
    tokens: list[Token],
    sentence: int,
    source: str,
    ages: list[float],
    cues: list[_Cue] | None = None,
    recent: bool = False,
    today: bool = False,
) -> bool:
    if gate.context and not any(_contains(tokens, parts) for parts in gate.context):
        return False
    if gate.now and not _cues_near(cues if cues is not None else _now_cues(tokens, source), sentence, recent, today):
        return False
    if gate.repeated and not _is_repeated(tokens, sentence, source):
        return False
    if gate.age_under_months is not None and not any(a < gate.age_under_months for a in ages):
        return False
    return not (gate.age_at_least_months is not None and not any(a >= gate.age_at_least_months for a in ages))


def _contains(tokens: list[Token], parts: tuple[tuple[str, bool], ...]) -> bool:
    content = [i for i, t in enumerate(tokens) if t.word != "," and t.word not in STOPWORDS]
    return any(
        _part_matches(parts[0], tokens[ti]) and _match_rest(parts, tokens, content, ci) is not None
        for ci, ti in enumerate(content)
    )


def _gate_note(gate: _Derived) -> str:
    if gate.now:
        return "Read as happening now: act first, then finish the questions."
    if gate.repeated:
        return "Read as happening more than once or getting worse."
    if gate.age_under_months is not None:
        return f"Read with the child's age (under {gate.age_under_months:g} months)."
    return "Read with the child's age."


def _looks_like_english(text: str) -> bool:
    words = re.findall(r"[a-z]+", text.lower())
    return len(words) >= 2 and sum(w in ENGLISH_HINTS for w in words) >= max(1, len(words) // 12)


def triage(content: m.Content, text: str, age: float | None = None) -> TriageResult:
    """Suggest a level for a free-text description; every recognised item shows the words it came from."""
    started = time.perf_counter()
    redacted = redact(text[:MAX_TEXT_LENGTH])
    index = triage_index(content)
    reading = _read(index, redacted.text, age, index.domain_of)
    indicators = content.indicators

    present = {i for i in reading.present if i in indicators}
    historic = {i for i in reading.historic if i in indicators and not indicators[i].red_flag}
    historic |= {i for i in reading.handled if i in indicators}
    weighed = historic - reading.past_read  # a past harm read as its domain's past indicator does not lift too
    recognised = [
        RecognisedIndicator(
            id=i,
            text=indicators[i].text,
            level=indicators[i].level,
            domain=indicators[i].domain,
            evidence=reading.evidence.get(i, []),
            negated=i in reading.negated,
            historic=i in reading.historic or i in reading.handled,
            note=reading.notes.get(i) if i not in reading.negated else "Read as absent or denied.",
        )
        for i in sorted(
            present | reading.historic | reading.handled | reading.negated,
            key=lambda i: (i in reading.negated, i in reading.historic, -indicators[i].level, i),
        )
        if i in indicators
    ]

    base = {
        "indicators": recognised,
        "redacted_text": redacted.text,
        "redacted": redacted.found,
        "content_version": content.version,
        "caveat": f"{content.info.caveat} {TRIAGE_CAVEAT}",
    }
    # A concern the note itself explains ("bruise on his shin from football") is an everyday need: level 1 (the
    # engine's level with nothing present), not "nothing recognised".
    if not present and not historic and not reading.explained:
        questions = _follow_up(content, index, set(), set(), [])
        return TriageResult(
            suggested_level=None,
            level_name=None,
            immediate_danger=False,
            routes=[],
            follow_up_questions=questions,
            guidance=NO_RECOGNITION_GUIDANCE
            if _looks_like_english(redacted.text) or not redacted.text.strip()
            else "This does not look like English we can read. " + NO_RECOGNITION_GUIDANCE,
            elapsed_ms=(time.perf_counter() - started) * 1000,
            **base,
        )

    decision = decide(content, present, weighed)
    level = content.levels[decision.level]
    settle = _settle(content, present, historic, decision.level, decision.confirmed_level)
    routes = _routes(content, decision.level, decision.immediate_danger, present)
    questions = _follow_up(content, index, present, historic, decision.settle_questions)
    return TriageResult(
        suggested_level=decision.level,
        level_name=level.name,
        confirmed_level=decision.confirmed_level,
        immediate_danger=decision.immediate_danger,
        routes=routes,
        follow_up_questions=questions,
        settle=settle,
        rules=[r.id for r in decision.rules],
        guidance=_explained_guidance(reading) if not present and not historic else None,
        elapsed_ms=(time.perf_counter() - started) * 1000,
        **base,
    )


def _explained_guidance(reading: _Reading) -> str:
    words = [f"'{w}'" for i in sorted(reading.explained) for w in reading.evidence.get(i, [])]
    return EXPLAINED_GUIDANCE.format(words=", ".join(dict.fromkeys(words)))


def _settle(content: m.Content, present: set[str], historic: set[str], level: int, confirmed: int) -> list[str]:
    notes = []
    if level > confirmed:
        notes.append(
            f"What was read as current points to level {confirmed}; the suggestion is the higher level, {level}, "
            "because some of what you describe may be in the past."
        )
    for indicator_id in sorted(historic):
        raised = decide(content, present | {indicator_id}).level
        if raised > confirmed:
            notes.append(
                f"Is this still happening: {content.indicators[indicator_id].text} "
                f"If so, the guidance would be level {raised}."
            )
    return notes


def _routes(content: m.Content, level: int, danger: bool, present: set[str]) -> list[RouteRef]:
    ids: list[str] = []
    if danger:
        ids += ["police_999", "mash_referral"]
    ids += content.levels[level].routes
    for indicator in sorted((content.indicators[i] for i in present), key=lambda i: -i.level):
        ids += indicator.routes
    seen: dict[str, RouteRef] = {}
    for route_id in ids:
        route = content.routes.get(route_id)
        if route is not None and route_id not in seen:
            seen[route_id] = RouteRef(id=route.id, name=route.name)
    return list(seen.values())


def _follow_up(
    content: m.Content, index: TriageIndex, present: set[str], historic: set[str], settle: list[str]
) -> list[QuestionRef]:
    """Immediate-danger questions always; then questions that would settle doubt or are still open nearby."""
    prefilled = {q for i in present for q in index.questions_for.get(i, [])}
    domains = {content.indicators[i].domain for i in present | historic}
    chosen: list[str] = [q.id for q in content.assessment.questions if q.section == "immediate_danger"]
    chosen += [q for i in sorted(historic) for q in index.questions_for.get(i, [])]
    for question in content.assessment.questions:
        if question.id in prefilled or question.ask_if is not None:
            continue
        ids = (
            question.if_yes
            if isinstance(question, m.YesNoQuestion)
            else [i for o in question.options for i in o.indicators]
        )
        if any(content.indicators[i].domain in domains for i in ids if i in content.indicators):
            chosen.append(question.id)
    out: list[QuestionRef] = []
    for question_id in dict.fromkeys(chosen):
        question = content.question(question_id)
        if question is not None and (question.section == "immediate_danger" or len(out) < FOLLOW_UP_LIMIT):
            out.append(QuestionRef(id=question.id, text=question.text))
    return out


def prefill_answers(content: m.Content, result: TriageResult) -> dict[str, str | list[str]]:
    """Answers suggested by the recognised (current, not negated) indicators, for the practitioner to confirm.

    yes_no -> "yes" when its `if_yes` holds one; multiple_choice -> every matching option; single_choice ->
    the matching option of the highest level.
    """
    recognised = {i.id for i in result.indicators if not i.negated and not i.historic}
    answers: dict[str, str | list[str]] = {}
    for question in content.assessment.questions:
        if isinstance(question, m.YesNoQuestion):
            if recognised & set(question.if_yes):
                answers[question.id] = "yes"
            continue
        matching = [o for o in question.options if recognised & set(o.indicators)]
        if not matching:
            continue
        if question.kind == "multiple_choice":
            answers[question.id] = [o.value for o in matching]
        else:
            best = max(
                matching,
                key=lambda o: max(content.indicators[i].level for i in o.indicators if i in content.indicators),
            )
            answers[question.id] = best.value
    return answers
