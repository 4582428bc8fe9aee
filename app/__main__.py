"""Command line: python -m app scenarios list | show ID | walk ID   (training scenarios in the terminal)
              python -m app content diff|signoff|release|release-notes   (content governance, app/content/cli.py)

Content is read from THRESHOLD_CONTENT_DIR (default: the repository). Colour is used only when stdout is a
terminal and NO_COLOR is not set.
"""

from __future__ import annotations

import os
import sys
import textwrap
from typing import TextIO

from app.config import Settings
from app.content import ContentInvalid, load_content
from app.core import scenarios as sc
from app.core import training
from app.core.models import Content

USAGE = "usage: python -m app scenarios list | show ID | walk ID\n       python -m app content diff|signoff|release|release-notes ..."
WIDTH = 100


class Style:
    """ANSI styles, or nothing when the output is not a terminal."""

    def __init__(self, out: TextIO) -> None:
        self.on = out.isatty() and "NO_COLOR" not in os.environ

    def _wrap(self, code: str, text: str) -> str:
        return f"\033[{code}m{text}\033[0m" if self.on else text

    def bold(self, text: str) -> str:
        return self._wrap("1", text)

    def dim(self, text: str) -> str:
        return self._wrap("2", text)

    def level(self, level: int, text: str) -> str:
        # 1 green, 2 cyan, 3 yellow, 4 red: the same order of concern as the threshold.
        return self._wrap({1: "32", 2: "36", 3: "33", 4: "1;31"}[level], text)

    def note(self, text: str) -> str:
        return self._wrap("35", text)


def _para(text: str, indent: str = "") -> str:
    """Wrap text; a bullet or marker in `indent` starts the first line only."""
    return textwrap.fill(" ".join(text.split()), WIDTH, initial_indent=indent, subsequent_indent=" " * len(indent))


def list_scenarios(content: Content, out: TextIO) -> None:
    s = Style(out)
    for scenario in sorted(content.scenarios.values(), key=lambda x: (training.guidance_level(content, x), x.id)):
        level = training.guidance_level(content, scenario)
        print(
            f"{s.level(level, f'L{level}')}  {s.bold(scenario.id):40}  {scenario.title} ({scenario.duration_minutes} min)",
            file=out,
        )


def show_scenario(scenario: sc.Scenario, out: TextIO) -> None:
    s = Style(out)
    print(s.bold(scenario.title), file=out)
    print(_para(scenario.summary), file=out)
    for number, stage in enumerate(scenario.narrative, 1):
        print(f"\n{s.bold(f'{number}. {stage.title}')}", file=out)
        print(_para(stage.text, "   "), file=out)
    print(f"\n{s.bold('Learning objectives')}", file=out)
    for objective in scenario.learning_objectives:
        print(_para(objective, "  - "), file=out)
    if scenario.discussion_questions:
        print(f"\n{s.bold('Discussion')}", file=out)
        for question in scenario.discussion_questions:
            print(_para(question, "  ? "), file=out)


def walk_scenario(content: Content, scenario: sc.Scenario, out: TextIO) -> None:
    s = Style(out)
    walk = training.walkthrough(content, scenario)
    print(s.bold(f"Walkthrough: {scenario.title}"), file=out)
    for number, step in enumerate(walk.steps, 1):
        print(f"\n{number:2}. {step.question}", file=out)
        print(
            f"    {s.bold(step.answer)}   {s.level(step.level_so_far, f'level so far {step.level_so_far}')}", file=out
        )
        if step.teaching_point:
            print(s.note(_para(step.teaching_point, "    > ")), file=out)
    outcome = walk.outcome
    print(f"\n{s.level(outcome.level, s.bold(outcome.summary))}", file=out)
    for reason in training.reasons(outcome):
        print(_para(reason, "  - "), file=out)
    print(s.bold("What to do"), file=out)
    for route in outcome.routes:
        print(f"  - {route.name}", file=out)
    print(f"\n{_para(scenario.teaching)}", file=out)
    if outcome.level != walk.expected_level:
        print(
            s.note(f"\nNote: the scenario expects level {walk.expected_level}; the engine says {outcome.level}."),
            file=out,
        )


def main(argv: list[str], out: TextIO = sys.stdout) -> int:
    if argv[:1] == ["content"]:
        from app.content.cli import main as content_main  # runs every case: not loaded for the scenario commands

        return content_main(argv[1:], out)
    if len(argv) < 2 or argv[0] != "scenarios" or argv[1] not in ("list", "show", "walk"):
        print(USAGE, file=sys.stderr)
        return 2
    try:
        content = load_content(Settings().content_dir)
    except ContentInvalid as exc:
        print(exc, file=sys.stderr)
        return 1
    if argv[1] == "list":
        list_scenarios(content, out)
        return 0
    if len(argv) < 3:
        print(USAGE, file=sys.stderr)
        return 2
    scenario = content.scenarios.get(argv[2])
    if scenario is None:
        print(f"no scenario {argv[2]!r}; `python -m app scenarios list` shows them", file=sys.stderr)
        return 1
    if argv[1] == "show":
        show_scenario(scenario, out)
    else:
        walk_scenario(content, scenario, out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
