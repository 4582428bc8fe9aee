"""POST /api/v1/triage: "which level is this?" for a free-text description."""

from __future__ import annotations

from fastapi import APIRouter

from app.core.errors import InvalidInput
from app.core.triage import TriageResult, triage
from app.web import analytics
from app.web.deps import ContentDep
from app.web.observability import count_triage
from app.web.schemas import MAX_DESCRIPTION, ErrorOut, TriageIn

router = APIRouter()


@router.post(
    "/api/v1/triage",
    response_model=TriageResult,
    dependencies=[analytics.counted("triage")],
    tags=["triage"],
    responses={
        422: {"model": ErrorOut, "description": f"No text, or text longer than {MAX_DESCRIPTION:,} characters."},
        413: {
            "model": ErrorOut,
            "description": "The request body is larger than the server's limit (64 KiB by default).",
        },
    },
)
def triage_description(body: TriageIn, content: ContentDep) -> TriageResult:
    """Read a description, show what was recognised (with the words that matched, quoted and located) and
    suggest a level.

    The level comes from the same decision rules as the guided assessment. `suggested_level` is null when
    nothing was recognised; use the guided questions then. `age_stage` is the age or stage the text states, as
    the guided age question's answer.
    """
    if not body.text.strip():
        raise InvalidInput(
            "Describe what worries you about the child in a sentence or two, for example their age, what "
            "happened and how often. If a child is in immediate danger, call 999 now."
        )
    count_triage()
    return triage(content, body.text, body.age)
