"""Evaluates the condition vocabulary of decision rules and `ask_if` against the facts so far.

`compile_condition` turns a condition tree into a plain function once, for the engine, which evaluates the
same few conditions on every request (issue 8). tests/core/test_rules_compiled.py checks it against a plain
walk of the tree.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
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
    # What raising() found, kept for these facts and their with_level copies (not compared or shown).
    _found: dict[str, list[m.Indicator]] = field(default_factory=dict, compare=False, repr=False)

    def raising(self) -> list[m.Indicator]:
        """Present indicators that count towards a level (strengths never do). The list is shared: read only.

        Why remembered: several conditions of one rules run ask for it, and it depends only on fields that
        never change (indicators and present).
        """
        found = self._found.get("raising")
        if found is None:
            found = self._found["raising"] = [
                self.indicators[i] for i in self.present if i in self.indicators and not self.indicators[i].strength
            ]
        return found

    def with_level(self, level: int) -> Facts:
        """The same facts at another level so far, keeping the raising indicators already found."""
        return Facts(self.indicators, self.present, self.answers, level, self._found)


Check = Callable[[Facts], bool]


def reads_level_so_far(cond: m.Condition) -> bool:
    """Whether the condition, anywhere inside it, depends on the level the earlier rules reached."""
    return _reads(cond, (m.LevelAtLeastCond,))


def reads_indicators(cond: m.Condition) -> bool:
    """Whether the condition, anywhere inside it, depends on the indicators present."""
    return _reads(
        cond, (m.IndicatorCond, m.AnyIndicatorCond, m.DomainsAtLevelCond, m.IndicatorsAtLevelCond, m.RedFlagCond)
    )


def _reads(cond: m.Condition, kinds: tuple[type, ...]) -> bool:
    match cond:
        case m.AllCond(all=children) | m.AnyCond(any=children):
            return any(_reads(c, kinds) for c in children)
        case m.NotCond(not_=child):
            return _reads(child, kinds)
    return isinstance(cond, kinds)


def compile_condition(cond: m.Condition) -> Check:
    """The condition as one function of the facts.

    Why: walking the tree would dispatch over the condition classes at every node on every call; this does it once.
    The values it reads are copied out of the condition now, so build it from content that no longer changes.
    """
    match cond:
        case m.AlwaysCond():
            return _always
        case m.IndicatorCond(indicator=indicator):
            return lambda facts: indicator in facts.present
        case m.AnyIndicatorCond(any_indicator=ids):
            return _any_indicator(tuple(ids))
        case m.DomainsAtLevelCond(domains_at_level=test):
            level, at_least = test.level, test.at_least
            return lambda facts: len({i.domain for i in facts.raising() if i.level >= level}) >= at_least
        case m.IndicatorsAtLevelCond(indicators_at_level=test):
            level, at_least = test.level, test.at_least
            return lambda facts: sum(1 for i in facts.raising() if i.level >= level) >= at_least
        case m.LevelAtLeastCond(level_at_least=level):
            return lambda facts: facts.level_so_far >= level
        case m.RedFlagCond():
            return _red_flag
        case m.AnswerCond(answer=test):
            return _answer_in(test.question, tuple(test.in_))
        case m.AllCond(all=children):
            return _all_of(tuple(compile_condition(c) for c in children))
        case m.AnyCond(any=children):
            return _any_of(tuple(compile_condition(c) for c in children))
        case m.NotCond(not_=child):
            inner = compile_condition(child)
            return lambda facts: not inner(facts)
    raise TypeError(f"unknown condition {cond!r}")  # pragma: no cover - the models admit no other kind


# The loops below are what any()/all() over a generator would do, without building the generator on each
# call: these run on every request (hence the SIM110 waivers).


def _always(facts: Facts) -> bool:
    return True


def _red_flag(facts: Facts) -> bool:
    return any(i.red_flag for i in facts.raising())


def _any_indicator(ids: tuple[str, ...]) -> Check:
    def check(facts: Facts) -> bool:
        present = facts.present
        for i in ids:  # noqa: SIM110
            if i in present:
                return True
        return False

    return check


def _answer_in(question_id: str, allowed: tuple[str, ...]) -> Check:
    def check(facts: Facts) -> bool:
        given = facts.answers.get(question_id)
        if given is None:
            return False
        if isinstance(given, list):
            for v in given:  # noqa: SIM110
                if v in allowed:
                    return True
            return False
        return given in allowed

    return check


def _all_of(checks: tuple[Check, ...]) -> Check:
    def check(facts: Facts) -> bool:
        for c in checks:  # noqa: SIM110
            if not c(facts):
                return False
        return True

    return check


def _any_of(checks: tuple[Check, ...]) -> Check:
    def check(facts: Facts) -> bool:
        for c in checks:  # noqa: SIM110
            if c(facts):
                return True
        return False

    return check


def unknown_as_yes(
    content: m.Content, answers: Mapping[str, AnswerValue], only: str | None = None
) -> Mapping[str, AnswerValue]:
    """The answers with "don't know" to a yes/no question (or only to `only`) read as yes, for the doubt runs.

    Why: a rule may read the yes itself (a yes to a concern question sets a floor), so "don't know" could
    mean that floor, as it could mean the indicators a yes records. The same mapping when nothing changes.
    """
    changed: dict[str, AnswerValue] | None = None
    for question_id, value in answers.items():
        if (
            value == m.UNKNOWN
            and only in (None, question_id)
            and isinstance(content.question(question_id), m.YesNoQuestion)
        ):
            changed = changed if changed is not None else dict(answers)
            changed[question_id] = "yes"
    return changed if changed is not None else answers
