"""Rasa interoperability: an action server for a Rasa assistant, and a REST channel for Rasa chat widgets.

/rasa/*: rasa-sdk's ActionExecutor with the project's actions (app/rasa/actions.py), hosted by FastAPI
instead of Sanic.

The endpoints follow rasa-sdk's own (rasa_sdk/endpoint.py) so a Rasa assistant cannot tell the
difference: deflate bodies are accepted, an empty or invalid body is 400 `{"error": "Invalid body
request"}`, an unknown action 404, a rejected action 400 and an action that needs the domain when Rasa
did not send it 449 (Rasa then retries with the domain); each error body names the action.

/webhooks/rest/webhook: Rasa's REST channel, answered by the conversation layer itself, so widgets
built for Rasa (rasa-webchat, Chatbot-Widget, ...) work with no Rasa server at all.

Why lazy: rasa_sdk pulls in Sanic and OpenTelemetry (measured: 0.15-0.25 s and 10 MiB on a 70 MiB
app; scripts/rasa-footprint), so it is imported on the first request to /rasa/*, not at start-up. Its
endpoint module, which would add gRPC and 15 MiB more, is never imported.
"""

from __future__ import annotations

import json
import logging
import warnings
import zlib
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from app.conversation.chat import ChatState, Message, Turn, parse_payload, reply
from app.web import analytics
from app.web.deps import ContentDep, SettingsDep, StoreDep
from app.web.schemas import MAX_DESCRIPTION, CleanText, ErrorOut

if TYPE_CHECKING:
    from rasa_sdk.executor import ActionExecutor

router = APIRouter(tags=["rasa"])
log = logging.getLogger("threshold.rasa")

INVALID_BODY = {"error": "Invalid body request"}
MAX_BODY_BYTES = 16 * 1024 * 1024  # a decompressed tracker larger than this is refused, not inflated


class RasaHealth(BaseModel):
    status: str = Field(description='"ok" once the action executor is ready.')


class RasaActionName(BaseModel):
    name: str


class RasaActionCall(BaseModel):
    """What Rasa POSTs to run a custom action (rasa/core/actions/custom_action_executor.py)."""

    next_action: str | None = Field(None, description="The action to run.")
    sender_id: str | None = None
    tracker: dict[str, Any] = Field(description="tracker.current_state(): sender_id, slots, latest_message, events...")
    version: str | None = Field(None, description="Rasa's version; a major.minor mismatch is logged as a warning.")
    domain: dict[str, Any] | None = Field(None, description="Sent when the action server answered 449.")
    domain_digest: str | None = None


class RasaActionResult(BaseModel):
    events: list[dict[str, Any]] = Field(description="Events for Rasa's tracker, e.g. slot events.")
    responses: list[dict[str, Any]] = Field(description="Bot messages: text, buttons, custom, ...")


class RasaActionError(BaseModel):
    error: str
    action_name: str


class RasaInvalidBody(BaseModel):
    error: str = Field(examples=["Invalid body request"])


class RasaServerError(BaseModel):
    error: str
    action_name: str | None = None


@dataclass
class RasaServer:
    """The executor with the project's actions registered; one per app, built on first use."""

    executor: ActionExecutor
    checked_versions: set[str | None] = field(default_factory=set)


def rasa_server(request: Request) -> RasaServer:
    server: RasaServer | None = getattr(request.app.state, "rasa", None)
    if server is None:
        from app.rasa.actions import ActionContext, build_executor  # imports rasa_sdk: see the module docstring

        settings = request.app.state.settings
        context = ActionContext(app_state=request.app.state, ttl_seconds=settings.session_ttl_seconds)
        server = RasaServer(executor=build_executor(context))
        request.app.state.rasa = server
    return server


def read_action_call(body: bytes, content_encoding: str | None) -> dict[str, Any] | None:
    """The action call in a (possibly deflated) JSON body, or None when the body is empty or not one."""
    if content_encoding == "deflate":
        inflater = zlib.decompressobj()
        try:
            body = inflater.decompress(body, MAX_BODY_BYTES)
        except zlib.error:
            return None
        if inflater.unconsumed_tail:
            return None
    try:
        call = json.loads(body) if body else None
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(call, dict):
        return None
    # What rasa-sdk would turn into a 500 (no tracker, no sender id) is the caller's mistake: 400.
    if call.get("next_action") is not None:
        tracker = call.get("tracker")
        if not isinstance(call["next_action"], str) or not isinstance(tracker, dict):
            return None
        if not isinstance(tracker.get("sender_id"), str):
            return None
        if not isinstance(call.get("domain") or {}, dict):
            return None
    return call


def check_version(server: RasaServer, rasa_version: Any) -> None:
    """rasa-sdk's compatibility check warns; we log what it says, once per Rasa version (it is sent on
    every call) rather than let a warning escape (warnings may be errors in tests)."""
    from rasa_sdk import utils

    version = rasa_version if isinstance(rasa_version, str) else None
    if version in server.checked_versions:
        return
    server.checked_versions.add(version)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        utils.check_version_compatibility(version)
    for warning in caught:
        log.warning("%s", warning.message)


@router.get("/rasa/health", response_model=RasaHealth)
async def health(request: Request) -> RasaHealth:
    """The action server is up (the first call loads rasa-sdk and registers the actions)."""
    rasa_server(request)
    return RasaHealth(status="ok")


@router.get("/rasa/actions", response_model=list[RasaActionName])
async def actions(request: Request) -> list[RasaActionName]:
    """Every action this server runs."""
    executor = rasa_server(request).executor
    return [RasaActionName(name=item.name) for item in executor.list_actions()]


@router.post(
    "/rasa/webhook",
    response_model=RasaActionResult | None,
    responses={
        400: {"model": RasaActionError | RasaInvalidBody, "description": "Invalid body, or the action rejected."},
        404: {"model": RasaActionError, "description": "No action with that name."},
        449: {"model": RasaActionError, "description": "The action needs the domain; retry with `domain`."},
        500: {"model": RasaServerError, "description": "The action failed."},
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": "JSON, or JSON compressed with `Content-Encoding: deflate`.",
            "content": {"application/json": {"schema": RasaActionCall.model_json_schema()}},
        }
    },
)
async def webhook(request: Request) -> JSONResponse:
    """Run a custom action for Rasa: tracker state in, events and bot messages out."""
    server = rasa_server(request)
    from rasa_sdk.interfaces import ActionExecutionRejection, ActionMissingDomainException, ActionNotFoundException

    action_call = read_action_call(await request.body(), request.headers.get("content-encoding"))
    if action_call is None:
        return JSONResponse(INVALID_BODY, status_code=400)
    check_version(server, action_call.get("version"))
    try:
        result = await server.executor.run(action_call)
    except ActionExecutionRejection as exc:
        log.debug("%s", exc)
        return JSONResponse({"error": exc.message, "action_name": exc.action_name}, status_code=400)
    except ActionNotFoundException as exc:
        log.error("%s", exc)
        return JSONResponse({"error": exc.message, "action_name": exc.action_name}, status_code=404)
    except ActionMissingDomainException as exc:
        log.debug("%s", exc)
        return JSONResponse({"error": exc.message, "action_name": exc.action_name}, status_code=449)
    except Exception:
        log.exception("action %s failed", action_call.get("next_action"))
        # rasa-sdk echoes the request body here; ours would carry the user's words, so it names the action only.
        return JSONResponse(
            {"error": "The action failed.", "action_name": action_call.get("next_action")}, status_code=500
        )
    return JSONResponse(result.model_dump() if result else None)


# --- The REST channel ---------------------------------------------------------------------------

REST_KIND = "rest"  # conversations keyed by the widget's sender id, apart from /api/v1/chat's own ids


class RestIn(BaseModel):
    """What a Rasa REST-channel client posts (rasa/core/channels/rest.py)."""

    model_config = ConfigDict(
        extra="ignore",  # widgets also send e.g. `metadata`; Rasa ignores what it does not use, so do we
        json_schema_extra={"examples": [{"sender": "3f2a9c1d", "message": "hi"}]},
    )

    sender: str = Field(
        min_length=1,
        max_length=128,
        description="The conversation's id, chosen by the widget (keep it unguessable, e.g. a UUID).",
    )
    message: CleanText = Field(
        "",
        max_length=MAX_DESCRIPTION,
        description="Typed text, or a button's payload sent back. Identifying details are removed before it is "
        "read; it is never stored.",
    )


class RestButton(BaseModel):
    title: str
    payload: str


class RestMessage(BaseModel):
    """One bot message in Rasa's shape (CollectingOutputChannel): keys without a value are left out."""

    recipient_id: str
    text: str | None = None
    buttons: list[RestButton] | None = None
    custom: dict[str, Any] | None = None


class RestStatus(BaseModel):
    status: str


_STRUCTURED = ("outcome", "alert", "act_now", "evidence")


def rest_messages(sender: str, messages: list[Message]) -> list[dict[str, Any]]:
    """The conversation's messages as Rasa sends them: text with buttons, then, for outcomes, alerts, the
    act-now card, evidence and echoes, the structured part as a separate `custom` message, as Rasa does for a
    response with a json_message. (Widgets may draw an empty bubble for a custom message they do not know, so
    questions get none.) Widgets built for Rasa cannot expand sections, so an outcome's follow in its text;
    web links follow the text (phone numbers are in it already)."""
    out: list[dict[str, Any]] = []
    for message in messages:
        parts = [message.text, *(f"{section.title}:\n{section.text}" for section in message.sections)]
        web = [link for link in message.links if not link.url.startswith("tel:")]
        if web:
            parts.append("\n".join(f"{link.title}: {link.url}" for link in web))
        item: dict[str, Any] = {"recipient_id": sender, "text": "\n\n".join(parts)}
        # Widgets built for Rasa show buttons, not evidence items: each item's Remove becomes a button too.
        buttons = [{"title": f"Remove: {found.label}", "payload": found.remove.payload} for found in message.evidence]
        buttons += [{"title": b.title, "payload": b.payload} for b in message.buttons]
        if buttons:
            item["buttons"] = buttons
        out.append(item)
        if message.kind in _STRUCTURED or message.links or message.summary:
            custom = {
                "threshold": {
                    "kind": message.kind,
                    "links": [link.model_dump() for link in message.links],
                    "sections": [section.model_dump() for section in message.sections],
                    "evidence": [found.model_dump() for found in message.evidence],
                    "summary": message.summary,
                }
            }
            out.append({"recipient_id": sender, "custom": custom})
    return out


@router.get("/webhooks/rest/", response_model=RestStatus)
def rest_status() -> RestStatus:
    """Rasa's REST channel health check."""
    return RestStatus(status="ok")


@router.post(
    "/webhooks/rest/webhook",
    response_model=list[RestMessage],
    response_model_exclude_none=True,
    responses={
        409: {"model": ErrorOut, "description": "Another message from this sender was handled at the same moment."},
        413: {
            "model": ErrorOut,
            "description": "The request body is larger than the server's limit (64 KiB by default).",
        },
        422: {"model": ErrorOut, "description": "No sender, or a message over 20,000 characters."},
    },
)
async def rest_webhook(
    body: RestIn, content: ContentDep, store: StoreDep, settings: SettingsDep
) -> list[dict[str, Any]]:
    """Send the user's message (or a button's payload) and get the bot's replies, as Rasa's REST channel does.

    The first message from a sender starts a conversation with the greeting and the safety line.
    """
    record = await store.get(REST_KIND, body.sender)
    state = ChatState.model_validate(record.data["state"]) if record else None
    turn = Turn(payload=body.message) if parse_payload(body.message) else Turn(text=body.message)
    state, messages, outcome = reply(content, state, turn, today=date.today())
    version = record.version if record else None
    ttl = settings.session_ttl_seconds
    await store.put(REST_KIND, body.sender, {"state": state}, ttl, version)  # written as JSON by the store
    if outcome is not None:
        await analytics.count_completed_assessment(store, f"{REST_KIND}:{body.sender}", outcome, ttl, channel=REST_KIND)
    return rest_messages(body.sender, messages)
