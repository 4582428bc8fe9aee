"""Rasa custom actions that drive Threshold Guide's engine, for an existing Rasa assistant to call.

Imported only when /rasa/* is first used (app/rasa/endpoint.py): importing rasa_sdk pulls in Sanic,
gRPC and OpenTelemetry, which the rest of the app does not need.

State lives in the app's store under kind "rasa", keyed by the Rasa sender id, and every write
names the version it read (`expected_version`), so several action-server processes can serve one
Rasa without losing an answer. Records hold question ids and answer values only, never free text.

Button payloads use Rasa's `/intent{json}` syntax, e.g. `/answer{"answer":"yes","question":"danger"}`;
Rasa turns that into the intent `answer` with the entities `answer` and `question`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import ActionExecutor, CollectingDispatcher
from rasa_sdk.interfaces import ActionExecutionRejection
from rasa_sdk.types import DomainDict

from app.conversation.answers import read_answer
from app.conversation.evidence import DANGER_IN_WORDS, quoted, reads_as_danger
from app.core import engine, render
from app.core import models as m
from app.core.errors import InvalidAnswer, InvalidInput
from app.core.escalation import UnknownTimeline, escalation_schedule, timeline
from app.core.knowledge import ask
from app.core.language.redact import redact
from app.core.triage import triage
from app.store import Record, Store, update_with_retry

KIND = "rasa"
NONE_OF_THESE = "none"
ANSWER_ENTITY = "answer"
QUESTION_ENTITY = "question"
ANSWER_SLOT = "threshold_answer"
QUESTION_SLOT = "threshold_question"
COMPLETE_SLOT = "threshold_complete"
LEVEL_SLOT = "threshold_level"
DESCRIPTION_SLOT = "threshold_description"  # optional: an assistant may collect the description in a slot
FORM_NAME = "threshold_assessment_form"
# Typed answers Rasa's NLU classifies rather than extracts: the intent is the answer, when the words
# themselves are not one the answer reader can read.
ANSWER_BY_INTENT = {"affirm": "yes", "deny": "no", "dont_know": m.UNKNOWN}
_CONFLICT_RETRIES = 3
NO_ASSESSMENT = "There is no assessment in progress. Say 'start' to begin one."


class AppState(Protocol):
    """The parts of the FastAPI app state the actions read (app.state)."""

    content: m.Content
    store: Store


@dataclass(frozen=True)
class ActionContext:
    """What the actions need from the running app. Read at call time, so a reloaded app state is seen."""

    app_state: AppState
    ttl_seconds: int

    @property
    def content(self) -> m.Content:
        return self.app_state.content

    @property
    def store(self) -> Store:
        return self.app_state.store


# --- State in the store -------------------------------------------------------------------------


async def load_state(context: ActionContext, sender_id: str) -> tuple[engine.State | None, int | None]:
    record = await context.store.get(KIND, sender_id)
    if record is None:
        return None, None
    return engine.as_state(record.data["state"]), record.version


async def update_state(
    context: ActionContext, sender_id: str, change: Callable[[engine.State | None], engine.State]
) -> engine.State:
    """Read, change and write the sender's state; on a lost race re-read and apply the change again."""

    def write(record: Record | None) -> tuple[dict[str, Any], int]:
        state = engine.as_state(record.data["state"]) if record else None
        return {"state": change(state)}, context.ttl_seconds

    data = await update_with_retry(context.store, KIND, sender_id, write, _CONFLICT_RETRIES)
    new: engine.State = data["state"]  # what change() made
    return new


# --- Messages -----------------------------------------------------------------------------------


def answer_payload(question_id: str, value: str) -> str:
    return "/answer" + json.dumps({ANSWER_ENTITY: value, QUESTION_ENTITY: question_id}, separators=(",", ":"))


def question_buttons(question: engine.QuestionModel) -> list[dict[str, str]]:
    """One button per option; yes/no questions get exactly `Yes`, `No`, `Don't know`."""
    out = engine.question_out(question, engine.new_state())
    buttons = [{"title": o.label, "payload": answer_payload(question.id, o.value)} for o in out.options]
    if question.kind == "multiple_choice":
        buttons.insert(-1, {"title": "None of these", "payload": answer_payload(question.id, NONE_OF_THESE)})
    return buttons


def utter_alerts(dispatcher: CollectingDispatcher, alerts: list[engine.Alert]) -> None:
    """Each alert with its contacts once, and their numbers as tap-to-call links in the custom part."""
    for alert in alerts:
        contacts = list({c.id: c for c in alert.contacts}.values())
        names = "; ".join(f"{c.name}: {c.phone}" if c.phone else c.name for c in contacts)
        text = f"{alert.text} {names}".strip() if names else alert.text
        links = [link.model_dump() for link in render.phone_links(contacts)]
        dispatcher.utter_message(text=text, json_message={"threshold_alert": alert.kind, "links": links})


def utter_question(dispatcher: CollectingDispatcher, question: engine.QuestionModel, state: engine.State) -> None:
    out = engine.question_out(question, state)
    text = out.text
    if out.suggested is not None:
        text += f" (From your description we think: {engine.answer_label(question, out.suggested)}. Please confirm.)"
    if question.kind == "multiple_choice":
        text += " (A button chooses one; to choose several, type them separated by commas.)"
    dispatcher.utter_message(
        text=text,
        buttons=question_buttons(question),
        json_message={"threshold_question": {"id": out.id, "kind": out.kind, "why": out.why, "help": out.help}},
    )


def progress_events(view: engine.Snapshot) -> list[dict[str, Any]]:
    """Slots that let the assistant's rules branch: the open question and whether the assessment is done."""
    return [
        SlotSet(QUESTION_SLOT, view.question.id if view.question else None),
        SlotSet(COMPLETE_SLOT, view.complete),
    ]


# --- Reading answers ----------------------------------------------------------------------------


def answer_from_tracker(tracker: Tracker) -> tuple[Any, str | None]:
    """The answer in the latest message: a button's entity, else the typed words (read by the one answer reader
    when the action records them), else the typed yes/no intent, else the answer slot."""
    value = next(tracker.get_latest_entity_values(ANSWER_ENTITY), None)
    question_id = next(tracker.get_latest_entity_values(QUESTION_ENTITY), None)
    if value is None:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        typed = tracker.latest_message.get("text") or ""
        value = Typed(typed, ANSWER_BY_INTENT.get(intent or "")) if typed and not typed.startswith("/") else None
        value = value or ANSWER_BY_INTENT.get(intent or "")
    if value is None:
        value = tracker.get_slot(ANSWER_SLOT)
    return value, question_id


@dataclass(frozen=True)
class Typed:
    """Words the user typed, with the answer Rasa's NLU read in them (used only when the words cannot be read)."""

    text: str
    by_intent: str | None


def read_raw(question: engine.QuestionModel, raw: Any) -> engine.AnswerValue:
    """A button value, label, Rasa entity or typed words as the engine's value (the one answer reader, the
    same as the chat's). Raises InvalidAnswer with the choices when it cannot be read."""
    if isinstance(raw, Typed):
        value = read_answer(question, raw.text)
        if value is None and raw.by_intent not in (None, "no"):  # never a "no" the words did not say
            value = read_answer(question, raw.by_intent)
    elif isinstance(raw, str) and raw.strip().lower() == NONE_OF_THESE and question.kind == "multiple_choice":
        value = [] if NONE_OF_THESE not in question.option_values else [NONE_OF_THESE]
    else:
        value = read_answer(question, raw)
    if value is None:
        choices = [*question.option_values, m.UNKNOWN]
        raise InvalidAnswer(question.id, "I could not tell which answer that is. Please choose one of these.", choices)
    return value


async def record_answer(
    context: ActionContext, sender_id: str, raw: Any, question_id: str | None
) -> tuple[engine.State, engine.QuestionModel]:
    """Validate and store an answer to `question_id` (default: the open question). Raises InvalidAnswer."""
    content = context.content
    answered: list[engine.QuestionModel] = []

    def change(state: engine.State | None) -> engine.State:
        if state is None:
            raise InvalidInput(NO_ASSESSMENT)
        target = content.question(question_id) if question_id else engine.pending_question(content, state)
        if target is None:
            raise InvalidInput("Every question has been answered. Say 'start' to begin a new assessment.")
        answered[:] = [target]
        return engine.answer(content, state, target.id, read_raw(target, raw))

    state = await update_state(context, sender_id, change)
    return state, answered[0]


# --- The actions --------------------------------------------------------------------------------


class ThresholdAction(Action):
    """Base for actions that need the app; `context` is given when the executor is built."""

    action_name = ""

    def __init__(self, context: ActionContext) -> None:
        self.context = context

    def name(self) -> str:
        return self.action_name


class StartAssessment(ThresholdAction):
    """Begin (or restart) an assessment for this sender and ask the first question."""

    action_name = "action_threshold_start"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        content = self.context.content
        state = await update_state(self.context, tracker.sender_id, lambda _: engine.new_state())
        dispatcher.utter_message(text=content.info.safety_line)
        view = engine.view(content, state)
        assert view.question is not None  # content always has questions (the loader refuses an empty dialogue)
        utter_question(dispatcher, view.question, state)
        return [SlotSet(ANSWER_SLOT, None), SlotSet(LEVEL_SLOT, None), *progress_events(view)]


class AskQuestion(ThresholdAction):
    """Ask the open question with its buttons; once every question is answered, say so."""

    action_name = "action_threshold_ask"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        content = self.context.content
        state, _ = await load_state(self.context, tracker.sender_id)
        if state is None:
            dispatcher.utter_message(text=NO_ASSESSMENT)
            return [SlotSet(QUESTION_SLOT, None), SlotSet(COMPLETE_SLOT, False)]
        view = engine.view(content, state)
        utter_alerts(dispatcher, view.alerts)
        if view.question is None:
            dispatcher.utter_message(text="That is every question answered. Ask for the outcome to see the guidance.")
        else:
            utter_question(dispatcher, view.question, state)
        return progress_events(view)


class FormAskQuestion(AskQuestion):
    """The same as action_threshold_ask, under the name Rasa's form looks for when it asks for the answer slot."""

    action_name = f"action_ask_{ANSWER_SLOT}"


def utter_recorded(dispatcher: CollectingDispatcher, question: engine.QuestionModel, state: engine.State) -> None:
    """Echo what typed words were recorded as ("Recorded: 5 to 11 years")."""
    label = engine.answer_label(question, state["answers"][question.id])
    dispatcher.utter_message(text=f"Recorded: {label}", json_message={"threshold_recorded": question.id})


class TakeAnswer(ThresholdAction):
    """Record the answer from a button payload, typed words (the one answer reader), a typed yes/no/don't know
    intent, or the answer slot. Words that cannot be read get the question's choices again.

    Rejects (HTTP 400) when the latest message holds no answer at all, so Rasa's policies can
    choose another action instead.
    """

    action_name = "action_threshold_answer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        raw, question_id = answer_from_tracker(tracker)
        if raw is None:
            raise ActionExecutionRejection(self.name(), "The latest message holds no answer.")
        content = self.context.content
        try:
            state, question = await record_answer(self.context, tracker.sender_id, raw, question_id)
        except InvalidAnswer as exc:
            if isinstance(raw, Typed) and reads_as_danger(content, raw.text):
                # Danger in other words at a question: act now (the chat does the same); nothing recorded.
                utter_alerts(dispatcher, [danger_alert(content)])
                dispatcher.utter_message(text=DANGER_IN_WORDS)
                stored_state, _ = await load_state(self.context, tracker.sender_id)
                view = engine.view(content, stored_state or engine.new_state())
                if view.question is not None and stored_state is not None:
                    utter_question(dispatcher, view.question, stored_state)
                return [SlotSet(ANSWER_SLOT, None), *progress_events(view)]
            if isinstance(raw, Typed) and raw.by_intent is None and tracker.get_slot(ANSWER_SLOT) is None:
                # Words that hold no answer, with no answer intent: let Rasa's policies choose another action.
                raise ActionExecutionRejection(self.name(), "The latest message holds no answer.") from exc
            stored_state, _ = await load_state(self.context, tracker.sender_id)
            view = engine.view(content, stored_state or engine.new_state())
            dispatcher.utter_message(text=f"Sorry, I could not take that answer. {exc.message}")
            if view.question is not None and stored_state is not None:
                utter_question(dispatcher, view.question, stored_state)  # the choices again
            return [SlotSet(ANSWER_SLOT, None), *progress_events(view)]
        except InvalidInput as exc:
            dispatcher.utter_message(text=exc.message)
            return [SlotSet(ANSWER_SLOT, None), SlotSet(COMPLETE_SLOT, False)]
        view = engine.view(content, state)
        alerts = view.alerts
        if (
            "act_now" in content.routes
            and question.section == "immediate_danger"
            and state["answers"][question.id] == "yes"
        ):
            # A yes to danger just now: the act-now steps, not only "call 999"
            alerts = [danger_alert(content) if a.kind == "immediate_danger" else a for a in alerts]
        utter_alerts(dispatcher, alerts)
        if isinstance(raw, Typed):
            utter_recorded(dispatcher, question, state)
        await count_outcome(self.context, tracker.sender_id, view)
        return [SlotSet(ANSWER_SLOT, None), *progress_events(view)]


async def count_outcome(context: ActionContext, sender_id: str, view: engine.Snapshot) -> None:
    """Count a finished assessment for the analytics, once per sender's assessment (channel "rasa")."""
    from app.web import analytics  # the web layer's counters, shared by every channel

    if view.outcome is not None:
        await analytics.count_completed_assessment(
            context.store, f"{KIND}:{sender_id}", view.outcome, context.ttl_seconds, channel=KIND
        )


class ValidateAssessmentForm(FormValidationAction):
    """Form validation for `threshold_assessment_form`: each `threshold_answer` is checked by the engine.

    The form loops on one slot: a valid answer is stored and the slot is cleared so the form asks
    the next question (through action_ask_threshold_answer); after the last question the slot keeps
    the answer, the form completes, and the assistant gives the outcome.
    """

    def __init__(self, context: ActionContext) -> None:
        self.context = context

    def name(self) -> str:
        return "validate_threshold_assessment_form"

    async def validate_threshold_answer(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        content = self.context.content
        question_id = next(tracker.get_latest_entity_values(QUESTION_ENTITY), None)
        state, _ = await load_state(self.context, tracker.sender_id)
        if state is None:
            await update_state(self.context, tracker.sender_id, lambda _: engine.new_state())
        try:
            state, _ = await record_answer(self.context, tracker.sender_id, value, question_id)
        except (InvalidAnswer, InvalidInput) as exc:
            dispatcher.utter_message(text=f"Sorry, I could not take that answer. {exc.message}")
            return {ANSWER_SLOT: None}
        view = engine.view(content, state)
        utter_alerts(dispatcher, view.alerts)
        await count_outcome(self.context, tracker.sender_id, view)
        return {
            ANSWER_SLOT: None if view.question else value,
            QUESTION_SLOT: view.question.id if view.question else None,
            COMPLETE_SLOT: view.complete,
        }


class TriageDescription(ThresholdAction):
    """List what a described concern shows, with the words that matched, then start the assessment's questions.

    Free text is evidence, not a verdict: nothing read from the description is recorded until the user answers
    the questions (the chat and the REST channel confirm items one by one instead), and no level is stated from
    the description alone. A child who may be in immediate danger gets the 999 alert at once."""

    action_name = "action_threshold_triage"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        content = self.context.content
        text = tracker.get_slot(DESCRIPTION_SLOT) or tracker.latest_message.get("text") or ""
        redacted = redact(text).text  # nothing identifying is read further, echoed or stored
        result = triage(content, redacted)
        current = [i for i in result.indicators if not i.negated and not i.historic]
        if not current:
            dispatcher.utter_message(text=result.guidance or "I could not recognise a concern in that description.")
        else:
            found = "; ".join(
                i.text
                + (f" (matched {', '.join(repr(w) for w in words)})" if (words := quoted(i.spans, i.evidence)) else "")
                for i in current
            )
            dispatcher.utter_message(
                text=f"From your description I recognised: {found}. Let's check with the questions; only what you "
                "answer is recorded.",
                json_message={"threshold_triage": {"indicators": [i.id for i in current]}},
            )
        if result.immediate_danger:
            utter_alerts(dispatcher, [danger_alert(content)])
        state = await update_state(self.context, tracker.sender_id, lambda _: engine.new_state())
        view = engine.view(content, state)
        if view.question is not None:
            utter_question(dispatcher, view.question, state)
        # The description slot is cleared only where the assistant's domain has one (the shipped domain does not):
        # Rasa logs an error for each event that sets a slot its domain lacks.
        clear = [SlotSet(DESCRIPTION_SLOT, None)] if DESCRIPTION_SLOT in (domain.get("slots") or {}) else []
        return [*clear, SlotSet(LEVEL_SLOT, None), *progress_events(view)]


def danger_alert(content: m.Content) -> engine.Alert:
    """The 999 alert for a description that reads as immediate danger, before any answer is recorded."""
    route = content.routes.get("act_now") or content.routes.get("police_999")
    ids = route.contacts if route else ["police_999"]
    contacts = engine.contacts_out(content, ids)
    steps = " ".join(route.what_to_do.splitlines()) if route else "Call 999 now, then contact the MASH."
    return engine.Alert(kind="immediate_danger", text=f"A child may be in immediate danger. {steps}", contacts=contacts)


class GiveOutcome(ThresholdAction):
    """The level, what to do now and who to call, then the reasons, routes and consent (the one renderer)."""

    action_name = "action_threshold_outcome"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        content = self.context.content
        state, _ = await load_state(self.context, tracker.sender_id)
        if state is None:
            dispatcher.utter_message(text=NO_ASSESSMENT)
            return []
        view = engine.view(content, state, with_outcome=True)
        outcome = view.outcome
        assert outcome is not None
        utter_alerts(dispatcher, view.alerts)
        text = render.plain_text(outcome, content)
        if not view.complete:
            text = "Some questions are not answered yet, so this is provisional.\n" + text
        card = render.card(outcome, content)
        dispatcher.utter_message(
            text=text,
            json_message={
                "threshold_outcome": {
                    "level": outcome.level,
                    "level_name": outcome.level_name,
                    "routes": [r.id for r in outcome.routes],
                    "content_version": outcome.content_version,
                    "links": [link.model_dump() for link in render.phone_links(card.contacts)],
                }
            },
        )
        return [SlotSet(LEVEL_SLOT, outcome.level), *progress_events(view)]


def _date_entity(tracker: Tracker) -> date:
    raw = next(tracker.get_latest_entity_values("date"), None) or tracker.get_slot("threshold_date")
    if raw:
        try:
            return date.fromisoformat(str(raw))
        except ValueError:
            pass
    return date.today()


class GiveEscalationDates(ThresholdAction):
    """The escalation steps dated from the day a disagreement started (entity `date`, default today), or a
    statutory timeline's due date (entity `timeline`, e.g. rapid_review)."""

    action_name = "action_threshold_escalation"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        escalation = self.context.content.escalation
        started = _date_entity(tracker)
        name = next(tracker.get_latest_entity_values("timeline"), None)
        if name:
            try:
                due = timeline(escalation, str(name), started)
            except UnknownTimeline as exc:
                dispatcher.utter_message(text=exc.message)
                return []
            dispatcher.utter_message(
                text=f"{due.title}: {due.text} Counted from {due.start:%A %d %B %Y}, it is due by "
                f"{due.due:%A %d %B %Y}. ({due.section}; {due.source})"
            )
            return []
        schedule = escalation_schedule(escalation, started)
        lines = [f"If the disagreement started on {started:%A %d %B %Y} ({schedule.basis} days):"]
        for step in schedule.steps:
            lines.append(f"Step {step.step}, {step.title}: {step.starts:%d %B} to {step.due:%A %d %B %Y}. {step.who}")
        lines.append(schedule.child_safety_first)
        lines.append(f"({schedule.section}; {schedule.source})")
        dispatcher.utter_message(text="\n".join(lines))
        return []


class AnswerPartnershipQuestion(ThresholdAction):
    """Answer a question about the partnership's procedures from its own content, or say who to ask."""

    action_name = "action_threshold_ask_partnership"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        question = redact(tracker.latest_message.get("text") or "").text
        found = ask(self.context.content.knowledge, question)
        sources = "; ".join(f"{s.title}, {s.section}" for s in found.sources)
        dispatcher.utter_message(
            text=f"{found.answer}" + (f" (Source: {sources})" if sources else ""),
            buttons=[{"title": r.title, "payload": r.title} for r in found.related],
            json_message={"threshold_answer": {"entry_id": found.entry_id, "verify": found.verify}},
        )
        return []


ACTION_CLASSES: tuple[type[ThresholdAction], ...] = (
    StartAssessment,
    AskQuestion,
    FormAskQuestion,
    TakeAnswer,
    TriageDescription,
    GiveOutcome,
    GiveEscalationDates,
    AnswerPartnershipQuestion,
)


def build_executor(context: ActionContext) -> ActionExecutor:
    """rasa-sdk's executor with every Threshold Guide action registered (instances, so they share `context`)."""
    executor = ActionExecutor()
    for action_class in ACTION_CLASSES:
        executor.register_action(action_class(context))
    executor.register_action(ValidateAssessmentForm(context))
    return executor
