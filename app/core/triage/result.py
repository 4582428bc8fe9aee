"""The triage result: the level through the engine's rules (`engine.decide`), routes, follow-up questions, and
the answers a recognised indicator suggests for the guided assessment.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable

from pydantic import BaseModel, Field

from app.core import models as m
from app.core.age import AGE_QUESTION, band, described_ages
from app.core.engine import decide, route_order
from app.core.errors import InvalidInput
from app.core.language.redact import redact
from app.core.triage.index import TriageIndex, triage_index
from app.core.triage.lexicon import (
    ENGLISH_HINTS,
)
from app.core.triage.reading import Reading, read_description

# Long notes are read whole: a chronology puts its newest, gravest entry last. The channels refuse a longer text
# (a 422 naming the limit), never cut it. Callers that redact first pass text whose placeholders ("[name]") may have
# made it a little longer, so the reading itself refuses only text beyond READ_LIMIT.
MAX_TEXT_LENGTH = 20_000
READ_LIMIT = 2 * MAX_TEXT_LENGTH

FOLLOW_UP_LIMIT = 8

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


class Span(BaseModel):
    words: str = Field(description="The words exactly as they stand in `redacted_text`, to quote.")
    start: int = Field(description="Offset of their first character in `redacted_text`.")
    end: int = Field(description="Offset just after their last character in `redacted_text`.")


class RecognisedIndicator(BaseModel):
    id: str
    text: str
    level: int
    domain: str
    evidence: list[str] = Field(description="The words in the (redacted) description that matched.")
    spans: list[Span] = Field(
        default_factory=list,
        description="Where each matched word or phrase stands in `redacted_text`, in the order written: the "
        "evidence to quote beside the item (an attendance figure or an age read from numbers included).",
    )
    negated: bool = False
    historic: bool = Field(False, description="Described as past; weighs as 'possible', not 'present'.")
    note: str | None = None


class AgeStage(BaseModel):
    """The child's age or stage read from the description, as an answer to the guided age question."""

    question_id: str = Field(description="The guided question it answers.", examples=["age_stage"])
    value: str = Field(description="The option value to prefill.", examples=["age_12_to_17"])
    label: str = Field(description="The option as the question shows it.", examples=["12 to 17 years"])
    evidence: list[str] = Field(description="The words it was read from ('Year 9', '6 weeks old', 'pregnant').")
    spans: list[Span] = Field(default_factory=list, description="Where those words stand in `redacted_text`.")


class RouteRef(BaseModel):
    id: str
    name: str
    because: list[str] = Field(
        default_factory=list, description="The concerns that bring it, 'level N', or 'immediate_danger'."
    )


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
    age_stage: AgeStage | None = Field(
        None,
        description="The age or stage the description states (or the `age` given), as the age question's option; "
        "null when none is stated or children of different ages are. `prefill_answers` includes it.",
    )
    elapsed_ms: float = 0.0


def _looks_like_english(text: str) -> bool:
    words = re.findall(r"[a-z]+", text.lower())
    return len(words) >= 2 and sum(w in ENGLISH_HINTS for w in words) >= max(1, len(words) // 12)


def triage(content: m.Content, text: str, age: float | None = None) -> TriageResult:
    """Suggest a level for a free-text description; every recognised item shows the words it came from."""
    started = time.perf_counter()
    if len(text) > READ_LIMIT:
        raise InvalidInput(
            f"The description is {len(text):,} characters; the limit is {MAX_TEXT_LENGTH:,}. Nothing was read: "
            "keep the most recent entries and the main worries, and the guided questions will ask about the rest."
        )
    redacted = redact(text)
    index = triage_index(content)
    reading = read_description(index, redacted.text, age)
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
            spans=_spans(redacted.text, reading.spans.get(i, [])),
            negated=i in reading.negated,
            historic=i in reading.historic or i in reading.handled,
            note=reading.notes.get(i) if i not in reading.negated else "Read as absent or denied.",
        )
        for i in sorted(
            present | reading.historic | reading.handled | reading.negated,
            # Within a level, what the note says last comes first: a note's newest entry is its most current.
            key=lambda i: (i in reading.negated, i in reading.historic, -indicators[i].level, -_last_at(reading, i), i),
        )
        if i in indicators
    ]

    caveat = f"{content.info.caveat} {TRIAGE_CAVEAT}"
    age_stage = _age_stage(content, redacted.text, age)
    # A concern the note itself explains ("bruise on his shin from football") is an everyday need: level 1 (the
    # engine's level with nothing present), not "nothing recognised".
    if not present and not historic and not reading.explained:
        questions = _follow_up(content, index, set(), set(), [])
        return TriageResult(
            suggested_level=None,
            level_name=None,
            confirmed_level=None,
            immediate_danger=False,
            routes=[],
            follow_up_questions=questions,
            guidance=NO_RECOGNITION_GUIDANCE
            if _looks_like_english(redacted.text) or not redacted.text.strip()
            else "This does not look like English we can read. " + NO_RECOGNITION_GUIDANCE,
            elapsed_ms=(time.perf_counter() - started) * 1000,
            indicators=recognised,
            redacted_text=redacted.text,
            redacted=redacted.found,
            content_version=content.version,
            caveat=caveat,
            age_stage=age_stage,
        )

    decision = decide(content, present, weighed)
    level = content.levels[decision.level]
    settle = _settle(content, present, historic, decision.level, decision.confirmed_level)
    raising = [content.indicators[i] for i in present if not content.indicators[i].strength]
    # The engine's order: 999, a concern's own procedure (the LADO, FGM reporting ...), then the level's routes.
    routes = [
        RouteRef(id=route.id, name=route.name, because=because)
        for route_id, because in route_order(content, decision, raising).items()
        if (route := content.routes.get(route_id)) is not None
    ]
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
        indicators=recognised,
        redacted_text=redacted.text,
        redacted=redacted.found,
        content_version=content.version,
        caveat=caveat,
        age_stage=age_stage,
    )


def _last_at(reading: Reading, indicator_id: str) -> int:
    return max((start for start, _ in reading.spans.get(indicator_id, [])), default=-1)


def _spans(text: str, spans: list[tuple[int, int]]) -> list[Span]:
    """The spans in the order written; none when the offsets are not into `text` (Unicode changed its length)."""
    return [Span(words=text[s:e], start=s, end=e) for s, e in sorted(spans) if 0 <= s < e <= len(text)]


def _age_stage(content: m.Content, text: str, age: float | None) -> AgeStage | None:
    """The age question's option for the `age` given, else for the ages and stages the description states, when
    they agree (a note about children of different ages leaves the question to be asked)."""
    question = content.question(AGE_QUESTION)
    if question is None or isinstance(question, m.YesNoQuestion):
        return None
    labels = {o.value: o.label for o in question.options}
    if age is not None:
        value = band(age * 12)
        return (
            AgeStage(question_id=question.id, value=value, label=labels[value], evidence=[])
            if value in labels
            else None
        )
    mentions = [found for found in described_ages(text) if found.value in labels]
    if len({found.value for found in mentions}) != 1:
        return None
    value = mentions[0].value
    words = list(dict.fromkeys(found.words for found in mentions))
    lowered = text.lower()
    spans: list[tuple[int, int]] = []
    if len(lowered) == len(text):
        for found in words:
            start = lowered.find(found)
            while start >= 0:
                spans.append((start, start + len(found)))
                start = lowered.find(found, start + len(found))
    return AgeStage(
        question_id=question.id,
        value=value,
        label=labels[value],
        evidence=[text[s:e] for s, e in sorted(spans)] or words,
        spans=_spans(text, spans),
    )


def _explained_guidance(reading: Reading) -> str:
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
        asked = content.question(question_id)
        if asked is not None and (asked.section == "immediate_danger" or len(out) < FOLLOW_UP_LIMIT):
            out.append(QuestionRef(id=asked.id, text=asked.text))
    return out


def prefill_answers(content: m.Content, result: TriageResult) -> dict[str, str | list[str]]:
    """Answers suggested by the recognised (current, not negated) indicators, for the practitioner to confirm,
    and the age question's, from the age or stage the description states."""
    recognised = {i.id for i in result.indicators if not i.negated and not i.historic}
    answers: dict[str, str | list[str]] = {}
    if result.age_stage is not None:
        answers[result.age_stage.question_id] = result.age_stage.value
    answers.update(answers_for_indicators(content, recognised))
    return answers


def answers_for_indicators(content: m.Content, indicator_ids: Iterable[str]) -> dict[str, str | list[str]]:
    """The answers that record these indicators: yes_no -> "yes" when its `if_yes` holds one; multiple_choice ->
    every matching option; single_choice -> the matching option of the highest level."""
    recognised = set(indicator_ids)
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
