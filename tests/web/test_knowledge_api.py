"""HTTP: /api/v1/escalation, /api/v1/timelines/{name}, /api/v1/ask."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from tests.conftest import make_settings


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """One app for the module: these routes only read content, so sharing it is safe and fast."""
    with TestClient(create_app(make_settings(tmp_path_factory.mktemp("knowledge")))) as test_client:
        yield test_client


def test_escalation_dates(client: TestClient) -> None:
    response = client.get("/api/v1/escalation", params={"started": "2024-12-20"})
    assert response.status_code == 200
    body = response.json()
    assert body["basis"] == "working"
    assert [s["step"] for s in body["steps"]] == [1, 2, 3, 4]
    assert [(s["starts"], s["due"]) for s in body["steps"]] == [
        ("2024-12-20", "2024-12-20"),
        ("2024-12-24", "2025-01-06"),
        ("2025-01-06", "2025-01-13"),
        ("2025-01-15", "2025-01-22"),
    ]
    assert "Section 7" in body["section"]
    assert body["steps"][0]["who"] and body["steps"][0]["actions"]


def test_escalation_one_step_on_calendar_days(client: TestClient) -> None:
    response = client.get("/api/v1/escalation", params={"started": "2024-12-20", "step": 2, "basis": "calendar"})
    assert response.status_code == 200
    body = response.json()
    assert body["basis"] == "calendar"
    assert [(s["step"], s["starts"], s["due"]) for s in body["steps"]] == [(2, "2024-12-22", "2024-12-28")]


def test_escalation_bad_date_names_the_format(client: TestClient) -> None:
    for bad in ["20/12/2024", "2024-02-30", "tomorrow", "2024-1-5"]:
        response = client.get("/api/v1/escalation", params={"started": bad})
        assert response.status_code == 422, bad
        body = response.json()
        assert body["error"] == "invalid_input"
        assert "YYYY-MM-DD" in body["message"]


def test_escalation_missing_date_and_bad_step(client: TestClient) -> None:
    assert client.get("/api/v1/escalation").status_code == 422
    response = client.get("/api/v1/escalation", params={"started": "2025-03-03", "step": 7})
    assert response.status_code == 422
    assert "steps 1 to 4" in response.json()["message"]


def test_timeline(client: TestClient) -> None:
    response = client.get("/api/v1/timelines/rapid_review", params={"from": "2025-08-20"})
    assert response.status_code == 200
    body = response.json()
    assert (body["start"], body["due"], body["days"], body["basis"]) == ("2025-08-20", "2025-09-11", 15, "working")
    assert body["section"].startswith("Section 6")


def test_unknown_timeline_is_404_listing_names(client: TestClient) -> None:
    response = client.get("/api/v1/timelines/ofsted_visit", params={"from": "2025-08-20"})
    assert response.status_code == 404
    body = response.json()
    assert body["error"] == "unknown_timeline"
    for name in client.get("/api/v1/timelines").json():
        assert name in body["message"]


def test_timeline_bad_date(client: TestClient) -> None:
    response = client.get("/api/v1/timelines/rapid_review", params={"from": "20-08-2025"})
    assert response.status_code == 422
    assert "YYYY-MM-DD" in response.json()["message"]


def test_ask(client: TestClient) -> None:
    response = client.post("/api/v1/ask", json={"question": "who sits on the quality assurance group?"})
    assert response.status_code == 200
    body = response.json()
    assert body["entry_id"] == "quality_assurance_group"
    assert "Virtual School" in body["answer"]
    assert body["sources"][0]["section"].startswith("Section 3")
    assert all({"id", "title"} <= set(r) for r in body["related"])


def test_ask_unknown_says_who_to_ask(client: TestClient) -> None:
    body = client.post("/api/v1/ask", json={"question": "recommend a pizza place"}).json()
    assert body["entry_id"] is None
    assert body["answer"].startswith("I don't know that")


def test_ask_validates_the_body(client: TestClient) -> None:
    assert client.post("/api/v1/ask", json={}).status_code == 422
    assert client.post("/api/v1/ask", json={"question": ""}).status_code == 422
    assert client.post("/api/v1/ask", json={"question": "x" * 501}).status_code == 422


def test_openapi_documents_the_routes(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/v1/escalation", "/api/v1/timelines/{name}", "/api/v1/ask"} <= set(paths)
    assert "422" in paths["/api/v1/escalation"]["get"]["responses"]
    assert "404" in paths["/api/v1/timelines/{name}"]["get"]["responses"]
