"""Training scenarios: the content model of dialogues/scenarios/<id>.yaml (replayed by app/core/training.py).

A scenario scripts the answers a careful practitioner would give. Everything a trainer shows about
the outcome (the level after each answer, the final guidance, the reasons) is computed by the
engine from those answers, never copied from the scenario's `expected` block: `expected` is only
what the regression tests compare the engine against.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from app.core.base import Strict

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
