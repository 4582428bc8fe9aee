"""Free text as evidence, not a verdict: parse, then confirm, then interview.

A description is read by the triage; the chat lists what it recognised with the words that matched each item,
each removable on its own. Only what the practitioner confirms becomes an answer, and only answers reach the
summary. No level is stated from the description alone (a danger alert is the exception, shown at once).
The chat state keeps the recognised ids only, never the words.
"""

from __future__ import annotations

from collections.abc import Iterable

from app.conversation.answers import plain
from app.conversation.messages import Button, Evidence, Message, payload
from app.core import engine
from app.core import models as m
from app.core.age import AGE_QUESTION
from app.core.rules import AnswerValue
from app.core.triage import Span, answers_for_indicators

NOT_THE = ("not the ", "not ", "remove the ", "remove ", "take out the ", "take out ", "delete the ", "delete ")


def suggested_answers(content: m.Content, indicator_ids: Iterable[str]) -> dict[str, AnswerValue]:
    """The answers the confirmed indicators give, as the triage's prefill gives them for a result."""
    return dict(answers_for_indicators(content, indicator_ids))


def reads_as_danger(content: m.Content, text: str) -> bool:
    """Whether words typed at a question, not readable as its answer, read as a child in immediate danger
    ("he has a knife and says he will kill himself"): every channel then acts now, recording nothing."""
    from app.core.language.redact import redact
    from app.core.triage import triage  # imported here: the triage index is built on first use

    return len(text.split()) >= 3 and triage(content, redact(text).text).immediate_danger


DANGER_IN_WORDS = (
    "What you wrote may mean a child is in immediate danger, so act now. I have not recorded it as an answer."
)


def age_label(content: m.Content, value: str) -> str:
    question = content.question(AGE_QUESTION)
    return f"Age: {engine.answer_label(question, value) if question else value}"


def quoted(spans: list[Span], evidence: list[str]) -> list[str]:
    """The words to quote: as written in the description (the triage's spans, in the order written), each once,
    leaving out any inside a longer match ("85%" in "dropped to 85%")."""
    unique = list(dict.fromkeys(span.words for span in spans)) or list(dict.fromkeys(evidence))
    return [words for words in unique if not any(words != other and words in other for other in unique)]


def item(item_id: str, label: str, matched: list[str]) -> Evidence:
    return Evidence(
        id=item_id,
        label=label,
        matched=matched,
        remove=Button(title="Remove", payload=payload("remove", id=item_id)),
    )


# Shown when the items are listed again after a removal: their words are not kept (only the ids are), so they
# are quoted once, in the first list, and never stored to be quoted again.
RELISTED = (
    "Still to confirm (the words that matched each were quoted when I first listed them; I do not keep what "
    "you typed). Remove anything else I have misread; only what you confirm is recorded."
)


def evidence_message(items: list[Evidence], notes: list[str], lead: str = "", *, relisted: bool = False) -> Message:
    lines = [lead] if lead else []
    if items and relisted:
        lines.append(RELISTED)
        lines += [f"- {found.label}" for found in items]
    elif items:
        lines.append(
            "From your description I recognised the items below, with the words that matched each. Remove "
            "anything I have misread; only what you confirm is recorded, and the questions will check the rest."
        )
        for found in items:
            quoted = ", ".join(f"\u201c{words}\u201d" for words in found.matched)
            lines.append(f"- {found.label}" + (f" (matched {quoted})" if quoted else ""))
    else:
        lines.append("Nothing is left to record from your description.")
    lines += notes
    buttons = [Button(title="Confirm these", payload=payload("confirm"))] if items else []
    buttons.append(Button(title="Ask me the questions instead", payload=payload("reject")))
    return Message(kind="evidence", text="\n".join(lines), evidence=items, buttons=buttons)


def remaining_items(content: m.Content, indicator_ids: list[str], age: str | None) -> list[Evidence]:
    """The items still to confirm, after a removal: their words are not kept, so none are quoted again (the
    message says they are in the first list; see RELISTED)."""
    items = [item(i, content.indicators[i].text, []) for i in indicator_ids if i in content.indicators]
    if age is not None:
        items.append(item(AGE_QUESTION, age_label(content, age), []))
    return items


def removal_target(content: m.Content, text: str, indicator_ids: list[str], age: str | None) -> str | None:
    """The item a typed "not the ..." names: the one whose label shares the most words with it."""
    normal = plain(text)
    rest = next((normal[len(p) :] for p in NOT_THE if normal.startswith(p)), None)
    if not rest:
        return None
    wanted = {w for w in rest.split() if len(w) > 2}
    labels = {i: content.indicators[i].text for i in indicator_ids if i in content.indicators}
    if age is not None:
        labels[AGE_QUESTION] = age_label(content, age) + " age"
    scored = sorted(((len(wanted & set(plain(label).split())), i) for i, label in labels.items()), reverse=True)
    if not scored or scored[0][0] == 0 or (len(scored) > 1 and scored[1][0] == scored[0][0]):
        return None
    return scored[0][1]
