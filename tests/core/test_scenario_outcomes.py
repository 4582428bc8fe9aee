"""Every training scenario is a regression test: its scripted answers, run through the engine, must reach
the level and routes the scenario expects. A content edit that changes an outcome fails here by name."""

from __future__ import annotations

import pytest

from app.config import REPO_ROOT
from app.core import engine, training
from app.core.models import Content

SCENARIO_IDS = sorted(p.stem for p in (REPO_ROOT / "dialogues" / "scenarios").glob("*.yaml"))

# Scenarios where the engine's level differs from what the scenario's author believes the threshold says.
# Each is a question for the content owners, not a fudge: strict xfail, so a content fix that makes the
# engine agree turns this into a failure and the entry must then be removed.
KNOWN_DIFFERENCES: dict[str, str] = {}

REQUIRED_RISK_AREAS = {
    # risk area named in the foundation issue -> domain ids that count for it
    "abuse and neglect": {"physical_abuse", "sexual_abuse", "emotional_abuse", "neglect"},
    "domestic abuse": {"domestic_abuse"},
    "parental mental health": {"parental_mental_health"},
    "parental substance misuse": {"parental_substance_misuse"},
    "exploitation and missing": {"exploitation"},
    "self-harm and suicide": {"self_harm"},
    "FGM and honour-based abuse": {"fgm_hba"},
    "private fostering": {"private_fostering"},
    "unborn babies": {"unborn_baby"},
    "allegations (LADO)": {"allegations_lado"},
    "young carers": {"young_carers"},
    "housing and income": {"housing_income"},
    "education and attendance": {"education"},
    "child-on-child abuse": {"child_on_child"},  # issue 14
    "care leavers": {"care_experience"},
    "radicalisation and extremism": {"radicalisation"},  # issue 14
    "fabricated or induced illness": {"fabricated_illness"},
    "abuse linked to faith or belief": {"faith_belief"},
}

# Issue 14: each area added in 0.2.0 has a scenario whose outcome brings its specific route (the level-and-routes
# test above checks the engine agrees), so every new next step is shown to trainers at least once.
ISSUE_14_ROUTES = {
    "national_referral_mechanism",  # trafficking, modern slavery and county lines
    "sharing_nudes",
    "child_on_child_abuse",
    "police_custody",
    "leaving_care",
    "disabled_children",
    "mental_health_crisis",
    "self_harm_support",
    "missing_from_home",
    "child_exploitation",
    "prevent_referral",  # radicalisation and extremism
    "ehe_notification",  # elective home education
    "fii_health_lead",  # perplexing presentations and fabricated or induced illness
    "safer_sleep",  # unsafe sleep for babies
    "faith_belief_abuse",
    "nrpf_support",  # no recourse to public funds
}


def _param(scenario_id: str) -> object:
    reason = KNOWN_DIFFERENCES.get(scenario_id)
    marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
    return pytest.param(scenario_id, id=scenario_id, marks=marks)


@pytest.mark.parametrize("scenario_id", [_param(i) for i in SCENARIO_IDS])
def test_scenario_reaches_expected_level_and_routes(content: Content, scenario_id: str) -> None:
    scenario = content.scenarios[scenario_id]
    outcome = training.walkthrough(content, scenario).outcome
    assert outcome.level == scenario.expected.level, (
        f"{scenario_id}: the engine now says level {outcome.level}, the scenario expects {scenario.expected.level}"
    )
    assert {r.id for r in outcome.routes} == set(scenario.expected.routes)


@pytest.mark.parametrize("scenario_id", SCENARIO_IDS)
def test_scenario_answers_every_question_the_flow_asks(content: Content, scenario_id: str) -> None:
    _, state = training.replay(content, content.scenarios[scenario_id])
    pending = engine.pending_question(content, state)
    assert pending is None, f"{scenario_id} does not answer {pending.id if pending else ''!r}"


def test_every_scenario_file_is_loaded(content: Content) -> None:
    assert sorted(content.scenarios) == SCENARIO_IDS


def test_library_covers_every_level_and_risk_area(content: Content) -> None:
    scenarios = list(content.scenarios.values())
    assert len(scenarios) >= 36  # issue 14
    assert {s.expected.level for s in scenarios} == {1, 2, 3, 4}
    covered = {d for s in scenarios for d in s.risk_areas}
    missing = [name for name, domains in REQUIRED_RISK_AREAS.items() if not domains & covered]
    assert not missing


def test_library_shows_every_issue_14_route(content: Content) -> None:
    shown = {r for s in content.scenarios.values() for r in s.expected.routes}
    assert sorted(ISSUE_14_ROUTES - shown) == []


def test_library_includes_the_teaching_situations(content: Content) -> None:
    outcomes = {i: training.walkthrough(content, s).outcome for i, s in content.scenarios.items()}
    assert any(o.immediate_danger for o in outcomes.values()), "an immediate-danger case"
    assert any(o.level > o.confirmed_level for o in outcomes.values()), "a case where don't know matters"
    assert any(r.id == "early_help_not_working" for o in outcomes.values() for r in o.reasons.rules), "a step up"
    assert any(
        s.expected.level < 4 and any(a.question == "early_help_any" and a.value == "yes" for a in s.answers)
        for s in content.scenarios.values()
    ), "a step down into early help"
