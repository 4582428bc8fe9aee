"""The engine's speed-ups (one walk per view, lighter alerts, compiled conditions) never change an answer."""

from __future__ import annotations

import random

from app.core import engine, outcome
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


def test_a_copy_with_other_questions_walks_its_own(fixture_content: Content) -> None:
    engine.active_questions(fixture_content, {})
    shorter = fixture_content.assessment.model_copy(update={"questions": fixture_content.assessment.questions[:2]})
    copy = fixture_content.model_copy(update={"assessment": shorter})
    assert [q.id for q in engine.active_questions(copy, {})] == [q.id for q in shorter.questions]
    assert len(engine.active_questions(fixture_content, {})) > 2


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
    for question in engine.active_questions(content, answers):
        if question.id not in answers:
            continue
        value = answers[question.id]
        if value == "unknown":
            possible[question.id] = question.possible_if_unknown()
        else:
            for indicator in question.indicators_for(value):  # type: ignore[arg-type]
                present.setdefault(indicator, question.id)
    return present, possible


def test_indicator_sources_from_the_walk_equal_a_separate_pass(content: Content) -> None:
    rng = random.Random(21)
    for _ in range(60):
        state = {"answers": random_answers(content, rng), "order": [], "prefilled": []}
        expected = plain_indicator_sources(content, state["answers"])
        first = engine.indicator_sources(content, state)
        assert first == expected and list(first[0]) == list(expected[0])  # the same order too
        first[0].clear()
        for ids in first[1].values():
            ids.clear()
        assert engine.indicator_sources(content, state) == expected  # callers cannot change a later walk


def plain_question_out(question: engine.QuestionModel, state: engine.State) -> outcome.QuestionOut:
    """question_out as first written: an OptionOut made for each option on each call."""
    if question.kind == "yes_no":
        options = [outcome.OptionOut(value=v, label=engine.ANSWER_LABELS[v]) for v in ("yes", "no", "unknown")]
    else:
        options = [outcome.OptionOut(value=o.value, label=o.label) for o in question.options]  # type: ignore[union-attr]
        options.append(outcome.OptionOut(value="unknown", label="Don't know"))
    suggested = state["answers"].get(question.id) if question.id in state["prefilled"] else None
    return outcome.QuestionOut(
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


def finished(content: Content, state: engine.State) -> engine.State:
    """The assessment with every open question answered (no, none of these, or don't know)."""
    while (pending := engine.pending_question(content, state)) is not None:
        finish = "no" if pending.kind == "yes_no" else [] if pending.kind == "multiple_choice" else "unknown"
        state = engine.answer(content, state, pending.id, finish)
    return state


def test_view_gives_what_the_separate_calls_give(content: Content) -> None:
    """view() walks the questions once; each part must equal the engine's separate call for it."""
    rng = random.Random(5)
    complete = 0
    for _ in range(60):
        answers = random_answers(content, rng)
        state: engine.State = {"answers": answers, "order": list(answers), "prefilled": list(answers)[:2]}
        if rng.random() < 0.5:
            state = finished(content, state)
        answers = state["answers"]
        snapshot = engine.view(content, state)
        pending = engine.pending_question(content, state)
        assert snapshot.question is pending
        assert snapshot.question_out == (engine.question_out(pending, state) if pending else None)
        assert snapshot.alerts == engine.alerts(content, state)
        assert snapshot.outcome == (None if pending else engine.outcome(content, state))
        assert engine.view(content, state, with_outcome=True).outcome == engine.outcome(content, state)
        assert [a.question_id for a in snapshot.prefilled] == [q for q in state["prefilled"] if q in answers]
        assert snapshot.answered == len(answers)
        active = engine.active_questions(content, answers)
        assert snapshot.remaining == len([q for q in active if q.id not in answers])
        complete += snapshot.complete
    assert 0 < complete < 60  # the random walks reach both open and finished assessments


def test_an_alert_lists_each_contact_once(content: Content) -> None:
    """The 999 and MASH routes both list the MASH: the alert names it once (issue 15)."""
    state = engine.answer(content, engine.new_state(), "danger_now", "yes")
    (alert,) = engine.view(content, state).alerts
    ids = [c.id for c in alert.contacts]
    assert alert.kind == "immediate_danger" and "mash_in_hours" in ids
    assert len(ids) == len(set(ids))


def test_the_question_shown_from_the_content_equals_a_fresh_one_and_a_suggestion_is_its_own(content: Content) -> None:
    for question in content.assessment.questions:
        shown = engine.question_out(question, engine.new_state(), content)
        assert shown == plain_question_out(question, engine.new_state())
        assert shown is engine.question_out(question, engine.new_state(), content)  # made once, with the content
        value = "yes" if question.kind == "yes_no" else [question.option_values[0]]
        suggested: engine.State = {"answers": {question.id: value}, "order": [], "prefilled": [question.id]}
        assert engine.question_out(question, suggested, content).suggested == value


def test_a_copy_with_other_procedures_lists_its_own(fixture_content: Content) -> None:
    state = finished(fixture_content, engine.new_state())
    links = engine.outcome(fixture_content, state).procedures
    first = next(iter(fixture_content.procedures))
    fewer = {k: v for k, v in fixture_content.procedures.items() if k != first}
    copy = fixture_content.model_copy(update={"procedures": fewer})
    assert [link.title for link in engine.outcome(copy, state).procedures] == [p.title for p in fewer.values()]
    assert len(engine.outcome(fixture_content, state).procedures) == len(links) == len(fewer) + 1
