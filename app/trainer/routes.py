"""Trainer mode: the scenario library, walkthroughs, quizzes, live classroom voting and their pages.

Classrooms live in the store (kind "classroom") so that several processes behave as one: every
vote is a read-modify-write guarded by the record's version, retried when another vote won.
Rooms hold a scenario id, a hash of the trainer's token, anonymous voter ids and levels: no
personal data.
"""

from __future__ import annotations

import hashlib
import html
import secrets
import time
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException, Request, Response
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field

from app.core import scenarios as sc
from app.core.errors import Conflict, UnknownItem
from app.core.models import Content
from app.store import Store
from app.web.deps import ContentDep, StoreDep
from app.web.schemas import ErrorOut

sc.rebuild_models()  # Walkthrough refers to the engine's Outcome; resolve it before the OpenAPI schema is built

router = APIRouter()
KIND = "classroom"
CODE_KIND = "classroom_code"  # short join code -> the room's 128-bit id
NO_ROOM = "No classroom with that code. Check the code; rooms close a few hours after they open."
ROOM_TTL_SECONDS = 4 * 3600
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: easy to read aloud and type on a phone
CODE_LENGTH = 6
MAX_VOTERS = 2000
WRITE_ATTEMPTS = 8
VOTER_PATTERN = r"^[A-Za-z0-9_-]{8,64}$"
STATIC = Path(__file__).resolve().parent.parent / "web" / "static"
ASSETS = {"trainer.css": "text/css", "trainer.js": "text/javascript", "join.js": "text/javascript"}

NOT_FOUND = {404: {"model": ErrorOut, "description": "No such scenario or classroom (rooms expire after a few hours)."}}
INVALID = {422: {"model": ErrorOut, "description": "The request is not valid (e.g. a level outside 1 to 4)."}}
TRAINER_ONLY = {
    401: {"model": ErrorOut, "description": "No trainer token: send Authorization: Bearer <trainer_token>."},
    403: {"model": ErrorOut, "description": "That is not this classroom's trainer token."},
}
bearer = HTTPBearer(auto_error=False, description="The trainer_token returned when the classroom was opened.")


# --- Wire models --------------------------------------------------------------------------------


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
    code: str = Field(description="Six characters to read aloud; voters type it or follow join_url.")
    trainer_token: str = Field(description="Keep it on the presenter's screen; it lets you see votes and reveal.")
    join_url: str
    expires_in_seconds: int


class VoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"level": 2, "voter_id": "k3J9xQ2mWp"}]})
    level: int = Field(ge=1, le=4, description="The level this voter would choose: 1, 2, 3 or 4.")
    voter_id: str | None = Field(
        None,
        pattern=VOTER_PATTERN,
        description="A random id the voting page keeps for the browser session (or send X-Voter-Id).",
    )


class VoteOut(BaseModel):
    accepted: bool
    level: int


class RevealOut(BaseModel):
    level: int = Field(description="The guidance level, computed by the engine.")
    level_name: str
    reasons: list[str]
    teaching_points: list[str]
    teaching: str
    votes: dict[str, int]


class ClassroomOut(BaseModel):
    code: str
    scenario: ScenarioListItem
    votes: dict[str, int] = Field(description='Votes per level: {"1": n, "2": n, "3": n, "4": n}.')
    voters: int
    revealed: bool
    result: RevealOut | None = None
    expires_in_seconds: int


class PublicClassroomOut(BaseModel):
    code: str
    title: str
    summary: str
    revealed: bool
    result: RevealOut | None = Field(None, description="Only after the trainer reveals.")


# --- Scenarios ----------------------------------------------------------------------------------


def _scenario(content: Content, scenario_id: str) -> sc.Scenario:
    scenario = content.scenarios.get(scenario_id)
    if scenario is None:
        raise UnknownItem(f"No scenario {scenario_id!r}. GET /api/v1/scenarios lists them.")
    return scenario


def _list_item(content: Content, scenario: sc.Scenario) -> ScenarioListItem:
    return ScenarioListItem(
        id=scenario.id,
        title=scenario.title,
        summary=scenario.summary,
        level=sc.guidance_level(content, scenario),
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
    return _scenario(content, scenario_id)


@router.get(
    "/api/v1/scenarios/{scenario_id}/walkthrough", response_model=sc.Walkthrough, responses=NOT_FOUND, tags=["trainer"]
)
def get_walkthrough(scenario_id: str, content: ContentDep) -> sc.Walkthrough:
    """The scripted answers one by one, with the level the engine reaches after each, and the outcome."""
    return sc.walkthrough(content, _scenario(content, scenario_id))


@router.post(
    "/api/v1/scenarios/{scenario_id}/quiz",
    response_model=sc.QuizResult,
    responses={**NOT_FOUND, **INVALID},
    tags=["trainer"],
)
def take_quiz(scenario_id: str, body: QuizIn, content: ContentDep) -> sc.QuizResult:
    """Check a level against the guidance for the scenario; the answer explains itself."""
    return sc.quiz(content, _scenario(content, scenario_id), body.level)


# --- Classrooms ---------------------------------------------------------------------------------


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _normal_code(code: str) -> str:
    return code.strip().upper()


async def _room_id(store: Store, code: str) -> str:
    alias = await store.get(CODE_KIND, _normal_code(code))
    if alias is None:
        raise UnknownItem(NO_ROOM)
    return str(alias.data["room_id"])


async def _load_room_by_id(store: Store, room_id: str) -> tuple[dict[str, Any], int, int]:
    """The room, its version and its remaining lifetime in seconds."""
    record = await store.get(KIND, room_id)
    remaining = int(record.data["expires_at"] - time.time()) if record else 0
    if record is None or remaining <= 0:
        raise UnknownItem(NO_ROOM)
    return record.data, record.version, remaining


async def _load_room(store: Store, code: str) -> tuple[dict[str, Any], int, int]:
    return await _load_room_by_id(store, await _room_id(store, code))


async def _update_room(store: Store, code: str, change: Any) -> dict[str, Any]:
    """Apply `change(room)` with optimistic locking; a racing vote makes us re-read and try again."""
    room_id = await _room_id(store, code)
    for _ in range(WRITE_ATTEMPTS):
        room, version, remaining = await _load_room_by_id(store, room_id)
        room = change(room)
        try:
            await store.put(KIND, room_id, room, remaining, version)
            return room
        except Conflict:
            continue
    raise Conflict("The classroom is very busy just now. Try again.")


def _tally(room: dict[str, Any]) -> dict[str, int]:
    counts = {str(level): 0 for level in (1, 2, 3, 4)}
    for level in room["votes"].values():
        counts[str(level)] += 1
    return counts


async def _trainer_room(
    store: Store, code: str, credentials: HTTPAuthorizationCredentials | None
) -> tuple[dict[str, Any], int]:
    """The room and its remaining lifetime, for its trainer only (401 without a token, 403 with another)."""
    if credentials is None:
        raise HTTPException(
            401, "Send the trainer token: Authorization: Bearer <trainer_token>.", {"WWW-Authenticate": "Bearer"}
        )
    room, _, remaining = await _load_room(store, code)
    if not secrets.compare_digest(_token_hash(credentials.credentials), room["token_sha256"]):
        raise HTTPException(403, "That is not this classroom's trainer token.")
    return room, remaining


def _result(content: Content, room: dict[str, Any]) -> RevealOut:
    scenario = _scenario(content, room["scenario_id"])
    outcome = sc.walkthrough(content, scenario).outcome
    return RevealOut(
        level=outcome.level,
        level_name=outcome.level_name,
        reasons=sc.reasons(outcome),
        teaching_points=sc.teaching_points(scenario),
        teaching=scenario.teaching,
        votes=_tally(room),
    )


BearerDep = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


@router.post(
    "/api/v1/classrooms",
    status_code=201,
    response_model=ClassroomCreated,
    responses={**NOT_FOUND, **INVALID},
    tags=["classroom"],
)
async def open_classroom(body: ClassroomIn, request: Request, content: ContentDep, store: StoreDep) -> ClassroomCreated:
    """Open a room for a scenario. Read the code aloud; keep the trainer token on the presenter's screen."""
    _scenario(content, body.scenario_id)
    token = secrets.token_urlsafe(24)  # 192 bits
    room = {
        "scenario_id": body.scenario_id,
        "token_sha256": _token_hash(token),  # only a hash is stored
        "votes": {},
        "revealed": False,
        "expires_at": time.time() + ROOM_TTL_SECONDS,
    }
    room_id = secrets.token_urlsafe(16)  # 128 bits; the short code below is only an alias for voters
    await store.put(KIND, room_id, room, ROOM_TTL_SECONDS, None)
    for _ in range(WRITE_ATTEMPTS):
        code = new_code()
        try:
            await store.put(CODE_KIND, code, {"room_id": room_id}, ROOM_TTL_SECONDS, None)
            break
        except Conflict:  # the code is taken; draw another
            continue
    else:
        await store.delete(KIND, room_id)
        raise Conflict("Could not find a free classroom code. Try again.")
    return ClassroomCreated(
        room_id=room_id,
        code=code,
        trainer_token=token,
        join_url=str(request.url_for("join_page", code=code)),
        expires_in_seconds=ROOM_TTL_SECONDS,
    )


@router.post(
    "/api/v1/classrooms/{code}/votes",
    response_model=VoteOut,
    responses={**NOT_FOUND, **INVALID, 409: {"model": ErrorOut, "description": "Voting has closed (revealed)."}},
    tags=["classroom"],
)
async def vote(
    code: str,
    body: VoteIn,
    store: StoreDep,
    x_voter_id: Annotated[str | None, Header(pattern=VOTER_PATTERN, description="Alternative to voter_id.")] = None,
) -> VoteOut:
    """Vote anonymously: one vote per browser session; voting again changes the vote, until the reveal."""
    voter = body.voter_id or x_voter_id
    if voter is None:
        raise HTTPException(422, "Send a voter id (voter_id in the body or the X-Voter-Id header).")

    def add_vote(room: dict[str, Any]) -> dict[str, Any]:
        if room["revealed"]:
            raise Conflict("Voting has closed: the trainer has revealed the guidance.")
        if voter not in room["votes"] and len(room["votes"]) >= MAX_VOTERS:
            raise Conflict("This classroom is full.")
        room["votes"][voter] = body.level
        return room

    await _update_room(store, code, add_vote)
    return VoteOut(accepted=True, level=body.level)


@router.get(
    "/api/v1/classrooms/{code}",
    response_model=ClassroomOut,
    responses={**NOT_FOUND, **TRAINER_ONLY},
    tags=["classroom"],
)
async def get_classroom(code: str, content: ContentDep, store: StoreDep, credentials: BearerDep) -> ClassroomOut:
    """The trainer's view: the votes so far per level (who voted is never known)."""
    room, remaining = await _trainer_room(store, code, credentials)
    return ClassroomOut(
        code=_normal_code(code),
        scenario=_list_item(content, _scenario(content, room["scenario_id"])),
        votes=_tally(room),
        voters=len(room["votes"]),
        revealed=room["revealed"],
        result=_result(content, room) if room["revealed"] else None,
        expires_in_seconds=remaining,
    )


@router.post(
    "/api/v1/classrooms/{code}/reveal",
    response_model=RevealOut,
    responses={**NOT_FOUND, **TRAINER_ONLY},
    tags=["classroom"],
)
async def reveal(code: str, content: ContentDep, store: StoreDep, credentials: BearerDep) -> RevealOut:
    """Close voting and show the guidance level and its reasons (revealing twice is harmless)."""
    await _trainer_room(store, code, credentials)

    def close(room: dict[str, Any]) -> dict[str, Any]:
        room["revealed"] = True
        return room

    return _result(content, await _update_room(store, code, close))


@router.get(
    "/api/v1/classrooms/{code}/public", response_model=PublicClassroomOut, responses=NOT_FOUND, tags=["classroom"]
)
async def public_classroom(code: str, content: ContentDep, store: StoreDep) -> PublicClassroomOut:
    """What voters see: the scenario's title and, once revealed, the guidance."""
    room, _, _ = await _load_room(store, code)
    scenario = _scenario(content, room["scenario_id"])
    return PublicClassroomOut(
        code=_normal_code(code),
        title=scenario.title,
        summary=scenario.summary,
        revealed=room["revealed"],
        result=_result(content, room) if room["revealed"] else None,
    )


# --- Pages --------------------------------------------------------------------------------------

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · Threshold Guide</title>
<link rel="stylesheet" href="{css}">
<script src="{js}" defer></script>
</head>
<body class="{body_class}"{data}>
<a class="skip" href="#main">Skip to content</a>
<header class="bar"><p class="brand">Threshold Guide <span>trainer mode</span></p></header>
<main id="main" tabindex="-1">
{main}
</main>
<footer class="bar foot"><p>Fictional training cases. The guide supports professional judgement; it does not replace it.
If a child is in immediate danger, call 999.</p></footer>
</body>
</html>
"""

TRAINER_MAIN = """<h1>Trainer mode</h1>
<section id="pick" aria-labelledby="pick-h">
  <h2 id="pick-h">Choose a scenario</h2>
  <label for="scenario-select">Scenario</label>
  <select id="scenario-select"><option value="">Loading…</option></select>
  <p id="scenario-meta" class="meta"></p>
</section>
<section id="story" aria-labelledby="story-h" hidden>
  <h2 id="story-h">The case</h2>
  <p id="stage-count" class="meta" aria-live="polite"></p>
  <div id="stages"></div>
  <div class="actions">
    <button type="button" id="next-stage">Next stage</button>
    <button type="button" id="open-room" class="primary">Open a classroom vote</button>
    <button type="button" id="show-walk">Show the walkthrough</button>
  </div>
</section>
<section id="room" aria-labelledby="room-h" hidden>
  <h2 id="room-h">Classroom vote</h2>
  <p class="join">On your phone, go to <strong id="join-url"></strong></p>
  <p class="join">Classroom code <strong id="room-code" class="code"></strong></p>
  <p id="vote-total" class="meta" aria-live="polite"></p>
  <div id="chart" class="chart" role="img" aria-label="Votes per level"></div>
  <div class="actions"><button type="button" id="reveal" class="primary">Reveal the guidance</button></div>
  <div id="result" aria-live="polite"></div>
</section>
<section id="walk" aria-labelledby="walk-h" hidden>
  <h2 id="walk-h">Walkthrough</h2>
  <ol id="steps" class="steps"></ol>
  <div class="actions"><button type="button" id="next-step">Next answer</button>
  <button type="button" id="all-steps">Show all</button></div>
  <div id="outcome" aria-live="polite"></div>
</section>
<p id="status" class="status" role="status" aria-live="polite"></p>
"""

JOIN_MAIN = """<h1 id="room-title">Classroom vote</h1>
<p id="room-summary" class="meta"></p>
<form id="vote-form">
  <fieldset>
    <legend>Which level would you say?</legend>
    <div class="levels">
      <label><input type="radio" name="level" value="1"> <span><b>1</b> Universal</span></label>
      <label><input type="radio" name="level" value="2"> <span><b>2</b> Early help (single agency)</span></label>
      <label><input type="radio" name="level" value="3"> <span><b>3</b> Targeted multi-agency early help</span></label>
      <label><input type="radio" name="level" value="4"> <span><b>4</b> Specialist: children's social care</span></label>
    </div>
  </fieldset>
  <button type="submit" class="primary">Send my vote</button>
</form>
<p id="status" class="status" role="status" aria-live="polite"></p>
<div id="result" aria-live="polite"></div>
"""


def _page(title: str, body_class: str, main: str, js: str, data: dict[str, str] | None = None) -> HTMLResponse:
    attributes = "".join(f' data-{k}="{html.escape(v)}"' for k, v in (data or {}).items())
    text = PAGE.format(
        title=html.escape(title),
        css="/trainer/assets/trainer.css",
        js=f"/trainer/assets/{js}",
        body_class=body_class,
        data=attributes,
        main=main,
    )
    return HTMLResponse(text)  # app/web/security.py adds a strict CSP: our own script and style files only


@router.get("/trainer", response_class=HTMLResponse, tags=["pages"])
def trainer_page() -> HTMLResponse:
    """The presenter page: pick a scenario, step through it, run a vote, reveal."""
    return _page("Trainer mode", "trainer", TRAINER_MAIN, "trainer.js")


@router.get("/join/{code}", response_class=HTMLResponse, name="join_page", tags=["pages"])
def join_page(code: str) -> HTMLResponse:
    """The phone-friendly voting page for a classroom."""
    return _page("Vote", "join", JOIN_MAIN, "join.js", {"code": _normal_code(code)[:12]})


@router.get(
    "/trainer/assets/{name}",
    response_class=FileResponse,
    responses={200: {"content": {"text/css": {}, "text/javascript": {}}}, **NOT_FOUND},
    tags=["pages"],
)
def trainer_asset(name: str) -> Response:
    """The pages' own script and style files."""
    if name not in ASSETS:
        raise UnknownItem("No such file.")
    return FileResponse(STATIC / name, media_type=ASSETS[name], headers={"Cache-Control": "no-cache"})
