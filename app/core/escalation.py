"""Escalation steps and statutory timelines: the content models and the date arithmetic.

Pure: the calendar (weekends and England and Wales bank holidays) is built from the `holidays`
package, which computes the dates; nothing is read from disk or the network.
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

from pydantic import Field, model_validator

from app.core.base import Strict
from app.core.errors import InvalidInput, UnknownItem

DayBasis = Literal["working", "calendar"]


class Window(Strict):
    from_day: int = Field(ge=1, description="First day of the step; the day the disagreement starts is day 1.")
    to_day: int = Field(ge=1, description="Last day of the step (the step is due by the end of this day).")

    @model_validator(mode="after")
    def _ordered(self) -> Window:
        if self.to_day < self.from_day:
            raise ValueError("to_day must not be before from_day")
        return self


class Sourced(Strict):
    text: str
    keywords: list[str] = []
    source: str
    verify: bool = False


class Step(Strict):
    step: int = Field(ge=1)
    title: str
    keywords: list[str] = []
    window: Window
    who: str
    actions: list[str] = Field(min_length=1)
    record: list[str] = []
    school_variant: str | None = None
    form: Sourced | None = None
    source: str
    verify: bool = False


class Timeline(Strict):
    id: str
    title: str
    keywords: list[str] = []
    days: int = Field(ge=1)
    basis: DayBasis = "working"
    counted_from: str
    text: str
    section: str
    source: str
    verify: bool = False


class Escalation(Strict):
    """The contents of rules/escalation.yaml."""

    id: str
    title: str
    section: str
    source: str
    day_basis: DayBasis = "working"
    day_basis_verify: bool = False
    keywords: list[str] = []
    child_safety_first: Sourced
    culture: str
    steps: list[Step] = Field(min_length=1)
    complaints: Sourced
    timelines: list[Timeline] = []

    @model_validator(mode="after")
    def _steps_in_order(self) -> Escalation:
        numbers = [s.step for s in self.steps]
        if numbers != list(range(1, len(numbers) + 1)):
            raise ValueError(f"steps must be numbered 1, 2, 3... in order; got {numbers}")
        ids = [t.id for t in self.timelines]
        if len(ids) != len(set(ids)):
            raise ValueError("timeline ids must be unique")
        return self

    def timeline_names(self) -> list[str]:
        return [t.id for t in self.timelines]


@dataclass(frozen=True)
class WorkingCalendar:
    """Which days are working days: Monday to Friday, minus the given holidays."""

    holidays: Container[date] = field(default_factory=frozenset)

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self.holidays

    def next_working_day(self, day: date) -> date:
        """`day` itself when it is a working day, otherwise the first working day after it."""
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def add_working_days(self, day: date, count: int) -> date:
        """The `count`-th working day after `day` (count 0 gives `day` unchanged)."""
        while count > 0:
            day += timedelta(days=1)
            if self.is_working_day(day):
                count -= 1
        return day


def england_and_wales_calendar() -> WorkingCalendar:
    """Weekends plus the England and Wales bank holidays (England's list; Wales shares it)."""
    # The holidays object fills in each year the first time a date in it is looked up. Imported here, on
    # first use: the package takes about 60 ms to import, a twentieth of start-up (issue 8).
    import holidays

    return WorkingCalendar(holidays=holidays.country_holidays("GB", subdiv="ENG"))


@dataclass(frozen=True)
class ScheduledStep:
    step: int
    title: str
    who: str
    actions: list[str]
    record: list[str]
    school_variant: str | None
    form: str | None
    starts: date
    due: date
    from_day: int
    to_day: int
    source: str


@dataclass(frozen=True)
class Schedule:
    started: date
    basis: DayBasis
    steps: list[ScheduledStep]
    source: str
    section: str
    child_safety_first: str


@dataclass(frozen=True)
class Deadline:
    name: str
    title: str
    start: date
    due: date
    days: int
    basis: DayBasis
    counted_from: str
    text: str
    section: str
    source: str


def nth_day(started: date, n: int, basis: DayBasis, calendar: WorkingCalendar) -> date:
    """Day `n` of a process that starts on `started` (day 1).

    Why: on the working basis a process begun at the weekend or on a bank holiday has the next
    working day as its day 1, as an office would count it.
    """
    if basis == "calendar":
        return started + timedelta(days=n - 1)
    return calendar.add_working_days(calendar.next_working_day(started), n - 1)


def escalation_schedule(
    escalation: Escalation,
    started: date,
    step: int | None = None,
    calendar: WorkingCalendar | None = None,
    basis: DayBasis | None = None,
) -> Schedule:
    """Date every step of the escalation process (or just `step`) from the day it started.

    `basis` overrides the content's `day_basis` (for "what if these are calendar days?").
    Raises InvalidInput when `step` is not a step of the process.
    """
    calendar = calendar or england_and_wales_calendar()
    basis = basis or escalation.day_basis
    known = [s.step for s in escalation.steps]
    if step is not None and step not in known:
        raise InvalidInput(f"There is no step {step}; the escalation process has steps {known[0]} to {known[-1]}.")
    chosen = [s for s in escalation.steps if step is None or s.step == step]
    return Schedule(
        started=started,
        basis=basis,
        steps=[
            ScheduledStep(
                step=s.step,
                title=s.title,
                who=s.who,
                actions=list(s.actions),
                record=list(s.record),
                school_variant=s.school_variant,
                form=s.form.text if s.form else None,
                starts=nth_day(started, s.window.from_day, basis, calendar),
                due=nth_day(started, s.window.to_day, basis, calendar),
                from_day=s.window.from_day,
                to_day=s.window.to_day,
                source=s.source,
            )
            for s in chosen
        ],
        source=escalation.source,
        section=escalation.section,
        child_safety_first=escalation.child_safety_first.text,
    )


class UnknownTimeline(UnknownItem):
    code = "unknown_timeline"

    def __init__(self, name: str, known: list[str]) -> None:
        super().__init__(f"There is no timeline {name!r}. Known timelines: {', '.join(known)}.")
        self.name = name
        self.known = known


def timeline(
    escalation: Escalation,
    name: str,
    start: date,
    calendar: WorkingCalendar | None = None,
) -> Deadline:
    """When a statutory timeline (e.g. `rapid_review`) started on `start` falls due.

    "Within N working days of X" is counted as the N-th working day after X.
    Raises UnknownTimeline for a name not in the content.
    """
    found = next((t for t in escalation.timelines if t.id == name), None)
    if found is None:
        raise UnknownTimeline(name, escalation.timeline_names())
    calendar = calendar or england_and_wales_calendar()
    if found.basis == "working":
        due = calendar.add_working_days(start, found.days)
    else:
        due = start + timedelta(days=found.days)
    return Deadline(
        name=found.id,
        title=found.title,
        start=start,
        due=due,
        days=found.days,
        basis=found.basis,
        counted_from=found.counted_from,
        text=found.text,
        section=found.section,
        source=found.source,
    )
