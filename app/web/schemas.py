"""Wire models: request and response bodies of the HTTP API, and nothing else."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from app.core.engine import Alert, Outcome, QuestionOut
from app.core.language.clean import clean_text

MAX_DESCRIPTION = 5000
MAX_ANSWER = 200

# Every free-text field of a request: control characters stripped, Unicode NFC (app/core/language/clean.py).
# Length limits (Field(max_length=...)) are checked first, on what was sent.
CleanText = Annotated[str, AfterValidator(clean_text)]
AnswerValue = Annotated[CleanText, Field(max_length=MAX_ANSWER)]


class AssessmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{}, {"description": "Year 9 boy, attendance 85% this term"}]})

    description: CleanText | None = Field(
        None,
        max_length=MAX_DESCRIPTION,
        description="Optional: what worries you, in your own words. Recognised items become answers for you to "
        "confirm. Identifying details are removed before anything is kept.",
    )


class AnswerIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"question_id": "danger_now", "value": "no"}]},
    )

    question_id: CleanText = Field(max_length=100)
    value: AnswerValue | Annotated[list[AnswerValue], Field(max_length=50)] = Field(
        description="yes / no / unknown, an option value, or a list for multiple choice."
    )


class PrefilledOut(BaseModel):
    question_id: str
    question: str
    answer: str


class AssessmentOut(BaseModel):
    id: str
    status: Literal["in_progress", "complete"]
    question: QuestionOut | None
    outcome: Outcome | None
    alerts: list[Alert]
    prefilled: list[PrefilledOut] = Field(default_factory=list, description="Answers taken from the description.")
    answered: int = Field(0, description="How many questions have been answered.")
    content_version: str


class ErrorOut(BaseModel):
    error: str = Field(description="A machine-readable code, e.g. invalid_answer.")
    message: str = Field(description="What went wrong and how to put it right.")


class VersionOut(BaseModel):
    app_version: str
    content_version: str


class HealthOut(BaseModel):
    status: str
