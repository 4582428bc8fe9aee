"""Reads rules/ and dialogues/ into a validated `Content`, reporting every problem as `path:line: message`.

The command line (`python -m app.content check|schema`) is app/content/commands.py.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from app.core import models as m
from app.core.escalation import Escalation
from app.core.knowledge import Glossary, Partnership, build_index
from app.core.scenarios import Scenario

T = TypeVar("T", bound=BaseModel)


@dataclass(frozen=True)
class ContentError:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class ContentInvalid(Exception):
    """Content failed validation; `errors` holds every problem found."""

    def __init__(self, errors: list[ContentError]) -> None:
        self.errors = sorted(errors, key=lambda e: (e.path, e.line, e.message))
        super().__init__("\n".join(str(e) for e in self.errors))


# --- YAML with line numbers ---------------------------------------------------------------------


class LineDict(dict[str, Any]):
    """A mapping that remembers the line of each key (1-based) and its own first line."""

    line = 1
    key_lines: dict[str, int]


class LineList(list[Any]):
    line = 1
    item_lines: list[int]


class _Loader(yaml.SafeLoader):
    """Safe loader that refuses duplicate keys, keeps lines, and reads yes/no/on/off as strings."""


# YAML 1.1 turns yes/no/on/off into booleans; only true/false are booleans here.
_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


_STR_TAG = "tag:yaml.org,2002:str"


def _construct(loader: _Loader, node: yaml.Node) -> Any:
    # Most nodes are plain strings: take their text as construct_object would, without its bookkeeping
    # (a quarter of the time to read the content at start-up).
    if node.tag == _STR_TAG and type(node) is yaml.ScalarNode:
        return node.value
    return loader.construct_object(node, deep=True)


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = _construct(loader, key_node)
        if key in result:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r} (first on line {result.key_lines[key]})", key_node.start_mark
            )
        result[key] = _construct(loader, value_node)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    result = LineList(_construct(loader, child) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


class _FastLoader(getattr(yaml, "CSafeLoader", _Loader)):  # type: ignore[misc]
    """_Loader's resolvers and constructors on libyaml's parser: start-up reads the content about 3x faster."""


_FastLoader.yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers
_FastLoader.yaml_constructors = _Loader.yaml_constructors


def parse_yaml(text: str, path: str) -> Any:
    """Parse YAML text; syntax errors become ContentInvalid with the file and line."""
    try:
        return yaml.load(text, Loader=_FastLoader)  # a SafeLoader
    except yaml.MarkedYAMLError:
        pass  # say what is wrong in the pure-Python parser's words, which authors and tests know
    try:
        return yaml.load(text, Loader=_Loader)  # _Loader is a SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise ContentInvalid([ContentError(path, line, f"YAML: {exc.problem or exc.context}")]) from None


def line_of(data: Any, loc: Iterable[str | int]) -> int:
    """The line of the deepest node along `loc` that the YAML knows, asking each parent for its child."""
    line = getattr(data, "line", 1)
    node = data
    for part in loc:
        if isinstance(node, LineDict) and part in node:
            line = node.key_lines.get(str(part), line)
            node = node[part]
        elif isinstance(node, LineList) and isinstance(part, int) and 0 <= part < len(node):
            line = node.item_lines[part]
            node = node[part]
        else:
            break
    return line


_FRIENDLY = {
    "extra_forbidden": "unknown key; check the spelling against docs/content.md",
    "missing": "this key is required",
}


def _message(error: dict[str, Any]) -> str:
    loc = ".".join(str(p) for p in _data_loc(error["loc"]))
    text = _FRIENDLY.get(error["type"], error["msg"])
    return f"{loc}: {text}" if loc else text


def validate(data: Any, model: type[T], path: str) -> T:
    """Validate parsed YAML against a model; every error carries its line."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ContentInvalid(
            [ContentError(path, line_of(data, _data_loc(e["loc"])), _message(dict(e))) for e in exc.errors()]
        ) from None


def _data_loc(loc: tuple[str | int, ...]) -> list[str | int]:
    # Discriminator tags (e.g. 'yes_no', 'indicator') appear in pydantic's loc but not in the data.
    return [p for p in loc if not (isinstance(p, str) and p in _TAGS)]


_TAGS = {"yes_no", "single_choice", "multiple_choice", *m._CONDITION_KEYS} - {"any", "all", "not"}


def read_model(root: Path, relative: str, model: type[T], errors: list[ContentError]) -> tuple[T | None, Any]:
    """Read and validate one file; problems go to `errors`. Returns the model (or None) and the raw data."""
    path = root / relative
    if not path.is_file():
        errors.append(ContentError(relative, 1, "file is missing"))
        return None, None
    try:
        data = parse_yaml(path.read_text(encoding="utf-8"), relative)
        return validate(data, model, relative), data
    except ContentInvalid as exc:
        errors.extend(exc.errors)
        return None, None


# --- Cross references ---------------------------------------------------------------------------


class _Refs:
    """Collects 'id used here' checks and reports unknown ids with a suggestion."""

    def __init__(self, errors: list[ContentError]) -> None:
        self.errors = errors

    def check(self, ids: Iterable[str], known: dict[str, Any] | set[str], kind: str, path: str, line: int) -> None:
        for item in ids:
            if item not in known:
                close = difflib.get_close_matches(item, list(known), n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                self.errors.append(ContentError(path, line, f"unknown {kind} {item!r}{hint}"))


def _conditions(cond: Any) -> Iterator[Any]:
    yield cond
    for child in getattr(cond, "all", None) or getattr(cond, "any", None) or []:
        yield from _conditions(child)
    if isinstance(cond, m.NotCond):
        yield from _conditions(cond.not_)


def _check_condition(
    cond: Any, refs: _Refs, indicators: dict[str, Any], questions: dict[str, Any], path: str, line: int
) -> None:
    for c in _conditions(cond):
        if isinstance(c, m.IndicatorCond):
            refs.check([c.indicator], indicators, "indicator", path, line)
        elif isinstance(c, m.AnyIndicatorCond):
            refs.check(c.any_indicator, indicators, "indicator", path, line)
        elif isinstance(c, m.AnswerCond):
            refs.check([c.answer.question], questions, "question", path, line)
            question = questions.get(c.answer.question)
            if question is not None:
                valid = {*question.option_values, m.UNKNOWN}
                refs.check(c.answer.in_, valid, f"answer for {c.answer.question!r}:", path, line)


# --- Loading ------------------------------------------------------------------------------------


def content_hash(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(content_files(root)):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def content_files(root: Path) -> list[Path]:
    return [p for folder in ("rules", "dialogues") for p in (root / folder).rglob("*.yaml")]


def load_content(root: Path | str) -> m.Content:
    """Load and cross-check all content under `root`. Raises ContentInvalid listing every problem."""
    root = Path(root)
    errors: list[ContentError] = []
    info, _ = read_model(root, "rules/content.yaml", m.ContentInfo, errors)
    domains_file, _ = read_model(root, "rules/domains.yaml", m.DomainsFile, errors)
    levels_file, levels_raw = read_model(root, "rules/levels.yaml", m.LevelsFile, errors)
    decision, decision_raw = read_model(root, "rules/decision.yaml", m.DecisionFile, errors)
    routes_file, routes_raw = read_model(root, "rules/routes.yaml", m.RoutesFile, errors)
    procedures_file, _ = read_model(root, "rules/procedures.yaml", m.ProceduresFile, errors)
    dialogue, dialogue_raw = read_model(root, "dialogues/assessment.yaml", m.Dialogue, errors)
    # Issue 4: escalation, partnership knowledge and glossary.
    escalation, _ = read_model(root, "rules/escalation.yaml", Escalation, errors)
    partnership, _ = read_model(root, "rules/partnership.yaml", Partnership, errors)
    glossary, _ = read_model(root, "rules/glossary.yaml", Glossary, errors)

    domains = {d.id: d for d in domains_file.domains} if domains_file else {}
    indicators: dict[str, m.Indicator] = {}
    indicator_lines: dict[str, tuple[str, int]] = {}
    indicator_dir = root / "rules" / "indicators"
    refs = _Refs(errors)
    for path in sorted(indicator_dir.glob("*.yaml")) if indicator_dir.is_dir() else []:
        relative = str(path.relative_to(root))
        parsed, raw = read_model(root, relative, m.IndicatorsFile, errors)
        if parsed is None:
            continue
        if domains_file:
            refs.check([parsed.domain], domains, "domain", relative, raw.key_lines["domain"])
        for index, indicator in enumerate(parsed.indicators):
            line = line_of(raw, ["indicators", index])
            if indicator.id in indicators:
                first_path, first_line = indicator_lines[indicator.id]
                errors.append(
                    ContentError(
                        relative, line, f"duplicate indicator id {indicator.id!r} (first at {first_path}:{first_line})"
                    )
                )
                continue
            indicators[indicator.id] = indicator.model_copy(update={"domain": parsed.domain})
            indicator_lines[indicator.id] = (relative, line)
    if not indicators and not errors:
        errors.append(ContentError("rules/indicators", 1, "no indicators found"))

    if errors:
        raise ContentInvalid(errors)
    assert info and domains_file and levels_file and decision and routes_file and procedures_file and dialogue
    assert escalation and partnership and glossary
    try:
        knowledge = build_index(partnership, glossary, escalation)
    except ValueError as exc:  # a `related`/`see` id that points nowhere
        raise ContentInvalid([ContentError("rules/partnership.yaml", 1, str(exc))]) from None

    levels = {lv.level: lv for lv in levels_file.levels}
    if len(levels) != 4:
        errors.append(ContentError("rules/levels.yaml", levels_raw.line, "levels 1, 2, 3 and 4 must each appear once"))
    routes = {r.id: r for r in routes_file.routes}
    procedures = {p.id: p for p in procedures_file.procedures}
    contacts = {c.id: c for c in info.contacts}
    questions: dict[str, m.YesNoQuestion | m.ChoiceQuestion] = {}

    for i, level in enumerate(levels_file.levels):
        refs.check(level.routes, routes, "route", "rules/levels.yaml", line_of(levels_raw, ["levels", i, "routes"]))
    for i, route in enumerate(routes_file.routes):
        line = line_of(routes_raw, ["routes", i])
        refs.check(route.contacts, contacts, "contact", "rules/routes.yaml", line)
        refs.check(route.procedures, procedures, "procedure", "rules/routes.yaml", line)
    for indicator in indicators.values():
        path, line = indicator_lines[indicator.id]
        refs.check(indicator.routes, routes, "route", path, line)

    reachable: set[str] = set()
    for i, question in enumerate(dialogue.questions):
        line = line_of(dialogue_raw, ["questions", i])
        if question.id in questions:
            errors.append(ContentError("dialogues/assessment.yaml", line, f"duplicate question id {question.id!r}"))
        if question.ask_if is not None:
            # Only earlier questions: the flow never waits on an answer it has not asked for yet.
            _check_condition(question.ask_if, refs, indicators, questions, "dialogues/assessment.yaml", line)
        questions[question.id] = question
        used = question.possible_if_unknown()
        refs.check(used, indicators, "indicator", "dialogues/assessment.yaml", line)
        reachable.update(used)
        if isinstance(question, m.ChoiceQuestion):
            values = [o.value for o in question.options]
            for dup in {v for v in values if values.count(v) > 1}:
                errors.append(ContentError("dialogues/assessment.yaml", line, f"duplicate option value {dup!r}"))
            if m.UNKNOWN in values:
                errors.append(ContentError("dialogues/assessment.yaml", line, "'unknown' is reserved for don't know"))
    for i, rule in enumerate(decision.rules):
        _check_condition(
            rule.when, refs, indicators, questions, "rules/decision.yaml", line_of(decision_raw, ["rules", i, "when"])
        )
    if dialogue.questions and dialogue.questions[0].section != "immediate_danger":
        errors.append(
            ContentError(
                "dialogues/assessment.yaml",
                line_of(dialogue_raw, ["questions", 0]),
                "the first question must be in section 'immediate_danger'",
            )
        )
    if errors:
        raise ContentInvalid(errors)

    content = m.Content(
        info=info,
        version=f"{info.version}+{content_hash(root)}",
        domains=domains,
        levels=levels,
        indicators=indicators,
        rules=decision.rules,
        doubt=decision.doubt,
        routes=routes,
        procedures=procedures,
        contacts=contacts,
        assessment=dialogue,
        escalation=escalation,
        partnership=partnership,
        glossary=glossary,
        knowledge=knowledge,
    )
    # Issue 6: training scenarios, checked against the content they script answers for.
    scenarios = _load_scenarios(root, content, refs, errors)
    if errors:
        raise ContentInvalid(errors)
    return content.model_copy(update={"scenarios": scenarios})


# --- Issue 6: training scenarios (dialogues/scenarios/*.yaml) ------------------------------------


def _load_scenarios(root: Path, content: m.Content, refs: _Refs, errors: list[ContentError]) -> dict[str, Scenario]:
    """Read every scenario; check its ids against the content and replay its answers through the engine."""
    from app.core import engine  # imported here to keep the issue-6 block self-contained
    from app.core.errors import InvalidAnswer

    questions = {q.id: q for q in content.assessment.questions}

    scenarios: dict[str, Scenario] = {}
    folder = root / "dialogues" / "scenarios"
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        relative = str(path.relative_to(root))
        scenario, raw = read_model(root, relative, Scenario, errors)
        if scenario is None:
            continue
        if scenario.id != path.stem:
            errors.append(
                ContentError(
                    relative, line_of(raw, ["id"]), f"id {scenario.id!r} must match the file name {path.stem!r}"
                )
            )
        refs.check(scenario.risk_areas, content.domains, "domain", relative, line_of(raw, ["risk_areas"]))
        refs.check(scenario.expected.routes, content.routes, "route", relative, line_of(raw, ["expected", "routes"]))
        state = engine.new_state()
        for i, scripted in enumerate(scenario.answers):
            line = line_of(raw, ["answers", i])
            question = questions.get(scripted.question)
            if question is None:
                refs.check([scripted.question], questions, "question", relative, line)
                break
            if scripted.question in state["answers"]:
                errors.append(ContentError(relative, line, f"answers.{i}: {scripted.question!r} is answered twice"))
                break
            values = scripted.value if isinstance(scripted.value, list) else [scripted.value]
            before = len(errors)
            refs.check(values, {*question.option_values, m.UNKNOWN}, f"answer for {question.id!r}:", relative, line)
            if len(errors) > before:
                break
            try:
                state = engine.answer(content, state, scripted.question, scripted.value)
            except InvalidAnswer as exc:  # e.g. a question the flow does not ask after the answers before it
                errors.append(ContentError(relative, line, f"answers.{i}: {exc.message}"))
                break
        scenarios[scenario.id] = scenario
    return scenarios


def unreachable_indicators(content: m.Content) -> list[str]:
    """Indicators no question can produce: fine for triage-only ones, but worth knowing."""
    used = {i for q in content.assessment.questions for i in q.possible_if_unknown()}
    return sorted(set(content.indicators) - used)


# --- JSON Schemas -------------------------------------------------------------------------------

SCHEMAS: dict[str, type[BaseModel]] = {
    "content": m.ContentInfo,
    "domains": m.DomainsFile,
    "levels": m.LevelsFile,
    "indicators": m.IndicatorsFile,
    "decision": m.DecisionFile,
    "routes": m.RoutesFile,
    "procedures": m.ProceduresFile,
    "dialogue": m.Dialogue,
    "escalation": Escalation,
    "partnership": Partnership,
    "glossary": Glossary,
    "scenario": Scenario,  # issue 6
}


def render_schemas() -> dict[str, str]:
    """File name -> JSON text for every content schema (by_alias so `in`/`not` read as in YAML)."""
    out = {}
    for name, model in SCHEMAS.items():
        schema = model.model_json_schema(by_alias=True)
        schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": f"{name}.schema.json", **schema}
        out[f"{name}.schema.json"] = json.dumps(schema, indent=2, sort_keys=True) + "\n"
    return out
