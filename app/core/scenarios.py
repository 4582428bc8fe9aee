"""Training scenarios: the content model of dialogues/scenarios/<id>.yaml, walkthroughs and quizzes.

A scenario scripts the answers a careful practitioner would give. Everything a trainer shows about
the outcome (the level after each answer, the final guidance, the reasons) is computed by the
engine from those answers, never copied from the scenario's `expected` block: `expected` is only
what the regression tests compare the engine against.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import BaseModel, Field

from app.core.base import Strict
from app.core.errors import InvalidInput

if TYPE_CHECKING:
    from app.core.engine import Outcome
    from app.core.models import Content

Id = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_]*$", description="A stable snake_case id.")]


class Stage(Strict):
    title: str = Field(description="A short heading, e.g. 'First contact' or 'Two weeks later'.")
    text: str = Field(description="What the trainer reads out: what is known at this point.")


class ScriptedAnswer(Strict):
    question: Id = Field(description="A question id from dialogues/assessment.yaml.")
    value: str | list[str] = Field(
        description="yes / no / unknown, an option value, or a list of option values for multiple choice."
    )
    teaching_point: str | None = Field(None, description="Why this answer matters; shown with the step.")


class Expected(Strict):
    level: Literal[1, 2, 3, 4] = Field(
        description="The level the threshold points to; the tests check the engine agrees."
    )
    routes: list[Id] = Field(description="Every route the outcome should offer (route ids from rules/routes.yaml).")


class Scenario(Strict):
    """One fictional case for training, in dialogues/scenarios/<id>.yaml."""

    id: Id = Field(description="Must match the file name.")
    title: str
    summary: str = Field(description="One or two sentences for the scenario list.")
    narrative: list[Stage] = Field(min_length=1, description="The case as a trainer reads it, stage by stage.")
    learning_objectives: list[str] = Field(min_length=1)
    answers: list[ScriptedAnswer] = Field(min_length=1, description="In the order the assessment asks them.")
    expected: Expected
    teaching: str = Field(description="Why the threshold puts this case at the expected level.")
    risk_areas: list[Id] = Field(min_length=1, description="Domain ids from rules/domains.yaml.")
    duration_minutes: int = Field(ge=1, le=240, description="Roughly how long the scenario takes in a session.")
    discussion_questions: list[str] = Field(default_factory=list)
    sources: list[str] = Field(min_length=1, description="Where the indicators this case rests on come from.")


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


# --- Functions ----------------------------------------------------------------------------------


def replay(content: Content, scenario: Scenario) -> tuple[list[WalkStep], dict[str, object]]:
    """Run the scripted answers through the engine, one at a time. Raises InvalidAnswer if one does not fit."""
    from app.core import engine  # engine imports models, which imports this module: import at call time

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
    from app.core import engine

    _, state = replay(content, scenario)
    return engine.decide_state(content, state).level


def walkthrough(content: Content, scenario: Scenario) -> Walkthrough:
    """The scenario step by step, with the level the engine reaches after each answer and the final outcome."""
    from app.core import engine

    rebuild_models()
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
    from app.core.render import reason_lines  # lazily, as engine is: render imports the engine

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


def rebuild_models() -> None:
    """Resolve the engine's Outcome in Walkthrough; a no-op once done. The web layer calls it at import."""
    from app.core.engine import Outcome

    Walkthrough.model_rebuild(_types_namespace={"Outcome": Outcome})
