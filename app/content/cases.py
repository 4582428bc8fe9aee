"""Every case the project knows, run under one content version: what `content diff` compares.

Kinds: scenarios (each version's own dialogues/scenarios), worked cases and triage case sets (the repository's
test data, the same for both versions), and the guided answer paths of the safety properties (one minimal path
per question option, from app.core.walks).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from app.config import REPO_ROOT
from app.core import engine
from app.core import models as m
from app.core import scenarios as sc
from app.core.errors import DomainError
from app.core.models import Content
from app.core.triage import triage

KINDS = ("scenario", "worked case", "triage", "answer path")


def case_files(repo: Path = REPO_ROOT) -> dict[str, list[Path]]:
    """The one place that knows where the case files live: kind -> files, in name order."""
    cases = repo / "tests" / "cases"
    return {
        "worked case": [p for p in [cases / "worked_cases.yaml"] if p.is_file()],
        "triage": sorted((cases / "triage").glob("*.yaml")),
    }


@dataclass(frozen=True)
class Result:
    """What a case gives under one content version: the parts of an outcome a release must notice."""

    level: int | None
    immediate_danger: bool
    routes: tuple[str, ...]
    rules: tuple[str, ...]
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "level": self.level,
            "immediate_danger": self.immediate_danger,
            "routes": list(self.routes),
            "rules": list(self.rules),
        }
        if self.error is not None:
            out["error"] = self.error
        return out


@dataclass(frozen=True)
class Case:
    kind: str
    id: str
    run: Callable[[Content], Result]
    expected_level: int | None = None  # scenarios only: the level the scenario's author expects


def _from_outcome(outcome: engine.Outcome) -> Result:
    return Result(
        level=outcome.level,
        immediate_danger=outcome.immediate_danger,
        routes=tuple(r.id for r in outcome.routes),
        rules=tuple(r.id for r in outcome.reasons.rules),
    )


def _guarded(run: Callable[[Content], Result]) -> Callable[[Content], Result]:
    """A case that no longer fits the content (a removed question or option) is a result too, not a crash."""

    def guarded(content: Content) -> Result:
        try:
            return run(content)
        except DomainError as exc:
            return Result(None, False, (), (), error=f"{type(exc).__name__}: {exc}")

    return guarded


# --- Scenarios ----------------------------------------------------------------------------------


def scenario_cases(content: Content) -> list[Case]:
    def runner(scenario: sc.Scenario) -> Callable[[Content], Result]:
        return _guarded(lambda c: _from_outcome(sc.walkthrough(c, scenario).outcome))

    return [
        Case("scenario", s.id, runner(s), expected_level=s.expected.level)
        for s in sorted(content.scenarios.values(), key=lambda s: s.id)
    ]


# --- Worked cases -------------------------------------------------------------------------------


def _default_answer(question: engine.QuestionModel) -> Any:
    """What a worked case means by leaving a question out: no, none of these, or the first option."""
    if question.kind == "yes_no":
        return "no"
    if question.kind == "multiple_choice":
        return []
    return question.option_values[0]


class UnusedAnswers(DomainError):
    """A worked case answers questions the flow never asks under this content."""


def complete(content: Content, answers: dict[str, Any]) -> engine.State:
    """Answer every question the flow asks, from `answers` or the default."""
    state = engine.new_state()
    while (question := engine.pending_question(content, state)) is not None:
        state = engine.answer(content, state, question.id, answers.get(question.id, _default_answer(question)))
    unused = sorted(set(answers) - set(state["answers"]))
    if unused:
        raise UnusedAnswers(f"answers to questions the flow never asked: {', '.join(unused)}")
    return state


def worked_cases(files: list[Path]) -> list[Case]:
    def runner(answers: dict[str, Any]) -> Callable[[Content], Result]:
        return _guarded(lambda c: _from_outcome(engine.outcome(c, complete(c, answers))))

    return [Case("worked case", case["id"], runner(case["answers"])) for _, case in _read_cases(files)]


# --- Triage case sets ---------------------------------------------------------------------------


def triage_cases(files: list[Path]) -> list[Case]:
    def runner(text: str) -> Callable[[Content], Result]:
        def run(content: Content) -> Result:
            result = triage(content, text)
            return Result(
                level=result.suggested_level,
                immediate_danger=result.immediate_danger,
                routes=tuple(r.id for r in result.routes),
                rules=tuple(result.rules),
            )

        return _guarded(run)

    return [Case("triage", f"{path.stem}/{case['id']}", runner(case["text"])) for path, case in _read_cases(files)]


def _read_cases(files: list[Path]) -> Iterator[tuple[Path, dict[str, Any]]]:
    for path in files:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for number, case in enumerate(data.get("cases", []), 1):
            yield path, {"id": f"case-{number}", **case}


# --- Answer paths of the safety properties ------------------------------------------------------


AnswerPath = list[tuple[str, Any]]  # (question id, value) in the order the flow asks them


def option_paths(content: Content) -> dict[str, AnswerPath]:
    """For every option of every question (and "unknown"): the answers that make the flow ask the question,
    then that option. Stands in for app.core.walks.option_paths until the safety work provides it."""
    try:
        from app.core.walks import option_paths as from_walks  # type: ignore[import-not-found]
    except ImportError:
        return _reaching_paths(content)
    return dict(from_walks(content))


def _reaching_paths(content: Content) -> dict[str, AnswerPath]:
    questions = {q.id: q for q in content.assessment.questions}
    position = {q_id: i for i, q_id in enumerate(questions)}
    producer: dict[str, tuple[str, str]] = {}  # indicator -> the first (question, option) that records it
    for q in questions.values():
        for value in q.option_values:
            for indicator in q.indicators_for(value):
                producer.setdefault(indicator, (q.id, value))

    def needs(cond: Any) -> dict[str, str] | None:
        """Answers that make `cond` hold, or None when it cannot be met by answers alone."""
        if cond is None or isinstance(cond, m.NotCond):
            return {}  # a question left unanswered is not "in" anything, so a `not` holds
        if isinstance(cond, m.AnswerCond):
            wanted = [v for v in cond.answer.in_ if v != m.UNKNOWN] or cond.answer.in_
            return _with_ask_if(cond.answer.question, wanted[0])
        if isinstance(cond, (m.IndicatorCond, m.AnyIndicatorCond)):
            ids = [cond.indicator] if isinstance(cond, m.IndicatorCond) else cond.any_indicator
            found = next((producer[i] for i in ids if i in producer), None)
            return _with_ask_if(*found) if found else None
        if isinstance(cond, m.AllCond):
            merged: dict[str, str] = {}
            for part in map(needs, cond.all):
                if part is None or any(merged.get(k, v) != v for k, v in part.items()):
                    return None
                merged.update(part)
            return merged
        if isinstance(cond, m.AnyCond):
            return next((part for part in map(needs, cond.any) if part is not None), None)
        return None

    def _with_ask_if(question_id: str, value: str) -> dict[str, str] | None:
        before = needs(questions[question_id].ask_if)
        return None if before is None else {**before, question_id: value}

    paths: dict[str, AnswerPath] = {}
    for q in questions.values():
        before = needs(q.ask_if)
        if before is None:
            continue
        for value in [*q.option_values, m.UNKNOWN]:
            answers = {**before, q.id: value}
            paths[f"{q.id}={value}"] = [
                (q_id, [v] if questions[q_id].kind == "multiple_choice" and v != m.UNKNOWN else v)
                for q_id, v in sorted(answers.items(), key=lambda item: position[item[0]])
            ]
    return paths


def answer_path_cases(content: Content) -> list[Case]:
    """One case per question option: its minimal answer path, applied through the engine."""

    def runner(path: AnswerPath) -> Callable[[Content], Result]:
        def run(c: Content) -> Result:
            state = engine.new_state()
            for question_id, value in path:
                state = engine.answer(c, state, question_id, value)
            return _from_outcome(engine.outcome(c, state))

        return _guarded(run)

    return [Case("answer path", path_id, runner(path)) for path_id, path in option_paths(content).items()]


def all_cases(content: Content, repo: Path = REPO_ROOT) -> list[Case]:
    """Every case for one content version (scenarios and answer paths come from that version)."""
    files = case_files(repo)
    return [
        *scenario_cases(content),
        *worked_cases(files["worked case"]),
        *triage_cases(files["triage"]),
        *answer_path_cases(content),
    ]
