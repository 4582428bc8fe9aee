"""Issue 14: the real content states the law and contacts in force in England now, cites public documents only,
and gives each area added in 0.2.0 a guided answer, a level and a specific next step."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import yaml

from app.config import REPO_ROOT
from app.content import content_files
from app.core import render, walks
from app.core.knowledge import ask
from app.core.models import Content
from app.core.triage import triage

# Names of internal working files that must never reach a practitioner as a source.
INTERNAL_SOURCE = re.compile(r"domain-digest|anchors\b|§|\.md\b|shared/reference|reference digest", re.IGNORECASE)


def _strings(node: Any, key: str = "") -> Iterator[tuple[str, str]]:
    """Every (key, string) in a YAML tree; list items carry their parent's key."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _strings(v, str(k))
    elif isinstance(node, list):
        for item in node:
            yield from _strings(item, key)
    elif isinstance(node, str):
        yield key, node


def _content_strings() -> Iterator[tuple[str, str, str]]:
    for path in content_files(REPO_ROOT):
        tree = yaml.safe_load(path.read_text(encoding="utf-8"))
        for key, text in _strings(tree):
            yield str(path.relative_to(REPO_ROOT)), key, text


def test_sources_cite_public_documents_not_internal_files() -> None:
    bad = [
        f"{path} {key}: {text[:90]}"
        for path, key, text in _content_strings()
        if key in {"source", "sources", "source_document"} and INTERNAL_SOURCE.search(text)
    ]
    assert not bad, "\n".join(bad)


def test_no_text_shown_to_practitioners_names_an_internal_file() -> None:
    bad = [f"{path} {key}: {text[:90]}" for path, key, text in _content_strings() if "domain-digest" in text]
    assert not bad, "\n".join(bad)


def test_the_caveat_says_call_999(content: Content) -> None:
    assert "call 999" in content.info.caveat
    assert "call 999" in content.info.safety_line


def test_working_together_2023_is_the_guidance_cited(content: Content) -> None:
    urls = {p.url for p in content.procedures.values()}
    assert "https://www.gov.uk/government/publications/working-together-to-safeguard-children--2" in urls
    assert not any("779401" in u or "2018" in u for u in urls), "a link to the 2018 edition"
    # The 2018 edition is named only as history (the glossary entry and what Warrington's 2019 arrangements cite).
    current = re.compile(r"Working Together(?: to Safeguard Children)? 2018")
    shown = [
        *(text for lv in content.levels.values() for text in (lv.response, lv.consent, lv.timeframe, lv.source)),
        *(text for r in content.routes.values() for text in (r.what_to_do, r.timeframe, r.source)),
        *(text for i in content.indicators.values() for text in (i.text, i.source)),
        *(text for rule in content.rules for text in (rule.text, rule.source)),
        *(t.source for t in content.escalation.timelines),
        *(c.source for c in content.contacts.values()),
    ]
    assert not [t for t in shown if current.search(t)]


# Working Together 2023: early help, referral and acting on immediate harm are chapter 3 ("Providing help, support
# and protection"); chapter 2 is the multi-agency arrangements (the safeguarding partners); the LADO chapter 4.
WT2023_CHAPTER = re.compile(r"Working Together to Safeguard Children 2023,?\s+chapter (\d)([^;]*)")
CHAPTER_OF_TOPIC = [
    (re.compile(r"early help|referral|immediate harm|concern about a child|significant harm|in need", re.I), "3"),
    (re.compile(r"LADO|allegation", re.I), "4"),
]


def test_working_together_2023_chapters_cited_right() -> None:
    cited = 0
    bad = []
    for path, _key, text in _content_strings():
        for match in WT2023_CHAPTER.finditer(" ".join(text.split())):
            chapter, clause = match.groups()
            for topic, expected in CHAPTER_OF_TOPIC:
                if topic.search(clause):
                    cited += 1
                    if chapter != expected:
                        bad.append(f"{path}: chapter {chapter}, expected {expected}:{clause[:80]}")
    assert cited >= 20  # the check reads the citations it is meant to
    assert not bad, "\n".join(bad)


def test_information_sharing_follows_the_2024_advice(content: Content) -> None:
    advice = content.procedures["information_sharing_advice"]
    assert "2024" in advice.title
    for level in (2, 3, 4):
        consent = content.levels[level].consent
        assert "not need" in consent and "at risk" in consent, level  # no consent needed to share when at risk
    # Agreeing to early help is separate from the lawful basis for sharing: never "agree before sharing".
    assert not [lv.level for lv in content.levels.values() if "before sharing information" in lv.consent]
    assert "separate" in content.levels[2].consent and "separate" in content.levels[3].consent


def test_the_health_partner_is_the_icb_and_2019_is_history(content: Content) -> None:
    partners = next(e for e in content.partnership.entries if e.id == "statutory_partners")
    assert "Integrated Care Board" in partners.answer and "In 2019" in partners.answer
    for entry in content.partnership.entries:
        if "CCG" in entry.answer:
            assert re.search(r"2019|ICB|Integrated Care Board", entry.answer), entry.id
    step4 = next(s for s in content.escalation.steps if s.step == 4)
    assert "Integrated Care Board" in step4.who


def test_the_lado_number_is_published_and_an_allegation_goes_to_the_lado_not_the_mash(content: Content) -> None:
    lado = content.contacts["lado"]
    assert lado.phone == "01925 442079" and lado.verify
    assert "warrington.gov.uk/local-authority-designated-officer-lado" in lado.source
    assert "one working day" in content.routes["lado"].timeframe
    path = walks.path_to(content, "adult_at_work_detail", "harmed", fixed={"age_stage": "age_5_to_11"})
    assert path is not None
    outcome = walks.run(content, path.steps)
    routes = {r.id for r in outcome.routes}
    assert "lado" in routes and "mash_referral" not in routes, path.describe()
    assert outcome.level >= 3  # the LADO with advice from the MASH, never below


def test_an_allegation_leads_with_the_lado_and_mash_advice_not_early_help(content: Content) -> None:
    """The LADO is the first thing to do, with advice from the MASH; no early help plan for a child whose parents
    protect them. Each route says why it is there."""
    early_help = {"early_help_single_agency", "early_help_assessment", "team_around_family"}
    for harm in ("no", "yes", "unknown"):  # 'hurt by anyone' includes the worker, and says nothing about home
        path = walks.path_to(
            content, "adult_at_work_detail", "harmed", fixed={"age_stage": "age_5_to_11", "harm_any": harm}
        )
        assert path is not None
        outcome = walks.run(content, path.steps)
        ids = [r.id for r in outcome.routes]
        assert ids[0] == "lado" and "consult_mash" in ids, (harm, ids)
        assert not early_help & set(ids), (harm, ids)
        assert outcome.routes[0].because == ["allegation_against_professional"]
        assert "its own procedure" in outcome.summary and "LADO" in outcome.summary
        # Consent and timing are the LADO's, not an early help plan's.
        assert "LADO" in outcome.consent and "early help" not in outcome.consent.lower(), outcome.consent
        assert "one working day" in outcome.timeframe and "Early Help" not in outcome.timeframe
        card = render.card(outcome, content)
        assert "01925 442079" in card.top.split("Who to call")[1], card.top
        assert "within one working day" in card.top and "Ask the MASH for advice" in card.top, card.top
    # Another concern at the same level keeps the level's routes, after the LADO.
    both = walks.path_to(
        content, "adult_at_work_detail", "harmed", fixed={"age_stage": "age_5_to_11", "family_any": "yes"}
    )
    assert both is not None
    steps = [(q, ["young_carer_heavy"] if q == "family_detail" else v) for q, v in both.steps]
    outcome = walks.run(content, steps)
    ids = [r.id for r in outcome.routes]
    assert ids[0] == "lado" and "team_around_family" in ids, ids
    assert "level 3" in next(r for r in outcome.routes if r.id == "team_around_family").because


def test_an_allegation_set_at_level_4_keeps_the_mash_referral(content: Content) -> None:
    """If the partnership placed an allegation at level 4, the MASH referral would stay (after the LADO)."""
    graver = content.indicators["allegation_against_professional"].model_copy(update={"level": 4})
    changed = content.model_copy(update={"indicators": {**content.indicators, graver.id: graver}})
    path = walks.path_to(changed, "adult_at_work_detail", "harmed", fixed={"age_stage": "age_5_to_11"})
    assert path is not None
    outcome = walks.run(changed, path.steps)
    ids = [r.id for r in outcome.routes]
    assert outcome.level == 4 and ids[:2] == ["lado", "mash_referral"], ids


# A concern with a procedure of its own (route, option path) comes before the level's general routes.
OWN_PROCEDURES = [
    ("fgm_mandatory_report", "fgm_hba_detail", ["fgm_happened"], "age_12_to_17"),
    ("national_referral_mechanism", "exploitation_detail", ["trafficked"], "age_12_to_17"),
    ("prevent_referral", "exploitation_detail", ["radicalisation"], "age_12_to_17"),
    ("prevent_referral", "exploitation_detail", ["radicalisation_serious"], "age_12_to_17"),
    ("private_fostering_notification", "special_situations", ["private_fostering"], "age_12_to_17"),
    ("missing_from_home", "missing_detail", "once", "age_12_to_17"),
    ("self_harm_support", "self_harm_detail", ["once"], "age_12_to_17"),
    ("mental_health_crisis", "self_harm_detail", ["crisis"], "age_12_to_17"),
]


@pytest.mark.parametrize(
    ("route", "question", "value", "age"), OWN_PROCEDURES, ids=[f"{r[0]}-{r[2]}" for r in OWN_PROCEDURES]
)
def test_a_specific_procedure_comes_before_the_levels_general_routes(
    content: Content, route: str, question: str, value: Any, age: str
) -> None:
    path = walks.path_to(content, question, value, fixed={"age_stage": age})
    assert path is not None
    outcome = walks.run(content, path.steps)
    ids = [r.id for r in outcome.routes]
    assert ids[0] == route, (path.describe(), ids)
    assert set(content.levels[outcome.level].routes) <= set(ids)  # the level's routes are still there, after it
    assert render.main_route(outcome, content).id == route  # type: ignore[union-attr]


def test_in_immediate_danger_999_and_the_mash_come_before_any_own_procedure(content: Content) -> None:
    path = walks.path_to(content, "self_harm_detail", ["plan_now"], fixed={"age_stage": "age_12_to_17"})
    assert path is not None
    ids = [r.id for r in walks.run(content, path.steps).routes]
    assert ids[:3] == ["police_999", "mash_referral", "mental_health_crisis"], ids


def test_a_lesser_concerns_own_step_never_leads_a_graver_outcome(content: Content) -> None:
    path = walks.path_to(content, "missing_detail", "once", fixed={"age_stage": "age_12_to_17", "harm_any": "yes"})
    assert path is not None
    steps = [(q, ["injury"] if q == "harm_detail" else v) for q, v in path.steps]
    outcome = walks.run(content, steps)
    assert outcome.level == 4
    ids = [r.id for r in outcome.routes]
    assert ids[0] == "mash_referral" and ids.index("missing_from_home") > ids.index("dsl"), ids
    assert render.main_route(outcome, content).id == "mash_referral"  # type: ignore[union-attr]


def test_fgm_mandatory_reporting_duty_in_full(content: Content) -> None:
    assert "fgm_mandatory_report" in content.indicators["fgm_has_happened"].routes
    route = content.routes["fgm_mandatory_report"]
    text = route.what_to_do
    assert "101" in text and "personal duty" in text and "DSL" in text and "MASH" in text
    assert "next working day" in route.timeframe
    assert {"police_101", "mash_in_hours"} <= set(route.contacts)


def test_child_marriage_offence_and_private_fostering_notice(content: Content) -> None:
    marriage = content.routes["forced_marriage_protection"].what_to_do
    assert "27 February 2023" in marriage and "not legally binding" in marriage and "under 18" in marriage
    assert "forced_marriage_protection" in content.indicators["forced_marriage_concern"].routes
    fostering = content.routes["private_fostering_notification"]
    assert "6 weeks" in fostering.what_to_do and "48 hours" in fostering.what_to_do


def test_no_seed_statistics_in_what_to_do(content: Content) -> None:
    statistic = re.compile(
        r"\b(?:19|20)\d\d-\d\d\b|\brecorded \d|\b\d[\d,]* (?:Early Help assessments|referrals|children)\b"
    )
    assert not [r.id for r in content.routes.values() if statistic.search(r.what_to_do)]


# Issue 14, six areas: each can be recorded through the guided questions, gives the level of its indicator (at
# least), and brings its own next step. (question, option, indicator, route, a fixed age where the option needs one)
NEW_AREAS = [
    ("exploitation_detail", "radicalisation", "radicalisation_concern", "prevent_referral", "age_12_to_17"),
    ("exploitation_detail", "radicalisation_serious", "radicalisation_serious", "prevent_referral", "age_12_to_17"),
    ("education_detail", "missing_education", "child_missing_education", "cme_notification", "age_5_to_11"),
    ("education_detail", "whereabouts_unknown", "cme_whereabouts_unknown", "cme_notification", "age_5_to_11"),
    ("education_detail", "home_education", "ehe_suitability_unknown", "ehe_notification", "age_5_to_11"),
    ("education_detail", "home_education_concerns", "ehe_with_concerns", "ehe_notification", "age_5_to_11"),
    ("health_detail", "perplexing", "perplexing_presentation", "fii_health_lead", "age_5_to_11"),
    ("health_detail", "fii", "fii_suspected", "fii_health_lead", "age_5_to_11"),
    ("baby_sleep", "unsafe_sleep", "unsafe_sleep_advice", "safer_sleep", "baby_under_1"),
    ("baby_sleep", "unsafe_sleep_high_risk", "unsafe_sleep_high_risk", "safer_sleep", "baby_under_1"),
    ("unborn_detail", "no_safe_sleep_plan", "unborn_no_safe_sleep_plan", "safer_sleep", "unborn"),
    ("family_detail", "belief", "belief_affecting_child", "faith_belief_abuse", "age_5_to_11"),
    ("harm_detail", "belief_accusation", "belief_accusation", "faith_belief_abuse", "age_5_to_11"),
    ("harm_detail", "belief_harm", "belief_ritual_harm", "faith_belief_abuse", "age_5_to_11"),
    ("housing_detail", "nrpf", "nrpf_family", "nrpf_support", "under_5"),
    ("housing_detail", "nrpf_destitute", "nrpf_destitute", "nrpf_support", "under_5"),
]


@pytest.mark.parametrize(("question", "option", "indicator", "route", "age"), NEW_AREAS, ids=[a[2] for a in NEW_AREAS])
def test_new_area_is_guided_levelled_and_routed(
    content: Content, question: str, option: str, indicator: str, route: str, age: str
) -> None:
    path = walks.path_to(content, question, [option], fixed={"age_stage": age})
    assert path is not None, f"{question}={option} cannot be reached"
    outcome = walks.run(content, path.steps)
    assert indicator in {i.id for i in outcome.reasons.indicators}, path.describe()
    assert outcome.level >= content.indicators[indicator].level
    assert route in {r.id for r in outcome.routes}
    if content.indicators[indicator].level == 4:
        assert "mash_referral" in {r.id for r in outcome.routes}
    procedures = content.routes[route].procedures
    assert procedures and all(p in content.procedures for p in procedures)
    assert content.indicators[indicator].source.strip() and content.routes[route].source.strip()


def test_unsafe_sleep_is_asked_about_babies_only(content: Content) -> None:
    """The safer-sleep options describe a baby: asked when the child is a baby (or the age is not known)."""
    asked_for = []
    for age in [*(o.value for o in content.question("age_stage").options), "unknown"]:  # type: ignore[union-attr]
        path = walks.path_to(content, "baby_sleep", ["unsafe_sleep"], fixed={"age_stage": age})
        if path is not None:
            asked_for.append(age)
    assert asked_for == ["baby_under_1", "unknown"]
    care = content.question("care_detail")
    assert care is not None and not [o for o in care.options if "baby" in o.label.lower()]  # type: ignore[union-attr]


# The same areas read from a practitioner's own words, and ordinary sentences that must not be read as them.
FREE_TEXT = [
    (
        "14 year old boy has been watching extremist videos and repeating far right views in class.",
        "radicalisation_concern",
        3,
    ),
    (
        "Year 10 pupil says he wants to join ISIS and has been groomed by extremists online.",
        "radicalisation_serious",
        4,
    ),
    (
        "The family moved and we cannot trace the family; she has not been seen since half term.",
        "cme_whereabouts_unknown",
        4,
    ),
    ("Mum has deregistered him for home education after our referral.", "ehe_with_concerns", 3),
    ("Mum says she is home schooling him now.", "ehe_suitability_unknown", 2),
    ("Mum keeps asking for more tests for medically unexplained symptoms.", "perplexing_presentation", 3),
    ("Paediatrician is worried about fabricated or induced illness.", "fii_suspected", 4),
    ("Parents are co-sleeping with the 6 week old baby.", "unsafe_sleep_advice", 2),
    ("Dad fell asleep on the sofa with the baby after drinking at a party.", "unsafe_sleep_high_risk", 4),
    ("Mum was drunk and co-sleeping with the baby.", "unsafe_sleep_high_risk", 4),
    ("She is 30 weeks pregnant and says they plan to co-sleep when the baby is born.", "unborn_no_safe_sleep_plan", 2),
    ("Her stepmother says she is a witch and the pastor is doing a deliverance service.", "belief_accusation", 4),
    ("They beat him to drive out the evil spirit.", "belief_ritual_harm", 4),
    ("Mum has NRPF, working cash in hand, managing for now.", "nrpf_family", 2),
    ("Mum has NRPF and they have been evicted.", "nrpf_destitute", 4),
]
NOT_THESE = [
    "I want to prevent this escalating.",
    "He was found in possession of cannabis.",
    "Parents co-sleep with the baby; no alcohol or drugs in the house.",
    "Dad drinks at weekends; baby sleeps in her cot.",
    "9 year old with ADHD and SEND, needs not met at school and home, parents asking for help.",
    "Hasn't been in school since February, says she gets panic attacks.",
]
NEW_AREA_INDICATORS = {a[2] for a in NEW_AREAS}


@pytest.mark.parametrize(("text", "indicator", "level"), FREE_TEXT, ids=[f[1] for f in FREE_TEXT])
def test_new_area_read_from_free_text(content: Content, text: str, indicator: str, level: int) -> None:
    result = triage(content, text)
    assert indicator in {i.id for i in result.indicators}
    assert result.suggested_level is not None and result.suggested_level >= level


@pytest.mark.parametrize("text", NOT_THESE)
def test_ordinary_words_are_not_read_as_a_new_area(content: Content, text: str) -> None:
    found = {i.id for i in triage(content, text).indicators}
    assert not found & (NEW_AREA_INDICATORS - {"unsafe_sleep_advice"}), found


@pytest.mark.parametrize(
    ("question", "says"),
    [
        ("do I need consent to share information?", "not need consent"),
        ("does the family have to agree to a referral", "not need consent"),
        ("what's the LADO phone number", "01925 442079"),
        ("who are the statutory partners", "Integrated Care Board"),
        ("how long does an assessment take", "45 working days"),
    ],
)
def test_partnership_questions_get_the_current_answer(content: Content, question: str, says: str) -> None:
    assert says in ask(content.knowledge, question).answer


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("A teaching assistant grabbed the 6 year old's arm and pushed him against a wall.", "lado"),
        ("She told me she had FGM done to her when she was little.", "fgm_mandatory_report"),
        (
            "The 15 year old may have been trafficked: she was brought here and made to work.",
            "national_referral_mechanism",
        ),
    ],
)
def test_free_text_routes_lead_with_the_concerns_own_procedure(content: Content, text: str, first: str) -> None:
    """The triage gives routes in the engine's order, with why; an allegation alone brings no early help plan."""
    result = triage(content, text)
    assert result.routes[0].id == first, [(r.id, r.because) for r in result.routes]
    assert result.routes[0].because and all(r.because for r in result.routes)
    if first == "lado":
        assert not {"early_help_assessment", "team_around_family"} & {r.id for r in result.routes}
