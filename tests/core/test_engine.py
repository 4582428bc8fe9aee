"""The engine on the fixture content: every decision rule, don't-know handling, alerts, back and changes."""

from __future__ import annotations

from typing import Any

import pytest

from app.core import engine
from app.core.errors import InvalidAnswer, UnknownQuestion
from app.core.models import Content

NO_CONCERNS: list[tuple[str, Any]] = [
    ("danger", "no"),
    ("school", "good"),
    ("home_worries", []),
    ("staff", "no"),
    ("early_help", "no"),
]


def run(content: Content, answers: list[tuple[str, Any]]) -> engine.State:
    state = engine.new_state()
    for question_id, value in answers:
        state = engine.answer(content, state, question_id, value)
    return state


def with_answers(**changes: Any) -> list[tuple[str, Any]]:
    return [(q, changes.get(q, v)) for q, v in NO_CONCERNS] + [
        (q, v) for q, v in changes.items() if q not in dict(NO_CONCERNS)
    ]


@pytest.mark.parametrize(
    ("answers", "level", "rules"),
    [
        pytest.param(NO_CONCERNS, 1, [], id="no-concerns-universal"),
        pytest.param(with_answers(school="low"), 2, ["highest_indicator"], id="one-level-2-need"),
        pytest.param(
            with_answers(home_worries=["housing", "checks"]),
            3,
            ["highest_indicator", "several_unmet_needs"],
            id="needs-in-two-domains",
        ),
        pytest.param(
            with_answers(school="low", home_worries=["housing"]),
            3,
            ["highest_indicator", "several_unmet_needs"],
            id="education-and-home",
        ),
        pytest.param(with_answers(home_worries=["abuse"]), 3, ["highest_indicator"], id="level-3-indicator"),
        pytest.param(
            with_answers(early_help="yes", early_help_working="yes"), 2, ["highest_indicator"], id="early-help-working"
        ),
        pytest.param(
            with_answers(early_help="yes", early_help_working="no"),
            4,
            ["highest_indicator", "early_help_not_working"],
            id="step-up-early-help-not-working",
        ),
        pytest.param(with_answers(danger="yes"), 4, ["highest_indicator", "red_flag"], id="red-flag"),
        pytest.param(with_answers(staff="yes"), 4, ["highest_indicator"], id="allegation"),
    ],
)
def test_decision_rules(fixture_content: Content, answers: list[tuple[str, Any]], level: int, rules: list[str]) -> None:
    state = run(fixture_content, answers)
    assert engine.pending_question(fixture_content, state) is None
    outcome = engine.outcome(fixture_content, state)
    assert outcome.level == level
    assert [r.id for r in outcome.reasons.rules] == rules
    assert f"Level {level}" in outcome.summary
    assert outcome.content_version == fixture_content.version
    assert outcome.caveat == fixture_content.info.caveat


def test_first_question_is_immediate_danger(fixture_content: Content) -> None:
    question = engine.pending_question(fixture_content, engine.new_state())
    assert question is not None and question.section == "immediate_danger"


def test_immediate_danger_alert_on_every_later_step(fixture_content: Content) -> None:
    state = run(fixture_content, [("danger", "yes")])
    assert [a.kind for a in engine.alerts(fixture_content, state)] == ["immediate_danger"]
    state = run(fixture_content, with_answers(danger="yes"))
    outcome = engine.outcome(fixture_content, state)
    assert outcome.immediate_danger
    assert outcome.routes[0].id == "police_999"
    assert outcome.summary.startswith("Immediate danger: call 999")
    assert [a.kind for a in engine.alerts(fixture_content, state)] == ["immediate_danger"]


def test_unknown_on_red_flag_question_means_consult_mash_now(fixture_content: Content) -> None:
    state = run(fixture_content, with_answers(danger="unknown"))
    assert [a.kind for a in engine.alerts(fixture_content, state)] == ["consult_mash"]
    outcome = engine.outcome(fixture_content, state)
    assert outcome.level == 4
    assert not outcome.immediate_danger
    assert outcome.routes[0].id == "consult_mash"
    assert [u.question_id for u in outcome.reasons.unknowns] == ["danger"]


def test_dont_know_is_never_no(fixture_content: Content) -> None:
    known_no = engine.outcome(fixture_content, run(fixture_content, with_answers(school="low", staff="no")))
    unknown = engine.outcome(fixture_content, run(fixture_content, with_answers(school="low", staff="unknown")))
    assert known_no.level == 2
    # the allegation would mean level 4; doubt lifts at most one level and says what would settle it
    assert unknown.level == 3
    assert unknown.confirmed_level == 2
    assert unknown.reasons.unknowns[0].would_raise_to == 4
    assert any("Is there an allegation" in s for s in unknown.settle)
    assert [r.id for r in unknown.reasons.rules] == ["highest_indicator", "doubt"]
    assert "What is known points to level 2" in unknown.summary


def test_strengths_are_recorded_not_counted(fixture_content: Content) -> None:
    outcome = engine.outcome(fixture_content, run(fixture_content, NO_CONCERNS))
    assert [s.id for s in outcome.reasons.strengths] == ["attends_well"]
    assert outcome.reasons.indicators == []


def test_adaptive_follow_up_only_when_relevant(fixture_content: Content) -> None:
    state = run(fixture_content, with_answers(early_help="yes"))
    question = engine.pending_question(fixture_content, state)
    assert question is not None and question.id == "early_help_working"
    assert engine.pending_question(fixture_content, run(fixture_content, NO_CONCERNS)) is None


def test_changing_an_answer_drops_what_no_longer_applies(fixture_content: Content) -> None:
    state = run(fixture_content, with_answers(early_help="yes", early_help_working="no"))
    state = engine.answer(fixture_content, state, "early_help", "no")
    assert "early_help_working" not in state["answers"]
    assert engine.outcome(fixture_content, state).level == 1


def test_back_undoes_the_last_answer(fixture_content: Content) -> None:
    state = run(fixture_content, [("danger", "no"), ("school", "low")])
    state = engine.back(fixture_content, state)
    assert state["answers"] == {"danger": "no"}
    question = engine.pending_question(fixture_content, state)
    assert question is not None and question.id == "school"
    assert engine.back(fixture_content, engine.new_state()) == engine.new_state()


@pytest.mark.parametrize(
    ("question_id", "value", "error"),
    [
        pytest.param("danger", "maybe", InvalidAnswer, id="not-an-option"),
        pytest.param("danger", ["yes"], InvalidAnswer, id="list-for-yes-no"),
        pytest.param("home_worries", "housing", InvalidAnswer, id="string-for-multiple"),
        pytest.param("home_worries", ["housing", "garden"], InvalidAnswer, id="unknown-option-in-list"),
        pytest.param("nope", "yes", UnknownQuestion, id="unknown-question"),
        pytest.param("early_help_working", "yes", UnknownQuestion, id="question-not-asked"),
    ],
)
def test_invalid_answers(fixture_content: Content, question_id: str, value: Any, error: type[Exception]) -> None:
    with pytest.raises(error) as caught:
        engine.answer(fixture_content, engine.new_state(), question_id, value)
    if error is InvalidAnswer:
        assert "Valid options" in str(caught.value)


def test_multiple_choice_accepts_none_and_unknown(fixture_content: Content) -> None:
    state = run(fixture_content, [("danger", "no"), ("school", "good"), ("home_worries", [])])
    assert state["answers"]["home_worries"] == []
    state = engine.answer(fixture_content, state, "home_worries", "unknown")
    assert state["answers"]["home_worries"] == "unknown"


def test_prefilled_danger_answer_is_asked_to_confirm(fixture_content: Content) -> None:
    state = engine.prefill(fixture_content, engine.new_state(), {"danger": "yes", "school": "low"})
    question = engine.pending_question(fixture_content, state)
    assert question is not None and question.id == "danger"
    shown = engine.question_out(question, state)
    assert shown.suggested == "yes"
    state = engine.answer(fixture_content, state, "danger", "no")
    assert state["prefilled"] == ["school"]
    question = engine.pending_question(fixture_content, state)
    assert question is not None and question.id == "home_worries"  # school was recognised; not asked again


def test_prefilled_follow_up_opens_its_gate(fixture_content: Content) -> None:
    state = engine.prefill(fixture_content, engine.new_state(), {"early_help_working": "no"})
    assert state["answers"] == {"early_help": "yes", "early_help_working": "no"}
    assert sorted(state["prefilled"]) == ["early_help", "early_help_working"]


def test_answer_and_view_is_answer_then_view(content: Content) -> None:
    """The turn's one-walk call gives what the two calls give, on every guided path of the real content and
    when an earlier answer is changed so that questions close (the walk is shared across the pruning)."""
    from app.core import walks

    paths = walks.option_paths(content)
    assert paths
    for path in paths:
        state = engine.new_state()
        for question_id, value in path.steps:
            expected_state = engine.answer(content, state, question_id, value)
            state, view = engine.answer_and_view(content, state, question_id, value)
            assert state == expected_state
            assert view == engine.view(content, state)
    detail = content.question("harm_detail")
    assert detail is not None
    harm = engine.answer(content, engine.new_state(), "harm_any", "yes")
    harm = engine.answer(content, harm, "harm_detail", [detail.option_values[0]])
    closed, view = engine.answer_and_view(content, harm, "harm_any", "no")
    assert "harm_detail" not in closed["answers"]  # the follow-up closed and its answer went
    assert closed == engine.answer(content, harm, "harm_any", "no")
    assert view == engine.view(content, closed)
    finished, _ = walks.complete(content, engine.new_state())
    done_state, done_view = engine.answer_and_view(content, finished, "harm_any", "no")
    assert done_view == engine.view(content, done_state)
