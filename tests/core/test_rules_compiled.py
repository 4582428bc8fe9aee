"""Compiled conditions (issue 8) give the same answer as the plain evaluation, on the real content."""

from __future__ import annotations

import random
from collections.abc import Iterator

from app.core import engine
from app.core import models as m
from app.core.rules import Facts, compile_condition


def holds(cond: m.Condition, facts: Facts) -> bool:
    """The condition vocabulary as first written, a plain walk of the tree: the reference for compile_condition."""
    match cond:
        case m.AlwaysCond():
            return True
        case m.IndicatorCond(indicator=indicator):
            return indicator in facts.present
        case m.AnyIndicatorCond(any_indicator=ids):
            return any(i in facts.present for i in ids)
        case m.DomainsAtLevelCond(domains_at_level=test):
            return len({i.domain for i in facts.raising() if i.level >= test.level}) >= test.at_least
        case m.IndicatorsAtLevelCond(indicators_at_level=test):
            return sum(1 for i in facts.raising() if i.level >= test.level) >= test.at_least
        case m.LevelAtLeastCond(level_at_least=level):
            return facts.level_so_far >= level
        case m.RedFlagCond():
            return any(i.red_flag for i in facts.raising())
        case m.AnswerCond(answer=test):
            given = facts.answers.get(test.question)
            if given is None:
                return False
            values = given if isinstance(given, list) else [given]
            return any(v in test.in_ for v in values)
        case m.AllCond(all=children):
            return all(holds(c, facts) for c in children)
        case m.AnyCond(any=children):
            return any(holds(c, facts) for c in children)
        case m.NotCond(not_=child):
            return not holds(child, facts)
    raise TypeError(f"unknown condition {cond!r}")  # pragma: no cover - the models admit no other kind


def every_condition(cond: m.Condition) -> Iterator[m.Condition]:
    """The condition and each condition inside it."""
    yield cond
    if isinstance(cond, m.AllCond):
        children = cond.all
    elif isinstance(cond, m.AnyCond):
        children = cond.any
    elif isinstance(cond, m.NotCond):
        children = [cond.not_]
    else:
        children = []
    for child in children:
        yield from every_condition(child)


def content_conditions(content: m.Content) -> list[m.Condition]:
    roots = [rule.when for rule in content.rules] + [q.ask_if for q in content.assessment.questions if q.ask_if]
    return [c for root in roots for c in every_condition(root)]


def random_facts(content: m.Content, rng: random.Random) -> Facts:
    indicator_ids = sorted(content.indicators)
    present = frozenset(rng.sample(indicator_ids, k=min(rng.choice([0, 1, 2, 4, 8, 16]), len(indicator_ids))))
    answers: dict[str, engine.AnswerValue] = {}
    for question in content.assessment.questions:
        if rng.random() < 0.5:
            continue
        values = [*question.option_values, m.UNKNOWN]
        if question.kind == "multiple_choice" and rng.random() < 0.7:
            answers[question.id] = rng.sample(
                question.option_values, k=rng.randint(0, min(3, len(question.option_values)))
            )
        else:
            answers[question.id] = rng.choice(values)
    return Facts(content.indicators, present, answers, rng.randint(1, 4))


def test_compiled_conditions_agree_with_holds_on_the_real_content(content: m.Content) -> None:
    conditions = content_conditions(content)
    kinds = {type(c) for c in conditions}
    assert {m.AllCond, m.AnyCond, m.NotCond, m.AnswerCond, m.AnyIndicatorCond} <= kinds  # the content uses them
    compiled = [(c, compile_condition(c)) for c in conditions]
    rng = random.Random(8)
    outcomes: dict[int, set[bool]] = {i: set() for i in range(len(conditions))}
    for _ in range(400):
        facts = random_facts(content, rng)
        for i, (cond, check) in enumerate(compiled):
            expected = holds(cond, Facts(facts.indicators, facts.present, facts.answers, facts.level_so_far))
            assert check(facts) is expected, cond
            outcomes[i].add(expected)
    # the fact sets are varied enough that most conditions come out both ways
    assert sum(len(seen) == 2 for seen in outcomes.values()) >= 0.8 * len(conditions)


def test_every_kind_of_condition_compiles_to_the_same_answer(fixture_content: m.Content) -> None:
    kinds = [
        {"always": True},
        {"indicator": "housing_poor"},
        {"any_indicator": ["housing_poor", "missed_checks"]},
        {"domains_at_level": {"level": 2, "at_least": 2}},
        {"indicators_at_level": {"level": 2, "at_least": 2}},
        {"level_at_least": 3},
        {"red_flag": True},
        {"answer": {"question": "home_worries", "in": ["abuse", "unknown"]}},
        {"all": [{"indicator": "housing_poor"}, {"not": {"level_at_least": 2}}]},
        {"any": [{"indicator": "danger_now"}, {"answer": {"question": "school", "in": ["low"]}}]},
    ]
    ids = sorted(fixture_content.indicators)
    answer_sets: list[dict[str, engine.AnswerValue]] = [
        {},
        {"school": "low"},
        {"home_worries": ["housing", "abuse"]},
        {"home_worries": []},
        {"home_worries": "unknown"},
    ]
    rng = random.Random(3)
    for data in kinds:
        when = m.Rule.model_validate({"id": "r", "text": "t", "when": data, "then": {"level": 1}, "source": "s"}).when
        check = compile_condition(when)
        for _ in range(60):
            present = frozenset(rng.sample(ids, k=rng.randint(0, len(ids))))
            facts = Facts(fixture_content.indicators, present, rng.choice(answer_sets), rng.randint(1, 4))
            assert check(facts) is holds(when, Facts(facts.indicators, present, facts.answers, facts.level_so_far))


def plain_run_rules(
    content: m.Content, present: frozenset[str], answers: dict[str, engine.AnswerValue]
) -> tuple[int, bool, list[str]]:
    """The rules run as written: each rule sees the level the rules before it reached."""
    level, danger, fired = 1, False, []
    for rule in content.rules:
        facts = Facts(content.indicators, present, answers, level)
        if not holds(rule.when, facts):
            continue
        if rule.then.level == "highest_indicator":
            levels = [i.level for i in facts.raising()]
            if not levels:
                continue
            rule_level = max(levels)
        else:
            rule_level = rule.then.level
        level = max(level, rule_level)
        danger = danger or rule.then.immediate_danger
        fired.append(f"{rule.id}:{rule_level}")
    return level, danger, fired


def test_the_engine_runs_the_rules_as_written(content: m.Content) -> None:
    rng = random.Random(5)
    levels = set()
    for _ in range(400):
        facts = random_facts(content, rng)
        answers = dict(facts.answers)
        level, danger, fired = engine._run_rules(content, facts.present, answers)
        assert (level, danger, [f"{r.id}:{r.level}" for r in fired]) == plain_run_rules(content, facts.present, answers)
        levels.add(level)
    assert levels == {1, 2, 3, 4}


def test_raising_is_found_once_and_kept_at_another_level(fixture_content: m.Content) -> None:
    facts = Facts(fixture_content.indicators, frozenset(["housing_poor", "attends_well"]), {}, 1)
    assert [i.id for i in facts.raising()] == ["housing_poor"]  # strengths never raise
    assert facts.raising() is facts.raising()
    higher = facts.with_level(3)
    assert higher.level_so_far == 3 and higher.present == facts.present
    assert higher.raising() is facts.raising()
    assert higher == Facts(fixture_content.indicators, facts.present, {}, 3)


def test_immediate_danger_alone_equals_the_full_rules_run(content: m.Content) -> None:
    assert engine._compiled(content).danger_rules is not None  # the real content's danger rule reads no level
    rng = random.Random(13)
    found = set()
    for _ in range(400):
        facts = random_facts(content, rng)
        danger = engine._immediate_danger(content, facts.present, dict(facts.answers))
        assert danger is engine._run_rules(content, facts.present, dict(facts.answers))[1]
        found.add(danger)
    assert found == {True, False}


def with_rules(content: m.Content, extra: list[dict[str, object]]) -> m.Content:
    rules = [*content.rules, *(m.Rule.model_validate({"text": "t", "source": "s", **rule}) for rule in extra)]
    return content.model_copy(update={"rules": rules})


def test_a_danger_rule_that_reads_the_level_so_far_runs_every_rule(fixture_content: m.Content) -> None:
    # danger once the level reached 3 with housing poor: only the rules before it can tell
    reads_level = {"all": [{"level_at_least": 3}, {"indicator": "housing_poor"}]}
    changed = with_rules(
        fixture_content, [{"id": "late", "when": reads_level, "then": {"level": 4, "immediate_danger": True}}]
    )
    assert engine._compiled(changed).danger_rules is None
    assert engine._compiled(fixture_content).danger_rules is not None  # the copy did not change the original's
    both = frozenset(["housing_poor", "missed_checks"])  # two level-2 domains: level 3
    assert engine._immediate_danger(changed, both, {}) is engine._run_rules(changed, both, {})[1] is True
    alone = frozenset(["housing_poor"])
    assert engine._immediate_danger(changed, alone, {}) is engine._run_rules(changed, alone, {})[1] is False


def test_a_highest_indicator_danger_rule_needs_a_raising_indicator(fixture_content: m.Content) -> None:
    changed = with_rules(
        fixture_content,
        [{"id": "any", "when": {"always": True}, "then": {"level": "highest_indicator", "immediate_danger": True}}],
    )
    assert engine._compiled(changed).danger_rules is not None
    for present in [frozenset(), frozenset(["attends_well"]), frozenset(["housing_poor"])]:
        assert engine._immediate_danger(changed, present, {}) is engine._run_rules(changed, present, {})[1]
    assert engine._immediate_danger(changed, frozenset(["housing_poor"]), {}) is True
    assert engine._immediate_danger(changed, frozenset(["attends_well"]), {}) is False  # a strength raises nothing


def plain_active_questions(content: m.Content, answers: dict[str, engine.AnswerValue]) -> list[str]:
    """The active questions as first written: fresh facts for every ask_if, evaluated by holds."""
    active: list[str] = []
    present: set[str] = set()
    seen: dict[str, engine.AnswerValue] = {}
    for question in content.assessment.questions:
        if question.ask_if is None or holds(question.ask_if, Facts(content.indicators, frozenset(present), dict(seen))):
            active.append(question.id)
            if question.id in answers:
                seen[question.id] = answers[question.id]
                present.update(question.indicators_for(answers[question.id]))  # type: ignore[arg-type]
    return active


def test_the_walk_asks_the_questions_plain_evaluation_asks(content: m.Content, fixture_content: m.Content) -> None:
    # the fixture content again, with ask_ifs that read the indicators present and the answers together
    questions = list(fixture_content.assessment.questions)
    reads_indicators = m.Rule.model_validate(
        {"id": "r", "text": "t", "source": "s", "then": {"level": 1},
         "when": {"any": [{"indicator": "housing_poor"}, {"domains_at_level": {"level": 2, "at_least": 2}}]}}
    ).when  # fmt: skip
    questions[-1] = questions[-1].model_copy(update={"ask_if": reads_indicators})
    questions[-2] = questions[-2].model_copy(update={"ask_if": m.NotCond.model_validate({"not": {"red_flag": True}})})
    changed = fixture_content.model_copy(
        update={"assessment": fixture_content.assessment.model_copy(update={"questions": questions})}
    )
    assert [needs for _, _, needs in engine._compiled(changed).questions][-2:] == [True, True]
    rng = random.Random(17)
    for source in (content, changed):
        ids = set()
        for _ in range(150):
            answers = dict(random_facts(source, rng).answers)
            expected = plain_active_questions(source, dict(answers))
            assert [q.id for q in engine.active_questions(source, answers)] == expected
            ids.add(len(expected))
        assert len(ids) > 1  # the answers change which questions apply
