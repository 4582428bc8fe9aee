"""The chat: one endpoint for every channel (the widget, the /embed page, anything else), plus forget."""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any

import pydantic_core
from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from app.conversation.chat import ChatState, Message, Turn, UnknownChat, reply
from app.web import analytics
from app.web.deps import StoreDep, services
from app.web.lean_route import LeanRoute
from app.web.schemas import MAX_DESCRIPTION, CleanText, ErrorOut

router = APIRouter(prefix="/api/v1/chat", tags=["chat"], route_class=LeanRoute)
KIND = "chat"
EXPIRED_NOTICE = "That conversation had ended or been cleared, so this is a new one."
ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorOut, "description": "No such conversation (ended, expired or cleared)."},
    409: {"model": ErrorOut, "description": "Another message in this conversation was handled at the same moment."},
    413: {"model": ErrorOut, "description": "The request body is larger than the server's limit (64 KiB by default)."},
    422: {"model": ErrorOut, "description": "The request is not valid, e.g. text over 20,000 characters."},
}


class ChatIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {},
                {"session_id": "abc", "text": "which level is this?"},
                {"session_id": "abc", "payload": '/answer{"question_id":"danger_now","value":"no"}'},
            ]
        },
    )

    session_id: str | None = Field(None, max_length=64, description="Omit to start a conversation.")
    text: CleanText | None = Field(
        None,
        max_length=MAX_DESCRIPTION,
        description="What the user typed. Identifying details are removed before it is read; it is never stored.",
    )
    payload: CleanText | None = Field(None, max_length=1000, description="The payload of a button the user chose.")


class ChatOut(BaseModel):
    session_id: str
    messages: list[Message]


@router.post("", response_model=ChatOut, responses=ERRORS)
async def chat(body: ChatIn, request: Request) -> Response:
    """Send a turn (typed text or a button payload) and get the bot's messages.

    With no session_id, or one that has expired, a new conversation starts with the greeting and safety
    line. Once a child may be in immediate danger, every reply starts with an alert message.
    """
    content, store, settings = services(request)  # not dependencies: this runs on every turn (app/web/deps.py)
    record = await store.get(KIND, body.session_id) if body.session_id else None
    state = ChatState.model_validate(record.data["state"]) if record else None
    state, messages, outcome = reply(content, state, Turn(text=body.text, payload=body.payload), today=date.today())
    # The store writes the model as JSON itself (pydantic_core.to_json), without a dict of it first.
    if record is None:
        session_id = secrets.token_urlsafe(16)
        await store.put(KIND, session_id, {"state": state}, settings.session_ttl_seconds, None)
        if body.session_id:
            messages.insert(0, Message(kind="text", text=EXPIRED_NOTICE))
    else:
        session_id = body.session_id or ""
        await store.put(KIND, session_id, {"state": state}, settings.session_ttl_seconds, record.version)
    if outcome is not None:
        ttl = settings.session_ttl_seconds
        await analytics.count_completed_assessment(store, f"{KIND}:{session_id}", outcome, ttl, channel=KIND)
    # ChatOut's JSON, written straight from the messages made here: FastAPI, or ChatOut(...), would validate
    # every message again (bench/pipeline.py). tests/web/test_chat_api.py checks it against ChatOut.
    return Response(
        pydantic_core.to_json({"session_id": session_id, "messages": messages}), media_type="application/json"
    )


@router.delete("/{session_id}", status_code=204, responses=ERRORS)
async def forget_chat(session_id: str, store: StoreDep) -> Response:
    """Forget a conversation at once (the widget's "Start again / clear")."""
    if not await store.delete(KIND, session_id):
        raise UnknownChat(session_id)
    return Response(status_code=204)
