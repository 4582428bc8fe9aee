"""What the conversation says: messages with buttons, links, expandable sections and recognised evidence.

One shape for every channel (the web chat and widget, Rasa's REST channel, the Rasa actions). Button payloads
are plain strings `/<action>` or `/<action>{json}`, e.g. `/answer{"question_id":"danger_now","value":"no"}`;
`payload()` builds them and `parse_payload()` reads them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.core.errors import NotFound

MessageKind = Literal["text", "question", "outcome", "alert", "act_now", "evidence", "recorded"]


class UnknownChat(NotFound):
    code = "unknown_chat"

    def __init__(self, session_id: str) -> None:
        super().__init__("No conversation with that id. It may have ended, expired or been cleared.")
        self.session_id = session_id


class Button(BaseModel):
    model_config = ConfigDict(frozen=True)  # shared: each question's buttons are made once (chat._button)

    title: str
    payload: str = Field(description="Send back as `payload` to choose this button.")


class Link(BaseModel):
    title: str
    url: str = Field(description="https:// for documents; `tel:01925443322` (no spaces) for a phone number to tap.")


class Section(BaseModel):
    title: str
    text: str


class Evidence(BaseModel):
    """One thing recognised in a description, with the words that matched it, removable on its own."""

    id: str = Field(description="The indicator id (or `age_stage` for an age read from the description).")
    label: str = Field(description="What was recognised, in the guidance's words.")
    matched: list[str] = Field(
        description="The words in the (redacted) description that matched, as written. Empty when the items are "
        "listed again after a removal: the words are quoted once, in the first list, and never stored."
    )
    remove: Button = Field(description="The button that takes this item out before it is recorded.")


class Message(BaseModel):
    kind: MessageKind = Field(
        description="text | question | outcome | alert (999 or MASH) | act_now (what to do at once when a child "
        "may be in immediate danger) | evidence (items recognised in a description, to confirm) | recorded (an "
        "echo of what a typed answer was recorded as)."
    )
    text: str = Field(description="The message; for an outcome, the top card (level, what to do now, who to call).")
    buttons: list[Button] = Field(default_factory=list)
    links: list[Link] = Field(
        default_factory=list, description="Documents, and every phone number in the message as a `tel:` link."
    )
    sections: list[Section] = Field(
        default_factory=list,
        description="Outcome messages: the expandable parts after the top card (reasons, routes, consent, ...).",
    )
    evidence: list[Evidence] = Field(
        default_factory=list, description="Evidence messages: each recognised item with the words that matched."
    )
    summary: str | None = Field(None, description="Outcome messages: the plain-text summary to copy or print.")


@dataclass(frozen=True)
class Turn:
    """What the user did: typed `text`, or chose a button whose `payload` is sent back."""

    text: str | None = None
    payload: str | None = None


_ID = re.compile(r"[A-Za-z0-9_-]*")


def payload(action: str, **args: Any) -> str:
    """`/action` or `/action{json}`; ids and option values (the usual case) are written without the JSON encoder,
    the same bytes it gives, because every question's buttons are made on every turn."""
    if not args:
        return f"/{action}"
    if all(isinstance(v, str) and _ID.fullmatch(v) for v in args.values()):
        return "/" + action + "{" + ",".join(f'"{k}":"{v}"' for k, v in args.items()) + "}"
    return f"/{action}{json.dumps(args, separators=(',', ':'))}"


_PAYLOAD = re.compile(r"^/([a-z_]+)(\{.*\})?$", re.DOTALL)


def parse_payload(text: str) -> tuple[str, dict[str, Any]] | None:
    """`/answer{"question_id":"x","value":"yes"}` -> ("answer", {...}); None when it is not a payload."""
    match = _PAYLOAD.match(text.strip())
    if not match:
        return None
    try:
        args = json.loads(match.group(2)) if match.group(2) else {}
    except json.JSONDecodeError:
        return None
    return (match.group(1), args) if isinstance(args, dict) else None
