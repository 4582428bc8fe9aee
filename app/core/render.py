"""The one outcome renderer: an explained outcome as a phone-sized card with sections, as a summary to paste into a
referral form (plain text or printable HTML), and as sentences a training room can read.

Every channel (the chat and widget, Rasa's REST channel, the Rasa actions, the summary endpoint, the scenario
walkthroughs) renders outcomes here, so they say the same thing. Nothing identifying is ever in an outcome.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from html import escape

from app.core import models as m
from app.core.outcome import AnswerOut, ContactOut, LinkOut, Outcome, RouteOut

CARD_WORD_LIMIT = 120
_DO_NOW_WORDS = 45  # the first sentences of the main route's advice that fit in the card


@dataclass(frozen=True)
class Part:
    title: str
    text: str


@dataclass(frozen=True)
class Card:
    """An outcome for a small screen: the top card, then expandable sections."""

    top: str  # level, what to do now, who to call: at most CARD_WORD_LIMIT words
    sections: list[Part]
    contacts: list[ContactOut]  # every contact named, each once, in the order they appear
    links: list[LinkOut] = field(default_factory=list)  # procedures and guidance (https)


def tel_url(phone: str) -> str:
    """`01925 443322` -> `tel:01925443322`: digits (and a leading +) only, so a phone dials it when tapped."""
    return "tel:" + re.sub(r"[^\d+]", "", phone)


def phone_links(contacts: Iterable[ContactOut]) -> list[LinkOut]:
    """A tap-to-call link for each contact with a phone number, each number once."""
    links: dict[str, LinkOut] = {}
    for contact in contacts:
        if contact.phone:
            url = tel_url(contact.phone)
            links.setdefault(url, LinkOut(title=f"Call {_short(contact.name)}: {contact.phone}", url=url))
    return list(links.values())


def _short(name: str) -> str:
    """A contact's name for a button: without its explanations in brackets ("Warrington MASH, in hours")."""
    return re.sub(r"\s*\([^)]*\)", "", name).strip() or name


def contact_line(contact: ContactOut) -> str:
    parts = [contact.name]
    if contact.phone:
        parts.append(contact.phone)
    if contact.hours:
        parts.append(contact.hours)
    return ", ".join(parts)


def words(text: str) -> int:
    return len(text.split())


def _first_sentences(text: str, limit: int) -> str:
    """As many whole sentences as fit in `limit` words (at least the first)."""
    sentences = re.split(r"(?<=[.!?])\s+", text.strip())
    kept = [sentences[0]]
    for sentence in sentences[1:]:
        if words(" ".join([*kept, sentence])) > limit:
            break
        kept.append(sentence)
    return " ".join(kept)


def _unique(contacts: Iterable[ContactOut], seen: set[str]) -> list[ContactOut]:
    out = []
    for contact in contacts:
        if contact.id not in seen:
            seen.add(contact.id)
            out.append(contact)
    return out


def main_route(outcome: Outcome, content: m.Content | None = None) -> RouteOut | None:
    """The route to act on first: 999 in immediate danger; else the route of the gravest concern when it has
    one of its own (an allegation against a worker: the LADO), rather than the level's general route."""
    if not outcome.routes:
        return None
    by_id = {route.id: route for route in outcome.routes}
    if outcome.immediate_danger and "police_999" in by_id:
        return by_id["police_999"]
    if content is not None and outcome.level in content.levels:
        general = {*content.levels[outcome.level].routes, "dsl", "consult_mash"}
        for reason in outcome.reasons.indicators:  # gravest first
            if reason.level < outcome.level:
                break  # a lesser concern's own step never leads a graver outcome
            indicator = content.indicators.get(reason.id)
            for route_id in indicator.routes if indicator else []:
                if route_id in by_id and route_id not in general:
                    return by_id[route_id]
    return outcome.routes[0]


def card(outcome: Outcome, content: m.Content | None = None, *, note: str = "") -> Card:
    """The outcome as a top card (level, what to do now, who to call) and expandable sections.

    Each contact is named once: in the card if it is one to call now, otherwise with the first route that
    gives it. The DSL is named in the card and nowhere else (the caveat in "About this guidance" leaves out
    its sentence naming the DSL). With the content, the card leads with the route of the gravest concern when
    it has one of its own (see main_route). A `note` ("this is provisional") ends the card, within its limit.
    """
    limit = CARD_WORD_LIMIT - words(note)
    seen: set[str] = set()
    main = main_route(outcome, content)
    first = [main, outcome.routes[0]] if main is not None else []
    call_now = _unique([c for route in first for c in route.contacts if c.phone], seen)
    dsl = next((c for c in outcome.talk_to if c.id == "dsl"), None)
    if dsl is not None:
        seen.add(dsl.id)
    lines = [outcome.summary]
    if main is not None:
        lines.append(f"What to do now: {_first_sentences(main.what_to_do, _DO_NOW_WORDS)}")
    if call_now or dsl is not None:
        lines.append(_who_to_call(call_now, dsl))
    top = "\n".join(lines)
    if words(top) > limit and main is not None:  # a long summary: keep the advice to one sentence
        lines[1] = f"What to do now: {_first_sentences(main.what_to_do, 0)}"
        top = "\n".join(lines)
    while words(top) > limit and len(call_now) > 1:  # the rest are in "Routes and contacts"
        seen.discard(call_now.pop().id)
        lines[-1] = _who_to_call(call_now, dsl)
        top = "\n".join(lines)
    if note:
        top += "\n" + note

    sections: list[Part] = []
    reasons = reason_lines(outcome)
    sections.append(
        Part("Why this level", "\n".join(f"- {r}" for r in reasons) or "- No additional needs were recorded.")
    )
    if outcome.settle:
        sections.append(Part("What would settle it", "\n".join(f"- {s}" for s in outcome.settle)))
    if outcome.answers:
        sections.append(Part("Your answers", "\n".join(f"- {_answer_line(a)}" for a in outcome.answers)))
    route_lines = []
    for route in outcome.routes:
        if route.id == "dsl":
            continue  # the card names the DSL
        timeframe = f" ({route.timeframe})" if route.timeframe else ""
        route_lines.append(f"- {route.name}: {route.what_to_do}{timeframe}")
        route_lines += [f"  {contact_line(c)}" for c in _unique(route.contacts, seen)]
    others = _unique(outcome.talk_to, seen)
    route_lines += [f"- {contact_line(c)}" for c in others]
    if route_lines:
        sections.append(Part("Routes and contacts", "\n".join(route_lines)))
    sections.append(Part("Consent", outcome.consent))
    if outcome.timeframe:
        sections.append(Part("How quickly", outcome.timeframe))
    sections.append(Part("If you disagree", outcome.escalation))
    about = _without_the_dsl(outcome.caveat) if dsl is not None else outcome.caveat
    sections.append(Part("About this guidance", f"{about}\nContent version {outcome.content_version}."))
    named = [*call_now, *([dsl] if dsl else [])]
    named += [c for route in outcome.routes for c in route.contacts if c not in named]
    named += [c for c in others if c not in named]
    # The procedures of the routes it recommends (the outcome lists every procedure the content holds).
    links = list(
        {p.url: p for route in outcome.routes for p in route.procedures if p.url.startswith("https://")}.values()
    )
    return Card(top=top, sections=sections, contacts=_unique(named, set()), links=links)


_DSL = re.compile(r"\bDSL\b|designated safeguarding lead", re.IGNORECASE)


def _without_the_dsl(caveat: str) -> str:
    """The caveat without its sentences naming the DSL: the card names the DSL once, and the MASH and 999
    those sentences also name are in the card or its routes and contacts."""
    sentences = re.split(r"(?<=[.!?])\s+", caveat.strip())
    return " ".join(s for s in sentences if not _DSL.search(s)) or caveat


def _who_to_call(contacts: list[ContactOut], dsl: ContactOut | None) -> str:
    who = [f"{c.name}: {c.phone}" + (f", {c.hours}" if c.hours else "") for c in contacts]
    if dsl is not None:
        who.append("your designated safeguarding lead (DSL)")
    return "Who to call: " + "; ".join(who) + "."


def reason_lines(outcome: Outcome) -> list[str]:
    """The outcome's reasons as sentences a practitioner or a training room can read."""
    lines = [f"{i.text} (points to level {i.level})" for i in outcome.reasons.indicators]
    lines += [f"Rule: {r.text}" for r in outcome.reasons.rules if r.id != "highest_indicator"]
    lines += [f"Not known: {u.question}" for u in outcome.reasons.unknowns if u.would_raise_to]
    return lines


def plain_text(outcome: Outcome, content: m.Content | None = None) -> str:
    """The card and its sections as one plain text, for channels that cannot expand sections (Rasa)."""
    rendered = card(outcome, content)
    return "\n\n".join([rendered.top, *(f"{p.title}:\n{p.text}" for p in rendered.sections)])


# --- The summary for a referral form ------------------------------------------------------------


def summary_text(outcome: Outcome | None, answers_only: list[tuple[str, str]] | None = None) -> str:
    """The answers, level, reasons, routes and content version as plain text to paste into a referral form.

    Only what the practitioner recorded is here: an answer taken from a description is one they confirmed.
    """
    lines = ["Threshold Guide summary", "=======================", ""]
    if outcome is None:
        lines += ["Assessment not finished yet.", ""]
        for question, answer in answers_only or []:
            lines.append(f"- {question} {answer}")
        return "\n".join(lines) + "\n"
    lines.append(outcome.summary)
    lines += ["", outcome.meaning, "", "Answers:"]
    lines += [f"- {_answer_line(a)}" for a in outcome.answers]
    lines += ["", "Why this level:"]
    lines += [f"- [level {i.level}] {i.text}" for i in outcome.reasons.indicators] or [
        "- No additional needs recorded."
    ]
    lines += [f"- Rule: {r.text}" for r in outcome.reasons.rules]
    if outcome.reasons.unknowns:
        lines += ["", "Still to find out:"]
        lines += [f"- {u.question}" for u in outcome.reasons.unknowns]
    if outcome.reasons.strengths:
        lines += ["", "Strengths:"] + [f"- {s.text}" for s in outcome.reasons.strengths]
    lines += ["", "What to do:"]
    for route in outcome.routes:
        lines.append(f"- {route.name}: {route.what_to_do}")
        lines += [f"    {c.name}{': ' + c.phone if c.phone else ''}" for c in route.contacts]
    lines += ["", f"Consent: {outcome.consent}", "", f"If you disagree: {outcome.escalation}", ""]
    lines += [outcome.caveat, f"Content version {outcome.content_version}"]
    return "\n".join(lines) + "\n"


def _answer_line(answer: AnswerOut) -> str:
    return f"{answer.question} {answer.answer}{' (from description, confirmed)' if answer.prefilled else ''}"


def summary_html(text: str) -> str:
    """Printable page around the plain text; everything is escaped, nothing is executed."""
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Threshold Guide summary</title>'
        "<style>body{font:16px/1.5 system-ui,sans-serif;max-width:46em;margin:2em auto;padding:0 1em}"
        "pre{white-space:pre-wrap;font:inherit}</style></head><body><main><pre>"
        f"{escape(text)}</pre></main></body></html>"
    )
