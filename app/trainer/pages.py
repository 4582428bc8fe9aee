"""Trainer mode's pages: the presenter page (/trainer), the voting page (/join, /join/CODE) and their files.

The pages are static HTML files in app/trainer/static with no inline script or style, so the strict
Content-Security-Policy holds. The voting page reads the classroom code from its own address.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import FileResponse, RedirectResponse

from app.core.errors import UnknownItem
from app.trainer.classroom import normal_code
from app.web.schemas import HTML_PAGE, ErrorOut

STATIC = Path(__file__).resolve().parent / "static"
ASSETS = {"trainer.css": "text/css", "trainer.js": "text/javascript", "join.js": "text/javascript"}
# Typed by hand on a phone: spaces and hyphens are forgiven, anything else is a clear 422.
TYPED_CODE = r"^[A-Za-z0-9 -]{1,20}$"

router = APIRouter(tags=["pages"])


def _page(name: str) -> FileResponse:
    return FileResponse(STATIC / name, media_type="text/html", headers={"Cache-Control": "no-cache"})


@router.get("/trainer", response_class=FileResponse, responses=HTML_PAGE)
def trainer_page() -> FileResponse:
    """The presenter page: pick a scenario, step through it, run a vote (with a QR code to join), reveal."""
    return _page("trainer.html")


@router.get(
    "/join",
    response_class=FileResponse,
    responses={
        **HTML_PAGE,
        303: {"description": "With ?code=: on to the voting page /join/CODE."},
        422: {"model": ErrorOut},
    },
)
def join_box(
    request: Request,
    code: Annotated[str | None, Query(pattern=TYPED_CODE, description="The classroom code as typed.")] = None,
) -> Response:
    """A box for the classroom code; with `?code=` (the box sent without JavaScript) it goes to that room."""
    if code is None:
        return _page("join.html")
    typed = normal_code(code).replace(" ", "").replace("-", "")
    if not typed:
        return _page("join.html")
    return RedirectResponse(str(request.url_for("join_page", code=typed)), status_code=303)


@router.get("/join/{code}", response_class=FileResponse, name="join_page", responses=HTML_PAGE)
def join_page(code: str) -> FileResponse:
    """The phone-friendly voting page for a classroom (an unknown code shows the code box again)."""
    return _page("join.html")


@router.get(
    "/trainer/assets/{name}",
    response_class=FileResponse,
    responses={200: {"content": {"text/css": {}, "text/javascript": {}}}, 404: {"model": ErrorOut}},
)
def trainer_asset(name: str) -> FileResponse:
    """The pages' own script and style files."""
    if name not in ASSETS:
        raise UnknownItem("No such file.")
    return FileResponse(STATIC / name, media_type=ASSETS[name], headers={"Cache-Control": "no-cache"})
