"""The widget script, the demo partnership page at / and the full-screen chat at /embed.

The pages are static HTML with no inline script or style, so the strict Content-Security-Policy holds.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

from app.core.errors import UnknownItem
from app.web.schemas import ErrorOut

STATIC = Path(__file__).resolve().parent.parent / "static"
router = APIRouter(tags=["pages"])
# Short caching: a fixed widget reaches every embedding site within minutes of a release.
_CACHE = {"Cache-Control": "public, max-age=300"}


@router.get(
    "/widget.js",
    response_class=FileResponse,
    responses={200: {"content": {"application/javascript": {}}, "description": "The embeddable chat widget."}},
)
def widget_js() -> FileResponse:
    """One script tag adds the launcher and chat panel to any page: see the demo page at /."""
    return FileResponse(STATIC / "widget.js", media_type="application/javascript", headers=_CACHE)


@router.get(
    "/static/{name}",
    response_class=FileResponse,
    responses={200: {"content": {"text/css": {}}, "description": "A stylesheet of the demo pages."}, 404: {"model": ErrorOut}},
)
def stylesheet(name: str) -> FileResponse:
    """Stylesheets of the demo and embed pages (the widget itself carries its own styles)."""
    path = STATIC / name
    if name not in {"demo.css", "embed.css"} or not path.is_file():
        raise UnknownItem(f"No file {name!r}.")
    return FileResponse(path, media_type="text/css", headers=_CACHE)


@router.get(
    "/",
    response_class=FileResponse,
    responses={200: {"content": {"text/html": {}}, "description": "A mock partnership page with the widget."}},
)
def demo_page() -> FileResponse:
    """A plain mock partnership page with the widget embedded, as a site would use it."""
    return FileResponse(STATIC / "demo.html", media_type="text/html")


@router.get(
    "/embed",
    response_class=FileResponse,
    responses={200: {"content": {"text/html": {}}, "description": "The chat, full screen, for an iframe."}},
)
def embed_page() -> FileResponse:
    """The chat full-screen, for sites that prefer an iframe: `<iframe src="https://HOST/embed">`."""
    return FileResponse(STATIC / "embed.html", media_type="text/html")
