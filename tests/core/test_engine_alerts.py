"""engine.alerts takes its two findings from one rules run; they must equal the full decision's."""

from __future__ import annotations

import random

from app.core import engine
from app.core import models as m
from app.core.models import Content


def random_walk(content: Content, rng: random.Random) -> list[engine.State]:
    """States along one assessment with random answers, "don't know" and danger answers included."""
    state = engine.new_state()
    states = [state]
    while (question := engine.pending_question(content, state)) is not None:
        values = [*question.option_values, m.UNKNOWN]
        if question.kind == "multiple_choice":
            value: str | list[str] = rng.choice([m.UNKNOWN, rng.sample(question.option_values, k=rng.randint(0, 2))])
        else:
            value = rng.choice(values)
        state = engine.answer(content, state, question.id, value)
        states.append(state)
    return states


def test_alerts_match_the_full_decision(content: Content) -> None:
    rng = random.Random(8)
    kinds_seen = set()
    for _ in range(60):
        for state in random_walk(content, rng):
            decision = engine.decide_state(content, state)
            expected = (
                ["immediate_danger"]
                if decision.immediate_danger
                else ["consult_mash"]
                if decision.possible_red_flag
                else []
            )
            kinds = [alert.kind for alert in engine.alerts(content, state)]
            assert kinds == expected, state
            kinds_seen.update(kinds)
    assert kinds_seen == {"immediate_danger", "consult_mash"}  # the walks reached both kinds
