"""Every case the project knows, run under one content version: what `content diff` compares.

Kinds: scenarios (each version's own dialogues/scenarios), worked cases and triage case sets (the repository's
test data, the same for both versions), and the guided answer paths of the safety properties (a quiet path to
every answer of every question, from app.core.walks).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from app.config import REPO_ROOT
from app.core import engine, training, walks
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
    contacts: tuple[str, ...] = ()  # "id phone" of each contact its routes name: a changed number shows here
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "level": self.level,
            "immediate_danger": self.immediate_danger,
            "routes": list(self.routes),
            "rules": list(self.rules),
            "contacts": list(self.contacts),
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


def _result(content: Content, level: int | None, danger: bool, routes: list[str], rules: list[str]) -> Result:
    # Sorted: the routes' order is compared already; a contact counts once, however many routes name it.
    contact_ids = sorted({c for r in routes if r in content.routes for c in content.routes[r].contacts})
    contacts = [f"{c} {content.contacts[c].phone or ''}".strip() for c in contact_ids if c in content.contacts]
    return Result(level, danger, tuple(routes), tuple(rules), tuple(contacts))


def _from_outcome(content: Content, outcome: engine.Outcome) -> Result:
    return _result(
        content,
        outcome.level,
        outcome.immediate_danger,
        [r.id for r in outcome.routes],
        [r.id for r in outcome.reasons.rules],
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
        return _guarded(lambda c: _from_outcome(c, training.walkthrough(c, scenario).outcome))

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
        return _guarded(lambda c: _from_outcome(c, engine.outcome(c, complete(c, answers))))

    return [Case("worked case", case["id"], runner(case["answers"])) for _, case in _read_cases(files)]


# --- Triage case sets ---------------------------------------------------------------------------


def triage_cases(files: list[Path]) -> list[Case]:
    def runner(text: str) -> Callable[[Content], Result]:
        def run(content: Content) -> Result:
            result = triage(content, text)
            routes = [r.id for r in result.routes]
            return _result(content, result.suggested_level, result.immediate_danger, routes, result.rules)

        return _guarded(run)

    return [Case("triage", f"{path.stem}/{case['id']}", runner(case["text"])) for path, case in _read_cases(files)]


def _read_cases(files: list[Path]) -> Iterator[tuple[Path, dict[str, Any]]]:
    for path in files:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for number, case in enumerate(data.get("cases", []), 1):
            yield path, {"id": f"case-{number}", **case}


# --- Answer paths of the safety properties ------------------------------------------------------


def answer_path_cases(content: Content) -> list[Case]:
    """One case per answer of every question: its quiet guided path (app.core.walks), run to an outcome."""

    def runner(steps: tuple[walks.Step, ...]) -> Callable[[Content], Result]:
        return _guarded(lambda c: _from_outcome(c, walks.run(c, steps)))

    return [Case("answer path", path.label, runner(path.steps)) for path in walks.option_paths(content)]


def all_cases(content: Content, repo: Path = REPO_ROOT) -> list[Case]:
    """Every case for one content version (scenarios and answer paths come from that version)."""
    files = case_files(repo)
    return [
        *scenario_cases(content),
        *worked_cases(files["worked case"]),
        *triage_cases(files["triage"]),
        *answer_path_cases(content),
    ]
