"""Admin endpoints for the partnership: anonymous analytics and content reload.

All of them are off (404) unless THRESHOLD_ADMIN_TOKEN is set; then a request needs
`Authorization: Bearer <token>` (401 without, 403 with a wrong one; compared in constant time).
"""

from __future__ import annotations

import csv
import hmac
import io
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException

from app.content import ContentInvalid, load_content
from app.core.triage import triage_index
from app.web import analytics
from app.web.deps import ContentDep, SettingsDep, StoreDep
from app.web.schemas import ErrorOut

router = APIRouter(prefix="/admin", tags=["admin"])
log = logging.getLogger("threshold.admin")
ASSETS = Path(__file__).resolve().parent.parent / "admin_assets"
_bearer = HTTPBearer(auto_error=False, description="THRESHOLD_ADMIN_TOKEN")

AUTH_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut, "description": "No bearer token."},
    403: {"model": ErrorOut, "description": "Wrong bearer token."},
    404: {"model": ErrorOut, "description": "Admin is off: THRESHOLD_ADMIN_TOKEN is not set."},
}


def admin_enabled(settings: SettingsDep) -> None:
    if not settings.admin_token:
        raise HTTPException(404, "Not found.")


def require_admin(
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    _: Annotated[None, Depends(admin_enabled)],
) -> None:
    if credentials is None:
        raise HTTPException(
            401, "Send the admin token as 'Authorization: Bearer <token>'.", {"WWW-Authenticate": "Bearer"}
        )
    if not hmac.compare_digest(credentials.credentials.encode(), settings.admin_token.encode()):
        raise HTTPException(403, "That admin token is not right.")


AdminDep = Annotated[None, Depends(require_admin)]


def record_load(state: Any, *, reload: bool) -> None:
    """Note when the content now served was loaded, and by which reload (0: at start-up); /admin/content shows it."""
    state.content_loaded_at = datetime.now(UTC)
    state.content_reloads = getattr(state, "content_reloads", 0) + 1 if reload else 0


class AnalyticsOut(BaseModel):
    counts: dict[str, dict[str, int]] = Field(
        description="Counter groups, e.g. 'assessments:level' -> {'3': 12}; 'triage' -> {'total': 40}.",
        examples=[{"assessments:level": {"2": 5, "3": 2}, "assessments:week": {"2025-W14": 7}, "triage": {"total": 9}}],
    )
    assessments_completed: int = Field(description="Completed guided assessments (the sum over levels).")


class ReloadOut(BaseModel):
    content_version: str
    previous_version: str
    changed: bool


class ReloadErrorOut(ErrorOut):
    errors: list[str] = Field(description="Every problem, as path:line: message. The old content is still served.")


@router.get(
    "/analytics",
    response_model=AnalyticsOut,
    responses={**AUTH_ERRORS, 200: {"content": {"text/csv": {}}, "description": "JSON, or CSV with ?format=csv."}},
)
async def read_analytics(
    _: AdminDep,
    store: StoreDep,
    format: Annotated[Literal["json", "csv"], Query(description="json (default) or csv")] = "json",
) -> AnalyticsOut | Response:
    """Anonymous counts for the quality assurance group: assessments by level, route and ISO week, triage
    use and escalation look-ups. Nothing here identifies a person or a conversation."""
    counts = await analytics.read_counts(store)
    if format == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(["metric", "label", "count"])
        for group, values in counts.items():
            writer.writerows([group, label, value] for label, value in values.items())
        return Response(
            buffer.getvalue(),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="threshold-analytics.csv"'},
        )
    completed = sum(counts.get("assessments:level", {}).values())
    return AnalyticsOut(counts=counts, assessments_completed=completed)


@router.get(
    "/analytics/chart",
    response_class=HTMLResponse,
    dependencies=[Depends(admin_enabled)],
    responses={404: AUTH_ERRORS[404], 200: {"content": {"text/html": {}}, "description": "The chart page."}},
)
def analytics_chart() -> HTMLResponse:
    """A page that asks for the admin token and draws the counts as bars. The page holds no data itself:
    its script fetches /admin/analytics with the token, so the token never sits in a URL or a cookie."""
    return HTMLResponse((ASSETS / "chart.html").read_text(encoding="utf-8"))


@router.get("/analytics/chart.js", include_in_schema=False, dependencies=[Depends(admin_enabled)])
def analytics_chart_script() -> FileResponse:
    return FileResponse(ASSETS / "chart.js", media_type="text/javascript; charset=utf-8")


@router.get("/analytics/chart.css", include_in_schema=False, dependencies=[Depends(admin_enabled)])
def analytics_chart_style() -> FileResponse:
    return FileResponse(ASSETS / "chart.css", media_type="text/css; charset=utf-8")


def _refused(version: str, errors: list[str]) -> JSONResponse:
    log.warning("content reload refused: %d errors", len(errors))
    body = ReloadErrorOut(
        error="content_invalid",
        message=f"The new content has {len(errors)} problem(s); still serving {version}.",
        errors=errors,
    )
    return JSONResponse(body.model_dump(), status_code=422)


@router.post(
    "/reload",
    response_model=ReloadOut,
    responses={**AUTH_ERRORS, 422: {"model": ReloadErrorOut, "description": "New content invalid; old kept."}},
)
def reload_content(
    _: AdminDep, request: Request, content: ContentDep, settings: SettingsDep
) -> ReloadOut | JSONResponse:
    """Re-read rules/ and dialogues/. Invalid content is refused with every `path:line: message`, and the
    content already loaded goes on being served; valid content replaces it for the next request."""
    try:
        new = load_content(settings.content_dir)
        # Indexes built from content (triage, knowledge) hang off the Content object itself, so one swap
        # replaces them all. The triage index is built before the swap, as at start-up, so no user waits
        # for it and a phrase table it cannot compile is refused like any other invalid content.
        triage_index(new)
    except ContentInvalid as exc:
        return _refused(content.version, [str(e) for e in exc.errors])
    except ValueError as exc:
        return _refused(content.version, [str(exc)])
    request.app.state.content = new  # a request already running keeps the content it started with
    record_load(request.app.state, reload=True)
    log.info("content reloaded: %s -> %s", content.version, new.version)
    return ReloadOut(
        content_version=new.version, previous_version=content.version, changed=new.version != content.version
    )
