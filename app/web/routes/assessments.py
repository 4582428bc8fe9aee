"""The guided assessment: start, answer, go back, read, summarise, forget."""

from __future__ import annotations

import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse, PlainTextResponse

from app.core import engine
from app.core.errors import UnknownAssessment
from app.core.models import Content
from app.core.render import summary_html, summary_text
from app.store import Store
from app.web import analytics
from app.web.deps import ContentDep, StoreDep, services
from app.web.lean_route import LeanRoute
from app.web.observability import count_answer, count_assessment_started
from app.web.schemas import AnswerIn, AssessmentIn, AssessmentOut, ErrorOut, PrefilledOut

router = APIRouter(prefix="/api/v1/assessments", tags=["assessments"], route_class=LeanRoute)
KIND = "assessment"
ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorOut, "description": "No such assessment (expired or deleted)."},
    422: {"model": ErrorOut, "description": "Invalid answer or request; the message lists valid options."},
}

# For routes whose success is not JSON: a `model` would be documented under their media type, not JSON.
JSON_ERRORS = {
    k: {
        "description": v["description"],
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}},
    }
    for k, v in ERRORS.items()
}


def new_id() -> str:
    return secrets.token_urlsafe(16)  # 128 bits, never sequential


async def _load(store: Store, assessment_id: str) -> tuple[engine.State, int]:
    record = await store.get(KIND, assessment_id)
    if record is None:
        raise UnknownAssessment(assessment_id)
    return engine.as_state(record.data["state"]), record.version


def render(
    content: Content, assessment_id: str, state: engine.State, view: engine.Snapshot | None = None
) -> AssessmentOut:
    if view is None:
        view = engine.view(content, state)
    return AssessmentOut(
        id=assessment_id,
        status="complete" if view.complete else "in_progress",
        question=view.question_out,
        outcome=view.outcome,
        alerts=view.alerts,
        prefilled=[
            PrefilledOut(question_id=a.question_id, question=a.question, answer=a.answer) for a in view.prefilled
        ],
        answered=view.answered,
        content_version=content.version,
    )


def as_json(out: AssessmentOut, status_code: int = 200) -> Response:
    """The response as JSON bytes. Why: `out` is already a validated model; handing FastAPI a Response skips
    its second validation of the whole outcome (bench/load.py)."""
    return Response(out.model_dump_json(by_alias=True), status_code=status_code, media_type="application/json")


TOO_LARGE: dict[int | str, dict[str, Any]] = {
    413: {"model": ErrorOut, "description": "The request body is larger than the server's limit (64 KiB by default)."}
}


@router.post("", status_code=201, response_model=AssessmentOut, responses={**ERRORS, **TOO_LARGE})
async def start_assessment(request: Request, body: AssessmentIn | None = None) -> Response:
    """Start an assessment. The first questions always ask whether a child is in immediate danger."""
    content, store, settings = services(request)
    state = engine.new_state()
    if body and body.description and body.description.strip():
        from app.core.triage import prefill_answers, triage

        state = engine.prefill(content, state, prefill_answers(content, triage(content, body.description)))
    assessment_id = new_id()
    await store.put(KIND, assessment_id, {"state": state}, settings.session_ttl_seconds, None)
    count_assessment_started(triaged=bool(body and body.description and body.description.strip()))
    return as_json(render(content, assessment_id, state), 201)


@router.get("/{assessment_id}", response_model=AssessmentOut, responses=ERRORS)
async def get_assessment(assessment_id: str, content: ContentDep, store: StoreDep) -> Response:
    """Where an assessment is now: the next question, or the outcome, with any 999/MASH alert."""
    state, _ = await _load(store, assessment_id)
    return as_json(render(content, assessment_id, state))


@router.post("/{assessment_id}/answers", response_model=AssessmentOut, responses=ERRORS)
async def answer_question(assessment_id: str, body: AnswerIn, request: Request) -> Response:
    """Answer the current question, or change an earlier answer (what follows is recomputed)."""
    content, store, settings = services(request)
    before, version = await _load(store, assessment_id)
    state, view = engine.answer_and_view(content, before, body.question_id, body.value)
    await store.put(KIND, assessment_id, {"state": state}, settings.session_ttl_seconds, version)
    out = render(content, assessment_id, state, view)
    await analytics.count_completed_assessment(store, assessment_id, out.outcome, settings.session_ttl_seconds)
    # Whether it was complete before matters only when it is complete now: the extra walk only then.
    was_complete = out.outcome is not None and engine.pending_question(content, before) is None
    count_answer(was_complete, out.outcome.level if out.outcome else None)
    return as_json(out)


@router.post("/{assessment_id}/back", response_model=AssessmentOut, responses=ERRORS)
async def go_back(assessment_id: str, request: Request) -> Response:
    """Undo the last answer."""
    content, store, settings = services(request)
    state, version = await _load(store, assessment_id)
    state = engine.back(content, state)
    await store.put(KIND, assessment_id, {"state": state}, settings.session_ttl_seconds, version)
    return as_json(render(content, assessment_id, state))


@router.delete("/{assessment_id}", status_code=204, responses=ERRORS)
async def forget_assessment(assessment_id: str, store: StoreDep) -> Response:
    """Forget an assessment at once."""
    if not await store.delete(KIND, assessment_id):
        raise UnknownAssessment(assessment_id)
    return Response(status_code=204)


@router.get(
    "/{assessment_id}/summary",
    responses={**JSON_ERRORS, 200: {"content": {"text/plain": {}, "text/html": {}}, "description": "The summary."}},
    response_class=PlainTextResponse,
)
async def summary(
    assessment_id: str,
    content: ContentDep,
    store: StoreDep,
    format: Annotated[str, Query(pattern="^(text|html)$", description="text (default) or html")] = "text",
) -> Response:
    """The answers, level, reasons, routes and content version, as plain text or printable HTML."""
    state, _ = await _load(store, assessment_id)
    view = engine.view(content, state)
    if view.outcome is not None:
        text = summary_text(view.outcome)
    else:
        answered = [
            (q.text, engine.answer_label(q, state["answers"][q.id]))
            for q in engine.active_questions(content, state["answers"])
            if q.id in state["answers"]
        ]
        text = summary_text(None, answered)
    if format == "html":
        return HTMLResponse(summary_html(text))
    return PlainTextResponse(text)
