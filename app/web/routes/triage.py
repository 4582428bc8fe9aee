"""POST /api/v1/triage: "which level is this?" for a free-text description."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from app.core.errors import InvalidInput
from app.core.triage import MAX_TEXT_LENGTH, TriageResult, triage
from app.web import analytics
from app.web.deps import ContentDep
from app.web.errors import error_response
from app.web.observability import count_triage
from app.web.schemas import CleanText

router = APIRouter()


class TriageIn(BaseModel):
    text: CleanText = Field(
        description=f"What worries you, in your own words (up to {MAX_TEXT_LENGTH} characters). "
        "Names, dates, phone numbers, addresses and schools are removed before anything else reads it.",
        examples=["12 year old missing overnight three times, came back with a new phone"],
    )
    age: float | None = Field(None, ge=0, le=25, description="The child's age in years, if not in the text.")


@router.post(
    "/api/v1/triage",
    response_model=TriageResult,
    dependencies=[analytics.counted("triage")],
    tags=["triage"],
    responses={413: {"description": f"Text longer than {MAX_TEXT_LENGTH} characters."}},
)
def triage_description(body: TriageIn, content: ContentDep) -> TriageResult | JSONResponse:
    """Read a description, show what was recognised (with the words that matched) and suggest a level.

    The level comes from the same decision rules as the guided assessment. `suggested_level` is null when
    nothing was recognised; use the guided questions then.
    """
    if not body.text.strip():
        raise InvalidInput(
            "Describe what worries you about the child in a sentence or two, for example their age, what "
            "happened and how often. If a child is in immediate danger, call 999 now."
        )
    if len(body.text) > MAX_TEXT_LENGTH:
        return error_response(
            413,
            "too_large",
            f"Please keep the description under {MAX_TEXT_LENGTH} characters (it has {len(body.text)}). "
            "Summarise the main worries; the guided questions will ask about the rest.",
        )
    count_triage()
    return triage(content, body.text, body.age)
