"""app/core/walks.py over the real content: the guided paths the safety properties and `content diff` run."""

from __future__ import annotations

from app.core import engine, walks
from app.core import models as m
from app.core.models import Content


def test_every_answer_of_every_question_has_a_path_that_gives_it(content: Content) -> None:
    paths = walks.option_paths(content)
    wanted = {(q.id, str(v)) for q in content.assessment.questions for v in walks.candidates(q)}
    assert {(p.question_id, str(p.value)) for p in paths} == wanted
    for path in paths:
        assert path.steps[-1] == (path.question_id, path.value)
        state = walks.apply_steps(content, path.steps)
        assert state["answers"][path.question_id] == engine.normalise_answer(
            content.question(path.question_id),  # type: ignore[arg-type]
            path.value,
        )


def test_a_fixed_answer_holds_on_every_path_and_closes_what_it_closes(content: Content) -> None:
    paths = walks.option_paths(content, {"age_stage": "unborn"})
    assert paths
    assert all(dict(p.steps).get("age_stage", "unborn") == "unborn" for p in paths)
    asked = {p.question_id for p in paths}
    assert "education_any" not in asked  # not asked about an unborn baby
    assert "unborn_detail" in asked


def test_quiet_answers_record_no_concern(content: Content) -> None:
    state, steps = walks.complete(content, engine.new_state())
    assert steps and engine.pending_question(content, state) is None
    outcome = engine.outcome(content, state)
    assert outcome.level == 1
    assert all(i.level == 1 for i in outcome.reasons.indicators)


def test_raises_go_from_the_quiet_answer_to_one_more_concern(content: Content) -> None:
    gate = content.question("harm_any")
    detail = content.question("harm_detail")
    missing = content.question("missing_detail")
    age = content.question("age_stage")
    assert gate is not None and detail is not None and missing is not None and age is not None
    assert list(walks.raises(gate)) == [("no", "yes"), ("no", m.UNKNOWN)]
    assert ([], [detail.option_values[0]]) in list(walks.raises(detail))
    assert ("never", "repeatedly") in list(walks.raises(missing))
    assert list(walks.raises(age)) == []  # an age is a fact, not a concern
    assert [detail.option_values[0], detail.option_values[1]] in list(
        walks.tick_one_more(detail, [detail.option_values[0]])
    )
