"""The engine's speed-ups (the memo of active questions, lighter alerts) never change an answer."""

from __future__ import annotations

import random

from app.core import engine
from app.core.models import Content


def random_answers(content: Content, rng: random.Random) -> dict[str, engine.AnswerValue]:
    """Walk the questions answering some at random, as a practitioner changing their mind might."""
    state = engine.new_state()
    for _ in range(3 * len(content.assessment.questions)):
        active = engine.active_questions(content, state["answers"])
        pending = engine.pending_question(content, state)
        target = pending if pending is not None and rng.random() < 0.8 else rng.choice(active)
        if target is None:
            break
        if target.kind == "yes_no":
            value: engine.AnswerValue = rng.choice(["yes", "no", "unknown"])
        elif target.kind == "multiple_choice":
            value = rng.sample(target.option_values, k=rng.randint(0, min(2, len(target.option_values))))
        else:
            value = rng.choice([*target.option_values, "unknown"])
        state = engine.answer(content, state, target.id, value)
    return state["answers"]


def test_remembered_active_questions_equal_fresh_ones(content: Content) -> None:
    rng = random.Random(8)
    for _ in range(60):
        answers = random_answers(content, rng)
        fresh = engine._active_questions(content, answers)
        assert engine.active_questions(content, answers) == fresh
        assert engine.active_questions(content, dict(reversed(answers.items()))) == fresh  # order does not matter


def test_list_and_single_answers_are_different_keys(fixture_content: Content) -> None:
    assert engine._answers_key({"home_worries": ["abuse"]}) != engine._answers_key({"home_worries": "abuse"})


def test_callers_cannot_change_the_remembered_list(fixture_content: Content) -> None:
    first = engine.active_questions(fixture_content, {})
    first.clear()
    assert engine.active_questions(fixture_content, {}) == engine._active_questions(fixture_content, {})
    assert engine.active_questions(fixture_content, {})


def test_a_copy_with_other_questions_does_not_reuse_the_memo(fixture_content: Content) -> None:
    engine.active_questions(fixture_content, {})
    shorter = fixture_content.assessment.model_copy(update={"questions": fixture_content.assessment.questions[:2]})
    copy = fixture_content.model_copy(update={"assessment": shorter})
    assert [q.id for q in engine.active_questions(copy, {})] == [q.id for q in shorter.questions]
    assert len(engine.active_questions(fixture_content, {})) > 2


def test_the_memo_stays_bounded(fixture_content: Content) -> None:
    for i in range(engine._MEMO_SIZE + 10):
        engine.active_questions(fixture_content, {"danger": "no", "unrelated": str(i)})
    assert len(engine._memo(fixture_content, "_active_memo")) <= engine._MEMO_SIZE


def test_alerts_match_those_from_the_full_decision(content: Content) -> None:
    """alerts() skips the "what would settle it" runs; danger and red flags must come out the same."""
    rng = random.Random(11)
    kinds = set()
    for _ in range(80):
        state = {"answers": random_answers(content, rng), "order": [], "prefilled": []}
        full = engine.decide_state(content, state)
        expected = ["immediate_danger"] if full.immediate_danger else ["consult_mash"] if full.possible_red_flag else []
        assert [a.kind for a in engine.alerts(content, state)] == expected
        kinds.update(expected)
    assert kinds == {"immediate_danger", "consult_mash"}  # the walks reach both alerts


def test_indicators_looked_up_by_option_equal_the_questions_own(content: Content) -> None:
    compiled = engine._compiled(content)
    for question in content.assessment.questions:
        values: list[engine.AnswerValue] = [*question.option_values, "unknown", "not_an_option"]
        if question.kind != "yes_no":
            values += [[v] for v in question.option_values] + [[], question.option_values[:2], ["not_an_option"]]
        for value in values:
            assert engine._indicators_for(compiled, question, value) == question.indicators_for(value)  # type: ignore[arg-type]


def plain_indicator_sources(
    content: Content, answers: dict[str, engine.AnswerValue]
) -> tuple[dict[str, str], dict[str, list[str]]]:
    """indicator_sources as first written: a separate pass over the active questions."""
    present: dict[str, str] = {}
    possible: dict[str, list[str]] = {}
    for question in engine._active_questions(content, answers):
        if question.id not in answers:
            continue
        value = answers[question.id]
        if value == "unknown":
            possible[question.id] = question.possible_if_unknown()
        else:
            for indicator in question.indicators_for(value):  # type: ignore[arg-type]
                present.setdefault(indicator, question.id)
    return present, possible


def test_indicator_sources_from_the_remembered_walk_equal_a_separate_pass(content: Content) -> None:
    rng = random.Random(21)
    for _ in range(60):
        state = {"answers": random_answers(content, rng), "order": [], "prefilled": []}
        expected = plain_indicator_sources(content, state["answers"])
        first = engine.indicator_sources(content, state)
        assert first == expected and list(first[0]) == list(expected[0])  # the same order too
        first[0].clear()
        for ids in first[1].values():
            ids.clear()
        assert engine.indicator_sources(content, state) == expected  # callers cannot change the remembered walk


def plain_question_out(question: engine.QuestionModel, state: engine.State) -> engine.QuestionOut:
    """question_out as first written: an OptionOut made for each option on each call."""
    if question.kind == "yes_no":
        options = [engine.OptionOut(value=v, label=engine.ANSWER_LABELS[v]) for v in ("yes", "no", "unknown")]
    else:
        options = [engine.OptionOut(value=o.value, label=o.label) for o in question.options]  # type: ignore[union-attr]
        options.append(engine.OptionOut(value="unknown", label="Don't know"))
    suggested = state["answers"].get(question.id) if question.id in state["prefilled"] else None
    return engine.QuestionOut(
        id=question.id, text=question.text, kind=question.kind, section=question.section, options=options,
        why=question.why, help=question.help, suggested=suggested,
    )  # fmt: skip


def test_question_out_from_remembered_options_equals_a_fresh_one(content: Content) -> None:
    for question in content.assessment.questions:
        value = "yes" if question.kind == "yes_no" else [question.option_values[0]]
        for state in (engine.new_state(), {"answers": {question.id: value}, "order": [], "prefilled": [question.id]}):
            out = engine.question_out(question, state)
            assert out.model_dump() == plain_question_out(question, state).model_dump()
            assert out == plain_question_out(question, state)
            assert out.options[0] is not engine.question_out(question, state).options[0]  # never shared


def test_a_question_copy_with_other_options_shows_its_own(fixture_content: Content) -> None:
    question = next(q for q in fixture_content.assessment.questions if q.kind != "yes_no")
    engine.question_out(question, engine.new_state())
    copy = question.model_copy(update={"options": question.options[:2]})  # type: ignore[union-attr]
    assert [o.value for o in engine.question_out(copy, engine.new_state()).options] == [*copy.option_values, "unknown"]
    assert len(engine.question_out(question, engine.new_state()).options) == len(question.option_values) + 1
