"""Free-text triage on the real content: the project's own cases (tests/cases/triage/development.yaml) and the mechanics."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from app.core.language.text import ages_in_months, attendance_percent, normalise, stem, tokenise
from app.core.models import Content
from app.core.triage import prefill_answers, triage

CASES = yaml.safe_load((Path(__file__).parent.parent / "cases" / "triage" / "development.yaml").read_text())["cases"]


def _param(case: dict) -> object:
    # A known miss is a strict xfail: the test fails loudly once the triage (or a rule) starts agreeing.
    marks = [pytest.mark.xfail(reason=case["known_miss"], strict=True)] if "known_miss" in case else []
    return pytest.param(case, id=case["id"], marks=marks)


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_case_level_is_accepted(content: Content, case: dict) -> None:
    result = triage(content, case["text"])
    assert result.suggested_level in case["accept"], [(i.id, i.evidence, i.negated) for i in result.indicators]
    if case.get("immediate_danger"):
        assert result.immediate_danger
        assert result.routes[0].id == "police_999"


def test_accuracy_on_own_cases(content: Content, capsys: pytest.CaptureFixture[str]) -> None:
    accepted = sum(triage(content, c["text"]).suggested_level in c["accept"] for c in CASES)
    with capsys.disabled():
        print(f"\ntriage accuracy on tests/cases/triage/development.yaml: {accepted}/{len(CASES)}")
    assert len(CASES) >= 40
    assert accepted / len(CASES) >= 0.9


# --- Mechanics ----------------------------------------------------------------------------------


def _ids(content: Content, text: str, **flags: bool) -> set[str]:
    result = triage(content, text)
    return {i.id for i in result.indicators if all(getattr(i, k) == v for k, v in flags.items())}


def test_evidence_shows_the_words_that_matched(content: Content) -> None:
    result = triage(content, "He has a black eye and bruising on his arm.")
    nai = next(i for i in result.indicators if i.id == "nai_injury")
    assert "black eye" in nai.evidence
    assert any(e.startswith("bruising") for e in nai.evidence)


def test_negation_reads_absence(content: Content) -> None:
    ids = _ids(content, "No signs of neglect and she denies any self harm.", negated=True)
    assert {"neglect_concerns", "single_self_harm"} <= ids
    result = triage(content, "No signs of neglect and she denies any self harm.")
    assert result.suggested_level is None


def test_negation_does_not_cross_a_clause(content: Content) -> None:
    ids = _ids(content, "No concerns about school, but he has a bruise on his face.", negated=False)
    assert "nai_injury" in ids


def test_history_weighs_less_and_says_what_would_settle_it(content: Content) -> None:
    now = triage(content, "Dad hits mum.")
    past = triage(content, "Dad hit mum in the past.")
    assert now.suggested_level == 4
    assert past.suggested_level is not None and past.suggested_level < 4
    assert any(i.historic for i in past.indicators)
    assert past.settle


def test_abbreviations_are_expanded(content: Content) -> None:
    assert "cse_risk" in _ids(content, "Worried about CSE.")
    assert "domestic_abuse_current" in _ids(content, "Ongoing DV at home.")
    assert "domestic_abuse_current" not in _ids(content, "She went to see da film.")


def test_inflections_and_spelling_variants(content: Content) -> None:
    assert stem("bruised") == stem("bruising") == stem("bruises") == stem("bruise")
    assert [t.word for t in tokenise("behavior")] == ["behaviour"]


def test_numbers_ages_and_stages() -> None:
    assert attendance_percent(normalise("Attendance has dropped to 87% this term")) == 87
    assert attendance_percent(normalise("attendance is 60 per cent")) == 60
    assert attendance_percent(normalise("87% of the time she is happy")) is None
    assert min(ages_in_months(normalise("an 8 week old baby"))) < 3
    assert ages_in_months(normalise("Year 9 pupil")) == [156]


def test_attendance_figure_maps_to_the_band(content: Content) -> None:
    assert "attendance_below_90" in _ids(content, "Attendance 87%.")
    assert "attendance_below_90" not in _ids(content, "Attendance 97%.")


def test_age_turns_a_bruise_into_a_baby_injury(content: Content) -> None:
    assert "unexplained_injury_baby" in _ids(content, "3 month old with a bruise on her cheek.")
    assert "unexplained_injury_baby" not in _ids(content, "9 year old with a bruise on her knee.")


def test_frequency_makes_missing_repeated(content: Content) -> None:
    assert "missing_repeated" in _ids(content, "She went missing overnight three times this month.")


def test_identifying_details_are_removed_first(content: Content) -> None:
    result = triage(content, "Kai Smith (12) at 14 Acacia Avenue WA1 2NH, mum on 07700 900123, went missing again.")
    assert "Kai" not in result.redacted_text and "07700" not in result.redacted_text
    assert "WA1" not in result.redacted_text and "Acacia" not in result.redacted_text
    assert all("Kai" not in e for i in result.indicators for e in i.evidence)


def test_allegation_against_staff_routes_to_lado(content: Content) -> None:
    result = triage(content, "Allegation against a teacher who grabbed a pupil by the throat.")
    assert "lado" in {r.id for r in result.routes}


def test_immediate_danger_puts_999_first(content: Content) -> None:
    result = triage(content, "Child is home alone tonight, no adult at home.")
    assert result.immediate_danger
    assert [r.id for r in result.routes][:2] == ["police_999", "mash_referral"]


def test_nothing_recognised_gives_no_level_and_guidance(content: Content) -> None:
    result = triage(content, "xkcd blorp fnarg")
    assert result.suggested_level is None
    assert result.guidance and "guided questions" in result.guidance
    assert any(q.id for q in result.follow_up_questions)


def test_follow_up_always_includes_the_immediate_danger_questions(content: Content) -> None:
    danger = [q.id for q in content.assessment.questions if q.section == "immediate_danger"]
    result = triage(content, "Year 8 girl, attendance 85%.")
    assert [q.id for q in result.follow_up_questions][: len(danger)] == danger


def test_prefill_maps_current_indicators_to_answers(content: Content) -> None:
    result = triage(content, "Attendance 85% and she is being bullied. No self harm.")
    answers = prefill_answers(content, result)
    recognised = {i.id for i in result.indicators if not i.negated}
    for question_id, value in answers.items():
        question = content.question(question_id)
        assert question is not None
        produced = question.indicators_for(value)
        assert set(produced) & recognised
    assert not any("self_harm" in i for q, v in answers.items() for i in content.question(q).indicators_for(v))


def test_a_harm_happening_now_reads_as_immediate_danger(content: Content) -> None:
    later = triage(content, "Dad hit her last week.")
    now = triage(content, "Dad hit her and she is at home with him now.")
    assert not later.immediate_danger
    assert now.immediate_danger and now.routes[0].id == "police_999"


def test_a_past_disclosure_of_abuse_still_counts(content: Content) -> None:
    result = triage(content, "She told me she was sexually abused by a neighbour last year.")
    assert result.suggested_level == 4
    assert not any(i.historic for i in result.indicators if i.id.startswith("sexual_abuse"))


def test_any_role_working_with_children_reads_as_staff(content: Content) -> None:
    for role in ("teaching assistant", "football coach", "childminder"):
        result = triage(content, f"The {role} slapped a child.")
        assert "allegation_against_professional" in {i.id for i in result.indicators}, role
        assert "lado" in {r.id for r in result.routes}


FloorRow = tuple[str, int, int, int, int]
# Files in tests/cases/triage/, named by purpose; *_tuned sets were tuned on, *_check sets were run once and must
# not be tuned on (old names: bench/README.md). Each set was blind when written; most were tuned on afterwards, so
# they keep floors, raised as the triage improves and never lowered: (file, accepted at least, level-4
# under-triaged, immediate dangers missed, false alarms at most). First runs, before any tuning:
# short_all_levels_tuned 42/62, hard_readings_tuned 19/40, immediate_danger_tuned 15/25 dangers (6 false alarms),
# immediate_danger_check 24/30 (danger 10/15), practitioner_notes_tuned 35/60 (7 level-4 under, danger 8/12),
# practitioner_notes_lightly_tuned 37/60 (danger 11/15, 5 false alarms; two general fixes were drawn from its misses:
# "adult social care" and a denied service. A third, a logged clock time read as today, raised false alarms on the
# hold-outs and was taken out).
FLOORS: list[FloorRow] = [
    # the false alarm: a bruise on a non-mobile baby, 999 by the content's rule
    ("short_all_levels_tuned.yaml", 55, 1, 0, 1),
    ("short_all_levels_check.yaml", 29, 0, 0, 0),
    ("hard_readings_tuned.yaml", 35, 1, 0, 0),
    ("hard_readings_check.yaml", 29, 0, 0, 1),
    ("immediate_danger_tuned.yaml", 45, 0, 1, 1),
    ("immediate_danger_check.yaml", 29, 0, 0, 0),
    ("practitioner_notes_tuned.yaml", 54, 1, 1, 2),
    # 38 -> 40: negator + light verb word for word, no UASC from 'no adult'
    ("practitioner_notes_lightly_tuned.yaml", 40, 4, 4, 4),
]


@pytest.mark.parametrize(("name", "accepted_at_least", "max_under4", "max_missed", "max_false_alarms"), FLOORS)
def test_floors_on_the_case_sets(
    content: Content, name: str, accepted_at_least: int, max_under4: int, max_missed: int, max_false_alarms: int
) -> None:
    cases = yaml.safe_load((Path(__file__).parent.parent / "cases" / "triage" / name).read_text())["cases"]
    results = [(case, triage(content, case["text"])) for case in cases]
    accepted = sum(r.suggested_level in c["accept"] for c, r in results)
    under4 = [c["id"] for c, r in results if min(c["accept"]) == 4 and (r.suggested_level or 0) < 4]
    missed = [c["id"] for c, r in results if c.get("immediate_danger") and not r.immediate_danger]
    false_alarms = [c["id"] for c, r in results if r.immediate_danger and not c.get("immediate_danger")]
    assert accepted >= accepted_at_least, f"{accepted}/{len(cases)}"
    assert len(under4) <= max_under4, under4
    assert len(missed) <= max_missed, missed
    assert len(false_alarms) <= max_false_alarms, false_alarms


# --- The training corpus: many more descriptions, written in other words -------------------------

TRAINING = yaml.safe_load((Path(__file__).parent.parent / "cases" / "triage" / "training.yaml").read_text())["cases"]


def test_accuracy_on_the_training_corpus(content: Content, capsys: pytest.CaptureFixture[str]) -> None:
    """Floors for tests/cases/triage/training.yaml. Zero misses is the aim; one case (a baby heard crying behind a door,
    the mother gone for hours) is still read as nothing, so the floors allow one level-4 and one danger miss."""
    results = [(case, triage(content, case["text"])) for case in TRAINING]
    accepted = sum(r.suggested_level in c["accept"] for c, r in results)
    under4 = [c["id"] for c, r in results if min(c["accept"]) == 4 and (r.suggested_level or 0) < 4]
    dangers = [c for c, _ in results if c.get("immediate_danger")]
    missed = [c["id"] for c, r in results if c.get("immediate_danger") and not r.immediate_danger]
    false_alarms = sum(r.immediate_danger and not c.get("immediate_danger") for c, r in results)
    with capsys.disabled():
        print(
            f"\ntriage on tests/cases/triage/training.yaml: {accepted}/{len(TRAINING)} accepted, "
            f"level-4 under-triaged {len(under4)}, immediate danger {len(dangers) - len(missed)}/{len(dangers)} "
            f"(false alarms {false_alarms})"
        )
    assert len(TRAINING) >= 150
    assert accepted / len(TRAINING) >= 0.9
    assert len(under4) <= 1, under4
    assert (len(dangers) - len(missed)) / len(dangers) >= 0.95, missed


def test_immediacy_reads_time_words_but_not_the_time_of_telling(content: Content) -> None:
    assert triage(content, "She says her stepdad hits her and she is going home to him tonight.").immediate_danger
    assert triage(content, "Boy of 12 has a knife in his bag right now.").immediate_danger
    assert not triage(content, "Pupil told me this morning that his dad hits him.").immediate_danger
    assert not triage(content, "Dad hits him on Mondays.").immediate_danger
    assert not triage(content, "His dad hits him but he is not in immediate danger tonight.").immediate_danger


def test_negation_covers_a_list(content: Content) -> None:
    ids = _ids(content, "No concerns about drugs, alcohol or exploitation.", negated=True)
    assert "cse_risk" in ids
    assert triage(content, "No concerns about drugs, alcohol or exploitation.").suggested_level == 1


def test_clinical_ages_and_an_adult_partner(content: Content) -> None:
    assert ages_in_months(normalise("baby 6/12")) == [6.0]
    assert "unexplained_injury_baby" in _ids(content, "Baby 4/12 has a bruise on his ear.")
    assert "pregnant_by_adult" in _ids(content, "15yo girl seeing a 32 year old boyfriend.")
    assert "pregnant_by_adult" not in _ids(content, "15yo girl seeing her 16 year old boyfriend.")


# --- Round 2: immediacy by strength, ages, who did what, situations --------------------------------


def test_a_time_that_dates_a_harm_is_not_danger_but_exposure_is(content: Content) -> None:
    dated = "A pupil told me his stepdad hit him with a belt last night and he has marks on his legs."
    result = triage(content, dated)
    assert result.suggested_level == 4 and not result.immediate_danger
    assert triage(content, dated + " Stepdad is picking him up after school.").immediate_danger
    # A just-past time does say danger for harms that go on: a child still missing, a recent overdose.
    assert triage(content, "11 year old did not come home last night, phone off.").immediate_danger
    assert triage(content, "She took an overdose of paracetamol two hours ago.").immediate_danger
    # An immediacy word far from the harm is not enough: "collects" is about a routine.
    far = "Grandad is on the sex offenders register. He drops in at weekends. Mum collects the kids from school."
    assert not triage(content, far).immediate_danger


def test_a_harm_in_progress_is_immediate(content: Content) -> None:
    result = triage(content, "Her partner is waving a knife around in the kitchen and the kids are upstairs.")
    assert result.immediate_danger
    assert {"knife", "is waving"} <= set(next(i for i in result.indicators if i.id == "immediate_danger_now").evidence)
    assert not triage(content, "Her ex waved a knife at her two years ago; no contact since.").immediate_danger


def test_left_alone_is_about_young_children(content: Content) -> None:
    older = triage(content, "16 year old has been left alone in the flat for a week while mum is away.")
    ids = {i.id for i in older.indicators}
    assert "left_alone_unsafe" not in ids and "neglect_concerns" in ids
    assert not older.immediate_danger
    assert triage(content, "4 year old left alone in the flat while mum went out.").immediate_danger
    # With no age given, the reading about a young child stands (never understate).
    assert triage(content, "The children were left alone in the flat overnight.").immediate_danger


def test_a_childs_own_drinking_is_not_a_parents(content: Content) -> None:
    ids = _ids(content, "14 year old drinking at weekends with friends, came home drunk once, parents setting limits.")
    assert "parent_substance_significant" not in ids and "underage_experimentation" in ids
    assert "parent_substance_significant" in _ids(content, "Mum was drunk and slurring when the parents came in.")


def test_an_abbreviation_is_not_split_between_phrases(content: Content) -> None:
    # CAMHS expands to "child and adolescent ..."; "harming ... child" must not read as "harm the children".
    result = triage(content, "His sister has been self harming and is under CAMHS. He is finding home stressful.")
    assert "immediate_danger_now" not in {i.id for i in result.indicators}
    assert not result.immediate_danger


def test_situations_that_imply_danger_without_a_harm_word(content: Content) -> None:
    assert triage(content, "13 year old was thrown out by dad and has nowhere to sleep tonight.").immediate_danger
    assert triage(
        content, "Mum is so drunk she cannot stand and she is the only one looking after the baby."
    ).immediate_danger
    assert triage(content, "She messaged a friend that she won't be alive tomorrow.").immediate_danger
    assert triage(content, "Three children aged 2, 4 and 6 on their own in the house since yesterday.").immediate_danger


# --- Round 3: negatives that are the harm, scenes, roles, explained injuries ------------------------------


def test_a_negative_that_is_the_harm_is_not_a_denial(content: Content) -> None:
    bleeding = triage(content, "He cut his arm and it won't stop bleeding.")
    assert "injury_needs_treatment_now" in {i.id for i in bleeding.indicators if not i.negated}
    assert bleeding.immediate_danger
    assert "neglect_concerns" in _ids(content, "The toddler has not been fed, no food in the house.", negated=False)
    # A denial still negates, and a positive indicator stays negated by a harmful negative.
    assert triage(content, "No marks seen and he denies being hurt.").suggested_level is None
    assert "safe_supervision" not in _ids(content, "She says she is not safe at home.", negated=False)


def test_scenes_of_danger_without_a_harm_word(content: Content) -> None:
    assert triage(content, "A toddler is standing on the window ledge of the flat upstairs.").immediate_danger
    assert triage(content, "The 5 year old rang to say mummy won't wake up.").immediate_danger
    assert triage(content, "A baby has been crying for hours in the flat and nobody answers the door.").immediate_danger
    assert not triage(content, "Mum finds it hard to wake him up for school.").immediate_danger
    assert not triage(content, "Baby cries a lot in the evenings; mum is tired but coping.").immediate_danger


def test_staff_in_other_roles_route_to_the_lado(content: Content) -> None:
    for text in (
        "The dinner lady dragged a reception child across the hall.",
        "The minibus driver has been texting a 13 year old girl at night.",
        "Nursery practitioner smacking a toddler's legs.",
    ):
        result = triage(content, text)
        # Issue 14: the allegation goes to the LADO (with advice from the MASH); on its own it is not a MASH referral.
        assert result.suggested_level == 3, text
        routes = {r.id for r in result.routes}
        assert "lado" in routes and "consult_mash" in routes and "mash_referral" not in routes, text
    assert "allegation_against_professional" not in _ids(content, "The teacher texted mum about the trip.")


def test_an_injury_explained_by_sport_in_the_same_sentence_is_set_aside(content: Content) -> None:
    assert "nai_injury" not in _ids(content, "Bruise on his shin from football at the weekend.")
    assert "nai_injury" in _ids(content, "Bruise on his shin, says he doesn't know how.")


def test_living_independently_at_17_is_not_being_left_alone(content: Content) -> None:
    result = triage(content, "17 year old lives on her own in a council flat and pays her bills.")
    assert not {"left_alone_unsafe", "neglect_concerns"} & {i.id for i in result.indicators}


def test_missing_twice_this_month_is_repeated(content: Content) -> None:
    assert "missing_repeated" in _ids(content, "14 year old has been missing twice this month.")


# --- Round 4: immediate danger, recall and precision ----------------------------------------------


def test_a_red_flag_made_safe_is_level_4_but_not_immediate_danger(content: Content) -> None:
    handled = [
        "The 3 month old with an unexplained fracture is on the children's ward; police and social care are involved.",
        "A 2 year old was left alone in the flat for an hour last month while mum went to the shop.",
        "The children were taken into police protection last night after being found alone at home.",
    ]
    for text in handled:
        result = triage(content, text)
        assert result.suggested_level == 4, text
        assert not result.immediate_danger, text
        assert any(i.historic and "made safe" in (i.note or "") for i in result.indicators), text


def test_made_safe_words_about_someone_else_or_undone_do_not_count(content: Content) -> None:
    # Mum is in hospital, not the children; the baby is about to leave the safe place; the order is being breached.
    assert triage(
        content, "Mum has been admitted to hospital and the 3 and 5 year old are at home alone."
    ).immediate_danger
    assert triage(
        content, "Infant 3/12 admitted with an unexplained skull fracture, parents want to take him home."
    ).immediate_danger
    assert triage(
        content,
        "Dad has turned up at the school gate drunk, shouting he is taking the kids; there is a non-molestation order.",
    ).immediate_danger
    assert triage(content, "Toddler swallowed some of dad's methadone and was rushed to hospital.").suggested_level == 4


def test_time_words_that_run_up_to_now(content: Content) -> None:
    assert triage(
        content, "A baby has been screaming in the flat next door for the past two hours and nobody answers."
    ).immediate_danger
    assert triage(
        content, "14 year old has not come home since Friday, seen getting into cars with older men."
    ).immediate_danger
    assert triage(
        content, "Mum's partner punched her and he is now kicking the car with the kids inside."
    ).immediate_danger
    assert not triage(
        content, "Missing for a few hours one evening, home by 10pm, first time it has happened."
    ).immediate_danger


def test_overdose_taken_now_and_threats_to_take_the_children(content: Content) -> None:
    assert triage(
        content, "He told me at break that he has swallowed a whole packet of sleeping tablets."
    ).immediate_danger
    assert triage(
        content, "She sent a photo of a pile of pills to her tutor saying sorry for everything."
    ).immediate_danger
    assert triage(content, "Dad posted that he will end it all and take the kids with him.").immediate_danger
    assert not triage(content, "Dad threatened to take the kids abroad if mum reports him.").immediate_danger
    assert not triage(
        content, "Boy took an overdose two weeks ago, was treated in hospital and is home with CAMHS support."
    ).immediate_danger


def test_a_habit_with_nothing_happening_now_is_not_immediate(content: Content) -> None:
    result = triage(content, "Children aged 2 and 4 often found wandering the estate unsupervised.")
    assert result.suggested_level == 4 and not result.immediate_danger
    # "weekly" is a habit word, "week" is not: a flight next week stays imminent.
    assert triage(content, "16 year old is being flown abroad next week to marry her cousin.").immediate_danger


def test_a_diagnosed_fracture_or_burn_is_level_4_without_a_now(content: Content) -> None:
    result = triage(
        content, "Young person has a fracture of the wrist which is inconsistent with the explanation given."
    )
    assert result.suggested_level == 4 and not result.immediate_danger
    assert triage(content, "Six week old brought to A&E with a broken arm, parents cannot say how.").immediate_danger
    assert triage(content, "2yo has burns on both feet, mum vague about how, child in a lot of pain.").immediate_danger


def test_a_threat_to_harm_the_baby_and_a_suicide_plan(content: Content) -> None:
    assert triage(content, "Mum says she can't cope and will hurt the baby if nobody helps her.").immediate_danger
    assert triage(content, "He told me he wants to die and has a plan to hang himself.").immediate_danger
    assert not triage(
        content, "He sometimes wants to die but has no plan and has a safety plan with CAMHS."
    ).immediate_danger


def test_a_carer_back_ends_left_alone_and_a_habit_verb_is_not_now(content: Content) -> None:
    back = triage(content, "HV found the 7 month old home alone this morning; mum arrived 10 minutes later.")
    assert back.suggested_level == 4 and not back.immediate_danger
    assert triage(content, "The 7 month old is home alone and mum cannot be reached.").immediate_danger
    # Simple present and "keeps" describe what usually happens; "when she gets home" is about today.
    assert not triage(
        content, "Grandad, on the sex offenders register, has been collecting the kids from school."
    ).immediate_danger
    assert not triage(content, "Mum is drunk most evenings and the children are alone with her.").immediate_danger
    assert triage(
        content, "13yo disclosed her uncle, who lives with them, abuses her. He'll be there when she gets home."
    ).immediate_danger


def test_a_weapon_at_the_door_and_means_with_intent(content: Content) -> None:
    assert triage(content, "Dad is outside the school with a baseball bat shouting for his son.").immediate_danger
    assert triage(
        content, "Her 13 year old has locked herself in her room with a belt and says she wants to die."
    ).immediate_danger
    assert not triage(
        content, "Boy was excluded today for carrying a knife in school; it was confiscated."
    ).immediate_danger


def test_round_4_recall_for_scenes_others_write(content: Content) -> None:
    danger = [
        "Nursery worker saw a parent shaking a baby violently in the car park.",
        "The child's mother has just been stabbed by her partner in the flat, the children are there.",
        "14 year old boy was stabbed this afternoon and is refusing to go to hospital.",
        "Young person has gone missing from the children's home and is believed to be with a man who exploits her.",
        "Baby of 5 weeks has a bruise on her chest that nobody can explain.",
        "Mum's partner regularly beats her. He is at home with the children now.",
    ]
    for text in danger:
        assert triage(content, text).immediate_danger, text
    past = triage(content, "Mum was drunk and passed out on Friday night while caring for the 18 month old.")
    assert past.suggested_level == 4 and not past.immediate_danger
    # A date on a disclosure dates the telling; the abuser still has access.
    assert triage(
        content, "She disclosed last week that her stepdad touches her at night; he still lives with them."
    ).immediate_danger


def test_ages_with_the_unit_after_the_number() -> None:
    assert ages_in_months(normalise("baby aged 5 weeks")) == [pytest.approx(60 / 52)]
    assert ages_in_months(normalise("baby of 3 months has a bruise")) == [3.0]
    assert 84.0 in ages_in_months(normalise("boy aged 7"))


def test_today_is_danger_only_for_harms_acute_today(content: Content) -> None:
    # A bruise noticed today is a same-day referral; an assault this afternoon or a carer drunk now is not.
    assert not triage(content, "She has a bruise on her arm today and says dad grabbed her.").immediate_danger
    assert triage(
        content, "Girl 12 told police she was sexually assaulted by a man in the park this afternoon."
    ).immediate_danger
    assert triage(
        content, "Mum's partner strangled her this morning and is waiting at home for her and the kids."
    ).immediate_danger


# --- Round 5: scenes, ages that matter, everyday needs ------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        # A carer who is on the floor and will not answer leaves a child without a safe adult.
        "The 8 year old rang us because his dad is lying on the kitchen floor and will not answer him.",
        # A weapon with a break-in, a limp baby, a child taken in a car minutes ago, a goodbye from a height.
        "Her ex has a knife and is trying to break the door down; the children are inside.",
        "The 6 week old is limp and very hard to rouse.",
        "A 14 year old got into a car with two adult men outside the park twenty minutes ago.",
        "She sent her friend a photo from the roof of the multi storey saying goodbye.",
    ],
)
def test_round_5_scenes_are_immediate_danger(content: Content, text: str) -> None:
    assert triage(content, text).immediate_danger, [(i.id, i.evidence) for i in triage(content, text).indicators]


@pytest.mark.parametrize(
    "text",
    [
        "Mum does not answer the phone when school rings about his attendance.",  # not a carer collapsed
        "Dad has walked with a limp since his accident.",  # a limp, not a limp baby
        "Mum finds it hard to wake him up for school.",
        "The 15 year old stays out late and has a new older friend.",  # no minutes-ago harm
    ],
)
def test_round_5_look_alikes_are_not_immediate_danger(content: Content, text: str) -> None:
    assert not triage(content, text).immediate_danger


# Ages that matter, everyday needs and concept groups.
ROUND_5_READINGS: list[tuple[str, str, bool]] = [
    # A 16 or 17 year old's partner a little older is not an adult partner; a much older one, or any adult
    # partner of a child under 16, is.
    ("17 year old lives with her 19 year old boyfriend.", "pregnant_by_adult", False),
    ("16 year old is seeing a 24 year old boyfriend.", "pregnant_by_adult", True),
    ("15 year old is seeing an 18 year old boyfriend.", "pregnant_by_adult", True),
    # Staying home alone at 16 or 17 is ordinary; being left for days by a carer is not.
    ("Her 17 year old stays home alone when mum works nights.", "neglect_concerns", False),
    ("The 16 year old was left alone in the flat for a week.", "neglect_concerns", True),
    # Everyday needs and concept groups that name a need without a concern word.
    ("Grandad died last month and she has been tearful.", "low_level_emotional", True),
    ("He is late for school most mornings.", "poor_punctuality", True),
    ("The 15 year old stays out late at weekends.", "poor_punctuality", False),
    ("Her uncle plays a tickling game under her covers.", "sexual_abuse_suspected", True),
    ("Mum's new partner was convicted of offences against children.", "person_posing_risk", True),
    ("Dad has convictions for shoplifting.", "person_posing_risk", False),
    ("11 year old has been messaging older men she met on snapchat.", "exploitation_warning_signs", True),
    ("Boy off for a week with chickenpox, mum rang in every day.", "ordinary_needs_met", True),
    ("Money is tight since dad was made redundant.", "financial_hardship", True),
    ("Mum is in hospital for an operation and nan is looking after them.", "parental_mental_health", False),
]


def test_ordinary_needs_give_level_1_and_nothing_recognised_stays_null(content: Content) -> None:
    assert triage(content, "Routine check up, teeth in good condition. Nothing else to note.").suggested_level == 1
    assert triage(content, "No signs of neglect and she denies any self harm.").suggested_level is None


@pytest.mark.parametrize(
    ("text", "danger"),
    [
        # How often is not when: "three times this week", "twice today" with a where-cue ("school gates").
        (
            "Girl 13 has been seen getting into cars with men in their 20s outside the school gates three times this week.",
            False,
        ),
        # A weekday is a date unless the sentence speaks of the future; "going round" is not "going to".
        ("At a party on Saturday a boy forced her into sex and now a video of it is going round.", False),
        ("Her dad is going to take her to the clinic on Saturday to be cut.", True),
        # A practitioner at the scene: "outside now", "the only adult there" put a harm in the present.
        (
            "Dad is drunk and slurring. He is the only adult there with the 10 week old. I am outside the house now.",
            True,
        ),
        (
            "Found a cannabis farm in the loft and a 15 year old boy sleeping beside the plants. We are outside now.",
            True,
        ),
    ],
)
def test_round_5_how_often_and_when(content: Content, text: str, danger: bool) -> None:
    result = triage(content, text)
    assert result.suggested_level == 4, [(i.id, i.evidence) for i in result.indicators]
    assert result.immediate_danger is danger


# Checklist answers, word senses and ages in longer notes.
LONGER_NOTE_READINGS: list[tuple[str, str, bool]] = [
    # A checklist answer after the topic negates it.
    ("Routine enquiry about DV done alone - no.", "domestic_abuse_current", False),
    ("Asked about DV: none.", "domestic_abuse_current", False),
    # "biting" is not "a bit".
    ("His reading is a bit behind some of the others.", "low_level_behaviour", False),
    # A young child's age does not make the mother under 18.
    ("Booking at 12/40, lives with her husband and their 4 yr old.", "pregnant_under_18", False),
    ("15 year old is 12 weeks pregnant.", "pregnant_under_18", True),
    # Staff messages reported by a parent still go to the LADO.
    (
        "A parent showed us Snapchat messages a teaching assistant sent her son late at night.",
        "allegation_against_professional",
        True,
    ),
    # A mother's partner is a carer in the phrases about parents.
    ("Mum's partner is drinking most nights.", "parent_substance_some_impact", True),
    # Cutting in self-harm is not FGM; parents abroad with a child left here is private fostering.
    ("Y8 girl has been cutting her forearms when stressed.", "fgm_risk_factors", False),
    (
        "The 13 year old came from abroad and her parents are still there; she stays with a family friend.",
        "private_fostering",
        True,
    ),
    ("He went abroad on holiday with his mum and dad.", "private_fostering", False),
    ("Sextortion: someone he met on a game got a pic and is demanding money.", "online_grooming", True),
]


@pytest.mark.parametrize(
    "text",
    [
        # Scenes with no harm word: a small child outside in the cold, a child taken, a threat of fire, a carer
        # shut in with the children, someone forcing a way in, a stranger luring, a child unaccounted for, a
        # toddler who has put drugs in his mouth, a parent who sees the children dead with her.
        "The two little ones are out in the garden in their nappies and it is freezing.",
        "Her ex snatched the baby from the pram.",
        "Dad is threatening to set fire to the flat with the children inside.",
        "Mum has barricaded herself in with the kids and will not open the door.",
        "Her mum's boyfriend is trying to get in through the window and she is terrified.",
        "A man is at the school gate right now offering the girls sweets to get in his van.",
        "She has not arrived at school and has gone missing with older men before.",
        "The 2 year old put some white powder from the table in his mouth.",
        "Mum texted that she can't do this anymore and the kids will be better off with her in heaven.",
    ],
)
def test_round_5_more_scenes_are_immediate_danger(content: Content, text: str) -> None:
    result = triage(content, text)
    assert result.immediate_danger, [(i.id, i.evidence) for i in result.indicators]


@pytest.mark.parametrize(
    "text",
    [
        "14 year old found with cannabis in his pocket this morning; parents came in at once.",  # his own, not a parent's
        "Mum had a panic attack in the shop yesterday; her partner took over.",
        "He locks himself in his room when his sister shouts at him with her friends.",
        "The 16 year old self-harmed on Monday; the CAMHS team are seeing her tomorrow.",  # help arranged
        "She went to A&E after the overdose last week and is now with CAMHS.",
    ],
)
def test_round_5_look_alike_scenes_are_not_immediate_danger(content: Content, text: str) -> None:
    result = triage(content, text)
    assert not result.immediate_danger, [(i.id, i.evidence) for i in result.indicators]


def test_round_5_a_place_reached_is_safe_but_one_not_yet_reached_is_not(content: Content) -> None:
    went = triage(content, "Girl 14 took an overdose and went to A&E, she is on the ward now.")
    needs = triage(content, "Girl 14 took an overdose an hour ago and needs to go to A&E but refuses.")
    assert went.suggested_level == needs.suggested_level == 4
    assert not went.immediate_danger
    assert needs.immediate_danger


@pytest.mark.parametrize(
    ("text", "danger"),
    [
        # A hand-over back to the carer reaches two sentences: harm, what the child said, then who collects him.
        (
            "Y6 boy has a burn on his hand shaped like an iron. Says he can't tell or it will get worse. "
            "Dad is collecting him at 3.",
            True,
        ),
        # A carer still with the children after violence in front of the practitioner.
        (
            "Mum's partner punched the wall and hit her while I was there. I have left, he is still there with them.",
            True,
        ),
        # Placed somewhere safe but missing from it; came back is back.
        ("The 14 year old placed with foster carers has not been seen since yesterday and her phone is off.", True),
        ("K went missing again last night, the 4th time this month. Came back at 6am with cash.", False),
        # A goodbye that says the young person cannot go on; a weapon picked up with a threat to kill.
        ("She messaged her tutor at 11pm: I'm sorry, I can't do it anymore.", True),
        ("Dad picked up a kitchen knife and said he would kill everyone if the kids are taken.", True),
        # Young children on their own with no one there.
        ("Two children aged 3 and 5 on their own, the older one says mummy went out yesterday.", True),
    ],
)
def test_round_5_notes_in_several_sentences(content: Content, text: str, danger: bool) -> None:
    result = triage(content, text)
    assert result.suggested_level == 4, [(i.id, i.evidence) for i in result.indicators]
    assert result.immediate_danger is danger, [(i.id, i.evidence) for i in result.indicators]


def test_round_5_a_past_harm_reads_as_its_domains_past_indicator(content: Content) -> None:
    # Past DA with the abuser gone weighs as past DA (level 2 on its own), with the settle question kept.
    result = triage(content, "Mum told us there was DV from dad in the past; he left last year.")
    assert "da_past_no_current" in {i.id for i in result.indicators if not i.historic}
    assert any(i.id == "domestic_abuse_current" and i.historic for i in result.indicators)
    assert result.suggested_level == 2
    assert result.settle
    behaviour = "Behaviour has really escalated since Christmas. There was DV from dad in the past"
    assert triage(content, behaviour + ", he left last year.").suggested_level == 3  # not lifted as possible DA
    # With nothing to say the person has gone, past DA stays a possible current harm (never understate).
    assert triage(content, behaviour + ".").suggested_level == 4


# Who did what, and what happened, in longer notes.
WHO_AND_WHAT_READINGS: list[tuple[str, str, bool]] = [
    # "he" after "Mum says" is the boy named before, not mum.
    ("Y10 boy is at 62%. Mum says he won't get out of bed.", "parental_mental_health", False),
    ("Mum says she can't get out of bed most days.", "parental_mental_health", True),
    ("The 9 year old says his dad is drunk every night.", "parent_substance_some_impact", True),
    # A bare "at 62%" in a note about attendance is the attendance.
    ("Attendance officer. Y10 boy is at 62%.", "persistent_absence", True),
    ("He is at 62% in his maths test.", "persistent_absence", False),
    # An accident is not an assault.
    ("Mum hit her head on the cupboard and is in hospital overnight.", "domestic_abuse_current", False),
    ("Mum hit her head on the cupboard and is in hospital overnight.", "physical_abuse_disclosure", False),
]


@pytest.mark.parametrize(
    ("text", "danger"),
    [
        # Police attending, or the child sent home with a parent, deals with a weapon found this morning.
        (
            "A knife was found in a Year 9 boy's bag this morning; police attended and he was sent home with his dad.",
            False,
        ),
        ("A knife was found in a Year 9 boy's bag this morning and he is threatening to use it.", True),
        # A clause that describes someone ("who picks her up") is what he does, not today's plan.
        ("13 year old has an older boyfriend who picks her up in a car and she has been going missing.", False),
        (
            "13 year old says her older boyfriend picks her up in his car at 3 today and she has been going missing.",
            True,
        ),
    ],
)
def test_round_5_handled_and_described_are_not_now(content: Content, text: str, danger: bool) -> None:
    result = triage(content, text)
    assert result.suggested_level == 4
    assert result.immediate_danger is danger, [(i.id, i.evidence) for i in result.indicators]


@pytest.mark.parametrize(
    ("text", "indicator", "read"),
    [
        # A "sixth former" is a student: the "former" of the past does not make the plan historic.
        (
            "Sixth former texted her tutor a picture from the top of the railway bridge saying she's done.",
            "suicide_plan_now",
            True,
        ),
        # Young children left with an older sibling; a parent's cannabis, not a child's own.
        (
            "Mum sometimes leaves the 4 and 6 year old with their 12 year old sister in the evenings.",
            "supervision_lapses",
            True,
        ),
        ("Her brother left home last year.", "supervision_lapses", False),
        (
            "Grandad who lives with them smokes cannabis in the garden most evenings.",
            "parent_substance_some_impact",
            True,
        ),
        ("Lad 15 told me he smokes weed at weekends, mum has found it.", "parent_substance_some_impact", False),
    ],
)
def test_round_5_roles_siblings_and_whose_cannabis(content: Content, text: str, indicator: str, read: bool) -> None:
    assert (indicator in _ids(content, text, negated=False, historic=False)) is read


@pytest.mark.parametrize(
    ("text", "read"),
    [
        # An explanation in the next sentence sets an injury aside ...
        ("Bruise on his shin. Mum says he fell off his scooter at the park.", False),
        # ... unless the note doubts it, or the child is a baby who is not yet mobile.
        ("Bruise on his shin. Mum says he fell off his scooter but the story keeps changing.", True),
        ("Bruise on his arm. Dad says he fell over; the marks look like fingertips.", True),
        ("Bruise on the 4 month old's cheek. Mum says he fell off the sofa.", True),
        ("Bruise on his arm. Mum says he is fine.", True),  # no explanation given
        ("Baby has a bruise on his cheek, mum says he fell off the bed.", True),  # a baby, no age stated
        ("Bruises on his arms. Dad says he fell down the stairs.", True),  # a fall is not an explanation that fits
    ],
)
def test_round_5_an_explanation_in_the_next_sentence(content: Content, text: str, read: bool) -> None:
    assert ("nai_injury" in _ids(content, text, negated=False)) is read


def test_round_5_a_concern_the_note_explains_is_level_1_with_the_words_set_aside(content: Content) -> None:
    result = triage(content, "Bruise on his shin from football at the weekend, mum mentioned it at drop off.")
    assert result.suggested_level == 1
    assert result.guidance and "'Bruise'" in result.guidance and "explains" in result.guidance
    assert not result.immediate_danger
    # A denial is still not a level: nothing was recognised as present or explained.
    assert triage(content, "No signs of neglect and she denies any self harm.").suggested_level is None


# --- Session 3: numbers, services and logged times ---------------------------------------------------


def test_a_clock_time_or_decimal_does_not_end_a_sentence() -> None:
    sentences = {t.word: t.sentence for t in tokenise("PCSO, 01:10, car park. Aged 3.5. Next")}
    assert sentences["01"] == sentences["10"] == sentences["car"] == 0
    assert sentences["3"] == sentences["5"] == 1
    assert sentences["next"] == 2


# Services are not people or needs.
SERVICE_READINGS: list[tuple[str, str, bool]] = [
    # A negator before a need and a service denies the service, not the need.
    ("He cares for mum every day. No young carers support in place yet.", "young_carer_some_impact", True),
    ("No concerns about him being a young carer.", "young_carer_some_impact", False),
    # Adult social care is a service for adults, not an adult with the child.
    ("No adult social care package for mum either.", "left_alone_unsafe", False),
    ("The 3 year old was at home with no adult in the flat.", "left_alone_unsafe", True),
]


@pytest.mark.parametrize(
    ("text", "indicator", "read"), ROUND_5_READINGS + LONGER_NOTE_READINGS + WHO_AND_WHAT_READINGS + SERVICE_READINGS
)
def test_indicator_readings(content: Content, text: str, indicator: str, read: bool) -> None:
    assert (indicator in _ids(content, text, negated=False)) is read


# --- Issue 14, part B: the new threshold areas, and the look-alikes that must not read as them --------

NEW_AREA_READINGS: list[tuple[str, str, bool]] = [
    (
        "Police think the 15 year old was trafficked from Manchester to a flat in Liverpool.",
        "trafficking_modern_slavery",
        True,
    ),
    ("We are learning about slavery in history.", "trafficking_modern_slavery", False),
    (
        "Year 10 girl's nudes have been shared around school after she sent them to her boyfriend.",
        "nudes_shared_aggravated",
        True,
    ),
    (
        "Her controlling boyfriend checks her phone and will not let her see her friends.",
        "peer_relationship_abuse",
        True,
    ),
    # An adult's partner is domestic abuse, not abuse in a teenage relationship.
    ("Mum's controlling boyfriend shouts at the children.", "peer_relationship_abuse", False),
    ("The 15 year old was charged with robbery and refused bail.", "custody_needs_accommodation", True),
    ("He was held in police custody overnight after a fight.", "police_custody", True),
    # A family court's custody is not a police cell or a prison, and an adult's remand is not the child's.
    ("Parents are in a custody battle over the children.", "police_custody", False),
    ("Parents are in a custody battle over the children.", "parent_in_prison", False),
    ("Stepdad was arrested after the girls disclosed abuse; he has been remanded in custody.", "remanded", False),
    ("Dad was remanded in custody last week and the children are upset.", "parent_in_prison", True),
    ("The 16 year old was remanded to youth detention accommodation.", "remanded", True),
    ("She is a care leaver and has not seen her personal adviser since the summer.", "care_leaver", True),
    ("Her grandmother was in care as a child.", "care_leaver", False),
    (
        "Autistic 12 year old who is non verbal; mum ties him to his chair at meal times.",
        "disabled_child_restrictive_care",
        True,
    ),
    ("Mum rang: her 13 year old has locked herself in her room.", "disabled_child_restrictive_care", False),
    ("15 year old has not slept for days and is not eating or drinking.", "mental_health_crisis", True),
]


@pytest.mark.parametrize(("text", "indicator", "read"), NEW_AREA_READINGS)
def test_new_area_readings(content: Content, text: str, indicator: str, read: bool) -> None:
    assert (indicator in _ids(content, text, negated=False)) is read


@pytest.mark.parametrize(
    ("text", "route", "level"),
    [
        (
            "A 15 year old found working in a car wash for no pay; he owes money to the men who brought him.",
            "national_referral_mechanism",
            4,
        ),
        (
            "15 year old girl involved in county lines, found with drugs in another town.",
            "national_referral_mechanism",
            4,
        ),
        ("Year 10 girl's nudes have been shared around school.", "sharing_nudes", 4),
        ("The 15 year old was charged with robbery and refused bail.", "police_custody", 4),
        ("Disabled child, parents exhausted, no short breaks.", "disabled_children", 3),
        ("15 year old has not slept for days and is not eating or drinking.", "mental_health_crisis", 4),
    ],
)
def test_new_areas_bring_their_route(content: Content, text: str, route: str, level: int) -> None:
    result = triage(content, text)
    assert result.suggested_level == level
    assert route in {r.id for r in result.routes}
