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


def test_text_over_the_limit_is_a_422_naming_the_limit(client: TestClient) -> None:
    response = client.post("/api/v1/triage", json={"text": "worried " * (MAX_TEXT_LENGTH // 8) + "x"})
    assert response.status_code == 422
    assert str(MAX_TEXT_LENGTH) in response.json()["message"]


def test_a_note_of_20000_characters_is_read_whole(client: TestClient) -> None:
    ending = " 6 weeks old baby has a bruise on his cheek and dad is collecting him tonight."
    filler = "Attended the baby clinic, weighed, feeding well, mum engaged and asked about sleep. "
    text = (filler * (MAX_TEXT_LENGTH // len(filler)))[: MAX_TEXT_LENGTH - len(ending)] + ending
    assert len(text) == MAX_TEXT_LENGTH == 20_000
    body = client.post("/api/v1/triage", json={"text": text}).json()
    assert body["suggested_level"] == 4 and body["immediate_danger"]
    assert body["age_stage"]["value"] == "baby_under_1" and body["age_stage"]["evidence"] == ["6 weeks old"]
    quoted = {s["words"] for i in body["indicators"] for s in i["spans"]}
    assert "tonight" in quoted
    spans = [s for i in body["indicators"] for s in i["spans"]]
    assert all(body["redacted_text"][s["start"] : s["end"]] == s["words"] for s in spans)


def test_the_schema_documents_the_limit_the_spans_and_the_age(client: TestClient) -> None:
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    assert schemas["TriageIn"]["properties"]["text"]["maxLength"] == MAX_TEXT_LENGTH
    assert {"words", "start", "end"} <= set(schemas["Span"]["properties"])
    assert "spans" in schemas["RecognisedIndicator"]["properties"]
    assert "age_stage" in schemas["TriageResult"]["properties"]
    assert schemas["TriageResult"]["properties"]["age_stage"].get("description")


def test_nonsense_gets_null_level_and_guidance(client: TestClient) -> None:
    body = client.post("/api/v1/triage", json={"text": "Ceci n'est pas une pipe, c'est une phrase."}).json()
    assert body["suggested_level"] is None
    assert "guided questions" in body["guidance"]


def test_wrong_types_are_422_not_500(client: TestClient) -> None:
    for payload in ({}, {"text": 5}, {"text": "x", "age": -3}, {"text": ["a"]}):
        response = client.post("/api/v1/triage", json=payload)
        assert response.status_code == 422, payload


def test_the_age_read_from_a_description_is_prefilled_for_confirmation(client: TestClient) -> None:
    body = client.post("/api/v1/assessments", json={"description": "Year 9 boy, attendance 85% this term"}).json()
    prefilled = {p["question_id"]: p["answer"] for p in body["prefilled"]}
    assert "age_stage" in prefilled and "12 to 17" in prefilled["age_stage"]
