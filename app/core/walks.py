"""Guided answer paths over the real content: how a practitioner reaches and ticks each answer.

The safety properties (tests/core/test_safety_properties.py) and `content diff` run the engine along these
paths. A path answers every question the flow asks, in the order it asks them; a question the target does
not depend on gets its quiet answer ("no", none of these, or the option that records nothing), so each
path records as little as possible besides the answer it exists for. Pure: no I/O, no globals.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import product

from app.core import engine
from app.core import models as m
from app.core.rules import AnswerValue

Step = tuple[str, AnswerValue]
Key = str | tuple[str, ...]  # an answer as a hashable key: a list of options becomes a tuple
Need = dict[str, frozenset[Key]]  # question id -> the answers that satisfy a condition (all must hold)
Question = m.YesNoQuestion | m.ChoiceQuestion


@dataclass(frozen=True)
class OptionPath:
    """A guided path that ends by giving `value` to `question_id`."""

    question_id: str
    value: AnswerValue
    steps: tuple[Step, ...]

    @property
    def label(self) -> str:
        return f"{self.question_id}={_show(self.value)}"

    def describe(self) -> str:
        """The path as a practitioner would give it: every answer in order, quiet ones included."""
        return " -> ".join(f"{q}={_show(v)}" for q, v in self.steps)


def _key(value: AnswerValue) -> Key:
    return tuple(value) if isinstance(value, list) else value


def _value(key: Key) -> AnswerValue:
    return list(key) if isinstance(key, tuple) else key


def _show(value: AnswerValue) -> str:
    return "[" + ", ".join(value) + "]" if isinstance(value, list) else value


# --- Answers a question can take ----------------------------------------------------------------


def candidates(question: Question) -> list[AnswerValue]:
    """Every distinct answer worth trying: yes/no/unknown; each option alone; none of these; unknown."""
    if isinstance(question, m.YesNoQuestion):
        return ["yes", "no", m.UNKNOWN]
    if question.kind == "multiple_choice":
        return [*([value] for value in question.option_values), [], m.UNKNOWN]
    return [*question.option_values, m.UNKNOWN]


def quiet_answer(content: m.Content, question: Question) -> AnswerValue:
    """The answer that raises nothing: no, none of these, or the option that records nothing.

    Why the last such option: for the age question every option records nothing, and the oldest band
    opens the most questions. A single choice where every option records something gets the option whose
    highest indicator level is lowest.
    """
    if isinstance(question, m.YesNoQuestion):
        return "no"
    if question.kind == "multiple_choice":
        return []
    silent = [o.value for o in question.options if not o.indicators]
    if silent:
        return silent[-1]
    levels = {i.id: i.level for i in content.indicators.values()}
    return min(question.options, key=lambda o: max((levels.get(i, 0) for i in o.indicators), default=0)).value


# --- What a condition needs -----------------------------------------------------------------------


def _matches(value: AnswerValue, allowed: Iterable[str]) -> bool:
    allowed = set(allowed)
    return any(v in allowed for v in value) if isinstance(value, list) else value in allowed


def _merge(first: Need, second: Need) -> Need | None:
    merged = dict(first)
    for question_id, keys in second.items():
        both = merged[question_id] & keys if question_id in merged else keys
        if not both:
            return None
        merged[question_id] = both
    return merged


def _all(alternatives: Iterable[list[Need]]) -> list[Need]:
    out: list[Need] = [{}]
    for options in alternatives:
        out = [merged for a, b in product(out, options) if (merged := _merge(a, b)) is not None]
    return out


def _needs(content: m.Content, cond: m.Condition, negated: bool = False) -> list[Need]:
    """Alternative sets of answers under which `cond` holds (or fails, when negated).

    Conditions on answers are solved exactly; a condition on indicators needs an answer that records one;
    anything else (levels, counts) adds no need and is left to the engine, which checks every path it builds.
    """
    match cond:
        case m.AnswerCond(answer=test):
            question = content.question(test.question)
            if question is None:
                return []
            keys = frozenset(_key(v) for v in candidates(question) if _matches(v, test.in_) != negated)
            return [{question.id: keys}] if keys else []
        case m.NotCond(not_=child):
            return _needs(content, child, not negated)
        case m.AllCond(all=children) if not negated:
            return _all(_needs(content, c) for c in children)
        case m.AnyCond(any=children) if negated:
            return _all(_needs(content, c, True) for c in children)
        case m.AllCond(all=children) | m.AnyCond(any=children):
            return [need for c in children for need in _needs(content, c, negated)]
        case m.IndicatorCond(indicator=indicator) if not negated:
            return _recording(content, [indicator])
        case m.AnyIndicatorCond(any_indicator=ids) if not negated:
            return _recording(content, ids)
    return [{}]


def _recording(content: m.Content, indicator_ids: Iterable[str]) -> list[Need]:
    wanted = set(indicator_ids)
    return [
        {question.id: frozenset([_key(value)])}
        for question in content.assessment.questions
        for value in candidates(question)
        if value != m.UNKNOWN and wanted & set(question.indicators_for(value))  # type: ignore[arg-type]
    ]


def _reach(content: m.Content, question_id: str, depth: int = 0) -> list[Need]:
    """Alternative needs under which the question is asked, including what opens the questions they name."""
    question = content.question(question_id)
    if question is None or depth > len(content.assessment.questions):
        return []
    if question.ask_if is None:
        return [{}]
    out: list[Need] = []
    for need in _needs(content, question.ask_if):
        out += _all([[need], *(_reach(content, q, depth + 1) for q in need if q != question_id)])
    return out


# --- Walking --------------------------------------------------------------------------------------


def apply_steps(content: m.Content, steps: Iterable[Step], state: engine.State | None = None) -> engine.State:
    """Give the answers in order through the engine, as the API does (each one validated)."""
    state = state if state is not None else engine.new_state()
    for question_id, value in steps:
        state = engine.answer(content, state, question_id, value)
    return state


def complete(
    content: m.Content, state: engine.State, fixed: Mapping[str, AnswerValue] | None = None
) -> tuple[engine.State, list[Step]]:
    """Answer every question still to come with its quiet answer (or its `fixed` one); the steps taken too."""
    fixed = fixed or {}
    steps: list[Step] = []
    while (question := engine.pending_question(content, state)) is not None:
        value = fixed.get(question.id, quiet_answer(content, question))
        state = engine.answer(content, state, question.id, value)
        steps.append((question.id, value))
    return state, steps


def _walk_to(
    content: m.Content, question_id: str, value: AnswerValue, need: Need, fixed: Mapping[str, AnswerValue]
) -> tuple[Step, ...] | None:
    state = engine.new_state()
    steps: list[Step] = []
    while (question := engine.pending_question(content, state)) is not None:
        if question.id == question_id:
            answer = value
        elif question.id in fixed:
            answer = fixed[question.id]
        elif question.id in need:
            allowed = need[question.id]
            quiet = quiet_answer(content, question)
            answer = quiet if _key(quiet) in allowed else next(v for v in candidates(question) if _key(v) in allowed)
        else:
            answer = quiet_answer(content, question)
        state = engine.answer(content, state, question.id, answer)
        steps.append((question.id, answer))
        if question.id == question_id:
            return tuple(steps)
    return None


def path_to(
    content: m.Content, question_id: str, value: AnswerValue, fixed: Mapping[str, AnswerValue] | None = None
) -> OptionPath | None:
    """The first quiet path that asks `question_id` and answers it `value`, or None if none can.

    `fixed` pins answers to other questions (e.g. the age), and a path must respect them.
    """
    fixed = dict(fixed or {})
    pinned: Need = {q: frozenset([_key(v)]) for q, v in fixed.items() if q != question_id}
    for need in _reach(content, question_id):
        merged = _merge(need, pinned)
        if merged is None:
            continue
        steps = _walk_to(content, question_id, value, merged, fixed)
        if steps is not None:
            return OptionPath(question_id, value, steps)
    return None


def option_paths(content: m.Content, fixed: Mapping[str, AnswerValue] | None = None) -> list[OptionPath]:
    """A path for every answer of every question (each option alone, none of these, "don't know").

    Answers no path can reach under `fixed` are left out; with no `fixed`, every answer of every question
    the flow can ask is here (tests/core/test_safety_properties.py checks it).
    """
    out = []
    for question in content.assessment.questions:
        if fixed and question.id in fixed:
            continue
        for value in candidates(question):
            found = path_to(content, question.id, value, fixed)
            if found is not None:
                out.append(found)
    return out


def recorded(content: m.Content, state: engine.State) -> dict[str, str]:
    """Indicators the answers record (id -> the question that gave it)."""
    return engine.indicator_sources(content, state)[0]


def indicator_paths(content: m.Content, paths: Iterable[OptionPath] | None = None) -> dict[str, OptionPath]:
    """For each indicator the guided questions can record, the first path (in question order) that records it."""
    found: dict[str, OptionPath] = {}
    for path in paths if paths is not None else option_paths(content):
        if path.value == m.UNKNOWN:
            continue
        question = content.question(path.question_id)
        assert question is not None
        for indicator in question.indicators_for(path.value):  # type: ignore[arg-type]
            found.setdefault(indicator, path)
    return found


def raises(question: Question) -> Iterator[tuple[AnswerValue, AnswerValue]]:
    """Pairs (quiet answer, raised answer): no -> yes or "don't know", none -> one option or "don't know".

    For a single choice, from the option that records nothing to each other option; a question whose every
    option records nothing (the age) has no raise.
    """
    if isinstance(question, m.YesNoQuestion):
        yield "no", "yes"
        yield "no", m.UNKNOWN
        return
    if question.kind == "multiple_choice":
        for value in question.option_values:
            yield [], [value]
        yield [], m.UNKNOWN
        return
    silent = [o.value for o in question.options if not o.indicators]
    if not silent or len(silent) == len(question.options):
        return
    for option in question.options:
        if option.indicators:
            yield silent[-1], option.value
    yield silent[-1], m.UNKNOWN


def tick_one_more(question: Question, value: AnswerValue) -> Iterator[AnswerValue]:
    """Each answer that ticks one more option than `value` on a multiple-choice question."""
    if question.kind != "multiple_choice" or not isinstance(value, list):
        return
    for option in question.option_values:
        if option not in value:
            yield [*value, option]


def run(content: m.Content, steps: Iterable[Step]) -> engine.Outcome:
    """The outcome at the end of a path, after the rest of the questions get their quiet answers."""
    state, _ = complete(content, apply_steps(content, steps))
    return engine.outcome(content, state)
