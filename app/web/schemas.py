"""Wire models: request and response bodies of the HTTP API, and nothing else."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from app.core.engine import Alert, Outcome, QuestionOut
from app.core.language.clean import clean_text
from app.core.triage import MAX_TEXT_LENGTH

MAX_DESCRIPTION = MAX_TEXT_LENGTH  # 20,000: a pasted chronology is read whole; longer is a 422, never cut
MAX_ANSWER = 200
# The OpenAPI `responses` entry of a route that serves an HTML page.
HTML_PAGE: dict[int | str, dict[str, Any]] = {200: {"content": {"text/html": {}}, "description": "An HTML page."}}

# Every free-text field of a request: control characters stripped, Unicode NFC (app/core/language/clean.py).
# Length limits (Field(max_length=...)) are checked first, on what was sent.
CleanText = Annotated[str, AfterValidator(clean_text)]
AnswerValue = Annotated[CleanText, Field(max_length=MAX_ANSWER)]


class AssessmentIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{}, {"description": "Year 9 boy, attendance 85% this term"}]}
    )

    description: CleanText | None = Field(
        None,
        max_length=MAX_DESCRIPTION,
        description="Optional: what worries you, in your own words. Recognised items become answers for you to "
        "confirm. Identifying details are removed before anything is kept.",
    )


class TriageIn(BaseModel):
    text: CleanText = Field(
        max_length=MAX_DESCRIPTION,
        description=f"What worries you, in your own words, or pasted notes (up to {MAX_DESCRIPTION:,} characters, "
        "read whole; a longer text is refused with a 422 naming the limit, never cut). Names, dates, phone numbers, "
        "addresses and schools are removed before anything else reads it.",
        examples=["12 year old missing overnight three times, came back with a new phone"],
    )
    age: float | None = Field(None, ge=0, le=25, description="The child's age in years, if not in the text.")


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


# --- Trainer mode: the scenario library and classroom voting (app/trainer) ----------------------

VOTER_PATTERN = r"^[A-Za-z0-9_-]{8,64}$"
# A classroom vote: a level, or "now" for "Call 999 now: a child is in immediate danger".
Choice = Annotated[int, Field(ge=1, le=4)] | Literal["now"]


class RiskArea(BaseModel):
    id: str
    name: str


class ScenarioListItem(BaseModel):
    id: str
    title: str
    summary: str
    level: int = Field(description="The level the engine reaches from the scenario's answers.")
    risk_areas: list[RiskArea]
    duration_minutes: int


class QuizIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"level": 3}]})
    level: int = Field(ge=1, le=4, description="Your level: 1, 2, 3 or 4.")


class ClassroomIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"scenario_id": "attendance_first_steps"}]}
    )
    scenario_id: str = Field(max_length=100)


class ClassroomCreated(BaseModel):
    room_id: str = Field(description="The room's own id: 128 random bits. The code is a short alias for voters.")
    code: str = Field(description="Six characters to read aloud; voters type it at /join or follow join_url.")
    trainer_token: str = Field(description="Keep it on the presenter's screen; it lets you see votes and reveal.")
    join_url: str
    qr_url: str = Field(description="A QR code (SVG) of join_url, to show large on the presenter's screen.")
    expires_in_seconds: int


class VoteIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"level": 2, "voter_id": "k3J9xQ2mWp"}, {"level": "now", "voter_id": "k3J9xQ2mWp"}]
        },
    )
    level: Choice = Field(description='1, 2, 3 or 4, or "now": call 999 now, a child is in immediate danger.')
    voter_id: str | None = Field(
        None,
        pattern=VOTER_PATTERN,
        description="A random id the voting page keeps for the browser session (or send X-Voter-Id).",
    )


class VoteOut(BaseModel):
    accepted: bool
    level: Choice


class RevealOut(BaseModel):
    level: int = Field(description="The guidance level, computed by the engine.")
    level_name: str
    immediate_danger: bool = Field(description='True when the guidance is "call 999 now" (the vote\'s "now").')
    reasons: list[str]
    teaching_points: list[str]
    teaching: str
    votes: dict[str, int] = Field(description='Votes per choice: {"now": n, "1": n, "2": n, "3": n, "4": n}.')


class ClassroomOut(BaseModel):
    code: str
    scenario: ScenarioListItem
    votes: dict[str, int] = Field(description='Votes per choice: {"now": n, "1": n, "2": n, "3": n, "4": n}.')
    voters: int
    revealed: bool
    result: RevealOut | None = None
    expires_in_seconds: int


class PublicClassroomOut(BaseModel):
    code: str
    title: str
    summary: str
    revealed: bool
    your_vote: Choice | None = Field(None, description="This voter's own vote (send X-Voter-Id): a phone keeps it.")
    result: RevealOut | None = Field(None, description="Only after the trainer reveals.")
