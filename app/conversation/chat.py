"""The conversation: a user's turn (typed text or a button payload) in, the bot's messages out.

Channel-agnostic and pure, like the engine it drives: the web chat, the widget and any other channel
call `respond(content, state, turn)` and render the messages. The chat state holds ids and answer values
only (the assessment state, pending suggestions, multiple-choice selections); never what a person typed.

Button payloads are plain strings `/<action>` or `/<action>{json}`, e.g.
`/answer{"question_id":"danger_now","value":"no"}`; `payload()` builds them and `parse_payload()` reads them.
"""

from __future__ import annotations

import difflib
import re
from datetime import date
from typing import Any

from app.conversation.messages import Button, Link, Message, Turn, UnknownChat, parse_payload, payload
from app.core import engine
from app.core import models as m
from app.core.errors import InvalidAnswer
from app.core.escalation import escalation_schedule
from app.core.knowledge import Answer, ask
from app.core.language.redact import redact
from app.core.language.text import plain
from app.core.summary import summary_text

__all__ = ["Button", "Link", "Message", "Turn", "UnknownChat", "new_state", "parse_payload", "payload", "respond"]

State = dict[str, Any]

# Descriptions shorter than this many words are more likely commands or answers than a concern.
_MIN_DESCRIPTION_WORDS = 3


# --- State --------------------------------------------------------------------------------------


def new_state() -> State:
    return {
        "assessment": None,  # engine state once the questions have started
        "suggested": None,  # {question_id: value} recognised in a description, awaiting confirmation
        "selected": {},  # {question_id: [option values]} ticked so far on a multiple-choice question
        "awaiting": None,  # "description" after "describe the concern"
        "danger": False,  # once true, every response starts with the 999 / MASH alert
    }


def _copy(state: State | None) -> State:
    fresh = new_state()
    if state:
        fresh.update({k: state[k] for k in fresh if k in state})
        fresh["selected"] = dict(fresh["selected"] or {})
    return fresh


# --- Recognising typed text ---------------------------------------------------------------------


def _normalise(text: str) -> str:
    return plain(text)  # the one normalisation (app/core/language/text.py), words only


_YES = {"yes", "y", "yep", "yeah", "yea", "yup", "aye", "correct", "true", "yes please", "definitely", "it is"}
_NO = {"no", "n", "nope", "nah", "not really", "negative", "false", "no it isnt", "no they are not", "definitely not"}
_UNKNOWN = {
    "dont know", "do not know", "i dont know", "i do not know", "not sure", "im not sure", "unsure", "dunno",
    "no idea", "idk", "unknown", "maybe", "possibly", "not known", "cant say", "dont know yet", "unclear",
}  # fmt: skip
_NONE = {"none", "none of these", "none of them", "nothing", "neither", "none apply", "no none"}

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
    ("help", re.compile(r"^(help|menu|options|what can (you|i) do|how does this work|\?)$")),
    ("outcome", re.compile(r"^(show )?(the )?(outcome|result|summary)$")),
    (
        "assess",
        re.compile(r"\b(which|what) (level|threshold)\b|^(start|begin|assess|assessment|questions|lets start|go)$"),
    ),
    ("describe", re.compile(r"^(describe|describe (it|the concern)|i want to describe( it)?)$")),
    ("greeting", re.compile(r"^(hi|hello|hey|good (morning|afternoon|evening)|hiya)( there)?$")),
    ("escalation", re.compile(r"\b(escalat\w*|disagree\w*|dispute|challenge (a|the) decision|resolution)\b")),
]


def _intent(text: str) -> str | None:
    normal = _normalise(text)
    for name, pattern in _INTENTS:
        if pattern.search(normal):
            return name
    return None


def _looks_like_question(text: str) -> bool:
    return text.strip().endswith("?") or bool(
        re.match(r"^(what|who|how|when|where|can|do|does|is|are|should|must|which|whats|whos)\b", _normalise(text))
    )


def _match_option(question: engine.QuestionModel, piece: str, options: list[tuple[str, str]]) -> str | None:
    """One typed piece -> an option value: its number, its label (allowing a small typo) or its value."""
    piece = piece.strip()
    if piece.isdigit():
        index = int(piece) - 1
        return options[index][0] if 0 <= index < len(options) else None
    labels = {_normalise(label): value for value, label in options}
    labels.update({value.replace("_", " "): value for value, _ in options})
    if piece in labels:
        return labels[piece]
    close = difflib.get_close_matches(piece, list(labels), n=1, cutoff=0.85)
    return labels[close[0]] if close else None


def parse_answer(question: engine.QuestionModel, text: str) -> Any | None:
    """A typed answer to `question` as an engine value, or None when the text is not an answer."""
    normal = _normalise(text)
    if normal in _UNKNOWN:
        return m.UNKNOWN
    if isinstance(question, m.YesNoQuestion):
        if normal in _YES or normal == "1":
            return "yes"
        if normal in _NO or normal == "2":
            return "no"
        return m.UNKNOWN if normal == "3" else None
    options = [(o.value, o.label) for o in question.options]
    if question.kind == "single_choice":
        if normal == str(len(options) + 1):
            return m.UNKNOWN
        return _match_option(question, normal, options)
    if normal in _NONE or normal in _NO:
        return []
    pieces = [p for p in re.split(r"\s*(?:,|&|\band\b)\s*|\s+(?=\d)", normal) if p]
    values = [_match_option(question, p, options) for p in pieces]
    if not values or any(v is None for v in values):
        whole = _match_option(question, normal, options)  # a label that itself contains "and"
        return [whole] if whole else None
    return list(dict.fromkeys(values))


# --- Building messages --------------------------------------------------------------------------


def _menu_buttons() -> list[Button]:
    return [
        Button(title="Which level is this?", payload=payload("assess")),
        Button(title="Describe the concern", payload=payload("describe")),
        Button(title="If you disagree with a decision", payload=payload("escalation")),
        Button(title="Help", payload=payload("help")),
    ]


def _greeting(content: m.Content) -> Message:
    return Message(
        kind="text",
        text=(
            "Hello. I can help you work out which level of the Warrington Threshold of Need a concern about a "
            "child sits at, and what to do next.\n\n"
            f"{content.info.safety_line}\n\n{content.info.caveat}\n\n"
            "Answer a few questions, or describe the concern in your own words (leave out names and other "
            "identifying details)."
        ),
        buttons=_menu_buttons(),
    )


def _help(content: m.Content) -> Message:
    return Message(
        kind="text",
        text=(
            "You can:\n"
            "- answer with the buttons, or type yes, no or not sure (or an option's number or words)\n"
            "- type 'why' to hear why a question is asked\n"
            "- type 'back' to change your last answer\n"
            "- type 'start again' to clear everything\n"
            "- describe the concern in your own words\n"
            "- ask about escalation or how the partnership works\n\n"
            f"{content.info.safety_line}"
        ),
        buttons=_menu_buttons(),
    )


def _contact_line(contact: engine.ContactOut) -> str:
    parts = [contact.name]
    if contact.phone:
        parts.append(contact.phone)
    if contact.hours:
        parts.append(contact.hours)
    return ", ".join(parts)


def _alert_messages(content: m.Content, state: State) -> list[Message]:
    alerts = engine.alerts(content, state["assessment"]) if state["assessment"] else []
    if any(a.kind == "immediate_danger" for a in alerts):
        state["danger"] = True
    if state["danger"] and not any(a.kind == "immediate_danger" for a in alerts):
        # The danger answer may since have changed, but the advice to act stands for this conversation.
        police = content.routes.get("police_999")
        mash = content.routes.get("mash_referral")
        contact_ids = [*(police.contacts if police else []), *(mash.contacts if mash else [])]
        alerts.insert(
            0,
            engine.Alert(
                kind="immediate_danger",
                text="A child may be in immediate danger. Call 999 now, then contact the MASH.",
                contacts=[
                    engine.ContactOut(**c.model_dump(include={"id", "name", "phone", "hours", "how", "verify"}))
                    for i in contact_ids
                    if (c := content.contacts.get(i))
                ],
            ),
        )
    messages = []
    for alert in alerts:
        lines = [alert.text, *(f"- {_contact_line(c)}" for c in alert.contacts)]
        messages.append(Message(kind="alert", text="\n".join(lines)))
    return messages


def _question_message(content: m.Content, state: State, question: engine.QuestionModel, lead: str = "") -> Message:
    out = engine.question_out(question, state["assessment"])
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
        selected = state["selected"].get(question.id, [])
        for option in out.options:
            if option.value == m.UNKNOWN:
                continue
            ticked = option.value in selected
            buttons.append(
                Button(
                    title=f"{option.label} (selected)" if ticked else option.label,
                    payload=payload("toggle", question_id=question.id, value=option.value),
                )
            )
        buttons.append(Button(title="None of these", payload=payload("answer", question_id=question.id, value=[])))
        buttons.append(Button(title="Don't know", payload=payload("answer", question_id=question.id, value=m.UNKNOWN)))
        if selected:
            buttons.append(Button(title="Done", payload=payload("done", question_id=question.id)))
            lines.append(f"Selected so far: {engine.answer_label(question, selected)}. Choose Done when finished.")
        else:
            lines.append("Choose all that apply, then Done. You can also type their numbers, e.g. 1, 3.")
    else:
        buttons = [
            Button(title=o.label, payload=payload("answer", question_id=question.id, value=o.value))
            for o in out.options
        ]
    return Message(kind="question", text="\n\n".join(lines), buttons=buttons)


def _outcome_message(content: m.Content, state: State) -> Message:
    outcome = engine.outcome(content, state["assessment"])
    lines = [outcome.summary, outcome.meaning]
    reasons = [f"- {i.text} (level {i.level})" for i in outcome.reasons.indicators]
    reasons += [f"- {r.text}" for r in outcome.reasons.rules if r.id != "highest_indicator"]
    lines.append("Why:\n" + ("\n".join(reasons) if reasons else "- No additional needs were recorded."))
    if outcome.settle:
        lines.append("What would settle it:\n" + "\n".join(f"- {s}" for s in outcome.settle))
    route_lines = []
    for route in outcome.routes:
        route_lines.append(f"- {route.name}: {route.what_to_do}" + (f" ({route.timeframe})" if route.timeframe else ""))
        route_lines += [f"  {_contact_line(c)}" for c in route.contacts]
    lines.append("What to do:\n" + "\n".join(route_lines))
    if outcome.talk_to:
        lines.append("Who to talk to:\n" + "\n".join(f"- {_contact_line(c)}" for c in outcome.talk_to))
    lines.append(f"Consent: {outcome.consent}")
    lines.append(outcome.caveat)
    links = [Link(title=p.title, url=p.url) for p in outcome.procedures if p.url.startswith("https://")]
    return Message(
        kind="outcome",
        text="\n\n".join(lines),
        buttons=[
            Button(title="Change my last answer", payload=payload("back")),
            Button(title="If you disagree with a decision", payload=payload("escalation")),
            Button(title="Start again", payload=payload("restart")),
        ],
        links=links,
        summary=summary_text(outcome),
    )


def _position(content: m.Content, state: State, lead: str = "") -> list[Message]:
    """Where the conversation stands: the next question, the outcome, or the menu."""
    if state["suggested"] is not None:
        return [_confirm_message(content, state["suggested"], lead)]
    if state["assessment"] is None:
        if state["awaiting"] == "description":
            return [_describe_prompt(lead)]
        return [Message(kind="text", text=lead or "What would you like to do?", buttons=_menu_buttons())]
    question = engine.pending_question(content, state["assessment"])
    if question is not None:
        return [_question_message(content, state, question, lead)]
    messages = [Message(kind="text", text=lead)] if lead else []
    return [*messages, _outcome_message(content, state)]


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


def _confirm_message(content: m.Content, suggested: dict[str, Any], lead: str = "") -> Message:
    lines = [lead] if lead else []
    lines.append("Is that right? If it is, I will fill in those answers and ask the rest; you can change any of them.")
    return Message(
        kind="text",
        text="\n\n".join(lines),
        buttons=[
            Button(title="Yes, that's right", payload=payload("confirm")),
            Button(title="No, ask me the questions", payload=payload("reject")),
        ],
    )


# --- Handlers -----------------------------------------------------------------------------------


def _start_assessment(content: m.Content, state: State) -> list[Message]:
    state["awaiting"] = None
    if state["assessment"] is None:
        state["assessment"] = engine.new_state()
        return _position(content, state, "Let's work through it. The first questions are about immediate danger.")
    return _position(content, state)


def _answer(content: m.Content, state: State, question_id: str, value: Any) -> list[Message]:
    if state["assessment"] is None:
        state["assessment"] = engine.new_state()
    try:
        state["assessment"] = engine.answer(content, state["assessment"], question_id, value)
    except InvalidAnswer:
        return _position(content, state, "That answer does not fit this question. Please choose one of these.")
    state["selected"].pop(question_id, None)
    return _position(content, state)


def _toggle(content: m.Content, state: State, question_id: str, value: Any) -> list[Message]:
    question = engine.pending_question(content, state["assessment"]) if state["assessment"] else None
    if question is None or question.id != question_id or value not in question.option_values:
        return _position(content, state, "That choice belongs to another question. Here is the current one.")
    selected = list(state["selected"].get(question_id, []))
    selected = [v for v in selected if v != value] if value in selected else [*selected, value]
    state["selected"][question_id] = [v for v in question.option_values if v in selected]
    return _position(content, state)


def _why(content: m.Content, state: State) -> list[Message]:
    question = engine.pending_question(content, state["assessment"]) if state["assessment"] else None
    if question is None:
        return _position(content, state, "There is no question waiting for an answer just now.")
    return [_question_message(content, state, question, f"Why I ask: {question.why}")]


def _back(content: m.Content, state: State) -> list[Message]:
    state["selected"] = {}
    if not state["assessment"] or not state["assessment"]["order"]:
        return _position(content, state, "There is no earlier answer to change.")
    state["assessment"] = engine.back(content, state["assessment"])
    return _position(content, state, "Going back: here is that question again.")


def _restart(content: m.Content) -> tuple[State, list[Message]]:
    return new_state(), [
        Message(kind="text", text="Starting again. Everything you answered has been cleared."),
        _greeting(content),
    ]


def _describe(content: m.Content, state: State, text: str, *, quiet_when_empty: bool = False) -> list[Message] | None:
    """Triage a description and ask the user to confirm what was recognised (the text itself is not kept)."""
    from app.core.triage import prefill_answers, triage  # imported here: the triage index is built on first use

    result = triage(content, redact(text).text)
    present = [i for i in result.indicators if not i.negated]
    if not present:
        if quiet_when_empty:
            return None
        state["awaiting"] = "description"
        return [
            Message(
                kind="text",
                text="I could not recognise specific needs or risks in that. You could describe it another way "
                "(for example what you have seen or been told, how often, and the child's age), or answer the "
                "questions.",
                buttons=[Button(title="Answer questions instead", payload=payload("assess"))],
            )
        ]
    state["awaiting"] = None
    if result.immediate_danger:
        state["danger"] = True
    lines = ["From your description I recognised:"]
    lines += [f"- {i.text} (level {i.level}{', in the past' if i.historic else ''})" for i in present]
    negated = [i for i in result.indicators if i.negated]
    if negated:
        lines.append("You said these are not the case:\n" + "\n".join(f"- {i.text}" for i in negated))
    if result.suggested_level is not None:
        lines.append(
            f"On its own that points to Level {result.suggested_level}: {result.level_name}. "
            "The questions will check it."
        )
    state["suggested"] = prefill_answers(content, result)
    return [_confirm_message(content, state["suggested"], "\n".join(lines))]


def _confirm(content: m.Content, state: State) -> list[Message]:
    suggested = state["suggested"] or {}
    state["suggested"] = None
    assessment = state["assessment"] or engine.new_state()
    try:
        state["assessment"] = engine.prefill(content, assessment, suggested)
    except InvalidAnswer:
        state["assessment"] = assessment  # content changed under a stored suggestion; ask instead
    filled = len(state["assessment"]["prefilled"])
    lead = (
        f"Thank you. I have filled in {filled} answer{'s' if filled != 1 else ''} from your description; "
        "type 'back' to change an answer."
        if filled
        else "Thank you. Now a few questions, starting with immediate danger."
    )
    return _position(content, state, lead)


def _knowledge_message(content: m.Content, answer: Answer) -> Message:
    text = answer.answer
    if answer.sources:
        source = answer.sources[0]
        text += f"\n\nSource: {source.title}, {source.section}."
    if answer.verify:
        text += " The partnership is confirming this detail."
    buttons = [Button(title=r.title, payload=payload("entry", id=r.id)) for r in answer.related]
    return Message(kind="text", text=text, buttons=buttons)


def _escalation(content: m.Content, question: str | None) -> list[Message]:
    question = redact(question).text if question else "How do I escalate a professional disagreement?"
    answer = ask(content.knowledge, question)
    overview = content.knowledge.document(content.escalation.id)
    if answer.entry_id is None and overview is not None:
        # The words said "disagree" but matched nothing closer: give the process itself, not "I don't know".
        message = _entry(content, overview.id)[0]
    else:
        message = _knowledge_message(content, answer)
    message.buttons.insert(0, Button(title="Dates for each step from today", payload=payload("escalation_dates")))
    return [message]


def _escalation_dates(content: m.Content, today: date) -> list[Message]:
    schedule = escalation_schedule(content.escalation, today)
    basis = "working days" if schedule.basis == "working" else "calendar days"
    lines = [f"If the disagreement starts today ({today:%A %-d %B %Y}), counting {basis}:"]
    for step in schedule.steps:
        when = f"by {step.due:%A %-d %B}" if step.starts == step.due else f"{step.starts:%-d %B} to {step.due:%-d %B}"
        lines.append(f"- Step {step.step}, {step.title}: {when}. {step.who}")
    lines.append(schedule.child_safety_first)
    lines.append(f"Source: {schedule.source}, {schedule.section}.")
    return [
        Message(kind="text", text="\n".join(lines), buttons=[Button(title="Back to the menu", payload=payload("help"))])
    ]


def _entry(content: m.Content, entry_id: Any) -> list[Message]:
    document = content.knowledge.document(str(entry_id))
    if document is None:
        return [Message(kind="text", text="I cannot find that item any more.", buttons=_menu_buttons())]
    related = [d for r in document.related if (d := content.knowledge.document(r))]
    text = f"{document.title}\n\n{document.answer}\n\nSource: {document.source}, {document.section}."
    buttons = [Button(title=d.title, payload=payload("entry", id=d.id)) for d in related[:4]]
    return [Message(kind="text", text=text, buttons=buttons)]


def _not_understood(content: m.Content, state: State) -> list[Message]:
    return _position(content, state, "Sorry, I did not understand that. You can choose one of these, or type 'help'.")


def _handle_payload(content: m.Content, state: State, action: str, args: dict[str, Any], today: date) -> list[Message]:
    if action == "answer":
        return _answer(content, state, str(args.get("question_id", "")), args.get("value"))
    if action == "toggle":
        return _toggle(content, state, str(args.get("question_id", "")), args.get("value"))
    if action == "done":
        question_id = str(args.get("question_id", ""))
        return _answer(content, state, question_id, state["selected"].get(question_id, []))
    if action == "escalation_dates":
        return _escalation_dates(content, today)
    if action == "entry":
        return _entry(content, args.get("id"))
    if action == "resume":
        return _position(content, state, "Welcome back. Here is where you were.")
    return _handle_intent(content, state, action, None, today)


def _handle_intent(content: m.Content, state: State, intent: str, text: str | None, today: date) -> list[Message]:
    if intent == "assess":
        state["suggested"] = None
        return _start_assessment(content, state)
    if intent == "describe":
        state["awaiting"] = "description"
        return [_describe_prompt()]
    if intent == "confirm" and state["suggested"] is not None:
        return _confirm(content, state)
    if intent == "reject":
        state["suggested"] = None
        return _start_assessment(content, state)
    if intent == "why":
        return _why(content, state)
    if intent == "back":
        return _back(content, state)
    if intent == "help":
        return [_help(content)]
    if intent == "outcome":
        return _position(content, state)
    if intent == "greeting":
        return _position(content, state, "Hello.")
    if intent == "escalation":
        return _escalation(content, text)
    return _not_understood(content, state)


def _handle_text(content: m.Content, state: State, text: str, today: date) -> list[Message]:
    question = engine.pending_question(content, state["assessment"]) if state["assessment"] else None
    if question is not None and state["suggested"] is None:
        if _normalise(text) == "done" and state["selected"].get(question.id):
            return _answer(content, state, question.id, state["selected"][question.id])
        value = parse_answer(question, text)
        if value is not None:
            return _answer(content, state, question.id, value)
    if state["suggested"] is not None:
        normal = _normalise(text)
        if normal in _YES:
            return _confirm(content, state)
        if normal in _NO:
            return _handle_intent(content, state, "reject", text, today)
    intent = _intent(text)
    if intent is not None and (intent != "assess" or len(text.split()) <= 8):
        return _handle_intent(content, state, intent, text, today)
    long_enough = len(text.split()) >= _MIN_DESCRIPTION_WORDS
    if state["awaiting"] == "description" or (long_enough and not _looks_like_question(text)):
        described = _describe(content, state, text, quiet_when_empty=state["awaiting"] != "description")
        if described is not None:
            return described
    if long_enough or _looks_like_question(text):
        answer = ask(content.knowledge, redact(text).text)
        if answer.entry_id is not None:
            return [_knowledge_message(content, answer)]
        described = _describe(content, state, text, quiet_when_empty=True)
        if described is not None:
            return described
        reply = _knowledge_message(content, answer)
        return [reply, *_position(content, state)]
    return _not_understood(content, state)


def respond(
    content: m.Content, state: State | None, turn: Turn, *, today: date | None = None
) -> tuple[State, list[Message]]:
    """The bot's reply to one turn. `state` None starts a conversation with the greeting and safety line.

    Returns the new chat state (ids and answer values only) and the messages, alerts first.
    """
    today = today or date.today()
    starting = state is None
    chat = _copy(state)
    messages: list[Message] = [_greeting(content)] if starting else []
    parsed = parse_payload(turn.payload) if turn.payload else None
    text = (turn.text or "").strip()
    if parsed is None and turn.payload:
        text = text or turn.payload  # an unknown payload is read as typed text
    if parsed is not None:
        action, args = parsed
        if action == "restart":
            chat, messages = _restart(content)
        elif action == "start":
            messages += [] if starting else _position(content, chat, "Welcome back. Here is where you were.")
        else:
            messages += _handle_payload(content, chat, action, args, today)
    elif text:
        intent = _intent(text)
        if intent == "restart":
            chat, messages = _restart(content)
        elif intent == "greeting" and starting:
            pass  # the greeting has already said hello
        else:
            messages += _handle_text(content, chat, text, today)
    elif not starting:
        messages += _position(content, chat, "Welcome back. Here is where you were.")
    return chat, _alert_messages(content, chat) + _keep_the_thread(content, chat, messages)


def _keep_the_thread(content: m.Content, state: State, messages: list[Message]) -> list[Message]:
    """After an aside (help, a question about the partnership), put the open question back in front."""
    if any(msg.kind in ("question", "outcome") for msg in messages) or state["suggested"] is not None:
        return messages
    question = engine.pending_question(content, state["assessment"]) if state["assessment"] else None
    if question is None:
        return messages
    return [*messages, _question_message(content, state, question, "To carry on with the questions:")]
