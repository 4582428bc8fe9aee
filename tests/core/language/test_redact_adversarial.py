"""Redaction on adversarial texts: long runs of one short unit, the shape that made two patterns quadratic
(e-mail on "0.0.0...", school on "A'A'A'..."). Timing is in bench/redact.py; here the result must be right on
such texts, and what identifies someone must still go when it sits at the end of such a run."""

from __future__ import annotations

import pytest

from app.core.language.redact import redact
from bench.redact import LENGTH, UNITS, text_of

# Units whose runs hold nothing identifying: the text comes back unchanged.
HARMLESS = ["0.", "1.", "0-", "0 ", "a.", "(0", "1/", "A-", "A'", "_", "A. ", "ab1 ", "1-1-", "x@-", "a@"]


@pytest.mark.parametrize("unit", HARMLESS)
def test_a_long_harmless_run_comes_back_unchanged(unit: str) -> None:
    text = text_of(unit)
    assert len(text) == LENGTH
    result = redact(text)
    assert result.text == text
    assert result.found == {}


@pytest.mark.parametrize(
    ("unit", "tail", "identifying", "placeholder"),
    [
        ("0.", " write to jo.b@example.org today", "jo.b@example.org", "[email]"),
        ("0-", " email x-y@school.sch.uk", "x-y@school.sch.uk", "[email]"),
        ("A'", " now at Penketh Academy", "Penketh", "[school]"),
        ("A-", " attends St Mary's Primary School", "Mary's", "[school]"),
        ("1.", " call 07700 900123", "900123", "[phone]"),
        ("0 ", " lives in WA1 2NH", "2NH", "[postcode]"),
    ],
)
def test_identifying_detail_after_a_long_run_still_goes(
    unit: str, tail: str, identifying: str, placeholder: str
) -> None:
    result = redact(text_of(unit)[: LENGTH - len(tail)] + tail)
    end = result.text[-len(tail) :]
    assert placeholder in end
    assert identifying not in end


def test_an_address_run_into_an_email_keeps_its_address_out() -> None:
    """The e-mail pattern starts only where a run of address characters starts, and a local part over 64
    characters is not an address: the part that is one still goes."""
    assert redact("contact: jo.bloggs+school@example.co.uk.").text == "contact: [email]."
    assert redact("(mum.k@mail.com)").text == "([email])"


def test_every_bench_unit_redacts_to_a_shorter_or_equal_text() -> None:
    """A run of any bench unit is read whole (nothing cut) and never grows beyond its placeholders."""
    for unit in UNITS:
        result = redact(text_of(unit))
        assert result.text, unit
        assert sum(result.found.values()) == 0 or "[" in result.text, unit
