"""python -m app content diff|signoff|release|release-notes: content governance in the terminal.

diff OLD NEW [--format text|json]      what changed in outcomes; OLD/NEW: content folders or git refs,
                                       `last-release` for the ref in rules/content.lock. Exit 1 when a
                                       scenario's expected level no longer holds in NEW.
signoff [DIR] [--format markdown|json|html]   every `verify: true` item, grouped, for the partnership
release [DIR] [--ref REF]              record the content as the last release in rules/content.lock
release-notes [DIR]                    draft a changelog entry from the diff against the last release
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from app.config import REPO_ROOT
from app.content import diff as content_diff
from app.content import release as rel
from app.content import signoff as so
from app.content.loader import ContentInvalid, load_content


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise _UsageError(message)


class _UsageError(Exception):
    pass


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m app content", description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    diff = commands.add_parser("diff", help="outcome changes between two content versions")
    diff.add_argument("old")
    diff.add_argument("new")
    diff.add_argument("--format", choices=("text", "json"), default="text")
    signoff = commands.add_parser("signoff", help="every verify: true item, grouped")
    signoff.add_argument("dir", nargs="?", default=str(REPO_ROOT))
    signoff.add_argument("--format", choices=so.FORMATS, default="markdown")
    release = commands.add_parser("release", help="record this content as the last release")
    release.add_argument("dir", nargs="?", default=str(REPO_ROOT))
    release.add_argument("--ref", help="git commit holding the released content (default: HEAD, if it matches)")
    notes = commands.add_parser("release-notes", help="draft a changelog entry from the diff")
    notes.add_argument("dir", nargs="?", default=str(REPO_ROOT))
    return parser


def _spec(value: str) -> str:
    """`last-release` -> the git ref of the last release, from the lock."""
    if value != rel.LAST_RELEASE:
        return value
    lock = rel.read_lock(REPO_ROOT)
    if lock is None:
        raise ValueError(f"no {rel.LOCK}: nothing has been released yet")
    return lock.ref


def main(argv: list[str], out: TextIO = sys.stdout) -> int:
    try:
        args = _parser().parse_args(argv)
    except _UsageError as exc:
        print(f"{exc}\n\n{__doc__}", file=sys.stderr)
        return 2
    try:
        return _COMMANDS[args.command](args, out)
    except ContentInvalid as exc:
        print(exc, file=sys.stderr)
        print(f"{len(exc.errors)} problem(s) found", file=sys.stderr)
        return 2
    except ValueError as exc:  # a version that is not there, a release that may not be made
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _diff(args: argparse.Namespace, out: TextIO) -> int:
    report = content_diff.diff(_spec(args.old), _spec(args.new))
    if args.format == "json":
        out.write(content_diff.to_json(report))
        for failure in report.failures:  # the list stays pure JSON; the reason for exit 1 goes to stderr
            print(f"scenario {failure.id}: expects level {failure.expected}, NEW gives {failure.got}", file=sys.stderr)
    else:
        out.write(content_diff.to_text(report))
    return report.exit_status


def _signoff(args: argparse.Namespace, out: TextIO) -> int:
    out.write(so.render(so.signoff_items(args.dir), so.version_of(args.dir), args.format))
    return 0


def _release(args: argparse.Namespace, out: TextIO) -> int:
    root = Path(args.dir)
    content = load_content(root)
    ref = args.ref or rel.git_ref_of(root)
    lock = rel.release(root, content, ref, datetime.now(UTC).date())
    print(f"released {lock.version} (hash {lock.hash}, commit {lock.ref}) into {rel.LOCK}", file=out)
    return 0


def _release_notes(args: argparse.Namespace, out: TextIO) -> int:
    root = Path(args.dir)
    lock = rel.read_lock(root)
    if lock is None:
        raise ValueError(f"no {rel.LOCK}: nothing has been released yet")
    report = content_diff.diff(lock.ref, str(root))
    new_version = report.new_version.split("+")[0]
    out.write(rel.release_notes(content_diff.to_text(report), lock, new_version, datetime.now(UTC).date()))
    return report.exit_status


_COMMANDS = {"diff": _diff, "signoff": _signoff, "release": _release, "release-notes": _release_notes}
