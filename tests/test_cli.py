"""python -m app scenarios list | show | walk (app/__main__.py)."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest

import app.__main__ as cli
from app.__main__ import main
from app.config import REPO_ROOT
from app.core.models import Content


@pytest.fixture(autouse=True)
def loaded_once(content: Content, monkeypatch: pytest.MonkeyPatch) -> None:
    # Loading the real content takes seconds; the session fixture has it already.
    monkeypatch.setattr(cli, "load_content", lambda _root: content)


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def run(*argv: str, out: io.StringIO | None = None) -> tuple[int, str]:
    out = out or io.StringIO()
    code = main(list(argv), out)
    return code, out.getvalue()


def test_list_shows_every_scenario_with_its_level(content: Content) -> None:
    code, text = run("scenarios", "list")
    assert code == 0
    lines = text.splitlines()
    assert len(lines) == len(content.scenarios)
    assert any(line.startswith("L4  bruise_on_a_baby") for line in lines)
    assert "\033[" not in text  # not a terminal: no colour


def test_show_prints_the_narrative() -> None:
    code, text = run("scenarios", "show", "dont_know_at_home")
    assert code == 0
    assert "1. First contact" in text
    assert "Learning objectives" in text


def test_walk_prints_each_answer_with_the_level_so_far_and_the_outcome() -> None:
    code, text = run("scenarios", "walk", "early_help_not_working")
    assert code == 0
    assert "level so far 4" in text
    assert "Level 4:" in text
    assert "What to do" in text


def test_walk_uses_colour_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    _, text = run("scenarios", "walk", "tired_new_parent", out=Terminal())
    assert "\033[32m" in text  # level 1 in green


def test_bad_commands_and_unknown_ids() -> None:
    assert run("scenarios")[0] == 2
    assert run("scenarios", "walk")[0] == 2
    assert run("scenarios", "walk", "no_such_case")[0] == 1


def test_runs_as_a_module() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "app", "scenarios", "list"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0
    assert "tired_new_parent" in result.stdout
