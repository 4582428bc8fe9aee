"""The five safety properties of issue 14, checked over the real content by walking the guided questions.

Each walk is a practitioner's path through the questions (app/core/walks.py): every question the flow asks
gets an answer, quiet ("no", none of these) unless the property is about it. Exhaustive where the space
allows; the monotonic property also runs seeded hypothesis walks with several answers raised at once.
Run with `pytest -s` to see the number of walks each property covered and the reachability paths.
docs/safety-case.md names these tests as the controls they verify.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core import engine, walks
from app.core import models as m
from app.core.models import Content
from app.core.rules import AnswerValue

# The three areas where a yes to the concern question alone must reach level 3 and the MASH (issue 14).
SERIOUS_GATES = {"harm_any", "adults_any", "outside_home_any"}
OTHER_WORRY = "Another worry not listed here"
BABIES = ("baby_under_1", "unborn")


@pytest.fixture(scope="module")
def paths(content: Content) -> list[walks.OptionPath]:
    return walks.option_paths(content)


@pytest.fixture(scope="module")
def completed(content: Content, paths: list[walks.OptionPath]) -> list[engine.State]:
    return [walks.complete(content, walks.apply_steps(content, p.steps))[0] for p in paths]


def gates(content: Content) -> list[m.YesNoQuestion]:
    """The "are there concerns about..." questions: a yes/no whose yes opens follow-up questions."""
    opened = {
        test.question
        for q in content.assessment.questions
        if q.ask_if is not None
        for test in _answer_tests(q.ask_if)
        if "yes" in test.in_
    }
    return [
        q
        for q in content.assessment.questions
        if isinstance(q, m.YesNoQuestion) and q.id in opened and q.section != "immediate_danger"
    ]


def _answer_tests(cond: m.Condition) -> Iterator[m.AnswerTest]:
    match cond:
        case m.AnswerCond(answer=test):
            yield test
        case m.AllCond(all=children) | m.AnyCond(any=children):
            for child in children:
                yield from _answer_tests(child)


def detail_questions(content: Content) -> list[m.ChoiceQuestion]:
    """Multiple-choice questions that an earlier answer opens (the lists after each concern question)."""
    return [
        q
        for q in content.assessment.questions
        if isinstance(q, m.ChoiceQuestion) and q.kind == "multiple_choice" and q.ask_if is not None
    ]


def level_of(content: Content, state: engine.State) -> tuple[int, bool]:
    decision = engine.decide_state(content, state)
    return decision.level, decision.immediate_danger


def replay_with(content: Content, state: engine.State, question_id: str, value: AnswerValue) -> engine.State:
    """The same answers with one of them changed through the engine (which drops answers to questions that
    no longer apply); the questions it opens get quiet answers."""
    return walks.complete(content, engine.answer(content, state, question_id, value))[0]


def raised_answers(question: walks.Question, value: AnswerValue) -> Iterator[AnswerValue]:
    for quiet, raised in walks.raises(question):
        if quiet == value:
            yield raised
    yield from walks.tick_one_more(question, value)


# --- 1. Monotonic ---------------------------------------------------------------------------------


def test_monotonic_one_more_concern_never_lowers_the_level(content: Content, completed: list[engine.State]) -> None:
    """From every option path, change one answer no -> yes / don't know, or tick one more option."""
    walks_run = 0
    problems = []
    for state in completed:
        before = level_of(content, state)
        for question_id in list(state["order"]):
            question = content.question(question_id)
            assert question is not None
            for value in raised_answers(question, state["answers"][question_id]):
                after = level_of(content, replay_with(content, state, question_id, value))
                walks_run += 1
                if after[0] < before[0] or (before[1] and not after[1]):
                    problems.append((state["answers"], question_id, value, before, after))
    print(f"\nmonotonic (exhaustive single changes): {walks_run} walks from {len(completed)} option paths")
    assert walks_run > 1000
    assert not problems, problems[:5]


@st.composite
def guided_walk(draw: st.DrawFn, content: Content) -> engine.State:
    """Any answers at all, question by question as the flow asks them (several concerns at once)."""
    state = engine.new_state()
    while (question := engine.pending_question(content, state)) is not None:
        state = engine.answer(content, state, question.id, draw(st.sampled_from(walks.candidates(question))))
    return state


HYPOTHESIS_WALKS = 150


def test_monotonic_on_random_walks(content: Content) -> None:
    """Hypothesis (seeded): random walks answering many questions, then one answer raised."""
    seen = []

    @settings(
        max_examples=HYPOTHESIS_WALKS,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(data=st.data())
    def check(data: st.DataObject) -> None:
        state = data.draw(guided_walk(content))
        raises = [
            (q, v)
            for q in state["order"]
            if (question := content.question(q)) is not None
            for v in raised_answers(question, state["answers"][q])
        ]
        if not raises:
            return
        question_id, value = data.draw(st.sampled_from(raises))
        before = level_of(content, state)
        after = level_of(content, replay_with(content, state, question_id, value))
        seen.append(1)
        assert after[0] >= before[0], (state["answers"], question_id, value)
        assert after[1] or not before[1], (state["answers"], question_id, value)

    check()
    print(f"\nmonotonic (hypothesis, seeded): {len(seen)} random walks with one answer raised")
    assert len(seen) > HYPOTHESIS_WALKS // 2


# --- 2. No silent yes -----------------------------------------------------------------------------


def _ages(content: Content) -> list[str]:
    age = content.question("age_stage")
    assert isinstance(age, m.ChoiceQuestion)
    return age.option_values


def test_a_yes_to_a_concern_question_is_never_level_1(content: Content) -> None:
    """Every concern question, yes with nothing ticked after it, at every age it is asked."""
    count = 0
    for gate in gates(content):
        for age in _ages(content):
            path = walks.path_to(content, gate.id, "yes", {"age_stage": age})
            if path is None:
                continue
            outcome = walks.run(content, path.steps)
            count += 1
            assert outcome.level >= 2, (path.describe(), outcome.level)
            if gate.id in SERIOUS_GATES:
                assert outcome.level >= 3, (path.describe(), outcome.level)
                assert "consult_mash" in {r.id for r in outcome.routes}, path.describe()
                assert any("settles" in r.text for r in outcome.reasons.rules), path.describe()
    print(f"\nno silent yes (concern questions, yes and nothing ticked): {count} walks")
    assert {g.id for g in gates(content)} >= SERIOUS_GATES
    assert count >= 3 * len(gates(content))


def test_dont_know_to_a_concern_question_names_it_as_what_would_settle_the_level(content: Content) -> None:
    count = 0
    for gate in gates(content):
        path = walks.path_to(content, gate.id, m.UNKNOWN)
        assert path is not None, gate.id
        outcome = walks.run(content, path.steps)
        count += 1
        assert outcome.level >= 2, (path.describe(), outcome.level)
        assert any(gate.text in line for line in outcome.settle), (gate.id, outcome.settle)
    print(f"\nno silent yes (concern questions, don't know and nothing ticked): {count} walks")


def test_a_situation_that_opens_questions_is_never_silent(content: Content) -> None:
    situations = content.question("special_situations")
    assert isinstance(situations, m.ChoiceQuestion)
    opening = [o for o in situations.options if not o.indicators]
    count = 0
    for option in opening:
        path = walks.path_to(content, situations.id, [option.value])
        assert path is not None
        outcome = walks.run(content, path.steps)
        count += 1
        assert outcome.reasons.indicators or any(r.level >= 2 for r in outcome.reasons.rules), path.describe()
    print(f"\nno silent yes (situations that open questions): {count} walks")


def test_every_detail_question_offers_another_worry_that_records_an_indicator(content: Content) -> None:
    count = 0
    for question in detail_questions(content):
        other = [o for o in question.options if o.label == OTHER_WORRY]
        assert len(other) == 1, f"{question.id} has no {OTHER_WORRY!r} option"
        assert other[0].indicators, f"{question.id}: {OTHER_WORRY!r} records nothing"
        assert all(i in content.indicators and not content.indicators[i].strength for i in other[0].indicators)
        for age in _ages(content):
            ticked = walks.path_to(content, question.id, [other[0].value], {"age_stage": age})
            if ticked is None:
                continue
            nothing = walks.run(content, [*ticked.steps[:-1], (question.id, [])])
            outcome = walks.run(content, ticked.steps)
            count += 1
            assert {i.id for i in outcome.reasons.indicators} >= set(other[0].indicators), ticked.describe()
            assert outcome.level >= nothing.level, (ticked.describe(), outcome.level, nothing.level)
            assert outcome.level >= 2, ticked.describe()
    print(f"\nno silent yes ('{OTHER_WORRY}' on {len(detail_questions(content))} detail questions): {count} walks")


# --- 3. Reachable ---------------------------------------------------------------------------------


def test_every_indicator_can_be_recorded_through_the_guided_questions(
    content: Content, paths: list[walks.OptionPath]
) -> None:
    found = walks.indicator_paths(content, paths)
    missing = sorted(set(content.indicators) - set(found))
    assert not missing, f"only free text can record: {missing}"
    print(f"\nreachable: {len(found)} indicators, each with the guided path that records it")
    for indicator_id in sorted(found):
        path = found[indicator_id]
        state = walks.apply_steps(content, path.steps)
        assert indicator_id in walks.recorded(content, state), (indicator_id, path.describe())
        print(f"  {indicator_id}: {path.describe()}")


# --- 4. Always a way out --------------------------------------------------------------------------


def test_every_outcome_carries_the_999_line_and_level_4_names_the_mash_numbers(
    content: Content, completed: list[engine.State]
) -> None:
    mash = [content.contacts[c] for c in ("mash_in_hours", "mash_out_of_hours")]
    assert all(c.phone for c in mash)
    level_4 = 0
    for state in completed:
        outcome = engine.outcome(content, state)
        assert "999" in outcome.caveat, "the caveat must say: if a child is in immediate danger, call 999"
        if outcome.level == 4:
            level_4 += 1
            phones = {c.phone for r in outcome.routes for c in r.contacts} | {c.phone for c in outcome.talk_to}
            assert {c.phone for c in mash} <= phones, [r.id for r in outcome.routes]
    print(f"\nway out: {len(completed)} outcomes carry the 999 line; {level_4} at level 4 name both MASH numbers")
    assert level_4 > 20


def test_yes_or_dont_know_to_danger_keeps_999_on_every_later_response(
    content: Content, paths: list[walks.OptionPath]
) -> None:
    danger_questions = [q.id for q in content.assessment.questions if q.section == "immediate_danger"]
    assert danger_questions
    responses = walks_run = 0
    for danger_id in danger_questions:
        for value in ("yes", m.UNKNOWN):
            for path in paths:
                if path.question_id == danger_id:
                    continue
                steps = [(q, value if q == danger_id else v) for q, v in path.steps]
                state = engine.new_state()
                for q, v in steps:
                    state = engine.answer(content, state, q, v)
                    responses += 1
                    if q in danger_questions and danger_questions.index(q) < danger_questions.index(danger_id):
                        continue  # before the danger answer
                    if danger_id in state["answers"]:
                        _assert_999_alert(content, state, value)
                state, _ = walks.complete(content, state, {danger_id: value})
                _assert_999_alert(content, state, value)
                walks_run += 1
    print(f"\nway out: {walks_run} walks, {responses} responses after a yes or don't know to danger keep 999")


def _assert_999_alert(content: Content, state: engine.State, value: str) -> None:
    found = engine.alerts(content, state)
    assert found, state["answers"]
    assert "999" in {c.phone for c in found[0].contacts}, found[0]
    if value == "yes":
        assert found[0].kind == "immediate_danger"


# --- 5. The youngest ------------------------------------------------------------------------------


def physical_harm(content: Content) -> set[str]:
    return {i.id for i in content.indicators.values() if i.domain == "physical_abuse" and not i.strength}


def test_a_baby_with_any_physical_harm_indicator_is_level_4(content: Content) -> None:
    """Every guided path that records physical harm for a baby, alone and with any one other answer raised."""
    harm = physical_harm(content)
    count = 0
    covered: set[str] = set()
    for age in BABIES:
        fixed = {"age_stage": age}
        paths = walks.option_paths(content, fixed)
        for path in paths:
            state = walks.complete(content, walks.apply_steps(content, path.steps), fixed)[0]
            recorded = set(walks.recorded(content, state)) & harm
            if not recorded:
                continue
            covered |= recorded
            count += 1
            assert engine.decide_state(content, state).level == 4, (age, path.describe())
            for question_id in list(state["order"]):  # and with any one more concern raised
                question = content.question(question_id)
                assert question is not None
                for value in raised_answers(question, state["answers"][question_id]):
                    changed = walks.complete(content, engine.answer(content, state, question_id, value), fixed)[0]
                    count += 1
                    assert engine.decide_state(content, changed).level == 4, (path.describe(), question_id, value)
        for indicator in sorted(harm):
            assert engine.decide(content, [indicator], answers={"age_stage": age}).level == 4, (age, indicator)
            count += 1
    print(f"\nthe youngest: {count} walks and decisions, baby under one or unborn with physical harm -> level 4")
    assert covered == harm, f"physical-harm indicators no baby path records: {sorted(harm - covered)}"


def test_ordinary_smacking_is_apart_from_harsh_punishment_except_for_a_baby(content: Content) -> None:
    smacking = content.indicators["physical_punishment_smacking"]
    harsh = content.indicators["harsh_physical_punishment"]
    assert "lawful in England" in smacking.text and "section 58" in smacking.source
    assert smacking.level < harsh.level
    older = engine.decide(content, [smacking.id], answers={"age_stage": "age_5_to_11"})
    baby = engine.decide(content, [smacking.id], answers={"age_stage": "baby_under_1"})
    assert (older.level, baby.level) == (2, 4)
