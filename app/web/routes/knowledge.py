"""Escalation dates, statutory timelines and free-text questions about the partnership (issue 4).

Wire models live here rather than in app/web/schemas.py because only these routes use them.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from app.core.errors import InvalidInput
from app.core.escalation import WorkingCalendar, england_and_wales_calendar, escalation_schedule, timeline
from app.core.knowledge import ask
from app.web import analytics
from app.web.deps import ContentDep
from app.web.schemas import CleanText, ErrorOut

router = APIRouter(tags=["knowledge"])

DATE_FORMAT_HINT = "YYYY-MM-DD, for example 2025-03-14"
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

ERRORS: dict[int | str, dict[str, Any]] = {
    422: {"model": ErrorOut, "description": "A date is not in the form YYYY-MM-DD, or there is no such step."},
}


@lru_cache(maxsize=1)
def _calendar() -> WorkingCalendar:
    return england_and_wales_calendar()


def parse_date(value: str, name: str) -> date:
    """Parse a YYYY-MM-DD date, or raise InvalidInput naming the expected format."""
    try:
        if not _ISO_DATE.match(value):
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"{name} must be a date in the form {DATE_FORMAT_HINT}; got {value[:40]!r}.") from None


class StepOut(BaseModel):
    step: int
    title: str
    who: str
    actions: list[str]
    record: list[str] = Field(description="What to write down at this step.")
    school_variant: str | None = Field(None, description="How the step differs in a school.")
    form: str | None = Field(None, description="A written form used at this step, if any.")
    from_day: int = Field(description="Day the step starts, counting the start date as day 1.")
    to_day: int = Field(description="Day the step is due.")
    starts: date
    due: date


class SourceOut(BaseModel):
    title: str = Field(description="The source document (and part).")
    section: str = Field(description="The section heading of the arrangements report (or other source).")


class EscalationOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "started": "2024-12-20",
                    "basis": "working",
                    "steps": [
                        {
                            "step": 1,
                            "title": "Talk it through, worker to worker",
                            "who": "The two practitioners who disagree...",
                            "actions": ["Raise the concern directly with the other worker."],
                            "record": ["What the disagreement is about."],
                            "school_variant": None,
                            "form": None,
                            "from_day": 1,
                            "to_day": 1,
                            "starts": "2024-12-20",
                            "due": "2024-12-20",
                        }
                    ],
                    "child_safety_first": "A disagreement must never hold up action to keep a child safe...",
                    "source": "Warrington safeguarding partnership arrangements report (June 2019), Section 7",
                    "section": "Section 7: Dispute resolution and escalation",
                }
            ]
        }
    )

    started: date
    basis: Literal["working", "calendar"] = Field(description="Whether the days are working days or calendar days.")
    steps: list[StepOut]
    child_safety_first: str
    source: str
    section: str


class DeadlineOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "rapid_review",
                    "title": "Rapid review of a serious child safeguarding case",
                    "start": "2024-12-20",
                    "due": "2025-01-15",
                    "days": 15,
                    "basis": "working",
                    "counted_from": "notification of the serious incident",
                    "text": "The partnership holds a rapid review panel...",
                    "source": "Warrington safeguarding partnership arrangements report (June 2019), Section 6",
                    "section": "Section 6: Learning and improving",
                }
            ]
        }
    )

    name: str
    title: str
    start: date
    due: date
    days: int
    basis: Literal["working", "calendar"]
    counted_from: str
    text: str
    source: str
    section: str


class AskIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"question": "I disagree with the MASH decision, what now?"}]},
    )

    question: CleanText = Field(min_length=1, max_length=500)


class RelatedOut(BaseModel):
    id: str
    title: str


class AskOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "answer": "LADO stands for Local Authority Designated Officer. ...",
                    "sources": [
                        {
                            "title": "Warrington safeguarding partnership arrangements report (June 2019), Section 2",
                            "section": "Section 2: Developing our arrangements",
                        }
                    ],
                    "related": [{"id": "worried_about_a_child", "title": "Worried about a child - who to tell"}],
                    "entry_id": "glossary_lado",
                    "verify": False,
                }
            ]
        }
    )

    answer: str
    sources: list[SourceOut]
    related: list[RelatedOut] = Field(description="Entries worth reading next; ask about their titles.")
    entry_id: str | None = Field(description="The entry that answered, or null when the bot did not know.")
    verify: bool = Field(description="True when a local detail in the answer awaits confirmation by the partnership.")


@router.get(
    "/api/v1/escalation",
    response_model=EscalationOut,
    responses=ERRORS,
    dependencies=[analytics.counted("escalation", "steps")],
)
def get_escalation(
    content: ContentDep,
    started: Annotated[str, Query(description=f"The day the disagreement started (day 1): {DATE_FORMAT_HINT}.")],
    step: Annotated[int | None, Query(description="Only this step (1 to 4).")] = None,
    basis: Annotated[
        Literal["working", "calendar"] | None,
        Query(description="Count working or calendar days; defaults to the content's setting."),
    ] = None,
) -> EscalationOut:
    """The escalation steps for resolving a professional disagreement, with the date each starts and is due."""
    schedule = escalation_schedule(content.escalation, parse_date(started, "started"), step, _calendar(), basis)
    return EscalationOut(
        started=schedule.started,
        basis=schedule.basis,
        steps=[
            StepOut(
                step=s.step,
                title=s.title,
                who=s.who,
                actions=s.actions,
                record=s.record,
                school_variant=s.school_variant,
                form=s.form,
                from_day=s.from_day,
                to_day=s.to_day,
                starts=s.starts,
                due=s.due,
            )
            for s in schedule.steps
        ],
        child_safety_first=schedule.child_safety_first,
        source=schedule.source,
        section=schedule.section,
    )


@router.get("/api/v1/timelines", response_model=list[str])
def list_timelines(content: ContentDep) -> list[str]:
    """The names of the statutory timelines the service can date."""
    return content.escalation.timeline_names()


@router.get(
    "/api/v1/timelines/{name}",
    response_model=DeadlineOut,
    dependencies=[analytics.counted("escalation", "timeline")],
    responses={
        **ERRORS,
        404: {"model": ErrorOut, "description": "No such timeline; the message lists the known names."},
    },
)
def get_timeline(
    content: ContentDep,
    name: Annotated[str, Path(max_length=100, description="e.g. rapid_review, national_panel_notification.")],
    start: Annotated[str, Query(alias="from", description=f"The day the clock starts: {DATE_FORMAT_HINT}.")],
) -> DeadlineOut:
    """When a statutory timeline (rapid review, national panel notification, referral decision) falls due."""
    deadline = timeline(content.escalation, name, parse_date(start, "from"), _calendar())
    return DeadlineOut(
        name=deadline.name,
        title=deadline.title,
        start=deadline.start,
        due=deadline.due,
        days=deadline.days,
        basis=deadline.basis,
        counted_from=deadline.counted_from,
        text=deadline.text,
        source=deadline.source,
        section=deadline.section,
    )


@router.post("/api/v1/ask", response_model=AskOut, responses=ERRORS)
def post_ask(content: ContentDep, body: AskIn) -> AskOut:
    """Answer a question about the partnership, escalation, timelines or an acronym, citing the source section.

    When nothing matches well, the answer says who to ask instead of guessing (`entry_id` is null).
    """
    answer = ask(content.knowledge, body.question)
    return AskOut(
        answer=answer.answer,
        sources=[SourceOut(title=s.title, section=s.section) for s in answer.sources],
        related=[RelatedOut(id=r.id, title=r.title) for r in answer.related],
        entry_id=answer.entry_id,
        verify=answer.verify,
    )
