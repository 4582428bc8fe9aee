"""Builds the FastAPI app: loads content (refusing to start on invalid content), opens the store, mounts routes."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute

from app import __version__, runtime
from app.config import Settings
from app.content import load_content
from app.core.triage import triage_index
from app.rasa import endpoint as rasa
from app.store import open_store
from app.store.purge import start_purging
from app.trainer import pages as trainer_pages
from app.trainer import routes as trainer
from app.web.errors import install_error_handlers
from app.web.lean_route import LeanRoute
from app.web.observability import install_observability
from app.web.routes import admin, admin_content, assessments, chat, knowledge, pages, reference, triage
from app.web.security import install_security

DESCRIPTION = """
Threshold Guide helps people who work with children in Warrington decide which level of the
Threshold of Need a concern sits at, and what to do next.

**It supports professional judgement; it does not replace it.** Talk to your designated safeguarding
lead and, where a child may be at risk of significant harm, the MASH. **If a child is in immediate
danger, call 999.**
"""

# The order FastAPI tries the routes in, after the turn routes (create_app).
ROUTE_MODULES = (
    assessments,
    chat,
    reference,
    knowledge,
    rasa,
    admin,
    admin_content,
    trainer_pages,
    trainer,
    pages,
    triage,
)


def create_app(settings: Settings | None = None) -> FastAPI:
    runtime.pause()  # no garbage collection until start-up is done (app/runtime.py)
    settings = settings or Settings()
    logging.basicConfig(level=settings.log_level.upper())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.content = load_content(settings.content_dir)  # invalid content stops start-up here
        admin.record_load(app.state, reload=False)  # shown on /admin/content
        triage_index(app.state.content)  # compile the free-text triage phrases once, not on the first request
        app.state.store = open_store(settings.session_store)
        # What start-up built is frozen and collection resumes. After the store: a Redis store imports its client
        # here, tens of thousands of objects that every full collection would otherwise walk (a 26 ms pause).
        runtime.resume()
        purger = await start_purging(app.state.store, settings.purge_interval_seconds)  # expired sessions go
        try:
            yield
        finally:
            purger.cancel()
            await app.state.store.close()

    # /docs is served by app/web/routes/pages.py from installed files (FastAPI's own docs load from a CDN).
    app = FastAPI(
        title="Threshold Guide",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.state.settings = settings
    install_error_handlers(app)
    install_observability(app, settings.log_level)
    for module in ROUTE_MODULES:
        add_routes(app, module.router)
    # The turn routes first: FastAPI tries the routes in order, and nearly every request is a turn. (No other
    # route matches a turn's method and path, so the order changes no answer.)
    app.router.routes.sort(key=lambda route: not (isinstance(route, LeanRoute) and route.is_lean))
    install_security(app, settings)  # headers, body limit, rate limit, CORS
    return app


def add_routes(app: FastAPI, router: APIRouter) -> None:
    """The router's routes straight into the app's route table, as `include_router` did before FastAPI 0.165.

    Why: FastAPI 0.165 keeps an included router as a wrapper that matches each request twice, about a tenth of an
    assessment turn's instructions (bench/RESULTS.md). The routers set their prefix, tags and route class
    themselves and are included with nothing of their own, so the routes, and the OpenAPI schema, are the same
    (tests/web/test_lean_route.py).
    """
    for route in router.routes:
        if not isinstance(route, APIRoute):  # a nested router or a mount would need include_router's handling
            raise TypeError(f"add_routes takes API routes only, not {type(route).__name__}")
    app.router.routes.extend(router.routes)


def __getattr__(name: str) -> FastAPI:
    # `uvicorn app.main:app` builds the app from the environment on first use, not at import.
    if name == "app":
        return create_app()
    raise AttributeError(name)
