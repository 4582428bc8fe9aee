"""Reference data (levels, indicators, routes) and service status (version, health)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from app import __version__
from app.core.models import Indicator, Level, Route
from app.web.deps import ContentDep
from app.web.schemas import HealthOut, VersionOut

router = APIRouter()


@router.get("/api/v1/levels", response_model=list[Level], tags=["reference"])
def list_levels(content: ContentDep) -> list[Level]:
    """The four levels of the threshold: meaning, who leads, response, consent and timeframe."""
    return [content.levels[n] for n in sorted(content.levels)]


@router.get("/api/v1/indicators", response_model=list[Indicator], tags=["reference"])
def list_indicators(
    content: ContentDep,
    domain: Annotated[str | None, Query(max_length=100, description="Only this domain id.")] = None,
    level: Annotated[int | None, Query(ge=1, le=4, description="Only this level.")] = None,
    text: Annotated[str | None, Query(max_length=200, description="Words to find in the text or phrases.")] = None,
) -> list[Indicator]:
    """The indicator library, filtered by domain, level and text."""
    words = text.lower().split() if text else []
    found = []
    for indicator in content.indicators.values():
        if domain and indicator.domain != domain:
            continue
        if level and indicator.level != level:
            continue
        haystack = " ".join([indicator.text, *indicator.phrases]).lower()
        if all(w in haystack for w in words):
            found.append(indicator)
    return found


@router.get("/api/v1/routes", response_model=list[Route], tags=["reference"])
def list_routes(content: ContentDep) -> list[Route]:
    """Where to go: universal services, early help, TAF, the MASH, police, LADO and more."""
    return list(content.routes.values())


@router.get("/version", response_model=VersionOut, tags=["status"])
def version(content: ContentDep) -> VersionOut:
    """The app version and the content version (semantic version + hash of the files)."""
    return VersionOut(app_version=__version__, content_version=content.version)


@router.get("/healthz", response_model=HealthOut, tags=["status"])
async def healthz() -> HealthOut:
    """The process is alive."""
    # async: a plain def would run on the thread pool, a thread hop per probe for nothing.
    return HealthOut(status="ok")


@router.get("/readyz", response_model=HealthOut, tags=["status"], responses={503: {"model": HealthOut}})
async def readyz(request: Request) -> HealthOut | JSONResponse:
    """Ready to serve: content loaded and the session store reachable."""
    state = request.app.state
    if getattr(state, "content", None) is None or not await state.store.ping():
        return JSONResponse({"status": "unavailable"}, status_code=503)
    return HealthOut(status="ok")
