"""POST /api/v1/triage over HTTP: the result shape, and bad input answered with a helpful 4xx, never a 500."""

from __future__ import annotations

from fastapi.testclient import TestClient

from app.core.triage import MAX_TEXT_LENGTH


def test_triage_returns_level_evidence_and_routes(client: TestClient) -> None:
    response = client.post("/api/v1/triage", json={"text": "Mr Jones hits mum in front of the kids most nights."})
    assert response.status_code == 200
    body = response.json()
    assert body["suggested_level"] == 4
    assert "Jones" not in body["redacted_text"]
    recognised = {i["id"]: i for i in body["indicators"]}
    assert "domestic_abuse_current" in recognised
    assert recognised["domestic_abuse_current"]["evidence"]
    assert {"id", "name"} <= set(body["routes"][0])
    assert body["content_version"] and body["caveat"]


def test_age_field_is_used(client: TestClient) -> None:
    without = client.post("/api/v1/triage", json={"text": "Bruise on the cheek, no explanation."}).json()
    with_age = client.post("/api/v1/triage", json={"text": "Bruise on the cheek, no explanation.", "age": 0.25}).json()
    assert "unexplained_injury_baby" not in {i["id"] for i in without["indicators"]}
    assert "unexplained_injury_baby" in {i["id"] for i in with_age["indicators"]}
    assert with_age["immediate_danger"]


def test_empty_text_is_422_with_a_helpful_message(client: TestClient) -> None:
    for text in ("", "   \n\t "):
        response = client.post("/api/v1/triage", json={"text": text})
        assert response.status_code == 422
        body = response.json()
        assert body["error"] and "Describe" in body["message"]


def test_too_long_text_is_413(client: TestClient) -> None:
    response = client.post("/api/v1/triage", json={"text": "worried " * (MAX_TEXT_LENGTH // 4)})
    assert response.status_code in (413, 422)
    assert str(MAX_TEXT_LENGTH) in response.json()["message"]


def test_nonsense_gets_null_level_and_guidance(client: TestClient) -> None:
    body = client.post("/api/v1/triage", json={"text": "Ceci n'est pas une pipe, c'est une phrase."}).json()
    assert body["suggested_level"] is None
    assert "guided questions" in body["guidance"]


def test_wrong_types_are_422_not_500(client: TestClient) -> None:
    for payload in ({}, {"text": 5}, {"text": "x", "age": -3}, {"text": ["a"]}):
        response = client.post("/api/v1/triage", json=payload)
        assert response.status_code == 422, payload
