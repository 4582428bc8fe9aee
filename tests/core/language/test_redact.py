"""Identifying details go; the clinical meaning (ages, school years, percentages, frequencies) stays."""

from __future__ import annotations

import time

import pytest

from app.core.language.redact import redact

# (input, text expected after redaction, kinds expected with counts)
REMOVED = [
    pytest.param("Mrs Smith rang", "Mrs [name] rang", {"name": 1}, id="title-and-surname"),
    pytest.param("Dr. Patel saw him", "Dr. [name] saw him", {"name": 1}, id="doctor"),
    pytest.param("her son is called Tyler", "her son is called [name]", {"name": 1}, id="called-x"),
    pytest.param("mum Kerry says", "mum [name] says", {"name": 1}, id="family-word-then-name"),
    pytest.param("Kerry's boyfriend hits her", "[name]'s boyfriend hits her", {"name": 1}, id="possessive"),
    pytest.param("Tyler (9) and Tyler's sister", "[name] (9) and [name]'s sister", {"name": 2}, id="name-with-age"),
    pytest.param("Jake Smith is worried", "[name] is worried", {"name": 1}, id="known-first-name-and-surname"),
    pytest.param("DOB 12/03/2015", "DOB [date]", {"date": 1}, id="numeric-date"),
    pytest.param("born on 3rd March 2015", "born on [date]", {"date": 1}, id="date-in-words"),
    pytest.param("seen on March 3rd", "seen on [date]", {"date": 1}, id="month-first-date"),
    pytest.param("born in 2011", "born in [date]", {"date": 1}, id="year-of-birth"),
    pytest.param("NHS number 485 777 3456", "NHS number [nhs number]", {"nhs_number": 1}, id="nhs-spaced"),
    pytest.param("ref 4857773456 on file", "ref [nhs number] on file", {"nhs_number": 1}, id="nhs-unspaced"),
    pytest.param("call 07700 900123", "call [phone]", {"phone": 1}, id="mobile"),
    pytest.param("on 01925 443322 today", "on [phone] today", {"phone": 1}, id="landline"),
    pytest.param("ring +44 7700 900123", "ring [phone]", {"phone": 1}, id="international"),
    pytest.param("or (0161) 496 0000", "or [phone]", {"phone": 1}, id="bracketed-area-code"),
    pytest.param("email jo.b@school.sch.uk now", "email [email] now", {"email": 1}, id="email"),
    pytest.param("lives in WA1 2NH", "lives in [postcode]", {"postcode": 1}, id="postcode"),
    pytest.param("lives in wa5 1aa", "lives in [postcode]", {"postcode": 1}, id="postcode-lower-case"),
    pytest.param("at 14 Acacia Avenue with", "at [address] with", {"address": 1}, id="numbered-street"),
    pytest.param("flat 3, 27 Orford Lane", "[address]", {"address": 1}, id="flat-and-street"),
    pytest.param("moved to Cromwell Avenue", "moved to [address]", {"address": 1}, id="named-street"),
    pytest.param("attends St Mary's Primary School", "attends [school]", {"school": 1}, id="primary-school"),
    pytest.param("Year 9 at Bridgewater High", "Year 9 at [school]", {"school": 1}, id="high-school"),
    pytest.param("now at Penketh Academy", "now at [school]", {"school": 1}, id="academy"),
]

KEPT = [
    pytest.param("12 year old missing three times this month", id="age-and-frequency"),
    pytest.param("attendance has dropped to 87% this term", id="percentage"),
    pytest.param("Year 9 pupil, excluded twice", id="school-year"),
    pytest.param("8 week old baby with a bruise", id="baby-age"),
    pytest.param("20 weeks pregnant at 17", id="pregnancy"),
    pytest.param("found alone at 10pm, called 999", id="time-and-999"),
    pytest.param("Three kids aged 2, 5 and 8", id="siblings-ages"),
    pytest.param("She may have been hit by her partner", id="may-is-not-a-month"),
    pytest.param("Mum has depression. Dad drinks", id="role-words"),
    pytest.param("She goes to the local primary school", id="unnamed-school"),
    pytest.param("His attendance is 60 per cent, 3 fights", id="per-cent"),
    pytest.param("Child on a CP plan, s47 last year, 24/7 care", id="abbreviations"),
    pytest.param("kids playing on the road at 2 am", id="the-road"),
]


@pytest.mark.parametrize(("text", "expected", "found"), REMOVED)
def test_identifying_detail_is_replaced(text: str, expected: str, found: dict[str, int]) -> None:
    result = redact(text)
    assert result.text == expected
    assert result.found == found


@pytest.mark.parametrize("text", KEPT)
def test_clinical_meaning_is_kept(text: str) -> None:
    result = redact(text)
    assert result.text == text
    assert result.found == {}


def test_a_name_found_once_is_removed_everywhere() -> None:
    result = redact("Her son Kai is 12. Kai says he is scared of Kai's dad.")
    assert "Kai" not in result.text
    assert result.found == {"name": 3}


def test_redaction_is_fast() -> None:
    text = "Jake (12) at 14 Acacia Avenue WA1 2NH, mum Kerry on 07700 900123, attendance 87%. " * 20
    started = time.perf_counter()
    for _ in range(50):
        redact(text)
    assert (time.perf_counter() - started) / 50 < 0.01
