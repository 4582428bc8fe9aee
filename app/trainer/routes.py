"""Trainer mode's API: the scenario library, walkthroughs, quizzes and live classroom voting.

The classroom logic is in classroom.py, the pages in pages.py (included here, so one router serves trainer
mode), the wire models in app/web/schemas.py.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from app.core import scenarios as sc
from app.core import training
from app.core.models import Content
from app.store import Store
from app.trainer import classroom
from app.trainer.classroom import Room, normal_code
from app.web.deps import ContentDep, StoreDep
from app.web.schemas import (
    VOTER_PATTERN,
    ClassroomCreated,
    ClassroomIn,
    ClassroomOut,
    ErrorOut,
    PublicClassroomOut,
    QuizIn,
    RevealOut,
    RiskArea,
    ScenarioListItem,
    VoteIn,
    VoteOut,
)

router = APIRouter()

Responses = dict[int | str, dict[str, Any]]
NOT_FOUND: Responses = {
    404: {"model": ErrorOut, "description": "No such scenario or classroom (rooms expire after a few hours)."}
}
INVALID: Responses = {
    422: {"model": ErrorOut, "description": "The request is not valid (e.g. a level outside 1 to 4)."}
}
TRAINER_ONLY: Responses = {
    401: {"model": ErrorOut, "description": "No trainer token: send Authorization: Bearer <trainer_token>."},
    403: {"model": ErrorOut, "description": "That is not this classroom's trainer token."},
}
bearer = HTTPBearer(auto_error=False, description="The trainer_token returned when the classroom was opened.")
BearerDep = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
VoterHeader = Annotated[str | None, Header(pattern=VOTER_PATTERN, description="The voter's random id.")]


# --- Scenarios ----------------------------------------------------------------------------------


def _list_item(content: Content, scenario: sc.Scenario) -> ScenarioListItem:
    return ScenarioListItem(
        id=scenario.id,
        title=scenario.title,
        summary=scenario.summary,
        level=training.guidance_level(content, scenario),
        risk_areas=[
            RiskArea(id=d, name=content.domains[d].name if d in content.domains else d) for d in scenario.risk_areas
        ],
        duration_minutes=scenario.duration_minutes,
    )


@router.get("/api/v1/scenarios", response_model=list[ScenarioListItem], tags=["trainer"])
def list_scenarios(content: ContentDep) -> list[ScenarioListItem]:
    """The scenario library: fictional cases for training, with the level the guidance reaches."""
    items = [_list_item(content, s) for s in content.scenarios.values()]
    return sorted(items, key=lambda i: (i.level, i.title))


@router.get("/api/v1/scenarios/{scenario_id}", response_model=sc.Scenario, responses=NOT_FOUND, tags=["trainer"])
def get_scenario(scenario_id: str, content: ContentDep) -> sc.Scenario:
    """One scenario as written: narrative stages, objectives, scripted answers, discussion questions."""
    return classroom.scenario(content, scenario_id)


@router.get(
    "/api/v1/scenarios/{scenario_id}/walkthrough",
    response_model=training.Walkthrough,
    responses=NOT_FOUND,
    tags=["trainer"],
)
def get_walkthrough(scenario_id: str, content: ContentDep) -> training.Walkthrough:
    """The scripted answers one by one, with the level the engine reaches after each, and the outcome."""
    return training.walkthrough(content, classroom.scenario(content, scenario_id))


@router.post(
    "/api/v1/scenarios/{scenario_id}/quiz",
    response_model=training.QuizResult,
    responses={**NOT_FOUND, **INVALID},
    tags=["trainer"],
)
def take_quiz(scenario_id: str, body: QuizIn, content: ContentDep) -> training.QuizResult:
    """Check a level against the guidance for the scenario; the answer explains itself."""
    return training.quiz(content, classroom.scenario(content, scenario_id), body.level)


# --- Classrooms ---------------------------------------------------------------------------------


async def _trainer_room(store: Store, code: str, credentials: HTTPAuthorizationCredentials | None) -> tuple[Room, int]:
    """The room and its remaining lifetime, for its trainer only (401 without a token, 403 with another)."""
    if credentials is None:
        raise HTTPException(
            401, "Send the trainer token: Authorization: Bearer <trainer_token>.", {"WWW-Authenticate": "Bearer"}
        )
    room, _, remaining = await classroom.load(store, code)
    if not classroom.tokens_match(credentials.credentials, room):
        raise HTTPException(403, "That is not this classroom's trainer token.")
    return room, remaining


@router.post(
    "/api/v1/classrooms",
    status_code=201,
    response_model=ClassroomCreated,
    responses={**NOT_FOUND, **INVALID},
    tags=["classroom"],
)
async def open_classroom(body: ClassroomIn, request: Request, content: ContentDep, store: StoreDep) -> ClassroomCreated:
    """Open a room for a scenario. Read the code aloud or show the QR code; keep the trainer token on the
    presenter's screen."""
    classroom.scenario(content, body.scenario_id)
    room_id, code, token = await classroom.open_room(store, body.scenario_id)
    return ClassroomCreated(
        room_id=room_id,
        code=code,
        trainer_token=token,
        join_url=str(request.url_for("join_page", code=code)),
        qr_url=str(request.url_for("classroom_qr", code=code)),
        expires_in_seconds=classroom.ROOM_TTL_SECONDS,
    )


@router.post(
    "/api/v1/classrooms/{code}/votes",
    response_model=VoteOut,
    responses={**NOT_FOUND, **INVALID, 409: {"model": ErrorOut, "description": "Voting has closed (revealed)."}},
    tags=["classroom"],
)
async def vote(code: str, body: VoteIn, store: StoreDep, x_voter_id: VoterHeader = None) -> VoteOut:
    """Vote anonymously: one vote per browser session; voting again changes the vote, until the reveal.
    A vote is a level (1 to 4) or "now": call 999 now, a child is in immediate danger."""
    voter = body.voter_id or x_voter_id
    if voter is None:
        raise HTTPException(422, "Send a voter id (voter_id in the body or the X-Voter-Id header).")
    await classroom.vote(store, code, voter, body.level)
    return VoteOut(accepted=True, level=body.level)


@router.get(
    "/api/v1/classrooms/{code}",
    response_model=ClassroomOut,
    responses={**NOT_FOUND, **TRAINER_ONLY},
    tags=["classroom"],
)
async def get_classroom(code: str, content: ContentDep, store: StoreDep, credentials: BearerDep) -> ClassroomOut:
    """The trainer's view: the votes so far per choice (who voted is never known)."""
    room, remaining = await _trainer_room(store, code, credentials)
    return ClassroomOut(
        code=normal_code(code),
        scenario=_list_item(content, classroom.scenario(content, room["scenario_id"])),
        votes=classroom.tally(room),
        voters=len(room["votes"]),
        revealed=room["revealed"],
        result=classroom.result(content, room) if room["revealed"] else None,
        expires_in_seconds=remaining,
    )


@router.post(
    "/api/v1/classrooms/{code}/reveal",
    response_model=RevealOut,
    responses={**NOT_FOUND, **TRAINER_ONLY},
    tags=["classroom"],
)
async def reveal(code: str, content: ContentDep, store: StoreDep, credentials: BearerDep) -> RevealOut:
    """Close voting and show the guidance (a level, or call 999 now) and its reasons; revealing twice is harmless."""
    await _trainer_room(store, code, credentials)
    return classroom.result(content, await classroom.close_voting(store, code))


@router.get(
    "/api/v1/classrooms/{code}/public", response_model=PublicClassroomOut, responses=NOT_FOUND, tags=["classroom"]
)
async def public_classroom(
    code: str, content: ContentDep, store: StoreDep, x_voter_id: VoterHeader = None
) -> PublicClassroomOut:
    """What voters see: the scenario's title, their own vote (with X-Voter-Id) and, once revealed, the guidance."""
    room, _, _ = await classroom.load(store, code)
    scenario = classroom.scenario(content, room["scenario_id"])
    return PublicClassroomOut(
        code=normal_code(code),
        title=scenario.title,
        summary=scenario.summary,
        revealed=room["revealed"],
        your_vote=room["votes"].get(x_voter_id) if x_voter_id else None,
        result=classroom.result(content, room) if room["revealed"] else None,
    )


@router.get(
    "/api/v1/classrooms/{code}/qr.svg",
    response_class=Response,
    name="classroom_qr",
    responses={200: {"content": {"image/svg+xml": {}}, "description": "A QR code of the join link."}, **NOT_FOUND},
    tags=["classroom"],
)
async def classroom_qr(code: str, request: Request, store: StoreDep) -> Response:
    """The room's join link (/join/CODE) as a QR code, drawn on the server, for the presenter's screen."""
    await classroom.load(store, code)  # only a room that exists gets a code
    svg = classroom.qr_svg(str(request.url_for("join_page", code=normal_code(code))))
    # The link depends on the code only, and the code is never reused while the room lives.
    return Response(svg, media_type="image/svg+xml", headers={"Cache-Control": "private, max-age=3600"})
