"""The conversation: a user's turn (typed text or a button payload) in, the bot's messages out.

Channel-agnostic and pure, like the engine it drives: the web chat and widget and Rasa's REST channel call
`reply(content, state, turn)` and render the messages. After each change the chat asks the engine for one
`view` of the assessment. The chat state (ChatState) holds ids and answer values only, never
what a person typed.

The order of things: a child in immediate danger first (the act-now card once, then a 999 / MASH alert at the
top of every later reply); typed answers are read by the one answer reader (answers.py) and echoed as
recorded; a description becomes evidence to confirm (evidence.py); plain questions get plain answers.
"""

from __future__ import annotations

import functools
import re
from datetime import date
from typing import Any, Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field

from app.conversation import asides
from app.conversation import evidence as ev
from app.conversation.answers import NO, YES, plain, read_answer
from app.conversation.messages import Button, Link, Message, Section, Turn, UnknownChat, parse_payload, payload
from app.core import engine, render
from app.core import models as m
from app.core.age import AGE_QUESTION
from app.core.errors import InvalidAnswer, UnknownQuestion
from app.core.language.redact import redact

__all__ = ["ChatState", "Message", "Reply", "Turn", "UnknownChat", "new_state", "parse_payload", "payload", "reply"]

# Descriptions shorter than this many words are more likely commands or answers than a concern.
_MIN_DESCRIPTION_WORDS = 3


class ChatState(BaseModel):
    """A conversation as the store keeps it: ids, answer values and flags, never free text."""

    model_config = ConfigDict(extra="ignore")  # a record written by an earlier version may hold other keys

    assessment: engine.State | None = Field(None, description="The assessment, once the questions have started.")
    evidence: list[str] | None = Field(None, description="Indicator ids read from a description, to confirm.")
    age: str | None = Field(None, description="The age question's value read from a description, to confirm.")
    selected: dict[str, list[str]] = Field(default_factory=dict, description="Ticked so far, by question.")
    awaiting: Literal["description"] | None = None
    danger: bool = Field(False, description="Once true, every reply starts with the 999 / MASH alert.")
    acted: bool = Field(False, description="The act-now card has been shown.")
    paused: bool = Field(False, description="After the act-now card the questions are offered, not asked.")
    counted: bool = Field(False, description="The outcome has been counted for the analytics.")
    asked: str | None = Field(None, description="The question last shown: typed words are read as its answer.")


def new_state() -> ChatState:
    return ChatState()


# --- Recognising typed commands -----------------------------------------------------------------

_INTENTS: list[tuple[str, re.Pattern[str]]] = [
    ("restart", re.compile(r"^(start (again|over)|restart|reset|clear|new (assessment|conversation)|begin again)$")),
    ("back", re.compile(r"^(go )?back$|^undo$|^previous( question)?$|change (my )?(last )?answer|^i made a mistake$")),
    (
        "why",
        re.compile(
            r"^why( are you asking( me)?( this| that)?| do you (ask|need to know)( this| that)?| this question"
            r"| is this asked| ask)?$|^what is this (question )?for$"
        ),
    ),
    ("help", re.compile(r"^(help|menu|options|what can (you|i) do|how does this work)$")),
    ("outcome", re.compile(r"^(show )?(the |my )?(outcome|result|summary)$")),
    ("stop", re.compile(r"^(stop|stop here|stop there|finish|end|thats all|that is all)$")),
    ("go_on", re.compile(r"^(go on|carry on|continue|keep going|next|more questions)$")),
    (
        "assess",
        re.compile(r"\b(which|what) (level|threshold)\b|^(start|begin|assess|assessment|questions|lets start|go)$"),
    ),
    ("describe", re.compile(r"^(describe|describe (it|the concern)|i want to describe( it)?)$")),
    ("greeting", re.compile(r"^(hi|hello|hey|good (morning|afternoon|evening)|hiya)( there)?$")),
    ("escalation", re.compile(r"\b(escalat\w*|disagree\w*|dispute|challenge (a|the) decision|resolution)\b")),
]
# Commands that work even while a question waits for its answer.
_ALWAYS = {"restart", "back", "why", "help", "outcome", "stop", "go_on", "describe"}
_CONFIRM = YES | {"confirm", "confirm these", "thats right", "that is right", "right", "ok", "okay"}


def _intent(text: str) -> str | None:
    normal = plain(text)
    return next((name for name, pattern in _INTENTS if pattern.search(normal)), None)


def _looks_like_question(text: str) -> bool:
    return text.strip().endswith("?") or bool(
        re.match(r"^(what|who|how|when|where|can|do|does|is|are|should|must|which|whats|whos)\b", plain(text))
    )


# --- One turn -----------------------------------------------------------------------------------


class _Chat:
    """One turn of a conversation: the state, and the engine's view of its assessment (made at most once per
    change, so a turn crosses into the engine for the change and one view)."""

    def __init__(self, content: m.Content, state: ChatState, today: date) -> None:
        self.content = content
        self.state = state
        self.today = today
        self._view: engine.Snapshot | None = None

    def view(self) -> engine.Snapshot | None:
        if self.state.assessment is None:
            return None
        if self._view is None:
            self._view = engine.view(self.content, self.state.assessment)
        return self._view

    def change(self, assessment: engine.State, view: engine.Snapshot | None = None) -> None:
        self.state.assessment = assessment
        self._view = view

    def pending(self) -> engine.QuestionModel | None:
        view = self.view()
        return view.question if view else None

    def asked(self) -> engine.QuestionModel | None:
        """The question the user is answering: the one last shown, known without asking the engine again."""
        assessment = self.state.assessment
        if assessment is None:
            return None
        shown = self.content.question(self.state.asked) if self.state.asked else None
        if shown is not None and (shown.id not in assessment["answers"] or shown.id in assessment["prefilled"]):
            return shown
        return self.pending()  # a conversation stored before `asked`, or one changed since


# --- Building messages --------------------------------------------------------------------------


@functools.lru_cache(maxsize=1024)
def _button(title: str, action: str, question_id: str, value: str | None = None) -> Button:
    """A question's button, made once: the same few are shown turn after turn (Button is frozen, so shared)."""
    if value is None:
        return Button(title=title, payload=payload(action, question_id=question_id))
    return Button(title=title, payload=payload(action, question_id=question_id, value=value))


def _question_message(chat: _Chat, lead: str = "") -> Message:
    view = chat.view()
    assert view is not None and view.question is not None and view.question_out is not None
    question, out = view.question, view.question_out
    chat.state.asked = question.id
    lines = [lead] if lead else []
    lines.append(out.text)
    if out.help:
        lines.append(out.help)
    if out.suggested is not None:
        lines.append(
            f"From your description I think the answer is: {engine.answer_label(question, out.suggested)}. "
            "Please confirm or change it."
        )
    buttons: list[Button] = []
    if question.kind == "multiple_choice":
        selected = chat.state.selected.get(question.id, [])
        for option in out.options:
            if option.value == m.UNKNOWN:
                continue
            ticked = option.value in selected
            title = f"{option.label} (selected)" if ticked else option.label
            buttons.append(_button(title, "toggle", question.id, option.value))
        buttons.append(Button(title="None of these", payload=payload("answer", question_id=question.id, value=[])))
        buttons.append(_button("Don't know", "answer", question.id, m.UNKNOWN))
        if selected:
            buttons.append(_button("Done", "done", question.id))
            lines.append(f"Selected so far: {engine.answer_label(question, selected)}. Choose Done when finished.")
        else:
            lines.append("Choose all that apply, then Done. You can also type their numbers, e.g. 1, 3.")
    else:
        buttons = [_button(o.label, "answer", question.id, o.value) for o in out.options]
        if question.id == AGE_QUESTION:
            lines.append("You can also type the child's age, e.g. 7, 14, 8 months or Year 9.")
    return Message(kind="question", text="\n\n".join(lines), buttons=buttons)


PROVISIONAL = "Some questions are not answered yet, so this is provisional."


def outcome_message(content: m.Content, outcome: engine.Outcome, *, provisional: bool = False) -> Message:
    """An outcome as the chat shows it: the top card, then expandable sections, every phone tap-to-call."""
    note = PROVISIONAL if provisional else ""
    card = render.card(outcome, content, note=note)
    top = card.top
    links = [Link(title=link.title, url=link.url) for link in render.phone_links(card.contacts)]
    links += [Link(title=link.title, url=link.url) for link in card.links]
    return Message(
        kind="outcome",
        text=top,
        sections=[Section(title=part.title, text=part.text) for part in card.sections],
        buttons=[
            Button(title="Change my last answer", payload=payload("back")),
            Button(title="If you disagree with a decision", payload=payload("escalation")),
            Button(title="Start again", payload=payload("restart")),
        ],
        links=links,
        summary=render.summary_text(outcome),
    )


def _paused_message(lead: str = "") -> Message:
    text = "When you are ready, you can go on to build the fuller picture, or stop here."
    return Message(
        kind="text",
        text=f"{lead}\n\n{text}" if lead else text,
        buttons=[
            Button(title="Go on with the questions", payload=payload("go_on")),
            Button(title="Stop here", payload=payload("stop")),
        ],
    )


def _position(chat: _Chat, lead: str = "") -> list[Message]:
    """Where the conversation stands: evidence to confirm, the next question, the outcome, or the menu."""
    state = chat.state
    if state.evidence is not None:
        items = ev.remaining_items(chat.content, state.evidence, state.age)
        return [ev.evidence_message(items, [], lead, relisted=True)]
    if state.assessment is None:
        if state.awaiting == "description":
            return [_describe_prompt(lead)]
        if state.paused:
            return [_paused_message(lead)]
        return [Message(kind="text", text=lead or "What would you like to do?", buttons=asides.menu_buttons())]
    view = chat.view()
    assert view is not None
    if view.question is not None:
        if state.paused:
            return [_paused_message(lead)]
        return [_question_message(chat, lead)]
    messages = [Message(kind="text", text=lead)] if lead else []
    assert view.outcome is not None
    return [*messages, outcome_message(chat.content, view.outcome)]


def _describe_prompt(lead: str = "") -> Message:
    text = (
        "Describe the concern in a few sentences: the child's age, what you have noticed, and what is already in "
        "place. Leave out names, addresses and dates of birth; anything identifying is removed before it is read."
    )
    return Message(
        kind="text",
        text=f"{lead}\n\n{text}" if lead else text,
        buttons=[Button(title="Answer questions instead", payload=payload("assess"))],
    )


def _act_now(content: m.Content) -> Message:
    """The act-now card: what to do at once when a child may be in immediate danger (rules/routes.yaml act_now)."""
    route = content.routes.get("act_now") or content.routes.get("police_999")
    steps = route.what_to_do.splitlines() if route else ["Call 999 now, then the MASH."]
    contact_ids = route.contacts if route else ["police_999", "mash_in_hours", "mash_out_of_hours"]
    contacts = asides.contacts_out(content, contact_ids)
    lines = [route.name if route else "Act now: a child may be in immediate danger", *(f"- {s}" for s in steps)]
    lines.append("Numbers: " + "; ".join(f"{c.name}: {c.phone}" for c in contacts if c.phone) + ".")
    lines.append("You can stop here, or go on to build the fuller picture when the child is safe.")
    return Message(
        kind="act_now",
        text="\n".join(lines),
        links=asides.links_for(content, contact_ids),
        buttons=[
            Button(title="Go on with the questions", payload=payload("go_on")),
            Button(title="Stop here", payload=payload("stop")),
        ],
    )


def _alert_messages(chat: _Chat) -> list[Message]:
    """What goes before everything else: the act-now card the first time, then a 999 / MASH alert every time."""
    view = chat.view()
    alerts = list(view.alerts) if view else []
    if any(a.kind == "immediate_danger" for a in alerts):
        chat.state.danger = True
    if chat.state.danger and not chat.state.acted:
        chat.state.acted = True
        chat.state.paused = True
        return [_act_now(chat.content)]
    if chat.state.danger and not any(a.kind == "immediate_danger" for a in alerts):
        # The danger answer may since have changed, but the advice to act stands for this conversation.
        route = chat.content.routes.get("police_999")
        alerts = [
            engine.Alert(
                kind="immediate_danger",
                text="A child may be in immediate danger. Call 999 now, then contact the MASH.",
                contacts=asides.contacts_out(chat.content, route.contacts if route else ["police_999"]),
            )
        ]
    messages = []
    for alert in alerts:
        contacts = list({c.id: c for c in alert.contacts}.values())  # each contact once
        lines = [alert.text, *(f"- {render.contact_line(c)}" for c in contacts)]
        links = [Link(title=link.title, url=link.url) for link in render.phone_links(contacts)]
        messages.append(Message(kind="alert", text="\n".join(lines), links=links))
    return messages


# --- Handlers -----------------------------------------------------------------------------------


def _start_assessment(chat: _Chat) -> list[Message]:
    chat.state.awaiting = None
    chat.state.paused = False
    if chat.state.assessment is None:
        chat.change(engine.new_state())
        return _position(chat, "Let's work through it. The first questions are about immediate danger.")
    return _position(chat)


def _answer(chat: _Chat, question_id: str, value: Any, *, typed: bool = False) -> list[Message]:
    if chat.state.assessment is None:
        chat.change(engine.new_state())
    assert chat.state.assessment is not None
    try:
        # The view is shown next, made over the answer's own walk of the questions (engine.answer_and_view).
        chat.change(*engine.answer_and_view(chat.content, chat.state.assessment, question_id, value))
    except (InvalidAnswer, UnknownQuestion):
        return _position(chat, "That answer does not fit this question. Please choose one of these.")
    chat.state.selected.pop(question_id, None)
    chat.state.paused = False
    messages = []
    question = chat.content.question(question_id)
    if typed and question is not None:
        recorded = engine.answer_label(question, chat.state.assessment["answers"][question_id])
        messages.append(Message(kind="recorded", text=f"Recorded: {recorded}"))
    return [*messages, *_position(chat)]


def _toggle(chat: _Chat, question_id: str, value: Any) -> list[Message]:
    question = chat.pending()
    if question is None or question.id != question_id or value not in question.option_values:
        return _position(chat, "That choice belongs to another question. Here is the current one.")
    selected = list(chat.state.selected.get(question_id, []))
    selected = [v for v in selected if v != value] if value in selected else [*selected, value]
    chat.state.selected[question_id] = [v for v in question.option_values if v in selected]
    return _position(chat)


def _why(chat: _Chat) -> list[Message]:
    question = chat.pending()
    if question is None:
        return _position(chat, "There is no question waiting for an answer just now.")
    chat.state.paused = False
    return [_question_message(chat, f"Why I ask: {question.why}")]


def _back(chat: _Chat) -> list[Message]:
    chat.state.selected = {}
    if not chat.state.assessment or not chat.state.assessment["order"]:
        return _position(chat, "There is no earlier answer to change.")
    chat.change(engine.back(chat.content, chat.state.assessment))
    chat.state.paused = False
    return _position(chat, "Going back: here is that question again.")


def _stop(chat: _Chat) -> list[Message]:
    """Stop after the act-now card (or at any point): the outcome so far, marked provisional."""
    chat.state.paused = True
    lead = "Stopped. You can come back to the questions at any time; nothing more is needed to act now."
    if chat.state.assessment is None or not chat.state.assessment["answers"]:
        return [_paused_message(lead)]
    outcome = engine.view(chat.content, chat.state.assessment, with_outcome=True).outcome
    assert outcome is not None
    provisional = chat.pending() is not None
    message = outcome_message(chat.content, outcome, provisional=provisional)
    message.buttons.insert(0, Button(title="Go on with the questions", payload=payload("go_on")))
    return [Message(kind="text", text=lead), message]


def _go_on(chat: _Chat) -> list[Message]:
    chat.state.paused = False
    if chat.state.evidence is not None:
        return _position(chat)
    return _start_assessment(chat)


def _restart(content: m.Content) -> tuple[ChatState, list[Message]]:
    return new_state(), [
        Message(kind="text", text="Starting again. Everything you answered has been cleared."),
        asides.greeting(content),
    ]


def _nothing_recognised(chat: _Chat) -> list[Message]:
    chat.state.awaiting = "description"
    return [
        Message(
            kind="text",
            text="I could not recognise specific needs or risks in that. You could describe it another way "
            "(for example what you have seen or been told, how often, and the child's age), or answer the "
            "questions.",
            buttons=[Button(title="Answer questions instead", payload=payload("assess"))],
        )
    ]


def _describe(chat: _Chat, text: str, *, quiet_when_empty: bool = False) -> list[Message] | None:
    """Triage a description and list what was recognised, to confirm (the text itself is not kept)."""
    from app.core.triage import triage  # imported here: the triage index is built on first use

    content = chat.content
    redacted = redact(text).text
    result = triage(content, redacted)
    current = [i for i in result.indicators if not i.negated and not i.historic]
    age = result.age_stage
    if age is not None and chat.state.assessment is not None and age.question_id in chat.state.assessment["answers"]:
        age = None  # already answered: the description does not change it
    if not current and age is None:
        return None if quiet_when_empty else _nothing_recognised(chat)
    chat.state.awaiting = None
    if result.immediate_danger:
        chat.state.danger = True
    items = [ev.item(i.id, i.text, ev.quoted(i.spans, i.evidence)) for i in current]
    if age is not None:
        items.append(ev.item(AGE_QUESTION, ev.age_label(content, age.value), ev.quoted(age.spans, age.evidence)))
    notes = []
    historic = [i for i in result.indicators if i.historic and not i.negated]
    if historic:
        notes.append("Read as in the past, so not recorded: " + "; ".join(i.text for i in historic) + ".")
    negated = [i for i in result.indicators if i.negated]
    if negated:
        notes.append("Read as not the case, so not recorded: " + "; ".join(i.text for i in negated) + ".")
    chat.state.evidence = [i.id for i in current]
    chat.state.age = age.value if age else None
    return [ev.evidence_message(items, notes)]


def _remove(chat: _Chat, item_id: str) -> list[Message]:
    state = chat.state
    if state.evidence is None:
        return _position(chat, "There is nothing from a description waiting to be confirmed.")
    if item_id == AGE_QUESTION and state.age is not None:
        label, state.age = ev.age_label(chat.content, state.age), None
    elif item_id in state.evidence:
        label = chat.content.indicators[item_id].text if item_id in chat.content.indicators else item_id
        state.evidence = [i for i in state.evidence if i != item_id]
    else:
        return _position(chat, "That item is not in the list any more.")
    return _position(chat, f"Removed: {label.rstrip('.')}.")


def _confirm(chat: _Chat) -> list[Message]:
    state = chat.state
    suggested = ev.suggested_answers(chat.content, state.evidence or [])
    if state.age is not None:
        suggested[AGE_QUESTION] = state.age
    state.evidence, state.age = None, None
    assessment = state.assessment or engine.new_state()
    try:
        chat.change(engine.prefill(chat.content, assessment, suggested))
    except InvalidAnswer:
        chat.change(assessment)  # content changed under a stored suggestion; ask instead
    assert state.assessment is not None
    filled = len(state.assessment["prefilled"])
    state.paused = False
    lead = (
        f"Thank you. I have recorded {filled} answer{'s' if filled != 1 else ''} from what you confirmed; "
        "type 'back' to change an answer."
        if filled
        else "Thank you. Now a few questions, starting with immediate danger."
    )
    return _position(chat, lead)


def _reject(chat: _Chat) -> list[Message]:
    chat.state.evidence, chat.state.age = None, None
    return _start_assessment(chat)


def _handle_payload(chat: _Chat, action: str, args: dict[str, Any]) -> list[Message]:
    if action == "answer":
        return _answer(chat, str(args.get("question_id", "")), args.get("value"))
    if action == "toggle":
        return _toggle(chat, str(args.get("question_id", "")), args.get("value"))
    if action == "done":
        question_id = str(args.get("question_id", ""))
        return _answer(chat, question_id, chat.state.selected.get(question_id, []))
    if action == "remove":
        return _remove(chat, str(args.get("id", "")))
    if action == "escalation_dates":
        return [asides.escalation_dates(chat.content, chat.today)]
    if action == "entry":
        return [asides.entry(chat.content, args.get("id"))]
    if action == "resume":
        return _position(chat, "Welcome back. Here is where you were.")
    return _handle_intent(chat, action, None)


def _handle_intent(chat: _Chat, intent: str, text: str | None) -> list[Message]:
    handlers = {
        "assess": _start_assessment,
        "why": _why,
        "back": _back,
        "stop": _stop,
        "go_on": _go_on,
        "reject": _reject,
    }
    if intent in handlers:
        return handlers[intent](chat)
    if intent == "confirm" and chat.state.evidence is not None:
        return _confirm(chat)
    if intent == "describe":
        chat.state.awaiting = "description"
        return [_describe_prompt()]
    if intent == "help":
        return [asides.help_message(chat.content)]
    if intent == "outcome":
        return _position(chat)
    if intent == "greeting":
        return _position(chat, "Hello.")
    if intent == "escalation":
        return [asides.escalation(chat.content, text)]
    return _not_understood(chat)


def _not_understood(chat: _Chat) -> list[Message]:
    return _position(chat, "Sorry, I did not understand that. You can choose one of these, or type 'help'.")


def _handle_evidence_text(chat: _Chat, text: str) -> list[Message] | None:
    """Typed replies while recognised items wait: "not the ...", yes (confirm) or no (ask the questions)."""
    state = chat.state
    assert state.evidence is not None
    target = ev.removal_target(chat.content, text, state.evidence, state.age)
    if target is not None:
        return _remove(chat, target)
    normal = plain(text)
    if normal in _CONFIRM:
        return _confirm(chat)
    if normal in NO:
        return _reject(chat)
    if normal.startswith(ev.NOT_THE):
        return _position(chat, "I could not tell which item you mean; use its Remove button.")
    return None


def _handle_text(chat: _Chat, text: str) -> list[Message]:
    state = chat.state
    if state.evidence is not None:
        handled = _handle_evidence_text(chat, text)
        if handled is not None:
            return handled
    intent = _intent(text)
    if intent in _ALWAYS:
        return _handle_intent(chat, intent, text)  # type: ignore[arg-type]
    # A plain question is short or asked as one: "MASH contact was made after dad hit him ..." is a description.
    short = len(text.split()) <= 8 or _looks_like_question(text)
    plain_question = asides.plain_question(text) if short else None
    if plain_question is not None:
        return [asides.plain_answer(chat.content, plain_question)]
    if state.awaiting == "description":
        described = _describe(chat, text)
        if described is not None:
            return described
    if state.paused and state.evidence is None:
        return _position(chat)  # after the act-now card: go on or stop, nothing is answered unseen
    question = chat.asked() if state.evidence is None else None
    if question is not None:
        if plain(text) == "done" and state.selected.get(question.id):
            return _answer(chat, question.id, state.selected[question.id], typed=True)
        value = read_answer(question, text)
        if value is not None:
            return _answer(chat, question.id, value, typed=True)
        if ev.reads_as_danger(chat.content, text):
            # Danger in other words ("he has a knife and says he'll kill himself"): act now; nothing recorded.
            chat.state.danger = True
            return [Message(kind="text", text=ev.DANGER_IN_WORDS), *_position(chat)]
        if text.strip().endswith("?"):
            answer = asides.ask_partnership(chat.content, text)
            if answer.entry_id is not None:
                return [asides.knowledge_message(answer)]
        # Never another feature's answer: the question's choices again.
        lead = "I could not tell which answer that is. Please choose one of these, or type 'help'."
        if question.kind != "yes_no" and plain(text) in YES:  # "yes" to "Has the child gone missing?"
            lead = (
                "Which of these? Choose each that applies, then Done."
                if question.kind == "multiple_choice"
                else "Which of these? Please choose one."
            )
        if len(text.split()) >= 12:  # perhaps a description: say how to give one, without guessing
            lead += " To describe the concern in your own words instead, type 'describe' first."
        return _position(chat, lead)
    if intent is not None and (intent != "assess" or len(text.split()) <= 8):
        return _handle_intent(chat, intent, text)
    long_enough = len(text.split()) >= _MIN_DESCRIPTION_WORDS
    if long_enough and not _looks_like_question(text):
        described = _describe(chat, text, quiet_when_empty=True)
        if described is not None:
            return described
    if long_enough or _looks_like_question(text):
        answer = asides.ask_partnership(chat.content, text)
        if answer.entry_id is not None:
            return [asides.knowledge_message(answer)]
        if long_enough and not _looks_like_question(text):
            # A description with nothing recognised (already read above): say so and how to go on, not
            # "I don't know that; here is who to ask", which answers a question nobody asked.
            return _nothing_recognised(chat)
        described = _describe(chat, text, quiet_when_empty=True)
        if described is not None:
            return described
        return [asides.knowledge_message(answer), *_position(chat)]
    return _not_understood(chat)


class Reply(NamedTuple):
    """A turn's answer: the new chat state (ids and answer values only), the messages (danger first), and the
    outcome when this turn first shows a finished assessment's outcome (for the analytics count), else None."""

    state: ChatState
    messages: list[Message]
    outcome: engine.Outcome | None


def reply(
    content: m.Content, state: ChatState | dict[str, Any] | None, turn: Turn, *, today: date | None = None
) -> Reply:
    """The bot's reply to one turn. `state` None starts a conversation with the greeting and safety line."""
    starting = state is None
    # A ChatState passed in is the caller's to give: it is changed in place (the routes read a fresh one).
    fresh = ChatState.model_validate(state) if isinstance(state, dict) else (state or new_state())
    chat = _Chat(content, fresh, today or date.today())
    messages: list[Message] = [asides.greeting(content)] if starting else []
    parsed = parse_payload(turn.payload) if turn.payload else None
    text = (turn.text or "").strip()
    if parsed is None and turn.payload:
        text = text or turn.payload  # an unknown payload is read as typed text
    if parsed is not None:
        action, args = parsed
        if action == "restart":
            fresh, messages = _restart(content)
            chat = _Chat(content, fresh, chat.today)
        elif action == "start":
            messages += [] if starting else _position(chat, "Welcome back. Here is where you were.")
        else:
            messages += _handle_payload(chat, action, args)
    elif text:
        intent = _intent(text)
        if intent == "restart":
            fresh, messages = _restart(content)
            chat = _Chat(content, fresh, chat.today)
        elif intent == "greeting" and starting:
            pass  # the greeting has already said hello
        else:
            messages += _handle_text(chat, text)
    elif not starting:
        messages += _position(chat, "Welcome back. Here is where you were.")
    first_danger = not chat.state.acted
    alerts = _alert_messages(chat)
    if first_danger and chat.state.acted:
        # The act-now card comes first; the questions wait until the practitioner chooses to go on.
        messages = [msg for msg in messages if msg.kind != "question"]
        messages = _link_numbers(content, [*alerts, *messages])
    else:
        messages = _link_numbers(content, [*alerts, *_keep_the_thread(chat, messages)])
    return Reply(chat.state, messages, _first_outcome(chat, messages))


_DIGITS = re.compile(r"\d{3}")


@functools.lru_cache(maxsize=16)
def _numbers_pattern(phones: tuple[str, ...]) -> re.Pattern[str]:
    """One pattern for every contact's phone number (longest first), standing alone in the text."""
    numbers = "|".join(re.escape(p) for p in sorted(set(phones), key=len, reverse=True))
    return re.compile(rf"(?<!\d)(?:{numbers})(?!\d)")


def _link_numbers(content: m.Content, messages: list[Message]) -> list[Message]:
    """Every contact's phone number a message mentions becomes a tap-to-call link (each number once)."""
    texts = ["\n".join([message.text, *(section.text for section in message.sections)]) for message in messages]
    if not any(_DIGITS.search(text) for text in texts):
        return messages  # most questions: no number to look for
    by_phone: dict[str, list[str]] = {}
    for contact in content.contacts.values():
        if contact.phone:
            by_phone.setdefault(contact.phone, []).append(contact.id)
    if not by_phone:
        return messages
    pattern = _numbers_pattern(tuple(by_phone))
    for message, text in zip(messages, texts, strict=True):
        named = [i for phone in dict.fromkeys(pattern.findall(text)) for i in by_phone[phone]]
        if named:
            have = {link.url for link in message.links}
            message.links += [link for link in asides.links_for(content, named) if link.url not in have]
    return messages


def _keep_the_thread(chat: _Chat, messages: list[Message]) -> list[Message]:
    """After an aside (help, a question about the partnership), put the open question back in front."""
    if any(msg.kind in ("question", "outcome", "evidence") for msg in messages) or chat.state.evidence is not None:
        return messages
    if chat.state.paused:
        return messages
    question = chat.pending()
    if question is None:
        return messages
    return [*messages, _question_message(chat, "To carry on with the questions:")]


def _first_outcome(chat: _Chat, messages: list[Message]) -> engine.Outcome | None:
    """The outcome, the first time a finished assessment's outcome is shown, else None; from the turn's own view.

    Marks the state, so a conversation is counted once however often its outcome is shown again.
    """
    state = chat.state
    if state.counted or state.assessment is None or not any(msg.kind == "outcome" for msg in messages):
        return None
    view = chat.view()
    if view is None or view.outcome is None:
        return None  # a provisional outcome (stopped early) is not a finished assessment
    state.counted = True
    return view.outcome
