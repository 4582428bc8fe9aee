"""Content errors reach authors as exact `path:line: message` lines, all at once."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app.content import ContentInvalid, load_content, main, parse_yaml
from tests.conftest import FIXTURE_CONTENT


def content_with(tmp_path: Path, relative: str, text: str) -> Path:
    root = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, root)
    (root / relative).write_text(text, encoding="utf-8")
    return root


def errors_for(tmp_path: Path, relative: str, text: str) -> list[str]:
    with pytest.raises(ContentInvalid) as caught:
        load_content(content_with(tmp_path, relative, text))
    return [str(e) for e in caught.value.errors]


LEVEL_2_INDICATOR = "  - {id: attendance_low, level: 2, text: Low, source: s}\n"
QUESTIONS_HEAD = "id: assessment\ntitle: T\nquestions:\n"
DANGER = (
    "  - id: danger\n    section: immediate_danger\n    kind: yes_no\n    text: Danger?\n    why: W\n"
    "    if_yes: [danger_now]\n"
)

CASES = [
    pytest.param(
        "rules/indicators/education.yaml",
        "domain: education\nindicators:\n  - id: attendance_low\n    level: 5\n    text: Low\n    source: s\n",
        ["rules/indicators/education.yaml:4: indicators.0.level: Input should be 1, 2, 3 or 4"],
        id="level-out-of-range",
    ),
    pytest.param(
        "rules/indicators/education.yaml",
        "domain: education\nindicators:\n  - id: attendance_low\n    level: 2\n    txt: Low\n    text: Low\n    source: s\n",
        [
            "rules/indicators/education.yaml:5: indicators.0.txt: unknown key; check the spelling against docs/content.md"
        ],
        id="unknown-key",
    ),
    pytest.param(
        "rules/indicators/education.yaml",
        "domain: education\nindicators:\n  - id: attendance_low\n    level: 2\n    source: s\n",
        ["rules/indicators/education.yaml:3: indicators.0.text: this key is required"],
        id="missing-key",
    ),
    pytest.param(
        "rules/indicators/education.yaml",
        "domain: education\ndomain: health\nindicators:\n" + LEVEL_2_INDICATOR,
        ["rules/indicators/education.yaml:2: YAML: duplicate key 'domain' (first on line 1)"],
        id="duplicate-key",
    ),
    pytest.param(
        "rules/indicators/education.yaml",
        "domain: education\nindicators:\n  - {id: attendance_low, level: 2, text: [unclosed, source: s}\n",
        ["rules/indicators/education.yaml:3: YAML: expected ',' or ']', but got '}'"],
        id="yaml-syntax",
    ),
    pytest.param(
        "rules/indicators/education.yaml",
        "domain: educaton\nindicators:\n" + LEVEL_2_INDICATOR,
        ["rules/indicators/education.yaml:1: unknown domain 'educaton'; did you mean 'education'?"],
        id="unknown-domain",
    ),
    pytest.param(
        "rules/indicators/health.yaml",
        "domain: health\nindicators:\n  - {id: missed_checks, level: 2, text: M, source: s}\n"
        "  - {id: attendance_low, level: 2, text: Dup, source: s}\n",
        [
            "rules/indicators/health.yaml:4: duplicate indicator id 'attendance_low' (first at rules/indicators/education.yaml:3)"
        ],
        id="duplicate-indicator-id",
    ),
    pytest.param(
        "rules/decision.yaml",
        "rules:\n  - id: r\n    text: T\n    when: {indicator: housing_pooor}\n    then: {level: 2}\n    source: s\n",
        ["rules/decision.yaml:4: unknown indicator 'housing_pooor'; did you mean 'housing_poor'?"],
        id="rule-bad-indicator",
    ),
    pytest.param(
        "rules/decision.yaml",
        "rules:\n  - id: r\n    text: T\n    when: {indicatr: housing_poor}\n    then: {level: 2}\n    source: s\n",
        [
            "rules/decision.yaml:4: rules.0.when: Unknown condition; use one of: always, indicator, any_indicator, "
            "domains_at_level, indicators_at_level, level_at_least, red_flag, answer, all, any, not"
        ],
        id="rule-unknown-condition",
    ),
    pytest.param(
        "dialogues/assessment.yaml",
        QUESTIONS_HEAD + DANGER + "  - id: school\n    section: education\n    kind: yes_no\n    text: S\n    why: W\n"
        "    if_yes: [attendance_lo]\n",
        ["dialogues/assessment.yaml:10: unknown indicator 'attendance_lo'; did you mean 'attendance_low'?"],
        id="question-bad-indicator",
    ),
    pytest.param(
        "dialogues/assessment.yaml",
        QUESTIONS_HEAD + DANGER + "  - id: follow\n    section: education\n    kind: yes_no\n    text: S\n    why: W\n"
        "    ask_if: {answer: {question: danger, in: [yes, yess]}}\n",
        ["dialogues/assessment.yaml:10: unknown answer for 'danger': 'yess'; did you mean 'yes'?"],
        id="ask-if-bad-value",
    ),
    pytest.param(
        "dialogues/assessment.yaml",
        QUESTIONS_HEAD + DANGER + "  - id: choose\n    section: education\n    kind: single_choice\n    text: S\n"
        "    why: W\n    options:\n      - {value: a, label: A}\n",
        [
            "dialogues/assessment.yaml:15: questions.1.options: List should have at least 2 items after validation, not 1"
        ],
        id="too-few-options",
    ),
    pytest.param(
        "dialogues/assessment.yaml",
        QUESTIONS_HEAD + "  - id: school\n    section: education\n    kind: yes_no\n    text: S\n    why: W\n",
        ["dialogues/assessment.yaml:4: the first question must be in section 'immediate_danger'"],
        id="danger-first",
    ),
]


@pytest.mark.parametrize(("relative", "text", "expected"), CASES)
def test_content_error_messages(tmp_path: Path, relative: str, text: str, expected: list[str]) -> None:
    assert errors_for(tmp_path, relative, text) == expected


def test_all_errors_reported_at_once(tmp_path: Path) -> None:
    root = content_with(tmp_path, "rules/domains.yaml", "domains:\n  - {id: safety, name: S, side: nowhere}\n")
    (root / "rules/routes.yaml").write_text("routes: []\n")
    with pytest.raises(ContentInvalid) as caught:
        load_content(root)
    paths = {e.path for e in caught.value.errors}
    assert {"rules/domains.yaml", "rules/routes.yaml"} <= paths


def test_yes_and_no_stay_strings() -> None:
    assert parse_yaml("in: [yes, no, on, off]\nflag: true\n", "x.yaml") == {
        "in": ["yes", "no", "on", "off"],
        "flag": True,
    }


def test_content_version_changes_with_the_files(tmp_path: Path) -> None:
    before = load_content(FIXTURE_CONTENT).version
    root = content_with(
        tmp_path, "rules/routes.yaml", (FIXTURE_CONTENT / "rules/routes.yaml").read_text() + "\n# edited\n"
    )
    after = load_content(root).version
    assert before.split("+")[0] == after.split("+")[0] == "0.0.1"
    assert before != after


def test_cli_check_prints_errors_and_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = content_with(tmp_path, "rules/decision.yaml", "rules: {}\n")
    assert main(["check", str(root)]) == 1
    assert "rules/decision.yaml:1: rules: Input should be a valid list" in capsys.readouterr().out
    assert main(["check", str(FIXTURE_CONTENT)]) == 0


def test_unknown_triage_hint_is_a_content_error(tmp_path: Path) -> None:
    text = "domain: education\nindicators:\n  - id: attendance_low\n    level: 2\n    text: Low\n    source: s\n    triage: {attendance_belw: 90}\n"
    errors = errors_for(tmp_path, "rules/indicators/education.yaml", text)
    assert len(errors) == 1
    assert errors[0].startswith(
        "rules/indicators/education.yaml:7: indicators.0.triage: Value error, unknown triage keys ['attendance_belw']"
    )
