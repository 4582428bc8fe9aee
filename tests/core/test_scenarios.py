"""Scenario loading (file:line errors), walkthroughs and quizzes on the tiny fixture content."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app.content import ContentInvalid, load_content
from app.core import training
from app.core.errors import InvalidInput

FIXTURES = Path(__file__).parent.parent / "fixtures"
STEP_UP = (FIXTURES / "scenarios" / "step_up.yaml").read_text(encoding="utf-8")


def content_with(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "content"
    shutil.copytree(FIXTURES / "content", root)
    (root / "dialogues" / "scenarios").mkdir()
    for name, text in files.items():
        (root / "dialogues" / "scenarios" / name).write_text(text, encoding="utf-8")
    return root


def test_walkthrough_levels_come_from_the_engine(tmp_path: Path) -> None:
    # The scenario claims level 1; the walkthrough must still show what the engine computes.
    root = content_with(tmp_path, {"step_up.yaml": STEP_UP.replace("level: 4", "level: 1")})
    content = load_content(root)
    walk = training.walkthrough(content, content.scenarios["step_up"])
    assert walk.expected_level == 1
    assert [s.level_so_far for s in walk.steps] == [1, 2, 3, 3, 3, 4]
    assert [s.answer for s in walk.steps][:3] == ["No", "Below 90%", "Poor housing"]
    assert walk.outcome.level == 4
    assert walk.steps[1].teaching_point == "Attendance below 90% is a level-2 need on its own."
    assert walk.steps[0].teaching_point is None


def test_quiz_says_whether_the_level_matches_and_why(tmp_path: Path) -> None:
    content = load_content(content_with(tmp_path, {"step_up.yaml": STEP_UP}))
    scenario = content.scenarios["step_up"]
    wrong = training.quiz(content, scenario, 3)
    right = training.quiz(content, scenario, 4)
    assert (wrong.correct, right.correct) == (False, True)
    assert wrong.guidance_level == 4
    assert "Rule: Early help in place but not working." in wrong.reasons
    assert wrong.teaching_points[-1] == "Early help in place but not working is a reason to step up."
    with pytest.raises(InvalidInput):
        training.quiz(content, scenario, 5)


def test_content_without_scenarios_has_an_empty_library(fixture_content: object) -> None:
    assert fixture_content.scenarios == {}  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("old", "new", "error"),
    [
        pytest.param(
            "question: school\n",
            "question: schol\n",
            "dialogues/scenarios/step_up.yaml:16: unknown question 'schol'; did you mean 'school'?",
            id="unknown-question",
        ),
        pytest.param(
            "value: low\n",
            "value: lowish\n",
            "dialogues/scenarios/step_up.yaml:16: unknown answer for 'school': 'lowish'; did you mean 'low'?",
            id="bad-answer-value",
        ),
        pytest.param(
            "routes: [mash_referral]",
            "routes: [mash_refferal]",
            "dialogues/scenarios/step_up.yaml:31: unknown route 'mash_refferal'; did you mean 'mash_referral'?",
            id="unknown-route",
        ),
        pytest.param(
            "risk_areas: [education, home]",
            "risk_areas: [education, homes]",
            "dialogues/scenarios/step_up.yaml:33: unknown domain 'homes'; did you mean 'home'?",
            id="unknown-domain",
        ),
        pytest.param(
            "id: step_up",
            "id: step_upp",
            "dialogues/scenarios/step_up.yaml:2: id 'step_upp' must match the file name 'step_up'",
            id="id-not-file-name",
        ),
        pytest.param(
            "duration_minutes: 10",
            "duration_minute: 10",
            "dialogues/scenarios/step_up.yaml:34: duration_minute: unknown key; check the spelling against docs/content.md",
            id="typo-in-key",
        ),
    ],
)
def test_scenario_errors_name_the_file_and_line(tmp_path: Path, old: str, new: str, error: str) -> None:
    assert old in STEP_UP
    root = content_with(tmp_path, {"step_up.yaml": STEP_UP.replace(old, new, 1)})
    with pytest.raises(ContentInvalid) as caught:
        load_content(root)
    assert error in [str(e) for e in caught.value.errors]


def test_an_answer_the_flow_does_not_ask_is_an_error(tmp_path: Path) -> None:
    # early_help_working is only asked after early_help: yes.
    text = STEP_UP.replace('question: early_help\n    value: "yes"', 'question: early_help\n    value: "no"')
    root = content_with(tmp_path, {"step_up.yaml": text})
    with pytest.raises(ContentInvalid) as caught:
        load_content(root)
    (error,) = caught.value.errors
    assert str(error).startswith(
        "dialogues/scenarios/step_up.yaml:26: answers.5: Question 'early_help_working' is not part"
    )
