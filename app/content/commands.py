"""python -m app.content check|schema [DIR]

Usage: python -m app.content check [DIR]    validate, print errors, exit 1 if any (with the release checks
                                            of app/content/release.py when DIR has rules/content.lock)
       python -m app.content schema [DIR]   write schemas/*.schema.json
"""

from __future__ import annotations

import sys
from pathlib import Path

from app.content.loader import ContentInvalid, load_content, render_schemas, unreachable_indicators
from app.content.release import check as release_check


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    root = Path(argv[1]) if len(argv) > 1 else Path.cwd()
    if command == "schema":
        target = root / "schemas"
        target.mkdir(exist_ok=True)
        for name, text in render_schemas().items():
            (target / name).write_text(text, encoding="utf-8")
            print(f"wrote schemas/{name}")
        return 0
    if command != "check":
        print(__doc__, file=sys.stderr)
        return 2
    try:
        content = load_content(root)
        release_errors = release_check(root, content)
        if release_errors:
            raise ContentInvalid(release_errors)
    except ContentInvalid as exc:
        for error in exc.errors:
            print(error)
        print(f"{len(exc.errors)} problem(s) found", file=sys.stderr)
        return 1
    print(
        f"content {content.version}: {len(content.indicators)} indicators, {len(content.assessment.questions)} questions, {len(content.rules)} rules"
    )
    for item in unreachable_indicators(content):
        print(f"note: indicator {item!r} is not produced by any question (triage only)")
    return 0
