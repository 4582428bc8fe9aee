"""False matches (issue 15): everyday sentences whose words look like concerns give no level-3 or level-4 item."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from app.core.models import Content
from app.core.triage import triage

TRAPS = yaml.safe_load((Path(__file__).parents[2] / "cases" / "triage" / "traps.yaml").read_text())["cases"]


def test_the_trap_set_is_large_and_covers_every_topic() -> None:
    assert len(TRAPS) >= 60
    assert {case["topic"] for case in TRAPS} >= {"sport", "cooking", "jobs", "idioms", "school"}
    assert len({case["id"] for case in TRAPS}) == len(TRAPS)


@pytest.mark.parametrize("case", TRAPS, ids=[case["id"] for case in TRAPS])
def test_an_everyday_sentence_gives_no_serious_concern(content: Content, case: dict[str, str]) -> None:
    result = triage(content, case["text"])
    serious = [(i.id, i.level, i.evidence) for i in result.indicators if i.level >= 3 and not i.negated]
    assert serious == []
    assert result.suggested_level in (None, 1, 2)
    assert not result.immediate_danger


def test_the_misreadings_practitioners_reported(content: Content) -> None:
    def ids(text: str) -> dict[str, bool]:
        return {i.id: i.negated for i in triage(content, text).indicators}

    gas = ids("Their gas was cut off last week.")
    assert not [i for i in gas if "self_harm" in i]  # a utility cut off, not a cut
    assert "home_conditions_poor" in gas  # ... which is a worry of its own
    assert not [i for i in ids("He races cars with his dad at the weekend.") if i.startswith("young_carer")]
    assert ids("She is caring for her mum, who has MS.").get("young_carer_some_impact") is False  # still read
    # A list begun by "no" continues only when the "no" denies worries ("no concerns about drugs, alcohol").
    # "no family round here, isolated" is about the family's support, not the child (trial, issue 15)
    assert "isolated_child" not in ids("Mum says there is no family round here, isolated.")
    assert ids("He has no friends in his new class and is isolated at break.").get("isolated_child") is False
    assert ids("No concerns about drugs, alcohol or feeling isolated.").get("isolated_child") is True


# Sentences the practitioner trial still misread (issue 15), in fresh words: what each must not be read as, and
# what it must still be read as (never lose a true reading while removing a false one).
TRIAL_MISREADINGS = [
    ("In PSHE this week we studied knife crime and county lines.", {"carrying_weapon"}, set(), False),
    ("He was fuming and said he could kill the ref after the penalty.", {"immediate_danger_now"}, set(), False),
    ("Mum says there is no family round here, isolated since the move.", {"isolated_child"}, set(), False),
    (
        "Police made contact with mum on Friday, dad hit her in front of the kids.",
        {"physical_abuse_disclosure", "harsh_physical_punishment"},
        {"domestic_abuse_current"},
        False,
    ),
    ("He slipped and cut his knee on the tennis court.", {"single_self_harm"}, set(), False),
    ("Dad burnt the toast and the smoke alarm went off.", {"missing_episode"}, set(), False),
    ("Their electricity has been cut off since Friday.", {"single_self_harm"}, {"home_conditions_poor"}, False),
    ("The gas is cut off again.", {"single_self_harm"}, {"home_conditions_poor"}, False),
    (
        "A 15 year old sent her form tutor a photo of a heap of pills.",
        {"allegation_against_professional"},
        {"suicide_plan_now"},
        True,
    ),
]


@pytest.mark.parametrize(("text", "not_read", "still_read", "danger"), TRIAL_MISREADINGS)
def test_the_trials_misreadings_are_read_as_what_they_are(
    content: Content, text: str, not_read: set[str], still_read: set[str], danger: bool
) -> None:
    result = triage(content, text)
    read = {i.id for i in result.indicators if not i.negated}
    assert not read & not_read, [(i.id, i.evidence) for i in result.indicators]
    assert still_read <= read
    assert result.immediate_danger is danger


@pytest.mark.parametrize(
    ("text", "indicator"),
    [
        ("Dad hit him in front of the kids.", "physical_abuse_disclosure"),  # a child hit in front of the others
        ("Mum hit him in front of the kids.", "physical_abuse_disclosure"),
        ("She has cuts on her knee and says she did it herself.", "single_self_harm"),  # her own doing: not a fall
        ("She cut her knees again with a razor.", "single_self_harm"),
        ("He said he would kill her tonight.", "immediate_danger_now"),  # a threat to a person, not the ref
        ("Dad said he could kill the kids.", "immediate_danger_now"),
        ("He studied the knife in his bag, then threatened the boy with it.", "carrying_weapon"),  # not a lesson
        ("He went off with two older men last night and has not come back.", "cse_risk"),
        ("The PE teacher took photos of her in the changing room.", "allegation_against_professional"),
        ("He has no friends in his new class and is isolated at break.", "isolated_child"),
    ],
)
def test_the_trial_fixes_keep_the_true_readings(content: Content, text: str, indicator: str) -> None:
    read = {i.id for i in triage(content, text).indicators if not i.negated}
    assert indicator in read, read


def test_a_harm_word_in_an_everyday_phrase_still_counts_in_a_longer_harm(content: Content) -> None:
    # "cut off" is everyday; "cut herself" on the same words is not set aside.
    assert "single_self_harm" in {i.id for i in triage(content, "She cut herself again after the row.").indicators}
    cooking = triage(content, "Dad was chopping onions when he held the knife to mum's throat.")
    assert cooking.suggested_level == 4  # a knife with a threat is never cookery
    assert triage(content, "In PSHE he told me that his brother carries a knife.").suggested_level == 4


@pytest.mark.parametrize(
    "text",
    [
        "In the assembly on healthy relationships she wrote a poem about her stepdad hurting her.",
        "After the lesson on consent she said her uncle touches her.",
        "She wrote in her diary about her dad hitting her.",
    ],
)
def test_a_topic_of_study_never_hides_what_a_child_tells_or_writes(content: Content, text: str) -> None:
    assert triage(content, text).suggested_level == 4


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("Dad gave him a smack on the hand, no marks.", 2),  # ordinary smacking, lawful in England: not an injury
        ("Mum said she gave her a smack on the hand and there were no marks.", 2),
        ("Dad gave her a smack on the hand, no marks. She is 8 months old.", 4),  # a baby hit at all: still 4
        ("There is a hand mark on his face.", 4),  # the phrase without a negator inside still reads
        ("The explanation does not fit the injury.", 4),  # a phrase with a negator of its own still reads
    ],
)
def test_a_negator_between_a_phrases_words_parts_them(content: Content, text: str, level: int) -> None:
    result = triage(content, text)
    assert result.suggested_level == level, [(i.id, i.evidence) for i in result.indicators]
    if level == 2:
        assert "nai_injury" not in {i.id for i in result.indicators}
