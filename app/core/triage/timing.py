"""When: history ("last year"), repetition ("three times"), the present moment ("tonight"), and a danger
made safe or already handled.

Made safe: a red flag (immediate danger) described with words that say the danger has passed or is being dealt with
is read as *possible*, not present: the level stays 4 (the engine treats a possible red flag so), but it is not
immediate danger. The kinds (dated, recent, child_safe, removed, carer_back) and their words are in lexicon.yaml.
A present-moment cue after the words ("... arrested, but he is outside the house right now") undoes them, and so does
a negator before them ("has not been arrested"), release after them ("arrested and released"), or a move back towards
the danger after them ("parents want to take him home"). A court order alone is not safety: it is often the thing
being breached.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import dataclass

from app.core.language.text import Token, stem
from app.core.triage.index import Match
from app.core.triage.lexicon import (
    ALONE_AFTER,
    ARRANGED_CUES,
    ARRANGEMENT,
    COUNT_WORDS,
    CUE_KIND,
    CUE_NEGATION_GAP,
    CURRENT,
    FREQUENCY_BEFORE,
    FUTURE,
    GOING,
    GONE_WORDS,
    HABIT,
    HABIT_PAIRS,
    HANDOVER,
    HARM_ING,
    HISTORY,
    HISTORY_PAIRS,
    HOURS,
    INTENT_VERBS,
    JUST_VERBS,
    NEGATORS,
    NOW,
    NOW_ADVERBS,
    NOW_BLOCKERS,
    NUMBERS,
    PERFECT,
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
    SETTLED_AFTER_NOW,
    SETTLED_BEFORE_NOW,
    SINGLE,
    STATE_CUES,
    UNACCOUNTED,
    WEAK_NOW,
    WEEKDAYS,
    has_sequence,
)
from app.core.triage.people import nearest_person
from app.core.triage.tokens import Tokens

HANDOVER_REACH = 2


def _arrangement_in(stems: list[str], tokens: Tokens, i: int) -> bool:
    if stems[i] not in ARRANGED_CUES:
        return False
    return any(s in ARRANGEMENT for s in tokens.sentence_stems(tokens[i].sentence))


# "go" is the stem of "went", "gone" and "going round" too: only "going to" and "going abroad" speak of the future.
_GO = stem("going")


def _future_in(stems: list[str], tokens: Tokens, i: int) -> bool:
    sentence = tokens[i].sentence
    for j in tokens.sentence_range(sentence):
        if stems[j] not in FUTURE:
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


def is_historic(tokens: Tokens, match: Match, clauses: list[int], source: str) -> bool:
    if match.phrase.is_history:
        return False
    clause = clauses[match.first]
    stems = tokens.stems[bisect_left(clauses, clause) : bisect_right(clauses, clause)]  # clauses never go down
    if any(s in CURRENT for s in stems):
        return False
    if any(s in HISTORY for s in stems) or has_sequence(without_passive_used(stems), HISTORY_PAIRS):
        return True
    span = source[tokens[clauses.index(clauses[match.first])].start : tokens[match.last].end + 60].lower()
    ago = _MONTHS_AGO.search(span)
    return bool(ago and int(NUMBERS.get(ago.group(1), ago.group(1) if ago.group(1).isdigit() else 0)) >= 6)


def without_passive_used(stems: list[str]) -> list[str]:
    """Drop "used" where it is passive ("being used to hold drugs"), so only "used to" of the past remains; and
    "past" or "last" in "for the past two hours", "over the last year", which run up to now."""
    return [
        s
        for i, s in enumerate(stems)
        if not (s == "used" and i > 0 and stems[i - 1] in ("being", "be", "is", "are", "get"))
        and not (s in ("past", "last") and i > 1 and stems[i - 1] == "the" and stems[i - 2] in ("for", "over"))
    ]


def is_repeated(tokens: Tokens, sentence: int, source: str) -> bool:
    stems = tokens.sentence_stems(sentence)
    if has_sequence(stems, SINGLE):
        return False
    if any(s in REPEATED for s in stems) or has_sequence(stems, REPEATED_PAIRS):
        return True
    sentence_tokens = tokens.in_sentence(sentence)
    text = source[sentence_tokens[0].start : sentence_tokens[-1].end].lower() if sentence_tokens else ""
    times = _TIMES.search(text)
    return bool(times and times.group(1) not in ("1", "one"))


def person_gone(tokens: Tokens, source: str) -> bool:
    """Whether the note says someone has left or is out of reach ("dad left last year", "moved out", "in prison")."""
    return any(t.stem in GONE_WORDS or t.word in GONE_WORDS for t in tokens) or any(
        cue.kind == "removed" for cue in safe_cues(tokens, source)
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
class TimeCue:
    words: str
    sentence: int
    kind: str  # present, near or recent (see NOW_PRESENT)
    first: int = -1  # token index where the cue starts
    reach: int = 1  # sentences either side it counts for (a hand-over back to the carer reaches further)


def now_cues(tokens: Tokens, source: str) -> list[TimeCue]:
    """The words anywhere in the description that put it in the present or the next few hours, with their strength."""
    found: list[TimeCue] = []
    stems = tokens.stems
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
            found.append(TimeCue(words, token.sentence, kind, i, reach))
    return found


def cues_near(
    cues: list[TimeCue], sentence: int, recent: bool, today: bool = False, entries: Entries | None = None
) -> list[TimeCue]:
    """The cues that count for a harm read in `sentence`: present ones anywhere (in a chronology, see `Entries`),
    the others in that sentence or the one before or after ("Going to Sudan on Friday; mum says she will become a
    woman there."); "today" ones with `today` or `recent`, just-past ones with `recent`."""
    return [
        c
        for c in cues
        if (c.kind == "present" and (entries is None or entries.reaches(c.sentence, sentence)))
        or (abs(c.sentence - sentence) <= c.reach and (c.kind == "near" or recent or (today and c.kind == "today")))
    ]


# A chronology: lines that start with a date ("12/03: ...", "Mon 3rd Nov - ..."; most are redacted to "[date]").
_DATED_LINE = re.compile(
    r"^[ \t]*(?:[a-z]{3,9}\.?,?[ \t]+)?"  # a weekday, if any
    r"(?:\[date\]|\d{1,2}[/.-]\d{1,2}(?:[/.-]\d{2,4})?\b"  # as redacted, or "12/03" (no year: not redacted)
    r"|\d{1,2}(?:st|nd|rd|th)?[ \t]+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b)",
    re.MULTILINE | re.IGNORECASE,
)
CHRONOLOGY_ENTRIES = 3  # dated lines that make a note a chronology


@dataclass(frozen=True)
class Entries:
    """The entries of a dated chronology, and which one each sentence is in.

    Long notes are read whole, weighting the most recent entries: a present-moment cue ("tonight", "scared to go
    home") counts for every harm in the note when it stands in the newest entry, which notes put last (or first,
    when they run newest first: both ends count, in doubt), and otherwise only for the harms in its own entry, so
    "tonight" in an entry from March does not make a harm in June happen now."""

    of_sentence: dict[int, int]
    open: frozenset[int]  # the first and last entries (and a heading before the first)

    def reaches(self, cue_sentence: int, sentence: int) -> bool:
        entry = self.of_sentence.get(cue_sentence, 0)
        return entry in self.open or entry == self.of_sentence.get(sentence, 0)


def chronology(text: str, tokens: Tokens) -> Entries | None:
    """The entries of `text` when it is a dated chronology, else None (one description: cues count anywhere)."""
    starts = [m.start() for m in _DATED_LINE.finditer(text)]
    if len(starts) < CHRONOLOGY_ENTRIES or not tokens:
        return None
    of_sentence: dict[int, int] = {}
    for token in tokens:
        of_sentence.setdefault(token.sentence, bisect_right(starts, token.start))
    # Entry 0 is anything before the first dated line (a heading), entry 1 the first dated one.
    return Entries(of_sentence, frozenset({0, 1, max(of_sentence.values())}))


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


def _habit_words(tokens: Tokens, sentence: int) -> str | None:
    stems = tokens.sentence_stems(sentence)
    words = [t.word for t in tokens.in_sentence(sentence)]
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
class SafeCue:
    words: str
    first: int
    last: int
    kind: str  # dated, child_safe or removed


def safe_cues(tokens: Tokens, source: str) -> list[SafeCue]:
    """Words anywhere in the description that say a danger has passed or is being dealt with."""
    if tokens.safe_cues is None:
        tokens.safe_cues = _find_safe_cues(tokens, source)
    return tokens.safe_cues


def _find_safe_cues(tokens: Tokens, source: str) -> list[SafeCue]:
    found: list[SafeCue] = []
    stems = tokens.stems
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
            found.append(SafeCue(source[token.start : tokens[end].end], i, end, kind))
            break
        else:
            # "on Friday night", "at the weekend", with nothing in the sentence about the future: a past date.
            prev = stems[i - 1] if i and tokens[i - 1].sentence == token.sentence else ""
            day = token.word in WEEKDAYS and prev == "on"
            weekend = token.stem == "weekend" and prev == "the" and i > 1 and stems[i - 2] == "at"
            if (day or weekend) and not _future_in(stems, tokens, i):
                found.append(SafeCue(source[tokens[i - 1 - weekend].start : token.end], i, i, "dated"))
    return found


def made_safe(
    tokens: Tokens,
    clauses: list[int],
    at: int,
    safe: list[SafeCue],
    cues: list[TimeCue],
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
        if cue.kind == "child_safe" and nearest_person(tokens, cue.first, source) == "adult":
            continue  # "mum is in hospital": not the child
        if (
            cue.kind == "child_safe"
            and cue.last < at
            and cue_sentence == sentence
            and UNACCOUNTED & set(tokens.sentence_stems(sentence))
        ):
            continue  # "placed with foster carers, has not been seen since": missing from the safe place
        if any(c.kind == "present" and c.first > cue.last for c in cues):
            continue  # "... arrested, but he is outside right now"
        if tokens.last_start(SAFE_UNDONE_LATER) > cue.last:
            continue  # "admitted ..., parents want to take him home"
        return cue.words
    return None
