"""The triage result: the level through the engine's rules (`engine.decide`), routes, follow-up questions, and
the answers a recognised indicator suggests for the guided assessment.
"""

from __future__ import annotations

import re
import time

from pydantic import BaseModel, Field

from app.core import models as m
from app.core.engine import decide
from app.core.language.redact import redact
from app.core.triage.index import TriageIndex, triage_index
from app.core.triage.lexicon import (
    ENGLISH_HINTS,
)
from app.core.triage.reading import Reading, read_description

MAX_TEXT_LENGTH = 5000


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


def _looks_like_english(text: str) -> bool:
    words = re.findall(r"[a-z]+", text.lower())
    return len(words) >= 2 and sum(w in ENGLISH_HINTS for w in words) >= max(1, len(words) // 12)


def triage(content: m.Content, text: str, age: float | None = None) -> TriageResult:
    """Suggest a level for a free-text description; every recognised item shows the words it came from."""
    started = time.perf_counter()
    redacted = redact(text[:MAX_TEXT_LENGTH])
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

    caveat = f"{content.info.caveat} {TRIAGE_CAVEAT}"
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
        indicators=recognised,
        redacted_text=redacted.text,
        redacted=redacted.found,
        content_version=content.version,
        caveat=caveat,
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
        asked = content.question(question_id)
        if asked is not None and (asked.section == "immediate_danger" or len(out) < FOLLOW_UP_LIMIT):
            out.append(QuestionRef(id=asked.id, text=asked.text))
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
