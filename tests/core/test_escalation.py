"""Escalation schedules and statutory timelines: working days, weekends and bank holidays."""

from __future__ import annotations

from datetime import date
from itertools import pairwise

import pytest

from app.core.errors import InvalidInput, NotFound
from app.core.escalation import (
    Escalation,
    UnknownTimeline,
    WorkingCalendar,
    england_and_wales_calendar,
    escalation_schedule,
    timeline,
)
from app.core.models import Content

CALENDAR = england_and_wales_calendar()


@pytest.fixture(scope="module")
def escalation(content: Content) -> Escalation:
    return content.escalation


def _dates(escalation: Escalation, started: date, basis: str | None = None) -> list[tuple[int, date, date]]:
    schedule = escalation_schedule(escalation, started, None, CALENDAR, basis)  # type: ignore[arg-type]
    return [(s.step, s.starts, s.due) for s in schedule.steps]


def test_bank_holidays_come_from_the_library() -> None:
    assert not CALENDAR.is_working_day(date(2024, 12, 25))  # Christmas Day
    assert not CALENDAR.is_working_day(date(2024, 12, 26))  # Boxing Day
    assert not CALENDAR.is_working_day(date(2025, 1, 1))  # New Year's Day
    assert not CALENDAR.is_working_day(date(2025, 5, 26))  # spring bank holiday
    assert not CALENDAR.is_working_day(date(2025, 8, 25))  # late summer bank holiday (England, not Scotland's)
    assert CALENDAR.is_working_day(date(2025, 8, 4))  # Scotland's summer holiday is a working day here
    assert not CALENDAR.is_working_day(date(2025, 3, 15))  # a Saturday
    assert CALENDAR.is_working_day(date(2025, 3, 14))


def test_content_default_is_working_days(escalation: Escalation) -> None:
    assert escalation.day_basis == "working"
    assert [s.step for s in escalation.steps] == [1, 2, 3, 4]


def test_working_days_across_christmas_and_new_year(escalation: Escalation) -> None:
    # Friday 20 Dec 2024 is day 1. Working days skip 21-22, 25-26 Dec, 28-29 Dec, 1 Jan, 4-5 Jan.
    assert _dates(escalation, date(2024, 12, 20)) == [
        (1, date(2024, 12, 20), date(2024, 12, 20)),
        (2, date(2024, 12, 24), date(2025, 1, 6)),  # day 3 = Tue 24 Dec; day 9 = Mon 6 Jan
        (3, date(2025, 1, 6), date(2025, 1, 13)),  # day 14
        (4, date(2025, 1, 15), date(2025, 1, 22)),  # days 16 to 21
    ]


def test_calendar_days_across_christmas(escalation: Escalation) -> None:
    assert _dates(escalation, date(2024, 12, 20), "calendar") == [
        (1, date(2024, 12, 20), date(2024, 12, 20)),
        (2, date(2024, 12, 22), date(2024, 12, 28)),
        (3, date(2024, 12, 28), date(2025, 1, 2)),
        (4, date(2025, 1, 4), date(2025, 1, 9)),
    ]


def test_late_august_bank_holiday_shifts_working_days(escalation: Escalation) -> None:
    # Wednesday 20 Aug 2025 is day 1; Monday 25 Aug is a bank holiday.
    steps = _dates(escalation, date(2025, 8, 20))
    assert steps[1] == (2, date(2025, 8, 22), date(2025, 9, 2))  # day 3 Fri 22; day 9 Tue 2 Sep
    assert steps[3][2] == date(2025, 9, 18)  # day 21


def test_spring_bank_holiday_week(escalation: Escalation) -> None:
    # Friday 23 May 2025 is day 1; Monday 26 May is the spring bank holiday, so day 2 is Tuesday 27.
    steps = _dates(escalation, date(2025, 5, 23))
    assert steps[1][1] == date(2025, 5, 28)  # day 3


def test_start_at_a_weekend_counts_from_the_next_working_day(escalation: Escalation) -> None:
    saturday = date(2025, 3, 15)
    assert _dates(escalation, saturday)[0] == (1, date(2025, 3, 17), date(2025, 3, 17))
    # Calendar days count the Saturday itself as day 1.
    assert _dates(escalation, saturday, "calendar")[0] == (1, saturday, saturday)


def test_steps_are_in_date_order(escalation: Escalation) -> None:
    steps = _dates(escalation, date(2025, 3, 3))
    for (_, starts, due), (_, next_starts, _) in pairwise(steps):
        assert starts <= due <= next_starts


def test_step_filter(escalation: Escalation) -> None:
    schedule = escalation_schedule(escalation, date(2025, 3, 3), 3, CALENDAR)
    assert [s.step for s in schedule.steps] == [3]
    assert schedule.steps[0].form is not None  # the Pan-Cheshire written form is at step 3
    step2 = escalation_schedule(escalation, date(2025, 3, 3), 2, CALENDAR).steps[0]
    assert step2.school_variant is not None and "governors" in step2.school_variant


@pytest.mark.parametrize("step", [0, 5, -1])
def test_unknown_step_is_invalid_input(escalation: Escalation, step: int) -> None:
    with pytest.raises(InvalidInput, match="steps 1 to 4"):
        escalation_schedule(escalation, date(2025, 3, 3), step, CALENDAR)


@pytest.mark.parametrize(
    ("name", "start", "due"),
    [
        ("rapid_review", date(2024, 12, 20), date(2025, 1, 15)),  # 15 working days over Christmas
        ("rapid_review", date(2025, 8, 20), date(2025, 9, 11)),  # over the August bank holiday
        ("national_panel_notification", date(2025, 5, 22), date(2025, 5, 30)),  # Thu; skips weekend and 26 May
        ("referral_decision", date(2025, 3, 14), date(2025, 3, 17)),  # Friday -> Monday
        ("referral_decision", date(2024, 12, 24), date(2024, 12, 27)),  # Christmas Eve -> after Boxing Day
    ],
)
def test_timelines(escalation: Escalation, name: str, start: date, due: date) -> None:
    deadline = timeline(escalation, name, start, CALENDAR)
    assert deadline.due == due
    assert deadline.basis == "working"
    assert deadline.source


def test_unknown_timeline_lists_known_names(escalation: Escalation) -> None:
    with pytest.raises(UnknownTimeline) as caught:
        timeline(escalation, "rapid_reveiw", date(2025, 1, 6), CALENDAR)
    assert isinstance(caught.value, NotFound)
    assert "rapid_review" in caught.value.message
    assert caught.value.known == ["rapid_review", "national_panel_notification", "referral_decision", "assessment"]


# Working Together to Safeguard Children 2023: referral decision in 1 working day, national panel notification in
# 5, rapid review in 15, assessment in 45. The content's timelines must say the same, on working days, and cite it.
WORKING_TOGETHER_2023_DAYS = {
    "referral_decision": 1,
    "national_panel_notification": 5,
    "rapid_review": 15,
    "assessment": 45,
}


def test_statutory_timelines_follow_working_together_2023(escalation: Escalation) -> None:
    days = {t.id: t.days for t in escalation.timelines}
    assert days == WORKING_TOGETHER_2023_DAYS
    for t in escalation.timelines:
        assert t.basis == "working", t.id
        assert "Working Together to Safeguard Children 2023" in t.source, t.id
        assert f"{t.days} working day" in t.text or (t.days == 1 and "one working day" in t.text), t.id


def test_assessment_timeline_counts_45_working_days_over_holidays(escalation: Escalation) -> None:
    # Referral on Monday 1 December 2025: 45 working days skip weekends, Christmas Day, Boxing Day and New Year's Day.
    deadline = timeline(escalation, "assessment", date(2025, 12, 1), CALENDAR)
    assert deadline.due == date(2026, 2, 5)
    assert deadline.days == 45 and deadline.counted_from == "receipt of the referral"


def test_calendar_without_holidays_only_skips_weekends() -> None:
    plain = WorkingCalendar()
    assert plain.add_working_days(date(2024, 12, 24), 1) == date(2024, 12, 25)
    assert plain.add_working_days(date(2025, 3, 14), 1) == date(2025, 3, 17)


def test_window_must_be_ordered() -> None:
    from pydantic import ValidationError

    from app.core.escalation import Window

    with pytest.raises(ValidationError, match="to_day must not be before from_day"):
        Window(from_day=9, to_day=3)
