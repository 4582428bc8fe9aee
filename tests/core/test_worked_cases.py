"""Our own worked cases, answers -> level and routes, run through the engine on the real content."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from app.core import engine
from app.core.models import Content

CASES = yaml.safe_load((Path(__file__).parent.parent / "cases" / "worked_cases.yaml").read_text())["cases"]


def default_answer(question: engine.QuestionModel) -> Any:
    if question.kind == "yes_no":
        return "no"
    if question.kind == "multiple_choice":
        return []
    return question.option_values[0]


def complete(content: Content, answers: dict[str, Any]) -> engine.State:
    state = engine.new_state()
    while (question := engine.pending_question(content, state)) is not None:
        value = answers.get(question.id, default_answer(question))
        state = engine.answer(content, state, question.id, value)
    unused = set(answers) - set(state["answers"])
    assert not unused, f"answers to questions the flow never asked: {sorted(unused)}"
    return state


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_worked_case(content: Content, case: dict[str, Any]) -> None:
    outcome = engine.outcome(content, complete(content, case["answers"]))
    assert outcome.level == case["level"], [r.id for r in outcome.reasons.rules]
    assert outcome.immediate_danger is case.get("immediate_danger", False)
    assert outcome.confirmed_level == case.get("confirmed_level", case["level"])
    routes = [r.id for r in outcome.routes]
    assert [r for r in routes if r in case["routes"]] == case["routes"], routes


def test_at_least_twelve_cases_covering_every_level() -> None:
    assert len(CASES) >= 12
    assert {c["level"] for c in CASES} == {1, 2, 3, 4}
