"""Reading a description: which indicators are present, historic, negated, explained or handled, and why.

`read_description` runs the steps in order: phrase matches, concepts, derived indicators, an adult partner, the
attendance figure, ages, red flags made safe, and a past harm read as its domain's past indicator.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from app.core.language.text import Token, ages_in_months, attendance_percent, normalise, stem, tokenise
from app.core.triage.index import Derived, TriageIndex
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
    sentence_stems,
)
from app.core.triage.negation import is_negated, negated_list_clauses
from app.core.triage.people import about_an_adult, adult_partner, nearest_person, pronoun_means_a_child
from app.core.triage.recognise import concept_words, contains, find_matches, sentence_has_any
from app.core.triage.timing import (
    TimeCue,
    cues_near,
    is_historic,
    is_repeated,
    made_safe,
    now_cues,
    person_gone,
    safe_cues,
    without_passive_used,
)


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


BABY_MONTHS = 12


def _doubts_the_explanation(tokens: list[Token]) -> bool:
    stems = [t.stem for t in tokens]
    return any(s in DOUBT for s in stems) or has_sequence(stems, DOUBT_PAIRS)


def read_description(index: TriageIndex, text: str, age: float | None, indicators_domain: Mapping[str, str]) -> Reading:
    tokens = tokenise(text)
    clauses = clause_numbers(tokens)
    normalised = normalise(text)
    source = text if len(normalised) == len(text) else normalised
    ages = ages_in_months(normalised) + ([age * 12] if age is not None else [])
    reading = Reading()
    listed = negated_list_clauses(tokens, clauses)
    current_sentences: dict[str, set[int]] = defaultdict(set)
    at: dict[str, list[int]] = defaultdict(list)  # indicator -> token indices where it was read as current
    cues = now_cues(tokens, source)
    explained: dict[tuple[str, int], bool] = {}  # (indicator, sentence) -> an `unless` phrase is there
    # An explanation sets a harm aside only when nothing in the note doubts it and no baby is named: a baby who
    # is not yet mobile does not get bruises from play, and "the story keeps changing" is the concern itself.
    may_explain = (
        not any(a < BABY_MONTHS for a in ages)
        and not any(t.stem in BABY_WORDS for t in tokens)
        and not _doubts_the_explanation(tokens)
    )

    for match in find_matches(index, tokens):
        indicator_id = match.phrase.indicator_id
        words = source[tokens[match.first].start : tokens[match.last].end]
        if words not in reading.evidence[indicator_id]:
            reading.evidence[indicator_id].append(words)
        if is_negated(tokens, match, clauses, listed, concern=indicator_id not in index.positive):
            reading.negated.add(indicator_id)
            continue
        if indicator_id in index.unless and may_explain:
            key = (indicator_id, tokens[match.first].sentence)
            if key not in explained:
                # The sentence or the next ("Bruise on his shin. Mum says he fell off his scooter.")
                explained[key] = any(
                    sentence_has_any(tokens, sentence, index.unless[indicator_id]) for sentence in (key[1], key[1] + 1)
                )
            if explained[key]:
                reading.explained.add(indicator_id)
                continue  # "bruise on his shin from football": the words explain it away
        gate = index.gated.get(indicator_id)
        if match.phrase.gated and (
            gate is None or not _gate_open(gate, tokens, tokens[match.first].sentence, source, ages, cues)
        ):
            continue
        if indicators_domain.get(indicator_id) in PARENT_DOMAINS and pronoun_means_a_child(tokens, match.first):
            continue  # "Mum says he won't get out of bed": "he" is the boy, not mum
        if indicators_domain.get(indicator_id) in CHILD_DOMAINS and about_an_adult(tokens, match, clauses):
            continue
        if indicator_id not in index.history_exempt and is_historic(tokens, match, clauses, source):
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
        words = concept_words(concept, tokens, clauses, listed, source)
        concept_cues = cues_near(cues, words[1], recent=False, today=True) if words and concept.now else []
        if words and concept.now and not concept_cues:
            continue
        if words and concept_cues:
            words = ([*words[0], *(c for c in concept_cues if c not in words[0])], words[1], words[2])
        if (
            words
            and indicators_domain.get(concept.indicator_id) in PARENT_DOMAINS
            and nearest_person(tokens, words[2]) == "child"
            and not any(stem(normalise(w)) in CHILDREN | {"old"} for w in words[0])  # "toddler swallowed methadone"
        ):
            continue
        if words and concept.indicator_id not in reading.present:
            stems = sentence_stems(tokens, words[1])
            past = any(s in HISTORY for s in stems) or has_sequence(without_passive_used(stems), HISTORY_PAIRS)
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
                    w for base, s in opened for w in cues_near(cues, s, base in rule.recent_of, base in rule.today_of)
                ]
            reading.evidence[rule.indicator_id].extend(b for b in bases if b not in reading.evidence[rule.indicator_id])
            reading.notes.setdefault(rule.indicator_id, _gate_note(rule))

    partner = adult_partner(normalised, ages) if index.adult_partner else None
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
        safe = safe_cues(tokens, source)
        # Made safe only when every place it was read says so; a red flag read some other way stays.
        reasons = [
            made_safe(
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
    gone = person_gone(tokens, source)
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
        reading.notes.pop(indicator_id, None)
        # At 16 or 17, staying home on their own is ordinary; being *left* ("left in the flat for a week") still is not.
        if instead and (min(child_ages) < INDEPENDENT_AGE_MONTHS or left_by_a_carer):
            reading.present.add(instead)
            reading.evidence[instead].extend(e for e in evidence if e not in reading.evidence[instead])
            reading.notes.setdefault(
                instead, f"Read with the young person's age ({min(child_ages) / 12:g}): not a young child alone."
            )


def _gate_open(
    gate: Derived,
    tokens: list[Token],
    sentence: int,
    source: str,
    ages: list[float],
    cues: list[TimeCue] | None = None,
    recent: bool = False,
    today: bool = False,
) -> bool:
    if gate.context and not any(contains(tokens, parts) for parts in gate.context):
        return False
    if gate.now and not cues_near(cues if cues is not None else now_cues(tokens, source), sentence, recent, today):
        return False
    if gate.repeated and not is_repeated(tokens, sentence, source):
        return False
    if gate.age_under_months is not None and not any(a < gate.age_under_months for a in ages):
        return False
    return not (gate.age_at_least_months is not None and not any(a >= gate.age_at_least_months for a in ages))


def _gate_note(gate: Derived) -> str:
    if gate.now:
        return "Read as happening now: act first, then finish the questions."
    if gate.repeated:
        return "Read as happening more than once or getting worse."
    if gate.age_under_months is not None:
        return f"Read with the child's age (under {gate.age_under_months:g} months)."
    return "Read with the child's age."
