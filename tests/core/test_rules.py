"""Each condition of the rule vocabulary, on the fixture content's indicators."""

from __future__ import annotations

import pytest

from app.core import models as m
from app.core.rules import Facts, compile_condition


def cond(data: object) -> m.Condition:
    return m.Rule.model_validate({"id": "r", "text": "t", "when": data, "then": {"level": 1}, "source": "s"}).when


@pytest.mark.parametrize(
    ("condition", "present", "answers", "level_so_far", "expected"),
    [
        pytest.param({"always": True}, [], {}, 1, True, id="always"),
        pytest.param({"indicator": "housing_poor"}, ["housing_poor"], {}, 1, True, id="indicator-present"),
        pytest.param({"indicator": "housing_poor"}, [], {}, 1, False, id="indicator-absent"),
        pytest.param(
            {"any_indicator": ["housing_poor", "missed_checks"]}, ["missed_checks"], {}, 1, True, id="any-indicator"
        ),
        # level-2 needs in two different domains
        pytest.param(
            {"domains_at_level": {"level": 2, "at_least": 2}},
            ["housing_poor", "missed_checks"],
            {},
            1,
            True,
            id="domains-two",
        ),
        # two needs, but both at home: one domain
        pytest.param(
            {"domains_at_level": {"level": 2, "at_least": 2}},
            ["housing_poor", "domestic_abuse"],
            {},
            1,
            False,
            id="domains-same",
        ),
        # strengths never count as needs
        pytest.param(
            {"domains_at_level": {"level": 1, "at_least": 2}},
            ["attends_well", "housing_poor"],
            {},
            1,
            False,
            id="domains-strength-ignored",
        ),
        pytest.param(
            {"indicators_at_level": {"level": 2, "at_least": 2}},
            ["housing_poor", "domestic_abuse"],
            {},
            1,
            True,
            id="indicators-count",
        ),
        pytest.param({"level_at_least": 2}, [], {}, 2, True, id="level-so-far-met"),
        pytest.param({"level_at_least": 3}, [], {}, 2, False, id="level-so-far-short"),
        pytest.param({"red_flag": True}, ["danger_now"], {}, 1, True, id="red-flag"),
        pytest.param({"red_flag": True}, ["domestic_abuse"], {}, 1, False, id="no-red-flag"),
        pytest.param(
            {"answer": {"question": "school", "in": ["low"]}}, [], {"school": "low"}, 1, True, id="answer-match"
        ),
        pytest.param(
            {"answer": {"question": "home_worries", "in": ["abuse"]}},
            [],
            {"home_worries": ["housing", "abuse"]},
            1,
            True,
            id="answer-in-list",
        ),
        pytest.param({"answer": {"question": "school", "in": ["low"]}}, [], {}, 1, False, id="answer-missing"),
        pytest.param(
            {"all": [{"indicator": "housing_poor"}, {"level_at_least": 2}]},
            ["housing_poor"],
            {},
            1,
            False,
            id="all-one-fails",
        ),
        pytest.param(
            {"any": [{"indicator": "housing_poor"}, {"level_at_least": 2}]},
            ["housing_poor"],
            {},
            1,
            True,
            id="any-one-holds",
        ),
        pytest.param({"not": {"indicator": "housing_poor"}}, [], {}, 1, True, id="not"),
    ],
)
def test_condition(
    fixture_content: m.Content,
    condition: object,
    present: list[str],
    answers: dict[str, object],
    level_so_far: int,
    expected: bool,
) -> None:
    facts = Facts(fixture_content.indicators, frozenset(present), answers, level_so_far)  # type: ignore[arg-type]
    assert compile_condition(cond(condition))(facts) is expected
