"""The assessment engine: answers in, next question or an explained outcome out. Pure functions, no globals.

State is plain data (question ids and answer values only), so any store can keep it:
    {"answers": {question_id: value}, "order": [question_id, ...], "prefilled": [question_id, ...]}

A channel changes the state (answer, back, prefill) and then calls `view(content, state)` once: the next
question, the alerts, the prefilled answers, progress and, when complete, the outcome, from one pass over
the questions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from typing_extensions import TypedDict  # pydantic needs this one on Python < 3.12 (ChatState holds a State)

from app.core import models as m
from app.core.errors import InvalidAnswer, UnknownQuestion
from app.core.outcome import Alert as Alert  # re-exported: channels read these as engine.Alert and so on
from app.core.outcome import (
    AnswerOut,
    Decision,
    IndicatorReason,
    LinkOut,
    Reasons,
    RouteOut,
    RuleReason,
    UnknownReason,
)
from app.core.outcome import ContactOut as ContactOut
from app.core.outcome import Outcome as Outcome
from app.core.outcome import QuestionOut as QuestionOut
from app.core.rules import (
    AnswerValue,
    Check,
    Facts,
    compile_condition,
    reads_indicators,
    reads_level_so_far,
    unknown_as_yes,
)


class State(TypedDict):
    """An assessment: answers by question id, the order they were given, and which came from a description."""

    answers: dict[str, AnswerValue]
    order: list[str]
    prefilled: list[str]


QuestionModel = m.YesNoQuestion | m.ChoiceQuestion
ANSWER_LABELS = {"yes": "Yes", "no": "No", m.UNKNOWN: "Don't know"}


def new_state() -> State:
    return {"answers": {}, "order": [], "prefilled": []}


def as_state(data: Mapping[str, Any]) -> State:
    """A stored record's state (plain JSON) as a State; a record written before `order` or `prefilled` has none."""
    return {
        "answers": dict(data["answers"]),
        "order": list(data.get("order", [])),
        "prefilled": list(data.get("prefilled", [])),
    }


# --- The flow -----------------------------------------------------------------------------------


class _Compiled:
    """The content's conditions compiled once (see rules.compile_condition), in content order."""

    def __init__(self, content: m.Content) -> None:
        self.owner = (content.assessment, content.rules, content.procedures)
        # each question with its ask_if, and whether that reads the indicators present (or only the answers)
        self.questions: list[tuple[QuestionModel, Check | None, bool]] = [
            (q, None, False) if q.ask_if is None else (q, compile_condition(q.ask_if), reads_indicators(q.ask_if))
            for q in content.assessment.questions
        ]
        # indicators_for(value) of each question by single option value, in the order the models give them
        self.indicators: dict[str, dict[str, list[str]]] = {
            q.id: {value: q.indicators_for(value) for value in q.option_values} for q in content.assessment.questions
        }
        self.rules: list[tuple[m.Rule, Check]] = [(rule, compile_condition(rule.when)) for rule in content.rules]
        # The rules that can find immediate danger, when none of them reads the level so far: then whether
        # each fires does not depend on the rules before it, and danger needs no other rule (see alerts).
        danger_rules = [(rule, when) for rule, when in self.rules if rule.then.immediate_danger]
        independent = not any(reads_level_so_far(rule.when) for rule, _ in danger_rules)
        self.danger_rules: list[tuple[m.Rule, Check]] | None = danger_rules if independent else None
        # What every response would otherwise build again: a question as shown (when nothing is suggested) and
        # the procedure links every outcome lists. The models are frozen, so one copy serves every response.
        self.questions_out = {q.id: question_out(q, new_state()) for q in content.assessment.questions}
        self.procedure_links = [LinkOut(title=p.title, url=p.url) for p in content.procedures.values()]


def _compiled(content: m.Content) -> _Compiled:
    """Kept with the content (Content._compiled), and rebuilt for a copy with other questions, rules or procedures."""
    private = m.private_values(content)
    compiled = private["_compiled"]
    if (
        not isinstance(compiled, _Compiled)
        or compiled.owner[0] is not content.assessment
        or compiled.owner[1] is not content.rules
        or compiled.owner[2] is not content.procedures
    ):
        compiled = private["_compiled"] = _Compiled(content)
    return compiled


_NONE: list[str] = []


def _indicators_for(compiled: _Compiled, question: QuestionModel, value: AnswerValue) -> list[str]:
    """question.indicators_for(value), looked up for one option value. The list is shared: read only."""
    if value.__class__ is list and len(value) == 1 and question.kind != "yes_no":
        value = value[0]  # one option chosen gives what that option gives (a yes/no takes no list)
    if value.__class__ is str:
        return compiled.indicators[question.id].get(value, _NONE)
    return question.indicators_for(value)  # type: ignore[arg-type]


class _Walk(NamedTuple):
    """One pass over the questions for a set of answers: what applies, and what the answers indicate."""

    active: list[QuestionModel]
    present: dict[str, str]  # indicator id -> the first question that gave it
    possible: dict[str, list[str]]  # question answered "unknown" -> the indicators it could mean


def active_questions(content: m.Content, answers: Mapping[str, AnswerValue]) -> list[QuestionModel]:
    """Questions that apply given the answers so far (ask_if sees only earlier questions' answers)."""
    return _walk(content, answers).active


def _walk(content: m.Content, answers: Mapping[str, AnswerValue]) -> _Walk:
    active: list[QuestionModel] = []
    present: set[str] = set()  # for ask_if: what every answer so far indicates
    sources: dict[str, str] = {}  # for the outcome: the same from definite answers, with their question
    possible: dict[str, list[str]] = {}
    seen: dict[str, AnswerValue] = {}
    # Both read `seen` as it fills. The facts with the indicators are rebuilt only when `present` grows and
    # a condition reads them; a condition that reads only answers cannot tell the two apart.
    facts: Facts | None = None
    answers_only = Facts(content.indicators, frozenset(), seen)
    compiled = _compiled(content)
    for question, ask_if, needs_indicators in compiled.questions:
        if ask_if is not None:
            if not needs_indicators:
                if not ask_if(answers_only):
                    continue
            else:
                if facts is None:
                    facts = Facts(content.indicators, frozenset(present), seen)
                if not ask_if(facts):
                    continue
        active.append(question)
        if question.id in answers:
            value = answers[question.id]
            seen[question.id] = value
            found = _indicators_for(compiled, question, value)
            if found:
                present.update(found)
                facts = None
            if value == m.UNKNOWN:
                possible[question.id] = question.possible_if_unknown()
            else:
                for indicator in found:
                    sources.setdefault(indicator, question.id)
    return _Walk(active, sources, possible)


def next_question(content: m.Content, state: State) -> QuestionModel | None:
    answers = state["answers"]
    return next((q for q in active_questions(content, answers) if q.id not in answers), None)


def _shown(value: Any) -> str:
    """A wrong value as the error message may repeat it: a mistyped option id, never free text (issue 9)."""
    text = str(value)
    return repr(text) if re.fullmatch(r"[\w-]{1,30}", text) else "That answer"


def normalise_answer(question: QuestionModel, value: Any) -> AnswerValue:
    """Check a value against the question; 'unknown' is always allowed and never means 'no'."""
    valid = [*question.option_values, m.UNKNOWN] if question.kind != "yes_no" else question.option_values
    if question.kind == "multiple_choice":
        if value == m.UNKNOWN or value == [m.UNKNOWN]:
            return m.UNKNOWN
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise InvalidAnswer(
                question.id, "This question takes a list of option values ([] for none of these).", valid
            )
        bad = [v for v in value if v not in question.option_values]
        if bad:
            raise InvalidAnswer(question.id, f"Not an option: {', '.join(map(_shown, bad))}.", valid)
        return sorted(set(value), key=question.option_values.index)
    if not isinstance(value, str) or value not in valid:
        raise InvalidAnswer(question.id, f"{_shown(value)} is not an option.", valid)
    return value


def answer(content: m.Content, state: State, question_id: str, value: Any) -> State:
    """Record (or change) an answer; answers to questions that no longer apply are dropped."""
    return _answer(content, state, question_id, value)[0]


def answer_and_view(content: m.Content, state: State, question_id: str, value: Any) -> tuple[State, Snapshot]:
    """answer() and then view() of the new state, over one walk of the questions instead of two (a turn)."""
    new_state, walk = _answer(content, state, question_id, value)
    return new_state, _view(content, new_state, walk, with_outcome=False)


def _answer(content: m.Content, state: State, question_id: str, value: Any) -> tuple[State, _Walk]:
    """The new state, and the walk over its answers (dropping answers to closed questions changes no walk)."""
    question = content.question(question_id)
    answers = dict(state["answers"])
    if question is not None:
        try:
            answers[question_id] = normalise_answer(question, value)
        except InvalidAnswer:
            if any(q.id == question_id for q in active_questions(content, state["answers"])):
                raise
            question = None  # not open now: that is the error to report
    # One pass over the new answers both checks the question applies and prunes: whether a question applies
    # depends only on the answers before it, never on its own.
    walk = _walk(content, answers)
    if question is None or not any(q is question for q in walk.active):
        raise UnknownQuestion(question_id, [q.id for q in active_questions(content, state["answers"])])
    order = [q for q in state["order"] if q != question_id] + [question_id]
    prefilled = [q for q in state.get("prefilled", []) if q != question_id]
    return _pruned({"answers": answers, "order": order, "prefilled": prefilled}, walk), walk


def back(content: m.Content, state: State) -> State:
    """Undo the last answer given."""
    if not state["order"]:
        return state
    last = state["order"][-1]
    answers = {k: v for k, v in state["answers"].items() if k != last}
    return _prune({"answers": answers, "order": state["order"][:-1], "prefilled": state.get("prefilled", [])}, content)


def _opening_answers(content: m.Content, suggested: Mapping[str, AnswerValue]) -> dict[str, AnswerValue]:
    """Add the answers that open a recognised follow-up question.

    Why: "attendance below 90%" answers the education detail question, which is only asked after "any
    concerns about education?" is yes; without that yes the follow-up would be dropped as not applicable.
    """
    opened = dict(suggested)
    for question in content.assessment.questions:
        if question.id not in suggested or question.ask_if is None:
            continue
        tests = [question.ask_if] if isinstance(question.ask_if, m.AnswerCond) else []
        if isinstance(question.ask_if, m.AnyCond):
            tests = [c for c in question.ask_if.any if isinstance(c, m.AnswerCond)][:1]
        for test in tests:
            gate = content.question(test.answer.question)
            value = next((v for v in test.answer.in_ if v != m.UNKNOWN), None)
            if gate is None or value is None or value not in gate.option_values:
                continue
            if gate.kind == "multiple_choice":
                chosen = opened.get(gate.id, [])
                if isinstance(chosen, list) and value not in chosen:
                    opened[gate.id] = [*chosen, value]
            else:
                opened.setdefault(gate.id, value)
    return opened


def prefill(content: m.Content, state: State, suggested: Mapping[str, AnswerValue]) -> State:
    """Take answers recognised from a description, with the answers that open them.

    Immediate-danger questions are kept as suggestions to confirm; the rest are not asked again.
    """
    answers = dict(state["answers"])
    prefilled = list(state.get("prefilled", []))
    for question_id, value in _opening_answers(content, suggested).items():
        question = content.question(question_id)
        if question is None or question_id in answers:
            continue
        answers[question_id] = normalise_answer(question, value)
        prefilled.append(question_id)
    return _prune({"answers": answers, "order": list(state["order"]), "prefilled": prefilled}, content)


def _prune(state: State, content: m.Content) -> State:
    return _pruned(state, _walk(content, state["answers"]))


def _pruned(state: State, walk: _Walk) -> State:
    active = {q.id for q in walk.active}
    answers = {k: v for k, v in state["answers"].items() if k in active}
    return {
        "answers": answers,
        "order": [q for q in state["order"] if q in answers],
        "prefilled": [q for q in state["prefilled"] if q in answers],
    }


def pending_question(content: m.Content, state: State) -> QuestionModel | None:
    """The next question to show: an unconfirmed immediate-danger suggestion first, then the next open one."""
    return _pending(state, _walk(content, state["answers"]).active)


def _pending(state: State, active: list[QuestionModel]) -> QuestionModel | None:
    prefilled = state["prefilled"]
    if prefilled:
        for question in active:
            if question.section == "immediate_danger" and question.id in prefilled:
                return question
    answers = state["answers"]
    return next((q for q in active if q.id not in answers), None)


_YES_NO_OPTIONS = [{"value": v, "label": ANSWER_LABELS[v]} for v in m.YES_NO_VALUES]


def _options(question: QuestionModel) -> list[dict[str, str]]:
    """The question's options as QuestionOut takes them (with "Don't know"), made once per question.

    Why: pydantic makes the OptionOut models from plain dicts in its core, without keeping the dicts, at
    about half the cost of calling OptionOut(...) for each option on every request. Kept with the options
    they were made from (ChoiceQuestion._options_out), because model_copy(update=...) shares it.
    """
    if isinstance(question, m.YesNoQuestion):
        return _YES_NO_OPTIONS
    private = m.private_values(question)
    stored = private["_options_out"]
    if stored is None or stored[0] is not question.options:
        made = [{"value": o.value, "label": o.label} for o in question.options]
        made.append({"value": m.UNKNOWN, "label": "Don't know"})
        stored = private["_options_out"] = (question.options, made)
    options: list[dict[str, str]] = stored[1]
    return options


def question_out(question: QuestionModel, state: State, content: m.Content | None = None) -> QuestionOut:
    """The question as a channel shows it; made once per question (with the content) when nothing is suggested."""
    suggested = state["answers"].get(question.id) if question.id in state["prefilled"] else None
    if suggested is None and content is not None and content.question(question.id) is question:
        return _compiled(content).questions_out[question.id]
    return QuestionOut(
        id=question.id,
        text=question.text,
        kind=question.kind,
        section=question.section,
        options=_options(question),
        why=question.why,
        help=question.help,
        suggested=suggested,
    )


# --- Deciding -----------------------------------------------------------------------------------


def _run_rules(
    content: m.Content, present: frozenset[str], answers: Mapping[str, AnswerValue]
) -> tuple[int, bool, list[RuleReason]]:
    level, danger, fired = 1, False, []
    facts = Facts(content.indicators, present, answers, level)
    for rule, when in _compiled(content).rules:
        if facts.level_so_far != level:  # a later rule may read the level so far (level_at_least)
            facts = facts.with_level(level)
        if not when(facts):
            continue
        if rule.then.level == "highest_indicator":
            levels = [i.level for i in facts.raising()]
            if not levels:
                continue
            rule_level = max(levels)
        else:
            rule_level = rule.then.level
        level = max(level, rule_level)
        danger = danger or rule.then.immediate_danger
        fired.append(RuleReason(id=rule.id, text=rule.text, level=rule_level, source=rule.source))
    return level, danger, fired


def _immediate_danger(content: m.Content, present: frozenset[str], answers: Mapping[str, AnswerValue]) -> bool:
    """_run_rules(...)[1], running only the rules that can find immediate danger when that is the same."""
    danger_rules = _compiled(content).danger_rules
    if danger_rules is None:
        return _run_rules(content, present, answers)[1]
    facts = Facts(content.indicators, present, answers)
    for rule, when in danger_rules:
        # as in _run_rules: a highest_indicator rule with no raising indicator does not fire
        if when(facts) and (rule.then.level != "highest_indicator" or facts.raising()):
            return True
    return False


DOUBT_TEXT = (
    "Some answers are not known, and they could point to a higher level. When in doubt between two levels, "
    "the guidance is the higher one until the unknowns are settled."
)
DOUBT_SOURCE = "Threshold Guide principle: never understate; rules/decision.yaml doubt.max_lift"


def decide(
    content: m.Content,
    present: Iterable[str],
    possible: Iterable[str] = (),
    answers: Mapping[str, AnswerValue] | None = None,
    possible_by_question: Mapping[str, Iterable[str]] | None = None,
) -> Decision:
    """Combine indicators into a level with the decision rules; unknowns can lift it, never lower it."""
    answers = answers or {}
    known = frozenset(present)
    maybe = frozenset(possible) - known
    confirmed, danger, fired = _run_rules(content, known, answers)
    level = confirmed
    maybe_yes = unknown_as_yes(content, answers)
    if maybe or maybe_yes is not answers:
        doubtful = _run_rules(content, known | maybe, maybe_yes)[0]
        lifted = min(doubtful, confirmed + content.doubt.max_lift)
        if lifted > confirmed:
            level = lifted
            fired = [*fired, RuleReason(id="doubt", text=DOUBT_TEXT, level=lifted, source=DOUBT_SOURCE)]
    possible_red_flag = _red_flag_among(content, maybe)
    if possible_red_flag:
        level = 4
    settle = []
    for question_id, ids in (possible_by_question or {}).items():
        if _run_rules(content, known | frozenset(ids), unknown_as_yes(content, answers, question_id))[0] > confirmed:
            settle.append(question_id)
    return Decision(
        level=level,
        confirmed_level=confirmed,
        immediate_danger=danger,
        possible_red_flag=possible_red_flag,
        rules=fired,
        settle_questions=settle,
    )


def _red_flag_among(content: m.Content, indicator_ids: Iterable[str]) -> bool:
    return any(content.indicators[i].red_flag for i in indicator_ids if i in content.indicators)


def _possible_red_flag(content: m.Content, present: Mapping[str, str], possible: Mapping[str, list[str]]) -> bool:
    """A red flag among the indicators an unknown answer could mean, and that are not already present."""
    return _red_flag_among(content, {i for ids in possible.values() for i in ids if i not in present})


def indicator_sources(content: m.Content, state: State) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Present indicators (id -> question that produced it) and possible ones by unknown question."""
    walk = _walk(content, state["answers"])
    return walk.present, walk.possible


def decide_state(content: m.Content, state: State) -> Decision:
    return _decide_walk(content, state, _walk(content, state["answers"]))


def _decide_walk(content: m.Content, state: State, walk: _Walk) -> Decision:
    present, possible = walk.present, walk.possible
    return decide(
        content,
        present,
        [i for ids in possible.values() for i in ids],
        state["answers"],
        possible,
    )


# --- Alerts and outcome -------------------------------------------------------------------------


def contacts_out(content: m.Content, ids: Iterable[str]) -> list[ContactOut]:
    """The content's contacts with these ids, in that order (ids not in the content left out)."""
    return [
        ContactOut(id=c.id, name=c.name, phone=c.phone, hours=c.hours, how=c.how, verify=c.verify)
        for i in ids
        if (c := content.contacts.get(i)) is not None
    ]


def _route_contacts(content: m.Content, route_id: str) -> list[ContactOut]:
    route = content.routes.get(route_id)
    return contacts_out(content, route.contacts) if route else []


def _once(contacts: list[ContactOut]) -> list[ContactOut]:
    """Each contact once, in the order first given (the 999 and MASH routes both list the MASH)."""
    return list({c.id: c for c in contacts}.values())


def alerts(content: m.Content, state: State) -> list[Alert]:
    """Alerts every response carries: immediate danger (999 / MASH), or consult the MASH now."""
    return _alerts(content, state, _walk(content, state["answers"]))


def _alerts(content: m.Content, state: State, walk: _Walk) -> list[Alert]:
    # The rules on what is known, as far as the danger finding needs them, and the possible red flag (from
    # the unknowns alone, as in decide); the doubt and "what would settle it" runs of decide only change
    # the level, which the alerts never read.
    present, possible = walk.present, walk.possible
    immediate_danger = _immediate_danger(content, frozenset(present), state["answers"])
    out = []
    if immediate_danger:
        out.append(
            Alert(
                kind="immediate_danger",
                text="A child may be in immediate danger. Call 999 now, then contact the MASH. "
                "Do not wait to finish these questions.",
                contacts=_once(_route_contacts(content, "police_999") + _route_contacts(content, "mash_referral")),
            )
        )
    elif _possible_red_flag(content, present, possible):
        out.append(
            Alert(
                kind="consult_mash",
                text="You are not sure whether a child is in immediate danger. Talk to the MASH now; "
                "if you think the child is in danger, call 999.",
                # 999 as well: a "don't know" about danger keeps the 999 number one tap away (issue 14)
                contacts=contacts_out(content, ["police_999"])
                + (_route_contacts(content, "consult_mash") or _route_contacts(content, "mash_referral")),
            )
        )
    return out


def answer_label(question: QuestionModel, value: AnswerValue) -> str:
    if value == m.UNKNOWN:
        return "Don't know"
    if isinstance(question, m.YesNoQuestion):
        return ANSWER_LABELS.get(str(value), str(value))
    labels = {o.value: o.label for o in question.options}
    chosen = value if isinstance(value, list) else [value]
    return "; ".join(labels[v] for v in chosen) if chosen else "None of these"


def route_order(content: m.Content, decision: Decision, raising: list[m.Indicator]) -> dict[str, list[str]]:
    """The routes to recommend, first to act on first, each with why it is there.

    999 (or advice from the MASH when danger is not known) comes first. Then a concern at the outcome's level that
    has a procedure of its own (the LADO, FGM reporting, the NRM, Prevent ...) comes before the level's general
    routes (in immediate danger, after the MASH referral). The level's general routes are left out only when
    every concern is one with `own_procedure`, nothing else (a rule, an unknown, danger) raised the level
    above theirs, and the level is below 4.
    """
    level = content.levels[decision.level]
    general = {r for lv in content.levels.values() for r in lv.routes}
    gravest_first = sorted(raising, key=lambda i: -i.level)
    at_level = [i for i in gravest_first if i.level >= decision.level]
    order: list[tuple[str, str]] = []
    if decision.immediate_danger:
        order.append(("police_999", "immediate_danger"))
    if decision.possible_red_flag:
        order.append(("consult_mash", "possible_red_flag"))
    own = [(r, i.id) for i in at_level for r in i.routes if r not in general]
    general_routes = [(r, f"level {level.level}") for r in level.routes]
    own_procedure_only = (
        bool(at_level)
        and all(i.own_procedure for i in at_level)
        and all(i.own_procedure for i in gravest_first if i.level >= 2)
        and decision.level == decision.confirmed_level
        and decision.level < 4  # a level 4 outcome always brings the MASH referral
        and not decision.immediate_danger
    )
    if own_procedure_only:
        general_routes = []
    # In immediate danger the level's main route (the MASH referral) follows 999, before any procedure of its own.
    order += [*general_routes[:1], *own, *general_routes[1:]] if decision.immediate_danger else [*own, *general_routes]
    order += [(r, i.id) for i in gravest_first for r in i.routes]
    why: dict[str, list[str]] = {}
    for route_id, reason in order:
        reasons = why.setdefault(route_id, [])
        if reason not in reasons:
            reasons.append(reason)
    return why


def outcome(content: m.Content, state: State) -> Outcome:
    """The explained recommendation for the answers so far."""
    return _outcome(content, state, _walk(content, state["answers"]))


def _outcome(content: m.Content, state: State, walk: _Walk) -> Outcome:
    decision = _decide_walk(content, state, walk)
    present, possible = walk.present, walk.possible
    level = content.levels[decision.level]
    raising = [content.indicators[i] for i in present if i in content.indicators and not content.indicators[i].strength]
    strengths = [content.indicators[i] for i in present if i in content.indicators and content.indicators[i].strength]

    route_why = route_order(content, decision, raising)
    own_procedure_only = not any(why.startswith("level ") for whys in route_why.values() for why in whys)
    lead = content.routes.get(next(iter(route_why), "")) if own_procedure_only else None
    routes = []
    for route_id, because in route_why.items():
        route = content.routes.get(route_id)
        if route is None:
            continue
        routes.append(
            RouteOut(
                id=route.id,
                name=route.name,
                what_to_do=route.what_to_do,
                timeframe=route.timeframe,
                contacts=contacts_out(content, route.contacts),
                procedures=[
                    LinkOut(title=p.title, url=p.url) for pid in route.procedures if (p := content.procedures.get(pid))
                ],
                because=because,
            )
        )

    unknowns = []
    for question_id, ids in possible.items():
        question = content.question(question_id)
        assert question is not None
        raise_to = decide(content, [*present, *ids], (), unknown_as_yes(content, state["answers"], question_id)).level
        unknowns.append(
            UnknownReason(
                question_id=question_id,
                question=question.text,
                could_indicate=[content.indicators[i].text for i in ids if i in content.indicators],
                would_raise_to=raise_to if raise_to > decision.confirmed_level else None,
            )
        )
    settle = [
        f"Find out: {content.question(q).text} "  # type: ignore[union-attr]
        f"If that shows a concern, the guidance is level "
        f"{decide(content, [*present, *possible[q]], (), unknown_as_yes(content, state['answers'], q)).level}."
        for q in decision.settle_questions
    ]
    if decision.level > decision.confirmed_level:
        settle.insert(
            0,
            f"What you know points to level {decision.confirmed_level}; because some answers are not known, "
            f"the guidance is the higher level, {decision.level}, until they are.",
        )

    escalation = next((p for p in content.procedures.values() if "escalation" in p.id), None)
    escalation_text = (
        "If you disagree with a decision about this child, raise it: worker to worker first, then your "
        "safeguarding lead or manager, using the partnership's escalation process. A disagreement must never "
        "delay action to protect a child."
    )
    links = list(_compiled(content).procedure_links)
    answers_out = [
        AnswerOut(
            question_id=q.id,
            question=q.text,
            answer=answer_label(q, state["answers"][q.id]),
            prefilled=q.id in state["prefilled"],
        )
        for q in walk.active
        if q.id in state["answers"]
    ]
    summary = f"Level {level.level}: {level.name}."
    if own_procedure_only and routes:
        summary += f" This concern has its own procedure, which comes first: {routes[0].name}."
    if decision.level > decision.confirmed_level:
        summary += f" What is known points to level {decision.confirmed_level}; unknown answers could mean more."
    if decision.immediate_danger:
        summary = f"Immediate danger: call 999 now, then contact the MASH. {summary}"
    elif decision.possible_red_flag:
        summary = f"Talk to the MASH now: it is not known whether a child is in immediate danger. {summary}"
    return Outcome(
        level=level.level,
        level_name=level.name,
        confirmed_level=decision.confirmed_level,
        immediate_danger=decision.immediate_danger,
        summary=summary,
        meaning=level.meaning,
        reasons=Reasons(
            indicators=[
                IndicatorReason(id=i.id, text=i.text, level=i.level, domain=i.domain, question_id=present[i.id])
                for i in sorted(raising, key=lambda i: (-i.level, i.id))
            ],
            rules=decision.rules,
            unknowns=unknowns,
            strengths=[
                IndicatorReason(id=i.id, text=i.text, level=i.level, domain=i.domain, question_id=present[i.id])
                for i in strengths
            ],
        ),
        settle=settle,
        routes=routes,
        talk_to=contacts_out(content, ["dsl", "mash_in_hours", "mash_out_of_hours"]),
        # A procedure of its own sets what agreement it needs and how quickly, not the level's early help.
        consent=(lead.consent if own_procedure_only and lead and lead.consent else level.consent),
        timeframe=(lead.timeframe if own_procedure_only and lead and lead.timeframe else level.timeframe),
        procedures=links,
        escalation=escalation_text + (f" See: {escalation.title} ({escalation.url})." if escalation else ""),
        answers=answers_out,
        content_version=content.version,
        caveat=content.info.caveat,
    )


# --- The view: everything a channel shows after a change ----------------------------------------


class Snapshot(NamedTuple):
    """Where an assessment stands, from one pass over the questions (see view)."""

    question: QuestionModel | None  # the question to ask next; None when every question is answered
    question_out: QuestionOut | None
    outcome: Outcome | None  # when complete, or when asked for (a provisional outcome)
    alerts: list[Alert]  # 999 / MASH alerts, to show before anything else
    prefilled: list[AnswerOut]  # answers taken from a description, still to be checked
    answered: int
    remaining: int  # questions open now (more may open as they are answered)

    @property
    def complete(self) -> bool:
        return self.question is None


def view(content: m.Content, state: State, *, with_outcome: bool = False) -> Snapshot:
    """The one call a channel makes after each change: next question, outcome, alerts, prefilled, progress."""
    return _view(content, state, _walk(content, state["answers"]), with_outcome=with_outcome)


def _view(content: m.Content, state: State, walk: _Walk, *, with_outcome: bool) -> Snapshot:
    answers = state["answers"]
    question = _pending(state, walk.active)
    prefilled = []
    for question_id in state["prefilled"]:
        filled = content.question(question_id)
        if filled is not None and question_id in answers:
            prefilled.append(
                AnswerOut(
                    question_id=question_id,
                    question=filled.text,
                    answer=answer_label(filled, answers[question_id]),
                    prefilled=True,
                )
            )
    return Snapshot(
        question=question,
        question_out=question_out(question, state, content) if question is not None else None,
        outcome=_outcome(content, state, walk) if question is None or with_outcome else None,
        alerts=_alerts(content, state, walk),
        prefilled=prefilled,
        answered=len(answers),
        remaining=sum(1 for q in walk.active if q.id not in answers),
    )
