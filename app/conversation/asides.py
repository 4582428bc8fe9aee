"""What the chat says beside the assessment: the greeting, help, partnership questions, escalation, and plain
questions about who to call ("what's the MASH number", "LADO phone number", "how do I make a referral").

Plain questions are answered from the content's contacts, routes and glossary, with every phone number as a
tap-to-call link, and never start an assessment.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import Any

from app.conversation.answers import plain
from app.conversation.messages import Button, Link, Message, payload
from app.core import engine
from app.core import models as m
from app.core.engine import ContactOut
from app.core.escalation import escalation_schedule
from app.core.knowledge import Answer, ask
from app.core.language.redact import redact
from app.core.render import contact_line, phone_links


def menu_buttons() -> list[Button]:
    return [
        Button(title="Which level is this?", payload=payload("assess")),
        Button(title="Describe the concern", payload=payload("describe")),
        Button(title="If you disagree with a decision", payload=payload("escalation")),
        Button(title="Help", payload=payload("help")),
    ]


def greeting(content: m.Content) -> Message:
    return Message(
        kind="text",
        text=(
            "Hello. I can help you work out which level of the Warrington Threshold of Need a concern about a "
            "child sits at, and what to do next.\n\n"
            f"{content.info.safety_line}\n\n{content.info.caveat}\n\n"
            "Answer a few questions, or describe the concern in your own words (leave out names and other "
            "identifying details)."
        ),
        buttons=menu_buttons(),
        links=links_for(content, ["police_999", "mash_in_hours", "mash_out_of_hours"]),
    )


def help_message(content: m.Content) -> Message:
    return Message(
        kind="text",
        text=(
            "You can:\n"
            "- answer with the buttons, or type yes, no or not sure (or an option's words; at the age question, "
            "the child's age)\n"
            "- type 'why' to hear why a question is asked\n"
            "- type 'back' to change your last answer\n"
            "- type 'start again' to clear everything\n"
            "- describe the concern in your own words\n"
            "- ask who to call: 'what's the MASH number', 'LADO phone number', 'out of hours number'\n"
            "- ask about escalation or how the partnership works\n\n"
            f"{content.info.safety_line}"
        ),
        buttons=menu_buttons(),
        links=links_for(content, ["police_999", "mash_in_hours", "mash_out_of_hours"]),
    )


def contacts_out(content: m.Content, ids: Iterable[str]) -> list[ContactOut]:
    """Each named contact once, in the order first named."""
    return engine.contacts_out(content, dict.fromkeys(ids))


def links_for(content: m.Content, ids: Iterable[str]) -> list[Link]:
    return [Link(title=link.title, url=link.url) for link in phone_links(contacts_out(content, ids))]


# --- Plain questions about who to call ----------------------------------------------------------

_CONTACT_WORDS = r"\b(?:number|numbers|phone|telephone|tel|ring|call|contact|details|reach)\b"
# "mash no", "lado tel": a short name then a short word for its number.
_SHORT_NUMBER = r"\s+(?:no|num|tel|#|phone|number)$"
# Children's social care's front door is the MASH.
_MASH = r"(?:mash|childrens social care|social care|social services|social workers?|childrens services|csc)"
_PLAIN: list[tuple[str, re.Pattern[str]]] = [
    ("out_of_hours", re.compile(rf"\b(?:out of hours|ooh|after hours|emergency duty|edt)\b.*{_CONTACT_WORDS}"
                                rf"|{_CONTACT_WORDS}.*\b(?:out of hours|ooh|after hours|at night|weekends?)\b"
                                r"|^(?:the\s+)?(?:out of hours|ooh|edt|emergency duty team|after hours)"
                                r"(?:\s+(?:team|service|line|no))?$")),
    ("lado", re.compile(rf"\blado\b.*{_CONTACT_WORDS}|{_CONTACT_WORDS}.*\blado\b|^lado{_SHORT_NUMBER}"
                        r"|^(?:what|who)(?: is|s| are)? (?:a |an |the )?lados?\b")),
    ("mash", re.compile(rf"\b{_MASH}\b.*{_CONTACT_WORDS}|{_CONTACT_WORDS}.*\b{_MASH}\b|^(?:the\s+)?mash{_SHORT_NUMBER}")),
    ("police", re.compile(rf"\bpolice\b.*{_CONTACT_WORDS}|{_CONTACT_WORDS}.*\bpolice\b"
                          rf"|\bnon ?emergency\b.*{_CONTACT_WORDS}|^(?:the\s+)?police{_SHORT_NUMBER}")),
    ("referral", re.compile(r"\b(?:how|where|who)\b.*\b(?:make|do|submit|send|put in|complete|raise)\b.*\breferrals?\b"
                            r"|\bhow (?:do|can|should|would) (?:i|we|you) refer\b|^(?:make|making) a referral$"
                            r"|^(?:a\s+)?referrals?$")),
]  # fmt: skip


def plain_question(text: str) -> str | None:
    """Which plain question about a contact this is ("mash", "lado", "out_of_hours", "police", "referral"), if
    any."""
    normal = plain(text)
    return next((name for name, pattern in _PLAIN if pattern.search(normal)), None)


def _contact_text(contact: ContactOut) -> str:
    line = contact_line(contact)
    return f"{line}. {contact.how}" + (" (The partnership is confirming this detail.)" if contact.verify else "")


def plain_answer(content: m.Content, name: str) -> Message:
    """A plain question answered from the contacts, routes and glossary, with tap-to-call links."""
    if name == "referral":
        route = content.routes.get("mash_referral")
        ids = route.contacts if route else ["mash_in_hours", "mash_out_of_hours"]
        contacts = [c for c in contacts_out(content, ids) if c.phone]
        lead = "To refer a child to children's social care, contact the Warrington MASH."
        body = route.what_to_do if route else ""
        text = "\n\n".join(part for part in [lead, body, *(contact_line(c) for c in contacts)] if part)
        text += "\n\nFor early help (levels 2 and 3), talk to your DSL about an Early Help Assessment instead."
    else:
        ids = {
            "mash": ["mash_in_hours", "mash_out_of_hours"],
            "out_of_hours": ["mash_out_of_hours"],
            "lado": ["lado"],
            "police": ["police_101", "police_999"],
        }[name]
        contacts = contacts_out(content, ids)
        lines = []
        term = content.knowledge.glossary.get("lado") if name == "lado" else None
        if term is not None:
            lines.append(term.answer)
        lines += [_contact_text(c) for c in contacts]
        text = "\n\n".join(lines)
    text += "\n\nIf a child is in immediate danger, call 999."
    return Message(
        kind="text",
        text=text,
        links=[
            Link(title=link.title, url=link.url)
            for link in phone_links([*contacts, *contacts_out(content, ["police_999"])])
        ],
    )


# --- Partnership knowledge and escalation -------------------------------------------------------


def knowledge_message(answer: Answer) -> Message:
    text = answer.answer
    if answer.sources:
        source = answer.sources[0]
        text += f"\n\nSource: {source.title}, {source.section}."
    if answer.verify:
        text += " The partnership is confirming this detail."
    buttons = [Button(title=r.title, payload=payload("entry", id=r.id)) for r in answer.related]
    return Message(kind="text", text=text, buttons=buttons)


def ask_partnership(content: m.Content, question: str) -> Answer:
    return ask(content.knowledge, redact(question).text)


def escalation(content: m.Content, question: str | None) -> Message:
    question = redact(question).text if question else "How do I escalate a professional disagreement?"
    answer = ask(content.knowledge, question)
    overview = content.knowledge.document(content.escalation.id)
    if answer.entry_id is None and overview is not None:
        # The words said "disagree" but matched nothing closer: give the process itself, not "I don't know".
        message = entry(content, overview.id)
    else:
        message = knowledge_message(answer)
    message.buttons.insert(0, Button(title="Dates for each step from today", payload=payload("escalation_dates")))
    return message


def escalation_dates(content: m.Content, today: date) -> Message:
    schedule = escalation_schedule(content.escalation, today)
    basis = "working days" if schedule.basis == "working" else "calendar days"
    lines = [f"If the disagreement starts today ({today:%A %-d %B %Y}), counting {basis}:"]
    for step in schedule.steps:
        when = f"by {step.due:%A %-d %B}" if step.starts == step.due else f"{step.starts:%-d %B} to {step.due:%-d %B}"
        lines.append(f"- Step {step.step}, {step.title}: {when}. {step.who}")
    lines.append(schedule.child_safety_first)
    lines.append(f"Source: {schedule.source}, {schedule.section}.")
    return Message(
        kind="text", text="\n".join(lines), buttons=[Button(title="Back to the menu", payload=payload("help"))]
    )


def entry(content: m.Content, entry_id: Any) -> Message:
    document = content.knowledge.document(str(entry_id))
    if document is None:
        return Message(kind="text", text="I cannot find that item any more.", buttons=menu_buttons())
    related = [d for r in document.related if (d := content.knowledge.document(r))]
    text = f"{document.title}\n\n{document.answer}\n\nSource: {document.source}, {document.section}."
    buttons = [Button(title=d.title, payload=payload("entry", id=d.id)) for d in related[:4]]
    return Message(kind="text", text=text, buttons=buttons)
