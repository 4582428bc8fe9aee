"""Evaluates the condition vocabulary of decision rules and `ask_if` against the facts so far."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from app.core import models as m

AnswerValue = str | list[str]


@dataclass(frozen=True)
class Facts:
    """What is known: indicators present, the answers given, and the level the rules have reached."""

    indicators: Mapping[str, m.Indicator]
    present: frozenset[str]
    answers: Mapping[str, AnswerValue] = field(default_factory=dict)
    level_so_far: int = 1

    def raising(self) -> list[m.Indicator]:
        """Present indicators that count towards a level (strengths never do)."""
        return [self.indicators[i] for i in self.present if i in self.indicators and not self.indicators[i].strength]


def holds(cond: m.Condition, facts: Facts) -> bool:
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
