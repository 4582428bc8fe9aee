"""GET /admin/content: the content being served, its release notes and what the partnership must sign off.

Same admin token as /admin/analytics. A page by default; JSON with `Accept: application/json`.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime
from pathlib import Path
from string import Template

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from pydantic import BaseModel, Field

from app.content import content_hash
from app.content import release as rel
from app.content import signoff as so
from app.web.deps import ContentDep, SettingsDep
from app.web.routes.admin import ASSETS, AUTH_ERRORS, AdminDep, admin_enabled

router = APIRouter(prefix="/admin", tags=["admin"])


class SignoffItemOut(BaseModel):
    group: str = Field(description="contacts, levels, rules, law, procedures or other.")
    location: str = Field(description="file:line of the item.")
    where: str = Field(description="The key path inside the file, e.g. contacts.0.")
    value: str = Field(description="What the item says now.")
    source: str
    confirmed_by: str = Field("", description="Left empty for the partnership's meeting.")
    date: str = Field("", description="Left empty for the partnership's meeting.")


class ReleaseOut(BaseModel):
    version: str
    hash: str
    ref: str = Field(description="The git commit holding the released content.")
    released: str


class ContentAdminOut(BaseModel):
    content_version: str = Field(description="As every outcome shows it: version+hash.")
    version: str
    hash: str
    changelog_entry: str | None = Field(description="The rules/CHANGELOG.md section for this version (Markdown).")
    last_release: ReleaseOut | None = Field(description="From rules/content.lock.")
    loaded_at: datetime = Field(description="When the content now served was loaded (UTC).")
    reload: int = Field(description="0 when loaded at start-up; n when loaded by the n-th successful /admin/reload.")
    files_changed_since_load: bool = Field(description="The files on disk differ from the content being served.")
    verify_count: int = Field(description="Items marked verify: true in the files on disk.")
    signoff_counts: dict[str, int] = Field(description="verify: true items per group.")
    signoff: list[SignoffItemOut]


def _summary(request: Request, content: ContentDep, root: Path) -> tuple[ContentAdminOut, list[so.SignoffItem]]:
    version, _, loaded_hash = content.version.partition("+")
    items = so.signoff_items(root)
    lock = rel.read_lock(root)
    reload = getattr(request.app.state, "content_reloads", 0)
    summary = ContentAdminOut(
        content_version=content.version,
        version=version,
        hash=loaded_hash,
        changelog_entry=rel.changelog_entry(root, version),
        last_release=ReleaseOut(**vars(lock)) if lock else None,
        loaded_at=getattr(request.app.state, "content_loaded_at", datetime.now(UTC)),
        reload=reload,
        files_changed_since_load=content_hash(root) != loaded_hash,
        verify_count=len(items),
        signoff_counts=so.counts(items),
        signoff=[
            SignoffItemOut(location=i.location, **{k: v for k, v in vars(i).items() if k not in ("file", "line")})
            for i in items
        ],
    )
    return summary, items


def _page(summary: ContentAdminOut, items_html: str) -> str:
    page = Template((ASSETS / "content.html").read_text(encoding="utf-8"))
    release = summary.last_release
    counts = "".join(f"<li>{html.escape(so.GROUPS[g])}: {n}</li>" for g, n in summary.signoff_counts.items())
    return page.substitute(
        content_version=html.escape(summary.content_version),
        loaded_at=summary.loaded_at.strftime("%Y-%m-%d %H:%M:%S UTC"),
        loaded_by="start-up" if summary.reload == 0 else f"reload {summary.reload}",
        files_note=(
            '<p class="warning">The files on disk differ from the content being served: '
            "check them and reload to serve them.</p>"
            if summary.files_changed_since_load
            else ""
        ),
        last_release=html.escape(f"{release.version} ({release.released}, hash {release.hash}, commit {release.ref})")
        if release
        else "none recorded",
        changelog=html.escape(summary.changelog_entry or "No entry for this version in rules/CHANGELOG.md."),
        verify_count=summary.verify_count,
        counts=counts,
        sections=items_html,
    )


@router.get(
    "/content",
    response_model=ContentAdminOut,
    responses={
        **AUTH_ERRORS,
        200: {"content": {"text/html": {}}, "description": "A page; JSON on Accept: application/json."},
    },
)
def read_content_admin(
    _: AdminDep, request: Request, content: ContentDep, settings: SettingsDep
) -> ContentAdminOut | HTMLResponse | JSONResponse:
    """The content being served: version, its changelog entry and hash, the last release, when it was loaded and
    by which reload, and every `verify: true` item the partnership must sign off (file:line, value, source)."""
    root = Path(settings.content_dir)
    summary, items = _summary(request, content, root)
    if "application/json" in request.headers.get("accept", ""):
        return JSONResponse(summary.model_dump(mode="json"))
    return HTMLResponse(_page(summary, so.html_sections(items)))


@router.get("/content.css", include_in_schema=False, dependencies=[Depends(admin_enabled)])
def content_admin_style() -> FileResponse:
    return FileResponse(ASSETS / "content.css", media_type="text/css; charset=utf-8")
