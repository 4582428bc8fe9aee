"""Training: a scenario's scripted answers replayed through the engine, step by step (walkthrough) and as a quiz.

Everything a trainer shows about the outcome is computed here by the engine from the scripted answers, never
copied from the scenario's `expected` block (app/core/scenarios.py).
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from app.core import engine
from app.core.engine import Outcome, State
from app.core.errors import InvalidInput
from app.core.models import Content
from app.core.render import reason_lines
from app.core.scenarios import Scenario

# --- Output shapes ------------------------------------------------------------------------------


class WalkStep(BaseModel):
    question_id: str
    question: str
    answer: str = Field(description="The answer as the assessment labels it.")
    value: str | list[str]
    teaching_point: str | None
    level_so_far: int = Field(description="The engine's level after this answer.")


class Walkthrough(BaseModel):
    id: str
    title: str
    expected_level: int = Field(description="What the scenario's author expects; compare with outcome.level.")
    steps: list[WalkStep]
    outcome: Outcome


class QuizResult(BaseModel):
    correct: bool
    your_level: int
    guidance_level: int
    level_name: str
    reasons: list[str] = Field(description="Why the guidance is at this level, in plain words.")
    teaching_points: list[str]
    teaching: str


# --- Replay ----------------------------------------------------------------------------------


def replay(content: Content, scenario: Scenario) -> tuple[list[WalkStep], State]:
    """Run the scripted answers through the engine, one at a time. Raises InvalidAnswer if one does not fit."""
    state = engine.new_state()
    steps = []
    for scripted in scenario.answers:
        state = engine.answer(content, state, scripted.question, scripted.value)
        question = content.question(scripted.question)
        assert question is not None  # engine.answer has checked it
        steps.append(
            WalkStep(
                question_id=question.id,
                question=question.text,
                answer=engine.answer_label(question, state["answers"][question.id]),
                value=state["answers"][question.id],
                teaching_point=scripted.teaching_point,
                level_so_far=engine.decide_state(content, state).level,
            )
        )
    return steps, state


def guidance_level(content: Content, scenario: Scenario) -> int:
    """The level the engine reaches from all the scripted answers."""
    _, state = replay(content, scenario)
    return engine.decide_state(content, state).level


def walkthrough(content: Content, scenario: Scenario) -> Walkthrough:
    """The scenario step by step, with the level the engine reaches after each answer and the final outcome."""
    steps, state = replay(content, scenario)
    return Walkthrough(
        id=scenario.id,
        title=scenario.title,
        expected_level=scenario.expected.level,
        steps=steps,
        outcome=engine.outcome(content, state),
    )


def reasons(outcome: Outcome) -> list[str]:
    """The outcome's reasons as sentences a room can read (the one outcome renderer, app/core/render.py)."""
    return reason_lines(outcome)


def teaching_points(scenario: Scenario) -> list[str]:
    return [a.teaching_point for a in scenario.answers if a.teaching_point]


def quiz(content: Content, scenario: Scenario, level: int) -> QuizResult:
    """Compare a guess with the engine's guidance for the scenario."""
    if level not in (1, 2, 3, 4):
        raise InvalidInput("The level must be 1, 2, 3 or 4.")
    outcome = walkthrough(content, scenario).outcome
    return QuizResult(
        correct=level == outcome.level,
        your_level=level,
        guidance_level=outcome.level,
        level_name=outcome.level_name,
        reasons=reasons(outcome),
        teaching_points=teaching_points(scenario),
        teaching=scenario.teaching,
    )
