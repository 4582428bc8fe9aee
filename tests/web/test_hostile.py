"""Whatever the internet sends: every hostile request gets a clear JSON error (never a 500), and afterwards the
service is healthy and a normal assessment still runs to its outcome."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from tests.conftest import FIXTURE_CONTENT, make_settings
from tests.web.assessments import LEVEL_3_ANSWERS

JSON = {"Content-Type": "application/json"}
MARKUP = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(document.cookie)>',
    "javascript:alert(1)",
    "{{7*7}} ${7*7} <%= 7*7 %>",
    "<svg/onload=alert(1)>",
]
SQL = ["'; DROP TABLE records; --", "1 OR 1=1", '" OR ""="', "x'); DELETE FROM counters; --"]


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    settings = make_settings(tmp_path_factory.mktemp("hostile"), FIXTURE_CONTENT, rate_limit="off")
    with TestClient(create_app(settings)) as test_client:  # a 500 would raise here, not pass quietly
        yield test_client


def new_assessment(client: TestClient) -> str:
    return client.post("/api/v1/assessments").json()["id"]  # type: ignore[no-any-return]


def answers_url(client: TestClient) -> str:
    return f"/api/v1/assessments/{new_assessment(client)}/answers"


Request = Callable[[TestClient], httpx.Response]

# (request, the statuses it may get): each line one hostile request.
HOSTILE: list[Any] = [
    # Size and shape of the body.
    pytest.param(
        lambda c: c.post("/api/v1/assessments", content=b"{" + b" " * 70_000 + b"}", headers=JSON),
        {413},
        id="oversized-body",
    ),
    pytest.param(
        lambda c: c.post("/api/v1/triage", content=b"[" * 50_000 + b"]" * 50_000, headers=JSON),
        {413},
        id="oversized-deep-json",
    ),
    pytest.param(
        lambda c: c.post("/api/v1/triage", content=b"[" * 30_000 + b"]" * 30_000, headers=JSON), {422}, id="deep-json"
    ),
    pytest.param(
        lambda c: c.post("/api/v1/triage", content=b'{"text":' + b"[" * 500 + b"]" * 500 + b"}", headers=JSON),
        {422},
        id="nested-field",
    ),
    pytest.param(
        lambda c: c.post("/api/v1/triage", content=b'{"text": "\xff\xfe\xfa broken"}', headers=JSON),
        {422},
        id="invalid-utf8",
    ),
    pytest.param(
        lambda c: c.post("/api/v1/ask", content=b"\xc3\x28\xa0\xa1", headers=JSON), {422}, id="invalid-utf8-bare"
    ),
    pytest.param(
        lambda c: c.post("/api/v1/triage", content=b'{"text": "a", "text": "b"}', headers=JSON),
        {200, 422},
        id="duplicate-key",
    ),
    pytest.param(lambda c: c.post("/api/v1/triage", content=b"", headers=JSON), {422}, id="empty-body"),
    pytest.param(
        lambda c: c.post(
            "/api/v1/triage", content=b"text=hello", headers={"Content-Type": "application/x-www-form-urlencoded"}
        ),
        {422},
        id="form-body",
    ),
    pytest.param(
        lambda c: c.post(
            "/api/v1/triage", content=b"\x00\x01\x02", headers={"Content-Type": "application/octet-stream"}
        ),
        {422},
        id="binary-body",
    ),
    pytest.param(lambda c: c.post("/api/v1/triage", content=b"NaN", headers=JSON), {422}, id="nan"),
    # Wrong types.
    pytest.param(lambda c: c.post("/api/v1/assessments", json={"description": 123}), {422}, id="number-for-text"),
    pytest.param(lambda c: c.post("/api/v1/assessments", json={"description": ["a"]}), {422}, id="list-for-text"),
    pytest.param(
        lambda c: c.post("/api/v1/assessments", json={"description": {"$ne": ""}}), {422}, id="object-for-text"
    ),
    pytest.param(lambda c: c.post("/api/v1/assessments", json=["description"]), {422}, id="list-body"),
    pytest.param(lambda c: c.post("/api/v1/assessments", json="description"), {422}, id="string-body"),
    pytest.param(lambda c: c.post("/api/v1/assessments", json={"unexpected": 1}), {422}, id="extra-field"),
    pytest.param(lambda c: c.post(answers_url(c), json={"question_id": 5, "value": "no"}), {422}, id="number-question"),
    pytest.param(
        lambda c: c.post(answers_url(c), json={"question_id": "danger", "value": {"a": 1}}), {422}, id="object-value"
    ),
    pytest.param(
        lambda c: c.post(answers_url(c), json={"question_id": "danger", "value": None}), {422}, id="null-value"
    ),
    pytest.param(
        lambda c: c.post(answers_url(c), json={"question_id": "danger", "value": 1e308}), {422}, id="huge-number"
    ),
    pytest.param(
        lambda c: c.post(answers_url(c), json={"question_id": "danger", "value": ["no"] * 51}), {422}, id="long-list"
    ),
    pytest.param(lambda c: c.post("/api/v1/triage", json={"text": "hi", "age": -1}), {422}, id="negative-age"),
    pytest.param(lambda c: c.post("/api/v1/triage", json={"text": "hi", "age": "ten"}), {422}, id="text-age"),
    pytest.param(lambda c: c.get("/api/v1/indicators", params={"level": "9; DROP"}), {422}, id="bad-query-type"),
    pytest.param(lambda c: c.get("/api/v1/escalation", params={"started": "2025-02-30"}), {422}, id="impossible-date"),
    pytest.param(lambda c: c.get("/api/v1/escalation", params={"started": "9" * 5000}), {422}, id="long-date"),
    pytest.param(
        lambda c: c.get("/api/v1/assessments/x/summary", params={"format": "pdf"}), {404, 422}, id="bad-format"
    ),
    # Path tricks and unknown ids.
    pytest.param(lambda c: c.get("/api/v1/assessments/../../../etc/passwd"), {404}, id="dot-dot"),
    pytest.param(lambda c: c.get("/api/v1/assessments/%2e%2e%2f%2e%2e%2fetc%2fpasswd"), {404}, id="encoded-dot-dot"),
    pytest.param(lambda c: c.get("/static/..%2F..%2Fconfig.py"), {404}, id="static-escape"),
    pytest.param(lambda c: c.get("/static/%2e%2e/security.py"), {404}, id="static-encoded-dot"),
    pytest.param(lambda c: c.get("/trainer/assets/..%2F..%2Fmain.py"), {404}, id="asset-escape"),
    pytest.param(lambda c: c.get("/admin/analytics/chart.js/../../../config.py"), {404}, id="admin-asset-escape"),
    pytest.param(lambda c: c.get("/api/v1/assessments/" + "a" * 10_000), {404}, id="very-long-id"),
    pytest.param(lambda c: c.get("/api/v1/assessments/%00"), {404}, id="nul-id"),
    pytest.param(lambda c: c.get("/api/v1/assessments/%F0%9F%98%80%E2%80%AE"), {404}, id="unicode-id"),
    pytest.param(lambda c: c.get("/api/v1/assessments/%FF%FE"), {404}, id="invalid-utf8-id"),
    pytest.param(
        lambda c: c.post("/api/v1/assessments/unknown/answers", json={"question_id": "danger", "value": "no"}),
        {404},
        id="answer-unknown",
    ),
    pytest.param(lambda c: c.post("/api/v1/assessments/unknown/back"), {404}, id="back-unknown"),
    pytest.param(lambda c: c.delete("/api/v1/assessments/unknown"), {404}, id="delete-unknown"),
    pytest.param(lambda c: c.get("/api/v1/assessments/unknown/summary"), {404}, id="summary-unknown"),
    pytest.param(lambda c: c.delete("/api/v1/chat/unknown"), {404}, id="chat-delete-unknown"),
    pytest.param(
        lambda c: c.post("/api/v1/chat", json={"session_id": "../../x", "text": "hello"}),
        {200},
        id="chat-unknown-session",
    ),
    pytest.param(lambda c: c.get("/api/v1/timelines/..%2F..%2Fetc"), {404}, id="timeline-escape"),
    pytest.param(lambda c: c.get("/api/v1/scenarios/%2e%2e"), {404}, id="scenario-dot-dot"),
    # Methods and headers.
    pytest.param(lambda c: c.request("TRACE", "/api/v1/levels"), {405}, id="trace"),
    pytest.param(lambda c: c.patch("/api/v1/assessments/x", json={}), {405}, id="patch"),
    pytest.param(
        lambda c: c.get("/api/v1/levels", headers={"X-Forwarded-For": "<script>", "Host": "evil.example"}),
        {200},
        id="odd-headers",
    ),
    pytest.param(
        lambda c: c.get("/api/v1/levels", headers={"X-Request-ID": "\r\nSet-Cookie: a=b"}), {200}, id="header-injection"
    ),
    # SQL-looking text as ids and in answers.
    *[
        pytest.param(lambda c, s=s: c.get(f"/api/v1/assessments/{s}"), {404}, id=f"sql-id-{i}")
        for i, s in enumerate(SQL)
    ],
    *[
        pytest.param(
            lambda c, s=s: c.post(answers_url(c), json={"question_id": s, "value": s}), {422}, id=f"sql-answer-{i}"
        )
        for i, s in enumerate(SQL)
    ],
]


@pytest.mark.parametrize(("send", "expected"), HOSTILE)
def test_hostile_request_gets_a_clear_error(client: TestClient, send: Request, expected: set[int]) -> None:
    response = send(client)
    assert response.status_code in expected, response.text
    if response.status_code >= 400:
        body = response.json()
        assert set(body) >= {"error", "message"}
        assert body["message"].strip()
    assert "set-cookie" not in response.headers


def post_json(client: TestClient, url: str, body: Any) -> httpx.Response:
    # json.dumps escapes to ASCII, so even a lone surrogate ("\\ud800") travels as JSON allows.
    return client.post(url, content=json.dumps(body).encode(), headers=JSON)


# Every free-text field the API has, as a function of the text to send.
TEXT_FIELDS: dict[str, Callable[[TestClient, str], httpx.Response]] = {
    "assessment description": lambda c, t: post_json(c, "/api/v1/assessments", {"description": t}),
    "answer value": lambda c, t: post_json(c, answers_url(c), {"question_id": "danger", "value": t}),
    "triage text": lambda c, t: post_json(c, "/api/v1/triage", {"text": t}),
    "ask question": lambda c, t: post_json(c, "/api/v1/ask", {"question": t}),
    "chat text": lambda c, t: post_json(c, "/api/v1/chat", {"text": t}),
    "chat payload": lambda c, t: post_json(c, "/api/v1/chat", {"payload": t}),
    "rest message": lambda c, t: post_json(c, "/webhooks/rest/webhook", {"sender": "hostile", "message": t}),
    "indicator search": lambda c, t: c.get("/api/v1/indicators?text=" + quote(t.encode("utf-8", "surrogatepass"))),
}


@pytest.mark.parametrize("text", MARKUP + SQL + ["\x00\x1b[2J\u202e", "\ud800", "A" * 4999 + "\u0301"])
@pytest.mark.parametrize("field", sorted(TEXT_FIELDS))
def test_markup_and_sql_in_every_text_field(client: TestClient, field: str, text: str) -> None:
    response = TEXT_FIELDS[field](client, text)
    assert response.status_code < 500
    assert response.status_code in (200, 201, 404, 413, 422), response.text
    assert response.headers["content-type"].startswith("application/json")  # never rendered as HTML
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_replayed_and_out_of_order_answers(client: TestClient) -> None:
    url = answers_url(client)
    first = client.post(url, json={"question_id": "danger", "value": "no"})
    replay = client.post(url, json={"question_id": "danger", "value": "no"})
    assert first.status_code == replay.status_code == 200
    assert replay.json()["answered"] == first.json()["answered"] == 1
    ahead = client.post(url, json={"question_id": "early_help", "value": "no"})  # out of order, but it applies
    assert ahead.status_code == 200
    assert ahead.json()["answered"] == 2
    # Only asked when early help is in place: answering it before that is refused.
    premature = client.post(url, json={"question_id": "early_help_working", "value": "no"})
    assert premature.status_code == 422
    assert premature.json()["error"] == "unknown_question"
    unknown = client.post(url, json={"question_id": "no_such_question", "value": "no"})
    assert unknown.status_code == 422
    assessment = url.rsplit("/", 1)[0]
    assert client.delete(assessment).status_code == 204
    assert client.post(url, json={"question_id": "danger", "value": "no"}).status_code == 404  # after forgetting
    assert client.delete(assessment).status_code == 404


def test_still_healthy_and_working_afterwards(client: TestClient) -> None:
    for send, _ in [p.values for p in HOSTILE]:  # the whole table once more, in one go
        assert send(client).status_code < 500
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").status_code == 200
    body = client.post("/api/v1/assessments").json()
    for question_id, value in LEVEL_3_ANSWERS:
        response = client.post(
            f"/api/v1/assessments/{body['id']}/answers", json={"question_id": question_id, "value": value}
        )
        assert response.status_code == 200, response.text
        body = response.json()
    assert body["status"] == "complete"
    assert body["outcome"]["level"] == 3
