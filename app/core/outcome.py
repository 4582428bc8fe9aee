"""The outcome shapes: what the engine gives a channel (questions, alerts, the explained outcome).

Plain pydantic models, no logic: the engine (app/core/engine.py) fills them and re-exports them, the renderer
(app/core/render.py) turns an Outcome into text, and the web layer sends them as they are.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from app.core.rules import AnswerValue


class OptionOut(BaseModel):
    model_config = ConfigDict(frozen=True)  # shared: the engine makes each question's once (engine._Compiled)

    value: str
    label: str


class QuestionOut(BaseModel):
    model_config = ConfigDict(frozen=True)  # shared: the engine makes each question's once (engine._Compiled)

    id: str
    text: str
    kind: str
    section: str
    options: list[OptionOut]
    why: str
    help: str | None = None
    suggested: AnswerValue | None = Field(None, description="Answer recognised from the description, to confirm.")


class ContactOut(BaseModel):
    id: str
    name: str
    phone: str | None = None
    hours: str | None = None
    how: str
    verify: bool = False


class LinkOut(BaseModel):
    model_config = ConfigDict(frozen=True)  # shared: every outcome lists the same procedures (engine._Compiled)

    title: str
    url: str


class Alert(BaseModel):
    kind: str = Field(description="immediate_danger or consult_mash")
    text: str
    contacts: list[ContactOut]


class RouteOut(BaseModel):
    id: str
    name: str
    what_to_do: str
    timeframe: str
    contacts: list[ContactOut]
    procedures: list[LinkOut]
    because: list[str] = Field(
        default_factory=list,
        description="Why it is recommended: the ids of the concerns that bring it, 'level N' for the level's "
        "routes, 'immediate_danger' or 'possible_red_flag'.",
    )


class IndicatorReason(BaseModel):
    id: str
    text: str
    level: int
    domain: str
    question_id: str | None = None


class RuleReason(BaseModel):
    id: str
    text: str
    level: int
    source: str


class UnknownReason(BaseModel):
    question_id: str
    question: str
    could_indicate: list[str]
    would_raise_to: int | None = Field(None, description="The level a yes would lead to, if higher.")


class AnswerOut(BaseModel):
    question_id: str
    question: str
    answer: str
    prefilled: bool = False


class Reasons(BaseModel):
    indicators: list[IndicatorReason]
    rules: list[RuleReason]
    unknowns: list[UnknownReason]
    strengths: list[IndicatorReason]


class Outcome(BaseModel):
    level: int
    level_name: str
    confirmed_level: int = Field(description="The level from what is known; `level` also weighs the unknowns.")
    immediate_danger: bool
    summary: str
    meaning: str
    reasons: Reasons
    settle: list[str] = Field(description="What would settle any doubt between levels.")
    routes: list[RouteOut]
    talk_to: list[ContactOut]
    consent: str
    timeframe: str
    procedures: list[LinkOut]
    escalation: str
    answers: list[AnswerOut]
    content_version: str
    caveat: str


class Decision(BaseModel):
    level: int
    confirmed_level: int
    immediate_danger: bool
    possible_red_flag: bool
    rules: list[RuleReason]
    settle_questions: list[str] = Field(default_factory=list)
