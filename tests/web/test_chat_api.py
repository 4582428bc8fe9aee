"""POST /api/v1/chat and DELETE /api/v1/chat/{id}, the widget script and the pages, on the fixture content."""

from __future__ import annotations

import json
import re
from typing import Any

from fastapi.testclient import TestClient

from app.web.routes.chat import EXPIRED_NOTICE, ChatOut
from app.web.schemas import MAX_DESCRIPTION
from tests.conftest import stored


def post(client: TestClient, **body: Any) -> dict[str, Any]:
    response = client.post("/api/v1/chat", json=body)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def test_a_conversation_starts_with_the_greeting(fixture_client: TestClient) -> None:
    reply = post(fixture_client)
    assert len(reply["session_id"]) >= 20
    first = reply["messages"][0]
    assert first["kind"] == "text"
    assert "call 999" in first["text"]
    assert set(first) >= {"kind", "text", "buttons", "links"}
    assert all(set(b) == {"title", "payload"} for b in first["buttons"])


def test_the_session_carries_the_conversation(fixture_client: TestClient) -> None:
    session = post(fixture_client)["session_id"]
    reply = post(fixture_client, session_id=session, text="which level is this?")
    assert reply["session_id"] == session
    question = reply["messages"][-1]
    assert question["kind"] == "question"
    assert [b["title"] for b in question["buttons"]] == ["Yes", "No", "Don't know"]
    no = next(b["payload"] for b in question["buttons"] if b["title"] == "No")
    reply = post(fixture_client, session_id=session, payload=no)
    assert "How is attendance?" in reply["messages"][-1]["text"]


def test_an_unknown_session_starts_a_new_one_and_says_so(fixture_client: TestClient) -> None:
    reply = post(fixture_client, session_id="not-a-real-session", text="hello")
    assert reply["session_id"] != "not-a-real-session"
    assert reply["messages"][0]["text"] == EXPIRED_NOTICE
    assert "call 999" in reply["messages"][1]["text"]


def test_text_over_the_limit_is_refused_as_json_never_cut(fixture_client: TestClient) -> None:
    response = fixture_client.post("/api/v1/chat", json={"text": "a " * (MAX_DESCRIPTION // 2) + "b"})
    assert response.status_code in (413, 422)
    assert set(response.json()) == {"error", "message"}
    assert f"{MAX_DESCRIPTION:,}" in response.json()["message"] or str(MAX_DESCRIPTION) in response.json()["message"]


def test_a_long_note_is_read_whole(fixture_client: TestClient) -> None:
    """A 12,000-character note is accepted, and what it says last is read (nothing is cut)."""
    note = "Routine contact, nothing new to report today. " * 262  # about 12,000 characters
    note += "He has poor attendance this term."
    assert 12_000 <= len(note) <= MAX_DESCRIPTION
    messages = fixture_client.post("/api/v1/chat", json={"text": note}).json()["messages"]
    assert any(item["id"] == "attendance_low" for msg in messages for item in msg["evidence"])


def test_delete_forgets_at_once(fixture_client: TestClient) -> None:
    session = post(fixture_client, text="which level is this?")["session_id"]
    assert fixture_client.delete(f"/api/v1/chat/{session}").status_code == 204
    second = fixture_client.delete(f"/api/v1/chat/{session}")
    assert second.status_code == 404
    assert second.json()["error"] == "unknown_chat"
    reply = post(fixture_client, session_id=session)
    assert reply["session_id"] != session


def test_the_store_never_holds_what_was_typed(fixture_client: TestClient) -> None:
    session = post(fixture_client)["session_id"]
    post(fixture_client, session_id=session, text="Ben Jones at 12 Acacia Road has poor attendance.")
    record = stored(fixture_client, "chat", session)
    assert record is not None
    kept = json.dumps(record.data)
    for word in ("Ben", "Jones", "Acacia", "poor attendance"):
        assert word not in kept


def test_chat_endpoints_are_in_the_openapi_schema(fixture_client: TestClient) -> None:
    paths = fixture_client.get("/openapi.json").json()["paths"]
    post_op = paths["/api/v1/chat"]["post"]
    assert post_op["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ChatOut"
    }
    assert "204" in paths["/api/v1/chat/{session_id}"]["delete"]["responses"]


def test_the_message_wire_contract_is_documented(fixture_client: TestClient) -> None:
    """The fields the widget renders (issue 15's wire contract) are in the schema, each described."""
    schemas = fixture_client.get("/openapi.json").json()["components"]["schemas"]
    message = schemas["Message"]["properties"]
    assert set(message["kind"]["enum"]) == {"text", "question", "outcome", "alert", "act_now", "evidence", "recorded"}
    for field in ["kind", "text", "links", "sections", "evidence", "summary"]:
        assert message[field].get("description"), field
    assert set(schemas["Evidence"]["properties"]) == {"id", "label", "matched", "remove"}
    assert set(schemas["Section"]["properties"]) == {"title", "text"}
    assert "tel:" in schemas["Link"]["properties"]["url"]["description"]


def test_widget_script_is_served_as_javascript(fixture_client: TestClient) -> None:
    response = fixture_client.get("/widget.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/javascript")
    assert "attachShadow" in response.text
    assert "innerHTML" not in response.text  # text only, never markup


def test_pages_embed_the_widget_with_no_inline_script_or_style(fixture_client: TestClient) -> None:
    for path in ("/", "/embed"):
        response = fixture_client.get(path)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")
        html = response.text
        assert re.search(r'<script src="/widget\.js"[^>]*async></script>', html)
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
        assert "<style" not in html and "style=" not in html
    assert "999" in fixture_client.get("/").text
    assert fixture_client.get("/static/demo.css").status_code == 200
    assert fixture_client.get("/static/../config.py").status_code == 404


def test_every_reply_is_exactly_a_chat_out(fixture_client: TestClient) -> None:
    """The route writes ChatOut's JSON itself (app/web/routes/chat.py): it must be what ChatOut would write."""
    turns = [post(fixture_client), post(fixture_client, payload="/assess")]
    while not any(m["kind"] == "outcome" for m in turns[-1]["messages"]) and len(turns) < 40:
        buttons = [m for m in turns[-1]["messages"] if m["buttons"]][-1]["buttons"]
        tap = next((b for b in buttons if b["title"] in ("No", "None of these")), buttons[0])
        turns.append(post(fixture_client, session_id=turns[-1]["session_id"], payload=tap["payload"]))
    assert any(m["kind"] == "outcome" for m in turns[-1]["messages"])
    for body in turns:
        assert ChatOut.model_validate(body).model_dump(mode="json") == body
