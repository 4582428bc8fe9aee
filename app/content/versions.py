"""A content version as a folder: a folder holding rules/ and dialogues/, or a git ref of this repository."""

from __future__ import annotations

import io
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from app.config import REPO_ROOT


class VersionNotFound(ValueError):
    """OLD or NEW is neither a content folder nor a git ref of the repository."""


@contextmanager
def materialised(spec: str, repo: Path = REPO_ROOT) -> Iterator[Path]:
    """A folder holding rules/ and dialogues/: `spec` itself, or the content at git ref `spec`, extracted."""
    folder = Path(spec)
    if (folder / "rules").is_dir():
        yield folder
        return
    found = subprocess.run(
        ["git", "-C", str(repo), "rev-parse", "--verify", "--quiet", f"{spec}^{{commit}}"],
        capture_output=True,
        text=True,
    )
    if found.returncode != 0:
        raise VersionNotFound(
            f"{spec!r} is neither a content folder (holding rules/ and dialogues/) nor a git ref of {repo}"
        )
    archive = subprocess.run(
        ["git", "-C", str(repo), "archive", found.stdout.strip(), "rules", "dialogues"],
        capture_output=True,
        check=True,
    ).stdout
    with tempfile.TemporaryDirectory(prefix="content-") as tmp, tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(tmp, filter="data")
        yield Path(tmp)
