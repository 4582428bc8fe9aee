"""Reading a description: which indicators are present, historic, negated, explained or handled, and why.

`read_description` runs the steps in order: phrase matches, concepts, derived indicators, an adult partner, the
attendance figure, ages, red flags made safe, and a past harm read as its domain's past indicator.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from app.core.language.text import Token, ages_in_months, attendance_percent, normalise, stem, tokenise
from app.core.triage.index import Derived, Match, TriageIndex
from app.core.triage.lexicon import (
    ABSENCE_FLAGS,
    ACCESS_FLAGS,
    BABY_WORDS,
    CHILD_DOMAINS,
    CHILDREN,
    CURRENT,
    DOUBT,
    DOUBT_PAIRS,
    HISTORY,
    HISTORY_PAIRS,
    LEFT_WORDS,
    PARENT_DOMAINS,
    RECENT_STILL_DANGER,
    SIBLINGS,
    clause_numbers,
    has_sequence,
)
from app.core.triage.negation import is_negated, negated_list_clauses
from app.core.triage.people import about_an_adult, adult_partner, nearest_person, pronoun_means_a_child
from app.core.triage.recognise import (
    concept_words,
    everyday_word_tokens,
    find_matches,
    sentence_has_any,
    text_contains,
    topic_tokens,
)
from app.core.triage.timing import (
    Entries,
    TimeCue,
    chronology,
    cues_near,
    is_historic,
    is_repeated,
    made_safe,
    now_cues,
    person_gone,
    safe_cues,
    without_passive_used,
)
from app.core.triage.tokens import Tokens


@dataclass
class Reading:
    evidence: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    present: set[str] = field(default_factory=set)
    historic: set[str] = field(default_factory=set)
    negated: set[str] = field(default_factory=set)
    notes: dict[str, str] = field(default_factory=dict)
    handled: set[str] = field(default_factory=set)  # red flags described as past or made safe (see made_safe)
    past_read: set[str] = field(default_factory=set)  # historic matches read as their domain's past indicator
    explained: set[str] = field(default_factory=set)  # matches set aside by an explanation in the note (`unless`)
    # Where each indicator's evidence stands in the text: (start, end) character offsets, in the order read.
    spans: dict[str, list[tuple[int, int]]] = field(default_factory=lambda: defaultdict(list))
    # Where each indicator was read as current: its sentences, and the token index of each reading.
    sentences: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    at: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))

    def add_present(self, indicator_id: str, sentence: int, first: int) -> None:
        self.present.add(indicator_id)
        self.sentences[indicator_id].add(sentence)
        self.at[indicator_id].append(first)

    def add_evidence(self, indicator_id: str, words: Iterable[str], spans: Iterable[tuple[int, int]] = ()) -> None:
        known = self.evidence[indicator_id]
        known.extend(w for w in dict.fromkeys(words) if w not in known)
        self.add_spans(indicator_id, spans)

    def add_spans(self, indicator_id: str, spans: Iterable[tuple[int, int]]) -> None:
        known = self.spans[indicator_id]
        known.extend(s for s in dict.fromkeys(spans) if s not in known)


BABY_MONTHS = 12
# Where an attendance figure stands ("87%", "60 per cent"): the first one of the value attendance_percent read.
_PERCENT = re.compile(r"\b(\d{1,3}(?:\.\d+)?)\s*(?:%|per ?cent)")


@dataclass(frozen=True)
class Description:
    """One redacted description, tokenised once, with what every step of the reading looks at."""

    tokens: Tokens
    clauses: list[int]  # clause number per token
    normalised: str
    source: str  # the text the evidence is quoted from
    ages: list[float]  # every child age stated or given, in months
    listed: set[int]  # clauses that are items of a list a negation began
    cues: list[TimeCue]  # words that put something in the present moment
    # An explanation sets a harm aside only when nothing in the note doubts it and no baby is named: a baby who
    # is not yet mobile does not get bruises from play, and "the story keeps changing" is the concern itself.
    may_explain: bool
    matches: list[Match]  # indicator phrases found
    everyday: list[Match]  # phrases where a harm word has its everyday sense ("cut off", "beat the eggs")
    aside: frozenset[int]  # words read in an everyday sense or as a topic ("learned about knife crime")
    entries: Entries | None  # a dated chronology's entries, or None for one description

    @classmethod
    def of(cls, index: TriageIndex, text: str, age: float | None) -> Description:
        tokens = Tokens(tokenise(text))
        clauses = clause_numbers(tokens)
        matches = find_matches(index, tokens)
        everyday = find_matches(index.everyday, tokens)
        aside = everyday_word_tokens(tokens, index.everyday_words)
        aside |= topic_tokens(tokens, clauses, find_matches(index.topics, tokens))
        normalised = normalise(text)
        source = text if len(normalised) == len(text) else normalised
        ages = ages_in_months(normalised) + ([age * 12] if age is not None else [])
        may_explain = (
            not any(a < BABY_MONTHS for a in ages)
            and not any(t.stem in BABY_WORDS for t in tokens)
            and not _doubts_the_explanation(tokens)
        )
        return cls(
            tokens,
            clauses,
            normalised,
            source,
            ages,
            negated_list_clauses(tokens, clauses, {clauses[m.first] for m in matches}),
            now_cues(tokens, source),
            may_explain,
            matches,
            everyday,
            frozenset(aside),
            chronology(text, tokens),
        )

    def set_aside(self, match: Match) -> bool:
        """A phrase match on words read in their everyday sense or as a topic; a longer phrase still counts."""
        if match.first in self.aside or match.last in self.aside:
            return True
        return any(
            e.first <= match.last and match.first <= e.last and len(e.phrase.parts) >= len(match.phrase.parts)
            for e in self.everyday
        )

    def everyday_words(self) -> frozenset[int]:
        """Every word a concept may not take: set aside, or inside an everyday phrase."""
        return self.aside | {i for e in self.everyday for i in range(e.first, e.last + 1)}

    def words(self, first: int, last: int) -> str:
        return self.source[self.tokens[first].start : self.tokens[last].end]

    def span(self, first: int, last: int) -> tuple[int, int]:
        return self.tokens[first].start, self.tokens[last].end

    def cue_span(self, cue: TimeCue) -> tuple[int, int]:
        start = self.tokens[cue.first].start
        return start, start + len(cue.words)


def _doubts_the_explanation(tokens: list[Token]) -> bool:
    stems = [t.stem for t in tokens]
    return any(s in DOUBT for s in stems) or has_sequence(stems, DOUBT_PAIRS)


def read_description(index: TriageIndex, text: str, age: float | None) -> Reading:
    """What the (redacted) description says, step by step; later steps build on what earlier ones read."""
    description = Description.of(index, text, age)
    reading = Reading()
    _read_phrases(index, description, reading)
    _read_concepts(index, description, reading)
    _read_derived(index, description, reading)
    _read_adult_partner(index, description, reading)
    _read_attendance(index, description, reading)
    left_by_a_carer = any(t.word in LEFT_WORDS for t in description.tokens)
    _apply_young_only(index, reading, description.ages, left_by_a_carer)
    _set_aside_what_was_made_safe(index, description, reading)
    # Negated only if never also seen un-negated; present beats historic.
    reading.negated -= reading.present | reading.historic | reading.handled
    reading.historic -= reading.present
    reading.explained -= reading.present | reading.historic | reading.handled | reading.negated
    _read_past_harm_as_past(index, description, reading)
    return reading


def _read_phrases(index: TriageIndex, d: Description, reading: Reading) -> None:
    explained: dict[tuple[str, int], bool] = {}  # (indicator, sentence) -> an `unless` phrase is there
    for match in d.matches:
        if not d.set_aside(match):
            _weigh_match(index, d, reading, match, explained)


def _weigh_match(
    index: TriageIndex, d: Description, reading: Reading, match: Match, explained: dict[tuple[str, int], bool]
) -> None:
    """Read one phrase match as negated, explained, not about this child, historic or present."""
    tokens = d.tokens
    indicator_id = match.phrase.indicator_id
    sentence = tokens[match.first].sentence
    reading.add_evidence(indicator_id, [d.words(match.first, match.last)], [d.span(match.first, match.last)])
    if is_negated(tokens, match, d.clauses, d.listed, concern=indicator_id not in index.positive):
        reading.negated.add(indicator_id)
        return
    if indicator_id in index.unless and d.may_explain:
        key = (indicator_id, sentence)
        if key not in explained:
            # The sentence or the next ("Bruise on his shin. Mum says he fell off his scooter.")
            explained[key] = any(
                sentence_has_any(tokens, s, index.unless[indicator_id]) for s in (sentence, sentence + 1)
            )
        if explained[key]:
            reading.explained.add(indicator_id)
            return  # "bruise on his shin from football": the words explain it away
    gate = index.gated.get(indicator_id)
    if match.phrase.gated and (gate is None or not _gate_open(gate, d, sentence)):
        return
    domain = index.domain_of.get(indicator_id)
    if domain in PARENT_DOMAINS and pronoun_means_a_child(tokens, match.first):
        return  # "Mum says he won't get out of bed": "he" is the boy, not mum
    if domain in CHILD_DOMAINS and about_an_adult(tokens, match, d.clauses):
        return
    if indicator_id not in index.history_exempt and is_historic(tokens, match, d.clauses, d.source):
        reading.historic.add(indicator_id)
        reading.notes.setdefault(
            indicator_id, "Described as in the past, so it weighs less; confirm whether it is still happening."
        )
        return
    reading.add_present(indicator_id, sentence, match.first)
    if any(tokens[i].stem in SIBLINGS for i in range(max(0, match.first - 4), match.first)):
        reading.notes.setdefault(indicator_id, "The words may be about a sibling; check who is at risk.")


def _read_concepts(index: TriageIndex, d: Description, reading: Reading) -> None:
    """Word groups that meet in one sentence (`triage.concepts`), for wording no phrase list foresees."""
    aside = d.everyday_words()
    for concept in index.concepts:
        found = concept_words(concept, d.tokens, d.clauses, d.listed, aside)
        if found is None:
            continue
        chosen, sentence = found
        first = min(chosen)
        words = [d.words(i, i) for i in chosen]
        spans = [d.span(i, i) for i in chosen]
        if concept.now:
            concept_cues = cues_near(d.cues, sentence, recent=False, today=True, entries=d.entries)
            if not concept_cues:
                continue
            words = [*words, *(c.words for c in concept_cues if c.words not in words)]
            spans += [d.cue_span(c) for c in concept_cues]
        if (
            index.domain_of.get(concept.indicator_id) in PARENT_DOMAINS
            and nearest_person(d.tokens, first) == "child"
            and not any(stem(normalise(w)) in CHILDREN | {"old"} for w in words)  # "toddler swallowed methadone"
        ):
            continue
        if concept.indicator_id in reading.present:
            continue
        stems = d.tokens.sentence_stems(sentence)
        past = any(s in HISTORY for s in stems) or has_sequence(without_passive_used(stems), HISTORY_PAIRS)
        if past and concept.indicator_id not in index.history_exempt and not any(s in CURRENT for s in stems):
            reading.historic.add(concept.indicator_id)
            reading.evidence[concept.indicator_id].extend(words)
            reading.add_spans(concept.indicator_id, spans)
            continue
        reading.add_present(concept.indicator_id, sentence, first)
        reading.add_evidence(concept.indicator_id, words, spans)
        reading.notes.setdefault(
            concept.indicator_id, "Read from words that appear together: " + ", ".join(words) + "."
        )


def _read_derived(index: TriageIndex, d: Description, reading: Reading) -> None:
    """Indicators read from another one read as current, with a condition (`triage.of`): often, now, an age."""
    for rule in index.derived:
        opened = [
            (base, s)
            for base in rule.of
            for s in reading.sentences.get(base, ())
            if _gate_open(rule, d, s, base in rule.recent_of, base in rule.today_of)
        ]
        if not opened:
            continue
        reading.present.add(rule.indicator_id)
        reading.at[rule.indicator_id].extend(
            i for base, s in opened for i in reading.at.get(base, ()) if d.tokens[i].sentence == s
        )
        bases = [e for base in dict.fromkeys(b for b, _ in opened) for e in reading.evidence.get(base, [])]
        spans = [e for base in dict.fromkeys(b for b, _ in opened) for e in reading.spans.get(base, [])]
        if rule.now:
            cues = [
                c
                for base, s in opened
                for c in cues_near(d.cues, s, base in rule.recent_of, base in rule.today_of, d.entries)
            ]
            bases += [c.words for c in cues]
            spans += [d.cue_span(c) for c in cues]
        reading.evidence[rule.indicator_id].extend(b for b in bases if b not in reading.evidence[rule.indicator_id])
        reading.add_spans(rule.indicator_id, spans)
        reading.notes.setdefault(rule.indicator_id, _gate_note(rule))


def _read_adult_partner(index: TriageIndex, d: Description, reading: Reading) -> None:
    partner = adult_partner(d.normalised, d.ages) if index.adult_partner else None
    if not partner:
        return
    start = d.normalised.find(partner)
    for indicator_id in index.adult_partner:
        reading.present.add(indicator_id)
        reading.evidence[indicator_id].append(partner)
        reading.add_spans(indicator_id, [(start, start + len(partner))] if start >= 0 else [])
        reading.notes.setdefault(
            indicator_id, "A child and an adult partner's ages were both read from the description."
        )


def _read_attendance(index: TriageIndex, d: Description, reading: Reading) -> None:
    percent = attendance_percent(d.normalised)
    if percent is None:
        return
    band = next((ind for threshold, ind in index.attendance if percent < threshold), None)
    if band is None:
        return
    reading.present.add(band)
    reading.evidence[band].append(f"{percent:g}%")
    where = [found.span() for found in _PERCENT.finditer(d.normalised) if float(found.group(1)) == percent]
    reading.add_spans(band, where[:1])
    reading.notes.setdefault(band, f"Attendance of {percent:g}% was read from the description.")
    reading.negated.discard(band)


def _set_aside_what_was_made_safe(index: TriageIndex, d: Description, reading: Reading) -> None:
    """A red flag read only as past or already handled is level 4, but not immediate danger (timing.made_safe)."""
    for indicator_id in sorted(reading.present & index.red_flags):
        safe = safe_cues(d.tokens, d.source)
        # Made safe only when every place it was read says so; a red flag read some other way stays.
        reasons = [
            made_safe(
                d.tokens,
                d.clauses,
                i,
                safe,
                d.cues,
                d.source,
                recent_counts=indicator_id not in RECENT_STILL_DANGER,
                dated_counts=indicator_id not in ACCESS_FLAGS,
                absence=indicator_id in ABSENCE_FLAGS,
            )
            for i in reading.at.get(indicator_id, ())
        ]
        if reasons and all(reasons):
            reading.present.discard(indicator_id)
            reading.handled.add(indicator_id)
            reading.notes[indicator_id] = (
                f"Read as past or already made safe ({reasons[0]}): level 4, but not immediate danger; "
                "confirm the child is safe now."
            )


def _read_past_harm_as_past(index: TriageIndex, d: Description, reading: Reading) -> None:
    """ "There was DV from dad in the past, he left last year": the domain's own past indicator, present; the
    historic match stays listed (with its settle question) but does not lift the level as a possible harm.
    Only when the note also says the person has gone: a past harm by someone still around stays possible."""
    if not any(index.past_reads_as.get(i) for i in reading.historic) or not person_gone(d.tokens, d.source):
        return
    for indicator_id in sorted(reading.historic):
        past = index.past_reads_as.get(indicator_id)
        if past is None:
            continue
        reading.past_read.add(indicator_id)
        reading.present.add(past)
        reading.negated.discard(past)
        reading.add_evidence(past, reading.evidence.get(indicator_id, []), reading.spans.get(indicator_id, []))
        reading.notes.setdefault(past, "Read from a harm described as in the past.")


INDEPENDENT_AGE_MONTHS = 16 * 12


def _apply_young_only(index: TriageIndex, reading: Reading, ages: list[float], left_by_a_carer: bool = True) -> None:
    """Indicators about young children, when every child's age stated is older: read as `older_reads_as` instead."""
    child_ages = [a for a in ages if a < 18 * 12]
    if not child_ages:
        return  # no age given: keep the reading about a young child (never understate)
    for indicator_id, (months, instead) in index.young_only.items():
        if indicator_id not in reading.present or min(child_ages) < months:
            continue
        reading.present.discard(indicator_id)
        evidence = reading.evidence.pop(indicator_id, [])
        spans = reading.spans.pop(indicator_id, [])
        reading.notes.pop(indicator_id, None)
        # At 16 or 17, staying home on their own is ordinary; being *left* ("left in the flat for a week") still is not.
        if instead and (min(child_ages) < INDEPENDENT_AGE_MONTHS or left_by_a_carer):
            reading.present.add(instead)
            reading.evidence[instead].extend(e for e in evidence if e not in reading.evidence[instead])
            reading.add_spans(instead, spans)
            reading.notes.setdefault(
                instead, f"Read with the young person's age ({min(child_ages) / 12:g}): not a young child alone."
            )


def _gate_open(gate: Derived, d: Description, sentence: int, recent: bool = False, today: bool = False) -> bool:
    if gate.context and not any(text_contains(d.tokens, parts) for parts in gate.context):
        return False
    if gate.now and not cues_near(d.cues, sentence, recent, today, d.entries):
        return False
    if gate.repeated and not is_repeated(d.tokens, sentence, d.source):
        return False
    if gate.age_under_months is not None and not any(a < gate.age_under_months for a in d.ages):
        return False
    return not (gate.age_at_least_months is not None and not any(a >= gate.age_at_least_months for a in d.ages))


def _gate_note(gate: Derived) -> str:
    if gate.now:
        return "Read as happening now: act first, then finish the questions."
    if gate.repeated:
        return "Read as happening more than once or getting worse."
    if gate.age_under_months is not None:
        return f"Read with the child's age (under {gate.age_under_months:g} months)."
    return "Read with the child's age."
