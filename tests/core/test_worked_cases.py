"""Our own worked cases, answers -> level and routes, run through the engine on the real content."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from app.content.cases import case_files, complete
from app.core import engine
from app.core.models import Content

# complete() (app/content/cases.py) answers what a case leaves out with no, none or the first option, and raises
# UnusedAnswers for an answer to a question the flow never asks: the same walk `content diff` runs.
CASES = [case for path in case_files()["worked case"] for case in yaml.safe_load(path.read_text())["cases"]]


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
