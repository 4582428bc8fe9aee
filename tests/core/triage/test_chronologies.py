"""Chronologies (issue 15): an entry's date is not an age, and older 'no concerns' entries (read as strengths)
never hide or lower the concern a later entry brings."""

from __future__ import annotations

import pytest

from app.core.models import Content
from app.core.triage import triage

CALM_ENTRIES = [
    "02/09: Home visit, no concerns. Warm and loving home, mum engages well and attends appointments.",
    "16/09: No concerns raised by school. Good attendance, has friends, family nearby help out.",
    "30/09: Health visitor: no concerns, meeting milestones, good bond with mum.",
]

GRAVE_ENDINGS = [
    "03/12: She told her teacher dad hit her with a belt last night and she is scared to go home tonight.",
    "03/12: Bruise on the cheek of the 7 month old baby, mum could not explain it.",
    "03/12: She has been missing since yesterday and was seen getting into a car with older men.",
    "03/12: Mum's new partner has a conviction for offences against children and is living in the home.",
]


@pytest.mark.parametrize("ending", GRAVE_ENDINGS)
@pytest.mark.parametrize("repeats", [1, 5, 20])
def test_strengths_in_older_entries_never_hide_or_lower_a_concern(content: Content, ending: str, repeats: int) -> None:
    alone = triage(content, ending)
    note = triage(content, "\n".join(CALM_ENTRIES * repeats + [ending]))
    assert note.suggested_level == alone.suggested_level == 4
    assert note.immediate_danger is alone.immediate_danger
    concerns = {i.id for i in note.indicators if not content.indicators[i.id].strength and not i.negated}
    assert {i.id for i in alone.indicators if i.level >= 3 and not i.negated} <= concerns
    assert any(content.indicators[i.id].strength for i in note.indicators)  # the strengths are still shown


@pytest.mark.parametrize(
    "text",
    [
        "03/12: She said dad hit her with a belt last night.",
        "03/12 - late again, mum says the bus was full.",
        "On 03/12 she was late for the third time.",
        "Mon 03/12: late again.",
        "- 6/12: home visit, the house was cold.",
    ],
)
def test_a_day_and_month_in_a_dates_place_is_not_a_babys_age(content: Content, text: str) -> None:
    result = triage(content, text)
    assert result.age_stage is None
    assert not [i.id for i in result.indicators if "baby" in i.id]


@pytest.mark.parametrize(
    "text",
    [
        "Baby is 8/12, bruise on ear.",
        "HV visit: baby now 6/12 and rolling.",
        "03/12: HV visit, baby is 4/12 with a bruise.",
    ],
)
def test_clinical_shorthand_is_still_an_age(content: Content, text: str) -> None:
    result = triage(content, text)
    assert result.age_stage is not None and result.age_stage.value == "baby_under_1"
