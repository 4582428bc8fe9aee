"""Content: rules/ and dialogues/ read into a validated `Content` (app/content/loader.py)."""

from __future__ import annotations

from app.content.commands import main
from app.content.loader import (
    ContentError,
    ContentInvalid,
    content_files,
    content_hash,
    load_content,
    parse_yaml,
    render_schemas,
    unreachable_indicators,
)

__all__ = [
    "ContentError",
    "ContentInvalid",
    "content_files",
    "content_hash",
    "load_content",
    "main",
    "parse_yaml",
    "render_schemas",
    "unreachable_indicators",
]
