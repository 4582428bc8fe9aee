"""The assessment API end to end with TestClient, on the fixture content and a real SQLite file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.content import ContentInvalid
from app.main import create_app
from tests.conftest import FIXTURE_CONTENT, make_settings
from tests.web.assessments import LEVEL_3_ANSWERS as ANSWERS
from tests.web.assessments import answer, start


def test_full_flow_reaches_an_explained_outcome(fixture_client: TestClient) -> None:
    body = start(fixture_client)
    assert body["status"] == "in_progress"
    assert body["outcome"] is None
    assert body["question"]["id"] == "danger"
    assert [o["value"] for o in body["question"]["options"]] == ["yes", "no", "unknown"]
    assert body["question"]["why"]
    for question_id, value in ANSWERS:
        body = answer(fixture_client, body["id"], question_id, value)
    assert body["status"] == "complete"
    assert body["question"] is None
    outcome = body["outcome"]
    assert outcome["level"] == 3
    assert outcome["level_name"] == "Targeted"
    assert [r["id"] for r in outcome["reasons"]["rules"]] == ["highest_indicator", "several_unmet_needs"]
    assert {i["id"] for i in outcome["reasons"]["indicators"]} == {"attendance_low", "housing_poor"}
    assert outcome["routes"][0]["id"] == "early_help"
    assert outcome["content_version"] == body["content_version"]
    assert outcome["caveat"].startswith("Guidance only")
    assert outcome["consent"] == "c3"
    assert "escalation" in outcome["escalation"].lower()


def test_immediate_danger_alert_stays_on_every_response(fixture_client: TestClient) -> None:
    body = start(fixture_client)
    body = answer(fixture_client, body["id"], "danger", "yes")
    assert body["alerts"][0]["kind"] == "immediate_danger"
    assert "999" in body["alerts"][0]["text"]
    body = answer(fixture_client, body["id"], "school", "good")
    assert body["alerts"][0]["kind"] == "immediate_danger"
    assert body["question"] is not None  # the practitioner may carry on building the picture
    got = fixture_client.get(f"/api/v1/assessments/{body['id']}").json()
    assert got["alerts"][0]["kind"] == "immediate_danger"


def test_back_and_change_answer(fixture_client: TestClient) -> None:
    body = start(fixture_client)
    for question_id, value in ANSWERS[:3]:
        body = answer(fixture_client, body["id"], question_id, value)
    body = fixture_client.post(f"/api/v1/assessments/{body['id']}/back").json()
    assert body["question"]["id"] == "home_worries"
    body = answer(fixture_client, body["id"], "school", "good")  # change an earlier answer
    assert body["question"]["id"] == "home_worries"
    assert body["answered"] == 2


@pytest.mark.parametrize(
    ("payload", "status", "error", "words"),
    [
        pytest.param(
            {"question_id": "danger", "value": "perhaps"}, 422, "invalid_answer", "yes, no, unknown", id="bad-value"
        ),
        pytest.param(
            {"question_id": "nonsense", "value": "yes"}, 422, "unknown_question", "danger", id="unknown-question"
        ),
        pytest.param({"question_id": "danger"}, 422, "invalid_request", "value", id="missing-field"),
        pytest.param({"question_id": "danger", "value": 3}, 422, "invalid_request", "value", id="wrong-type"),
        pytest.param(
            {"question_id": "danger", "value": "no", "extra": 1}, 422, "invalid_request", "extra", id="extra-field"
        ),
    ],
)
def test_bad_answers_are_clear_json_errors(
    fixture_client: TestClient, payload: dict[str, Any], status: int, error: str, words: str
) -> None:
    body = start(fixture_client)
    response = fixture_client.post(f"/api/v1/assessments/{body['id']}/answers", json=payload)
    assert response.status_code == status
    assert response.json()["error"] == error
    assert words in response.json()["message"]


def test_malformed_json_is_a_422_not_a_500(fixture_client: TestClient) -> None:
    body = start(fixture_client)
    response = fixture_client.post(
        f"/api/v1/assessments/{body['id']}/answers", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json() == {"error": "invalid_request", "message": "The request body is not valid JSON."}


def test_unknown_assessment_is_404(fixture_client: TestClient) -> None:
    for method, path in [("get", ""), ("post", "/back"), ("get", "/summary"), ("delete", "")]:
        response = fixture_client.request(method, f"/api/v1/assessments/no-such-id{path}")
        assert response.status_code == 404
        assert response.json()["error"] == "unknown_assessment"


def test_delete_forgets_at_once(fixture_client: TestClient) -> None:
    body = start(fixture_client)
    assert fixture_client.delete(f"/api/v1/assessments/{body['id']}").status_code == 204
    assert fixture_client.get(f"/api/v1/assessments/{body['id']}").status_code == 404


def test_summary_text_and_html(fixture_client: TestClient) -> None:
    body = start(fixture_client)
    for question_id, value in ANSWERS:
        body = answer(fixture_client, body["id"], question_id, value)
    text = fixture_client.get(f"/api/v1/assessments/{body['id']}/summary")
    assert text.headers["content-type"].startswith("text/plain")
    assert "Level 3: Targeted." in text.text
    assert "How is attendance? Below 90%" in text.text
    assert body["content_version"] in text.text
    html = fixture_client.get(f"/api/v1/assessments/{body['id']}/summary?format=html")
    assert html.headers["content-type"].startswith("text/html")
    assert "Level 3: Targeted." in html.text
    assert fixture_client.get(f"/api/v1/assessments/{body['id']}/summary?format=pdf").status_code == 422


def test_assessment_survives_a_restart(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, FIXTURE_CONTENT)
    with TestClient(create_app(settings)) as first:
        body = start(first)
        answer(first, body["id"], "danger", "no")
    with TestClient(create_app(settings)) as second:
        again = second.get(f"/api/v1/assessments/{body['id']}").json()
        assert again["question"]["id"] == "school"
        assert again["answered"] == 1
    stored = (tmp_path / "threshold.db").read_bytes()
    assert b'"danger":"no"' in stored


def test_expired_assessment_is_gone(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, FIXTURE_CONTENT, session_ttl_seconds=60)
    with TestClient(create_app(settings)) as client:
        body = start(client)
        client.app.state.store._run("UPDATE records SET expires = 0")  # type: ignore[attr-defined]
        assert client.get(f"/api/v1/assessments/{body['id']}").status_code == 404


def test_invalid_content_stops_start_up(tmp_path: Path) -> None:
    broken = tmp_path / "content"
    broken.mkdir()
    with (
        pytest.raises(ContentInvalid, match=r"rules/content\.yaml:1: file is missing"),
        TestClient(create_app(make_settings(tmp_path, broken))),
    ):
        pass


def test_reference_endpoints(fixture_client: TestClient) -> None:
    levels = fixture_client.get("/api/v1/levels").json()
    assert [lv["level"] for lv in levels] == [1, 2, 3, 4]
    assert len(fixture_client.get("/api/v1/indicators").json()) == 10
    assert [i["id"] for i in fixture_client.get("/api/v1/indicators?domain=home&level=3").json()] == ["domestic_abuse"]
    assert [i["id"] for i in fixture_client.get("/api/v1/indicators?text=attendance").json()] == ["attendance_low"]
    assert fixture_client.get("/api/v1/indicators?level=9").status_code == 422
    assert {r["id"] for r in fixture_client.get("/api/v1/routes").json()} >= {"mash_referral", "police_999"}
    version = fixture_client.get("/version").json()
    assert version["content_version"].startswith("0.0.1+")
    assert fixture_client.get("/healthz").json() == {"status": "ok"}


def test_real_content_first_questions_are_immediate_danger(client: TestClient) -> None:
    body = start(client)
    assert body["question"]["section"] == "immediate_danger"


def test_every_endpoint_is_documented(fixture_client: TestClient) -> None:
    schema = fixture_client.get("/openapi.json").json()
    paths = schema["paths"]
    for path in [
        "/api/v1/assessments",
        "/api/v1/assessments/{assessment_id}/answers",
        "/api/v1/assessments/{assessment_id}/back",
        "/api/v1/assessments/{assessment_id}/summary",
        "/api/v1/levels",
        "/api/v1/indicators",
        "/api/v1/routes",
        "/version",
        "/healthz",
    ]:
        assert path in paths, path
