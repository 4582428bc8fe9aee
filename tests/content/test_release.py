"""Releases: rules/content.lock and rules/CHANGELOG.md, and the checks `python -m app.content check` adds."""

from __future__ import annotations

import io
import shutil
from datetime import date
from pathlib import Path

import pytest

from app.config import REPO_ROOT
from app.content import cli, content_hash, load_content, versions
from app.content import main as content_check
from app.content import release as rel
from app.content.cli import main


@pytest.fixture
def released(tmp_path: Path) -> Path:
    """A copy of the real content whose lock says it is the release of its own version and hash."""
    for folder in ("rules", "dialogues"):
        shutil.copytree(REPO_ROOT / folder, tmp_path / folder)
    version = load_content(tmp_path).info.version
    rel.write_lock(tmp_path, rel.Lock(version, content_hash(tmp_path), "HEAD", "2026-12-01"))
    return tmp_path


def set_version(root: Path, version: str) -> None:
    path = root / "rules" / "content.yaml"
    text = path.read_text(encoding="utf-8")
    old = next(line for line in text.splitlines() if line.startswith("version:"))
    path.write_text(text.replace(old, f"version: {version}", 1), encoding="utf-8")


def add_entry(root: Path, heading: str) -> None:
    path = root / rel.CHANGELOG
    path.write_text(path.read_text(encoding="utf-8") + f"\n{heading}\n\nWhat changed.\n", encoding="utf-8")


def edit_an_indicator(root: Path) -> None:
    path = root / "rules" / "indicators" / "education.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\n# an editor's change\n", encoding="utf-8")


def check(root: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = content_check(["check", str(root)])
    return code, capsys.readouterr().out


def test_unchanged_release_passes(released: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = check(released, capsys)
    assert code == 0, out


def test_changed_content_with_the_same_version_fails(released: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit_an_indicator(released)
    code, out = check(released, capsys)
    assert code == 1
    assert "rules/content.yaml:" in out and "bump `version`" in out


def test_a_bumped_version_with_a_changelog_entry_passes(released: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit_an_indicator(released)
    set_version(released, "99.0.0")
    add_entry(released, "## 99.0.0 (in progress)")
    code, out = check(released, capsys)
    assert code == 0, out


def test_a_version_without_a_changelog_entry_fails(released: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit_an_indicator(released)
    set_version(released, "99.0.0")
    code, out = check(released, capsys)
    assert code == 1
    assert "rules/CHANGELOG.md:1: no entry for version 99.0.0" in out


def test_a_version_older_than_the_release_fails(released: Path, capsys: pytest.CaptureFixture[str]) -> None:
    set_version(released, "0.0.1")
    add_entry(released, "## 0.0.1")
    code, out = check(released, capsys)
    assert code == 1
    assert "older than the last release" in out


def test_content_without_a_lock_is_not_held_to_releases(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = check(REPO_ROOT / "tests" / "fixtures" / "content", capsys)
    assert code == 0, out


def test_the_repository_passes_its_own_release_checks() -> None:
    assert rel.check(REPO_ROOT, load_content(REPO_ROOT)) == []


def test_the_lock_holds_the_hash_of_the_content_at_its_ref() -> None:
    lock = rel.read_lock(REPO_ROOT)
    assert lock is not None
    assert (lock.version, lock.hash) == ("0.1.0", "0cc758e66d")
    with versions.materialised(lock.ref) as root:
        assert content_hash(root) == lock.hash
        assert load_content(root).info.version == lock.version
    assert rel.changelog_entry(REPO_ROOT, lock.version) is not None


def test_release_records_version_hash_and_ref(released: Path) -> None:
    set_version(released, "99.0.0")
    add_entry(released, "## 99.0.0 (2026-12-24)")
    lock = rel.release(released, load_content(released), "abc1234", date(2026, 12, 24))
    assert rel.read_lock(released) == lock
    assert (lock.version, lock.hash, lock.ref, lock.released) == (
        "99.0.0",
        content_hash(released),
        "abc1234",
        "2026-12-24",
    )


def test_release_refuses_an_entry_still_in_progress_or_an_old_version(released: Path) -> None:
    with pytest.raises(ValueError, match="not newer"):
        rel.release(released, load_content(released), "abc1234", date(2026, 12, 24))
    set_version(released, "99.0.0")
    add_entry(released, "## 99.0.0 (in progress)")
    with pytest.raises(ValueError, match="in progress"):
        rel.release(released, load_content(released), "abc1234", date(2026, 12, 24))


def test_release_command_refuses_content_that_differs_from_its_commit(
    released: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    set_version(released, "99.0.0")
    add_entry(released, "## 99.0.0 (2026-12-24)")
    assert main(["release", str(released)], io.StringIO()) == 2
    assert "commit it before releasing" in capsys.readouterr().err


def test_release_notes_draft_names_the_last_release() -> None:
    lock = rel.Lock("0.1.0", "0cc758e66d", "335ec25", "2026-11-26")
    notes = rel.release_notes("content diff: ...\n", lock, "0.2.0", date(2026, 12, 3))
    assert notes.startswith("## 0.2.0 (draft, 2026-12-03)")
    assert "0.1.0 (commit 335ec25)" in notes and "content diff: ..." in notes


def test_last_release_on_the_command_line_means_the_lock_s_ref() -> None:
    lock = rel.read_lock(REPO_ROOT)
    assert lock is not None
    assert cli._spec(rel.LAST_RELEASE) == lock.ref
    assert cli._spec("HEAD~1") == "HEAD~1"
