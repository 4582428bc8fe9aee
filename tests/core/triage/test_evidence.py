"""The evidence the chat quotes (issue 15): every recognised item's matched words, located in the redacted text;
and the age or stage a description states, as the age question's answer."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from app.core.models import Content
from app.core.triage import prefill_answers, triage

DEVELOPMENT = yaml.safe_load((Path(__file__).parents[2] / "cases" / "triage" / "development.yaml").read_text())["cases"]


def test_every_recognised_item_quotes_words_that_stand_in_the_redacted_text(content: Content) -> None:
    items = 0
    for case in DEVELOPMENT:
        result = triage(content, case["text"])
        for item in result.indicators:
            items += 1
            assert item.spans, (case["id"], item.id)
            for span in item.spans:
                assert result.redacted_text[span.start : span.end] == span.words
            assert [s.start for s in item.spans] == sorted(s.start for s in item.spans)
    assert items >= 100


def test_a_phrase_is_quoted_word_for_word_and_a_scene_word_by_word(content: Content) -> None:
    result = triage(content, "He has a black eye and bruising on his upper arm. Dad hit him with a belt.")
    nai = next(i for i in result.indicators if i.id == "nai_injury")
    assert {"black eye", "bruising"} <= {s.words for s in nai.spans}
    assert all(s.words in result.redacted_text for i in result.indicators for s in i.spans)


def test_an_attendance_figure_is_quoted_where_it_stands(content: Content) -> None:
    result = triage(content, "Happy 90% of the time, but attendance is 85% this term.")
    band = next(i for i in result.indicators if i.id == "attendance_below_90")
    figures = [s for s in band.spans if "%" in s.words]
    assert [s.words for s in figures] == ["85%"] and figures[0].start == result.redacted_text.index("85%")


def test_identifying_details_are_never_quoted(content: Content) -> None:
    result = triage(content, "Kai Smith (12), 07700 900123, has a bruise on his face and is scared to go home.")
    quoted = " ".join(s.words for i in result.indicators for s in i.spans)
    assert "Kai" not in quoted and "07700" not in quoted


AGES = [
    ("A 6 weeks old baby with a bruise on her cheek.", "baby_under_1", "6 weeks old"),
    ("Year 9 boy, attendance has dropped to 85% this term.", "age_12_to_17", "Year 9"),
    ("14yo girl with an older boyfriend.", "age_12_to_17", "14yo"),
    ("Unborn baby, mum drinks most days.", "unborn", "Unborn"),
    ("Mum is 28 weeks pregnant and says dad hits her.", "unborn", "pregnant"),
    ("7 year old often hungry at school.", "age_5_to_11", "7 year old"),
    ("Toddler left in the car outside the shop.", "under_5", "Toddler"),
]


@pytest.mark.parametrize(("text", "value", "words"), AGES, ids=[a[1] + ":" + a[2] for a in AGES])
def test_the_age_or_stage_in_a_description_answers_the_age_question(
    content: Content, text: str, value: str, words: str
) -> None:
    result = triage(content, text)
    assert result.age_stage is not None
    assert (result.age_stage.question_id, result.age_stage.value) == ("age_stage", value)
    assert words in result.age_stage.evidence
    assert all(result.redacted_text[s.start : s.end] == s.words for s in result.age_stage.spans)
    assert prefill_answers(content, result)["age_stage"] == value
    question = content.question("age_stage")
    assert question is not None and value in question.option_values


def test_no_age_or_children_of_different_ages_leave_the_question_to_be_asked(content: Content) -> None:
    assert triage(content, "Dad hits mum most nights.").age_stage is None
    assert triage(content, "His sister is 3 years old and he is 14 years old; dad hits mum.").age_stage is None
    assert "age_stage" not in prefill_answers(content, triage(content, "Dad hits mum most nights."))


def test_an_age_given_beside_the_text_wins(content: Content) -> None:
    result = triage(content, "Bruise on the cheek, no explanation.", age=0.25)
    assert result.age_stage is not None and result.age_stage.value == "baby_under_1"
    assert result.age_stage.evidence == []
