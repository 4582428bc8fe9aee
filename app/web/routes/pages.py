"""The widget script, the demo partnership page at /, the full-screen chat at /embed, and the API docs.

The pages are static HTML with no inline script or style, so the strict Content-Security-Policy holds.
The API docs (/docs, Swagger UI) load their code from the installed `fastapi-offline` package, served here,
not from a CDN: they work with no internet access and nothing comes from another host. (There is no /redoc:
ReDoc's standalone build fetches its logo from the vendor's CDN.)
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

from app.core.errors import UnknownItem
from app.web.schemas import HTML_PAGE, ErrorOut

STATIC = Path(__file__).resolve().parent.parent / "static"
# Swagger UI as released (fastapi-offline ships swagger-ui-dist's bundle and stylesheet).
DOCS_VENDOR = Path(str(files("fastapi_offline") / "static"))
DOCS_ASSETS = {
    "swagger-ui-bundle.js": (DOCS_VENDOR, "text/javascript"),
    "swagger-ui.css": (DOCS_VENDOR, "text/css"),
    "favicon.png": (DOCS_VENDOR, "image/png"),
    "docs.js": (STATIC, "text/javascript"),
}
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
    responses={
        200: {"content": {"text/css": {}}, "description": "A stylesheet of the demo pages."},
        404: {"model": ErrorOut},
    },
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


@router.get("/docs", response_class=FileResponse, responses=HTML_PAGE)
def swagger_ui() -> FileResponse:
    """The API, browsable and callable (Swagger UI), from this server's own files."""
    return FileResponse(STATIC / "docs.html", media_type="text/html", headers=_CACHE)


@router.get(
    "/docs/assets/{name}",
    response_class=FileResponse,
    responses={
        200: {"content": {"text/javascript": {}, "text/css": {}, "image/png": {}}, "description": "A docs file."},
        404: {"model": ErrorOut},
    },
)
def docs_asset(name: str) -> FileResponse:
    """The files of the API docs page: Swagger UI and the script that starts it."""
    found = DOCS_ASSETS.get(name)
    if found is None:
        raise UnknownItem(f"No file {name!r}.")
    folder, media_type = found
    return FileResponse(folder / name, media_type=media_type, headers=_CACHE)
