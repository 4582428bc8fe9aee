"""Content releases: the lock file (the last release's version, hash and git ref) and rules/CHANGELOG.md.

`python -m app.content check` adds two release checks when rules/content.lock exists:
- the content's files differ from the last release but rules/content.yaml still has its version;
- rules/CHANGELOG.md has no entry for the current version.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml

from app.config import REPO_ROOT
from app.content.loader import ContentError, content_hash
from app.content.versions import materialised
from app.core.models import Content

LOCK = "rules/content.lock"
CHANGELOG = "rules/CHANGELOG.md"
LAST_RELEASE = "last-release"  # on the command line: the git ref recorded in the lock
_LOCK_HEADER = (
    "# The last released content. Written by `python -m app content release`; read by `python -m app.content check`\n"
    "# (content changed since this release needs a new version) and by `content diff last-release ...`.\n"
)


@dataclass(frozen=True)
class Lock:
    version: str
    hash: str
    ref: str  # the git commit holding the released content
    released: str  # ISO date


def read_lock(root: Path) -> Lock | None:
    path = root / LOCK
    if not path.is_file():
        return None
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    missing = [key for key in ("version", "hash", "ref", "released") if key not in data]
    if missing:
        raise ValueError(f"{LOCK}: missing {', '.join(missing)}")
    return Lock(str(data["version"]), str(data["hash"]), str(data["ref"]), str(data["released"]))


def write_lock(root: Path, lock: Lock) -> None:
    body = yaml.safe_dump(
        {"version": lock.version, "hash": lock.hash, "ref": lock.ref, "released": lock.released}, sort_keys=False
    )
    (root / LOCK).write_text(_LOCK_HEADER + body, encoding="utf-8")


def _heading(version: str) -> re.Pattern[str]:
    return re.compile(rf"^##\s+\[?{re.escape(version)}\]?(?![\w.])(.*)$", re.MULTILINE)


def changelog_entry(root: Path, version: str) -> str | None:
    """The changelog section for `version` (its heading and text up to the next version), or None."""
    path = root / CHANGELOG
    if not path.is_file():
        return None
    text = path.read_text(encoding="utf-8")
    found = _heading(version).search(text)
    if found is None:
        return None
    following = re.compile(r"^##\s", re.MULTILINE).search(text, found.end())
    return text[found.start() : following.start() if following else len(text)].strip()


def _semver(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", version.split("+")[0])[:3])


def _version_line(root: Path) -> int:
    text = (root / "rules" / "content.yaml").read_text(encoding="utf-8")
    found = re.search(r"^version:", text, re.MULTILINE)
    return text.count("\n", 0, found.start()) + 1 if found else 1


def check(root: Path, content: Content) -> list[ContentError]:
    """The release checks for content at `root` (none when it has no lock: e.g. test fixtures)."""
    try:
        lock = read_lock(root)
    except (ValueError, yaml.YAMLError) as exc:
        return [ContentError(LOCK, 1, str(exc))]
    if lock is None:
        return []
    errors = []
    version = content.info.version
    current = content_hash(root)
    line = _version_line(root)
    if version == lock.version and current != lock.hash:
        errors.append(
            ContentError(
                "rules/content.yaml",
                line,
                f"the content changed since release {lock.version} (hash {lock.hash}, now {current}) "
                "but the version did not: bump `version`",
            )
        )
    elif _semver(version) < _semver(lock.version):
        errors.append(
            ContentError("rules/content.yaml", line, f"version {version} is older than the last release {lock.version}")
        )
    if changelog_entry(root, version) is None:
        errors.append(ContentError(CHANGELOG, 1, f"no entry for version {version}: add a '## {version}' section"))
    return errors


def git_ref_of(root: Path, repo: Path = REPO_ROOT) -> str:
    """The commit whose rules/ and dialogues/ equal the content at `root` (HEAD), or ValueError."""
    head = subprocess.run(
        ["git", "-C", str(repo), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()
    with materialised(head, repo) as committed:
        if content_hash(committed) != content_hash(root):
            raise ValueError(f"the content at {root} differs from commit {head}: commit it before releasing")
    return head


def release(root: Path, content: Content, ref: str, today: date) -> Lock:
    """Record the content at `root` as released; ValueError when it may not be."""
    lock = read_lock(root)
    version = content.info.version
    if lock is not None and _semver(version) <= _semver(lock.version):
        raise ValueError(f"version {version} is not newer than the last release {lock.version}: bump `version`")
    entry = changelog_entry(root, version)
    if entry is None:
        raise ValueError(f"{CHANGELOG} has no entry for {version}")
    if "in progress" in entry.splitlines()[0].lower():
        raise ValueError(f"{CHANGELOG}: the {version} entry is still headed 'in progress'; finish it first")
    new = Lock(version=version, hash=content_hash(root), ref=ref, released=today.isoformat())
    write_lock(root, new)
    return new


def release_notes(report_text: str, lock: Lock, version: str, today: date) -> str:
    """A draft changelog entry: the editor writes the summary; the outcome changes come from `content diff`."""
    return "\n".join(
        [
            f"## {version} (draft, {today.isoformat()})",
            "",
            "Summary: <what changed for practitioners, in a few lines>",
            "",
            f"Outcome changes against the last release, {lock.version} (commit {lock.ref}), "
            "from `python -m app content diff last-release .`:",
            "",
            "```",
            report_text.rstrip(),
            "```",
            "",
            "Sign-off: <date of the partnership's meeting; `python -m app content signoff` lists the items>",
            "",
        ]
    )
