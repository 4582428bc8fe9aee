"""Nothing identifying is kept: text carrying every kind of identifier goes through every free-text path, then
the SQLite files and the log output are read byte for byte and none of the identifiers may be there.

The free-text paths are discovered from the OpenAPI schema; a new one fails
`test_every_free_text_field_is_covered` until it is added to SENDERS (or to NOT_FREE_TEXT, with a reason).
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.main import create_app
from tests.conftest import FIXTURE_CONTENT, make_settings

# One identifier of each kind; the texts below carry all of them, with a cue the redactor relies on.
IDENTIFIERS = {
    "name": ["Kerry", "Ashworth", "Jayden"],
    "date of birth": ["14/03/2013"],
    "NHS number": ["943 476 5919", "9434765919"],
    "phone": ["07700 900982", "07700900982"],
    "email": ["kerry.ashworth@example.com"],
    "postcode": ["WA4 1XY"],
    "street address": ["Acacia Avenue"],
    "school": ["St Oswald"],
}
# For fields of up to 200 characters.
SHORT = (
    "Mum Kerry Ashworth, DOB 14/03/2013, NHS 943 476 5919, 07700 900982, kerry.ashworth@example.com, "
    "14 Acacia Avenue, WA4 1XY, St Oswald's Primary School"
)
# For fields of up to 500 characters: a realistic description.
LONG = (
    "Year 7 boy Jayden Ashworth (born 14/03/2013, NHS number 943 476 5919) has been missing overnight three "
    "times and came back with a new phone. Mum Kerry Ashworth on 07700 900982 or kerry.ashworth@example.com "
    "says he stays out. They live at 14 Acacia Avenue, WA4 1XY. He attends St Oswald's Primary School where "
    "attendance is 60%."
)
assert len(SHORT) <= 200 and len(LONG) <= 500

Sender = Callable[[TestClient], list[httpx.Response]]


def _assessment(client: TestClient) -> str:
    return client.post("/api/v1/assessments").json()["id"]  # type: ignore[no-any-return]


def _chat(client: TestClient, **body: Any) -> list[httpx.Response]:
    first = client.post("/api/v1/chat", json={})
    then = client.post("/api/v1/chat", json={"session_id": first.json()["session_id"], **body})
    return [first, then]


def _rasa(client: TestClient, action: str, intent: str) -> list[httpx.Response]:
    from tests.rasa.test_rasa import action_call

    return [client.post("/rasa/webhook", json=action_call(action, "privacy-sender", text=LONG, intent=intent))]


# Every free-text field, as "METHOD path location.field", and how to send identifiers through it.
SENDERS: dict[str, Sender] = {
    "POST /api/v1/assessments body.description": lambda c: [c.post("/api/v1/assessments", json={"description": LONG})],
    "POST /api/v1/assessments/{assessment_id}/answers body.value": lambda c: [
        c.post(f"/api/v1/assessments/{_assessment(c)}/answers", json={"question_id": "danger", "value": SHORT}),
        c.post(f"/api/v1/assessments/{_assessment(c)}/answers", json={"question_id": "school", "value": [SHORT]}),
    ],
    "GET /api/v1/indicators query.text": lambda c: [c.get("/api/v1/indicators", params={"text": SHORT})],
    "POST /api/v1/ask body.question": lambda c: [c.post("/api/v1/ask", json={"question": LONG})],
    "POST /api/v1/triage body.text": lambda c: [c.post("/api/v1/triage", json={"text": LONG})],
    "POST /api/v1/chat body.text": lambda c: _chat(c, text=LONG),
    "POST /api/v1/chat body.payload": lambda c: _chat(c, payload=LONG),
    "POST /webhooks/rest/webhook body.message": lambda c: [
        c.post("/webhooks/rest/webhook", json={"sender": "privacy-rest-1", "message": "hi"}),
        c.post("/webhooks/rest/webhook", json={"sender": "privacy-rest-1", "message": LONG}),
    ],
    # The action server's text arrives inside Rasa's tracker (a free-form object the schema cannot describe).
    "POST /rasa/webhook tracker.latest_message.text (triage)": lambda c: _rasa(
        c, "action_threshold_triage", "describe"
    ),
    "POST /rasa/webhook tracker.latest_message.text (ask)": lambda c: _rasa(
        c, "action_threshold_ask_partnership", "ask_partnership"
    ),
}
# Strings in request schemas that are not text a person types, and why.
NOT_FREE_TEXT = {
    "GET /api/v1/escalation query.started": "a date, refused unless YYYY-MM-DD",
    "GET /api/v1/timelines/{name} query.from": "a date, refused unless YYYY-MM-DD",
    "POST /rasa/webhook body.next_action": "an action name sent by Rasa",
    "POST /rasa/webhook body.sender_id": "the conversation id Rasa chose",
    "POST /rasa/webhook body.version": "Rasa's version number",
    "POST /rasa/webhook body.domain_digest": "a hash of Rasa's domain",
    "POST /webhooks/rest/webhook body.sender": "the conversation id the widget chose (docs/privacy.md)",
}
# A string without a bound, or longer than this, counts as free text; shorter ones are ids and codes.
ID_LENGTH = 100


def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _text_fields(schema: dict[str, Any], components: dict[str, Any], prefix: str) -> Iterator[str]:
    schema = _resolve(schema, components)
    for alternative in schema.get("anyOf", []) + schema.get("oneOf", []):
        yield from _text_fields(alternative, components, prefix)
    constrained = {"enum", "const", "pattern", "format"} & set(schema)
    if schema.get("type") == "string" and not constrained and schema.get("maxLength", ID_LENGTH + 1) > ID_LENGTH:
        yield prefix
    if schema.get("type") == "array":
        yield from _text_fields(schema.get("items", {}), components, prefix)
    for name, sub in schema.get("properties", {}).items():
        yield from _text_fields(sub, components, f"{prefix}.{name}")


def free_text_fields(app: FastAPI) -> set[str]:
    """Every request field in the OpenAPI schema that can carry free text (path parameters are ids)."""
    spec = app.openapi()
    components = spec.get("components", {}).get("schemas", {})
    found: set[str] = set()
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            label = f"{method.upper()} {path}"
            for parameter in operation.get("parameters", []):
                if parameter["in"] in ("query", "header"):
                    found.update(
                        _text_fields(
                            parameter.get("schema", {}), components, f"{label} {parameter['in']}.{parameter['name']}"
                        )
                    )
            for media in operation.get("requestBody", {}).get("content", {}).values():
                found.update(_text_fields(media.get("schema", {}), components, f"{label} body"))
    return found


@pytest.fixture
def app(tmp_path: Path) -> FastAPI:
    return create_app(make_settings(tmp_path, FIXTURE_CONTENT, log_level="DEBUG", rate_limit="off"))


def test_every_free_text_field_is_covered(app: FastAPI) -> None:
    discovered = free_text_fields(app)
    schema_senders = {key for key in SENDERS if " body." in key or " query." in key}
    untested = discovered - schema_senders - set(NOT_FREE_TEXT)
    assert not untested, f"new free-text fields: add them to SENDERS in {__file__}: {sorted(untested)}"
    gone = (schema_senders | set(NOT_FREE_TEXT)) - discovered
    assert not gone, f"these fields no longer exist (or are no longer free text); update the lists: {sorted(gone)}"


def test_the_texts_carry_every_kind_of_identifier() -> None:
    for kind, values in IDENTIFIERS.items():
        assert any(v in LONG for v in values), kind
        assert any(v in SHORT for v in values) or kind == "name", kind
    assert "Kerry" in SHORT


def _leaks(data: bytes) -> list[str]:
    lowered = data.lower()
    return [
        f"{kind}: {value}"
        for kind, values in IDENTIFIERS.items()
        for value in values
        if value.lower().encode() in lowered
    ]


def test_identifiers_are_neither_stored_nor_logged_nor_echoed(
    app: FastAPI, tmp_path: Path, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.DEBUG)
    echoed: dict[str, list[str]] = {}
    with TestClient(app) as client:
        for label, send in SENDERS.items():
            for response in send(client):
                assert response.status_code < 500, (label, response.text)
                if leaks := _leaks(response.content):
                    echoed[label] = leaks
    assert echoed == {}, "responses repeat identifying details"

    stored = b"".join(path.read_bytes() for path in sorted(tmp_path.glob("threshold.db*")))
    with sqlite3.connect(tmp_path / "threshold.db") as db:  # the store was written: conversations are there
        kinds = dict(db.execute("SELECT kind, count(*) FROM records GROUP BY kind").fetchall())
    assert kinds.get("chat", 0) >= 2 and kinds.get("assessment", 0) >= 3
    assert _leaks(stored) == [], "the store holds identifying details"
    out, err = capfd.readouterr()
    # The test client's own logger (httpx) prints the URLs it requests: that is this test, not the app.
    records = [f"{r.name} {r.getMessage()} {r.__dict__}" for r in caplog.records if r.name != "httpx"]
    lines = [line for line in (out + err).splitlines() if "httpx" not in line]
    logged = unquote_plus("\n".join(records + lines))  # URLs in logs would be percent-encoded
    assert any("request" in r for r in records)  # logging was on and captured
    assert _leaks(logged.encode()) == [], "the logs hold identifying details"
