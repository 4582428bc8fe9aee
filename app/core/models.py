"""Content models: the shapes of everything in rules/ and dialogues/.

Every model forbids unknown keys, so a typo in the YAML is an error with a line number, not a
silently ignored field. `Field(description=...)` text becomes the published JSON Schema.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Discriminator, Field, PrivateAttr, Tag

# Escalation, knowledge and scenario models share the Strict base from app.core.base, so no import cycle.
from app.core.base import Strict
from app.core.escalation import Escalation
from app.core.knowledge import Glossary, KnowledgeIndex, Partnership
from app.core.scenarios import Scenario

Id = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_]*$", description="A stable snake_case id.")]
LevelNumber = Literal[1, 2, 3, 4]
YES_NO_VALUES = ("yes", "no", "unknown")
UNKNOWN = "unknown"


class Sourced(Strict):
    source: str = Field(description="Where the fact comes from: document and section or address.")
    verify: bool = Field(False, description="True when the partnership must confirm this local detail.")


# --- Conditions: the closed vocabulary decision rules and `ask_if` are written in. ---------------


class AlwaysCond(Strict):
    always: Literal[True]


class IndicatorCond(Strict):
    indicator: Id


class AnyIndicatorCond(Strict):
    any_indicator: list[Id] = Field(min_length=1)


class LevelCount(Strict):
    level: LevelNumber
    at_least: int = Field(ge=1)


class DomainsAtLevelCond(Strict):
    domains_at_level: LevelCount


class IndicatorsAtLevelCond(Strict):
    indicators_at_level: LevelCount


class LevelAtLeastCond(Strict):
    level_at_least: LevelNumber


class RedFlagCond(Strict):
    red_flag: Literal[True]


class AnswerTest(Strict):
    question: Id
    in_: list[str] = Field(alias="in", min_length=1)


class AnswerCond(Strict):
    answer: AnswerTest


class AllCond(Strict):
    all: list[Condition] = Field(min_length=1)


class AnyCond(Strict):
    any: list[Condition] = Field(min_length=1)


class NotCond(Strict):
    not_: Condition = Field(alias="not")


_CONDITION_KEYS = {
    "always": "always",
    "indicator": "indicator",
    "any_indicator": "any_indicator",
    "domains_at_level": "domains_at_level",
    "indicators_at_level": "indicators_at_level",
    "level_at_least": "level_at_least",
    "red_flag": "red_flag",
    "answer": "answer",
    "all": "all",
    "any": "any",
    "not": "not",
}


def _condition_kind(value: Any) -> str | None:
    """Choose the condition variant by its key, so pydantic reports one error, not one per variant."""
    if isinstance(value, dict):
        for key in value:
            if key in _CONDITION_KEYS:
                return _CONDITION_KEYS[key]
        return None
    return _TAG_BY_TYPE.get(type(value).__name__)


Condition = Annotated[
    Annotated[AlwaysCond, Tag("always")]
    | Annotated[IndicatorCond, Tag("indicator")]
    | Annotated[AnyIndicatorCond, Tag("any_indicator")]
    | Annotated[DomainsAtLevelCond, Tag("domains_at_level")]
    | Annotated[IndicatorsAtLevelCond, Tag("indicators_at_level")]
    | Annotated[LevelAtLeastCond, Tag("level_at_least")]
    | Annotated[RedFlagCond, Tag("red_flag")]
    | Annotated[AnswerCond, Tag("answer")]
    | Annotated[AllCond, Tag("all")]
    | Annotated[AnyCond, Tag("any")]
    | Annotated[NotCond, Tag("not")],
    Discriminator(
        _condition_kind,
        custom_error_type="unknown_condition",
        custom_error_message="Unknown condition; use one of: " + ", ".join(_CONDITION_KEYS),
    ),
]

_TAG_BY_TYPE = {
    "AlwaysCond": "always",
    "IndicatorCond": "indicator",
    "AnyIndicatorCond": "any_indicator",
    "DomainsAtLevelCond": "domains_at_level",
    "IndicatorsAtLevelCond": "indicators_at_level",
    "LevelAtLeastCond": "level_at_least",
    "RedFlagCond": "red_flag",
    "AnswerCond": "answer",
    "AllCond": "all",
    "AnyCond": "any",
    "NotCond": "not",
}

AllCond.model_rebuild()
AnyCond.model_rebuild()
NotCond.model_rebuild()


# --- rules/content.yaml, domains.yaml, levels.yaml ---------------------------------------------


class Contact(Sourced):
    id: Id
    name: str
    phone: str | None = Field(None, description="Only a number from a published source; never invented.")
    hours: str | None = None
    how: str = Field(description="How and when to make contact.")


class ContentInfo(Strict):
    version: str = Field(pattern=r"^\d+\.\d+\.\d+$", description="Semantic version of the content.")
    title: str
    caveat: str = Field(description="Shown with every outcome: guidance, not a decision.")
    safety_line: str = Field(description="Shown at the start of every conversation.")
    contacts: list[Contact] = Field(min_length=1)


class Domain(Strict):
    id: Id
    name: str
    side: Literal["child_development", "parenting_capacity", "family_environment", "risk"]
    description: str = ""


class DomainsFile(Strict):
    domains: list[Domain] = Field(min_length=1)


class Level(Sourced):
    level: LevelNumber
    id: Id
    name: str
    meaning: str
    who_leads: str
    response: str
    routes: list[Id] = Field(min_length=1)
    consent: str
    timeframe: str


class LevelsFile(Strict):
    levels: list[Level] = Field(min_length=4, max_length=4)


# --- rules/indicators/*.yaml --------------------------------------------------------------------


TRIAGE_HINT_KEYS = frozenset(
    {
        "attendance_below",
        "of",
        "repeated",
        "age_under_months",
        "age_under_years",
        "age_at_least_months",
        "age_at_least_years",
        "phrases",
        "context",
        "now",
        "past_counts",
        "adult_partner",
        "concepts",
        "unless",
    }
)


def _known_triage_hints(hints: dict[str, Any] | None) -> dict[str, Any] | None:
    unknown = sorted(set(hints or {}) - TRIAGE_HINT_KEYS)
    if unknown:
        raise ValueError(f"unknown triage keys {unknown}; use {sorted(TRIAGE_HINT_KEYS)}")
    return hints


class Indicator(Sourced):
    id: Id
    level: LevelNumber
    text: str
    phrases: list[str] = Field(default_factory=list, description="How practitioners describe it; drives triage.")
    red_flag: bool = Field(False, description="Present means immediate danger: 999 / MASH now.")
    strength: bool = Field(False, description="A protective factor: recorded, never raises the level.")
    routes: list[Id] = Field(default_factory=list, description="Routes this indicator always brings.")
    own_procedure: bool = Field(
        False,
        description="Its routes are a procedure of their own (an allegation against a worker: the LADO): when only "
        "such concerns set the level, the level's general routes (early help) are not recommended.",
    )
    triage: Annotated[dict[str, Any] | None, AfterValidator(_known_triage_hints)] = Field(
        None, description="Extra recognisers for free text (numbers, ages, concepts); see app/core/triage/index.py."
    )
    domain: Id = Field("", description="Filled from the file's `domain:`; do not write it per indicator.")


class IndicatorsFile(Strict):
    domain: Id
    indicators: list[Indicator] = Field(min_length=1)


# --- rules/decision.yaml ------------------------------------------------------------------------


class RuleEffect(Strict):
    level: LevelNumber | Literal["highest_indicator"]
    immediate_danger: bool = False


class Rule(Sourced):
    id: Id
    text: str = Field(description="The rule in plain words; shown in every outcome it shapes.")
    when: Condition
    then: RuleEffect


class Doubt(Strict):
    max_lift: int = Field(1, ge=0, le=3, description="How far unknown answers may lift the recommendation.")


class DecisionFile(Strict):
    rules: list[Rule] = Field(min_length=1)
    doubt: Doubt = Doubt()


# --- rules/routes.yaml, procedures.yaml ---------------------------------------------------------


class Route(Sourced):
    id: Id
    name: str
    what_to_do: str
    contacts: list[Id] = Field(default_factory=list)
    timeframe: str = ""
    procedures: list[Id] = Field(default_factory=list)
    consent: str = Field(
        "",
        description="Who must agree, when this route stands in for the level's routes (an indicator's "
        "own_procedure); the level's consent text otherwise.",
    )


class RoutesFile(Strict):
    routes: list[Route] = Field(min_length=1)


class Procedure(Sourced):
    id: Id
    title: str
    url: str = Field(pattern=r"^https://")


class ProceduresFile(Strict):
    procedures: list[Procedure] = Field(min_length=1)


# --- dialogues/assessment.yaml ------------------------------------------------------------------


class Option(Strict):
    value: Id
    label: str
    indicators: list[Id] = Field(default_factory=list)


class QuestionBase(Strict):
    id: Id
    section: Id
    text: str
    why: str = Field(description="Why the question is asked; shown on request.")
    help: str | None = None
    ask_if: Condition | None = Field(None, description="Ask only when this holds on the answers so far.")


class YesNoQuestion(QuestionBase):
    kind: Literal["yes_no"]
    if_yes: list[Id] = Field(default_factory=list)
    if_no: list[Id] = Field(default_factory=list)

    def indicators_for(self, value: str) -> list[str]:
        return {"yes": self.if_yes, "no": self.if_no}.get(value, [])

    def possible_if_unknown(self) -> list[str]:
        # Either answer could be the true one; strengths among them never raise a level.
        return self.if_yes + self.if_no

    @property
    def option_values(self) -> list[str]:
        return list(YES_NO_VALUES)


class ChoiceQuestion(QuestionBase):
    kind: Literal["single_choice", "multiple_choice"]
    options: list[Option] = Field(min_length=2)
    # The options as the API sends them, with "Don't know" (app/core/engine.py builds them once), and the
    # options they were made from: a copy with other options (model_copy shares this) makes its own.
    _options_out: tuple[list[Option], list[dict[str, str]]] | None = PrivateAttr(default=None)

    def indicators_for(self, value: str | list[str]) -> list[str]:
        chosen = value if isinstance(value, list) else [value]
        return [i for o in self.options if o.value in chosen for i in o.indicators]

    def possible_if_unknown(self) -> list[str]:
        return [i for o in self.options for i in o.indicators]

    @property
    def option_values(self) -> list[str]:
        return [o.value for o in self.options]


Question = Annotated[YesNoQuestion | ChoiceQuestion, Field(discriminator="kind")]


class Dialogue(Strict):
    id: Id
    title: str
    questions: list[Question] = Field(min_length=1)


# --- The loaded whole ---------------------------------------------------------------------------


class Content(BaseModel):
    """All content, validated and cross-checked, with lookup tables. Built by app.content.load_content."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    info: ContentInfo
    version: str = Field(description="Semantic version + hash of the files, e.g. 0.1.0+3f2a9c1d.")
    domains: dict[str, Domain]
    levels: dict[int, Level]
    indicators: dict[str, Indicator]
    rules: list[Rule]
    doubt: Doubt
    routes: dict[str, Route]
    procedures: dict[str, Procedure]
    contacts: dict[str, Contact]
    assessment: Dialogue
    # Issue 4: escalation steps and timelines, partnership knowledge, glossary, and the search index
    # over them (built once by the loader so each question is fast).
    escalation: Escalation
    partnership: Partnership
    glossary: Glossary
    knowledge: KnowledgeIndex
    # Issue 6: training scenarios (dialogues/scenarios/*.yaml), by id.
    scenarios: dict[str, Scenario] = Field(default_factory=dict)

    # Derived from the fields above once, kept with the content (private: not validated, shown or saved), each
    # with what it was made from, so that a copy with other questions or rules (model_copy) makes its own:
    # the questions by id; the engine's compiled conditions (app/core/engine.py); the triage's phrase index
    # (app/core/triage). The loader's scenario replay and the app's start-up build them.
    _questions_by_id: tuple[Dialogue, dict[str, YesNoQuestion | ChoiceQuestion]] | None = PrivateAttr(default=None)
    _compiled: object = PrivateAttr(default=None)
    _triage_index: object = PrivateAttr(default=None)

    def question(self, question_id: str) -> YesNoQuestion | ChoiceQuestion | None:
        private = private_values(self)
        found = private["_questions_by_id"]
        if found is None or found[0] is not self.assessment:
            found = private["_questions_by_id"] = (self.assessment, {q.id: q for q in self.assessment.questions})
        return found[1].get(question_id)  # type: ignore[no-any-return]


def private_values(model: BaseModel) -> dict[str, Any]:
    """A model's private attributes, as the dict pydantic keeps them in. Why not `model._name`: that goes through
    BaseModel.__getattr__, about 4 µs a read against 0.1 here, and the engine reads them on every turn."""
    private = model.__pydantic_private__
    assert private is not None  # set by pydantic for every model that declares private attributes
    return private
