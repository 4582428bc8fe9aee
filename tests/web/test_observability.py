"""Metrics, request ids and JSON request logs (app/web/observability.py)."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from app.web.observability import JsonFormatter, install_observability
from tests.walk import answer_for


def samples(client: TestClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    found = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def complete_one(client: TestClient) -> dict:
    body = client.post("/api/v1/assessments").json()
    turn = 0
    while body["status"] == "in_progress":
        question = body["question"]
        response = client.post(
            f"/api/v1/assessments/{body['id']}/answers",
            json={"question_id": question["id"], "value": answer_for(question, turn)},
        )
        assert response.status_code == 200, response.text
        body = response.json()
        turn += 1
    return body


@pytest.fixture
def request_lines() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("threshold.request")
    logger.addHandler(handler)
    try:
        yield stream
    finally:
        logger.removeHandler(handler)


def test_assessment_metrics_count_starts_completions_and_levels(fixture_client: TestClient) -> None:
    done = complete_one(fixture_client)
    # Changing an answer after the outcome does not complete the assessment a second time.
    first = done["outcome"]["answers"][0]
    again = fixture_client.post(
        f"/api/v1/assessments/{done['id']}/answers", json={"question_id": first["question_id"], "value": "no"}
    )
    assert again.json()["status"] == "complete"
    found = samples(fixture_client)
    level = str(done["outcome"]["level"])
    assert found[("threshold_assessments_started_total", ())] == 1
    assert found[("threshold_assessments_completed_total", ())] == 1
    assert found[("threshold_outcomes_total", (("level", level),))] == 1
    assert found[("threshold_triage_total", ())] == 0
    answers = done["answered"] + 1
    key = (("method", "POST"), ("route", "/api/v1/assessments/{assessment_id}/answers"), ("status", "200"))
    assert found[("threshold_http_requests_total", key)] == answers
    assert (
        found[
            (
                "threshold_http_request_duration_seconds_count",
                (("method", "POST"), ("route", "/api/v1/assessments/{assessment_id}/answers")),
            )
        ]
        == answers
    )


def test_metrics_never_hold_ids_or_raw_paths(fixture_client: TestClient) -> None:
    done = complete_one(fixture_client)
    fixture_client.get("/api/v1/assessments/not-an-id")
    fixture_client.get("/no/such/path?name=Jane")
    text = fixture_client.get("/metrics").text
    assert done["id"] not in text
    assert "not-an-id" not in text
    assert "Jane" not in text
    found = samples(fixture_client)
    assert (
        found[("threshold_http_errors_total", (("route", "/api/v1/assessments/{assessment_id}"), ("status", "404")))]
        == 1
    )
    assert found[("threshold_http_errors_total", (("route", "unmatched"), ("status", "404")))] == 1


def test_each_app_has_its_own_registry(fixture_client: TestClient, client: TestClient) -> None:
    fixture_client.post("/api/v1/assessments")
    fixture_client.post("/api/v1/assessments")
    client.post("/api/v1/assessments")
    assert samples(fixture_client)[("threshold_assessments_started_total", ())] == 2
    assert samples(client)[("threshold_assessments_started_total", ())] == 1


def test_request_id_is_made_or_kept_from_the_load_balancer(fixture_client: TestClient) -> None:
    made = fixture_client.get("/healthz").headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", made)
    assert fixture_client.get("/healthz").headers["x-request-id"] != made
    nginx_id = "0123456789abcdef0123456789abcdef"
    assert fixture_client.get("/healthz", headers={"X-Request-ID": nginx_id}).headers["x-request-id"] == nginx_id
    forged = fixture_client.get("/healthz", headers={"X-Request-ID": "hello\nworld"}).headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", forged)


def test_one_json_line_per_request_without_bodies_or_queries(
    fixture_client: TestClient, request_lines: io.StringIO
) -> None:
    created = fixture_client.post("/api/v1/assessments").json()
    response = fixture_client.post(
        f"/api/v1/assessments/{created['id']}/answers?note=secret",
        json={"question_id": created["question"]["id"], "value": "no"},
    )
    lines = [json.loads(line) for line in request_lines.getvalue().splitlines()]
    assert len(lines) == 2
    last = lines[-1]
    assert set(last) == {"time", "level", "logger", "message", "request_id", "method", "route", "status", "duration_ms"}
    assert last["request_id"] == response.headers["x-request-id"]
    assert last["route"] == "/api/v1/assessments/{assessment_id}/answers"
    assert (last["method"], last["status"], last["level"], last["message"]) == ("POST", 200, "info", "request")
    assert last["duration_ms"] >= 0
    text = request_lines.getvalue()
    assert created["id"] not in text
    assert "secret" not in text
    assert created["question"]["id"] not in text


def test_plain_routes_and_mounts_get_low_cardinality_labels(tmp_path: Path) -> None:
    (tmp_path / "a.js").write_text("// a")
    (tmp_path / "b.js").write_text("// b")
    app = FastAPI()
    install_observability(app, "WARNING")
    app.mount("/static", StaticFiles(directory=tmp_path), name="static")
    with TestClient(app) as client:
        assert client.get("/static/a.js").status_code == 200
        assert client.get("/static/b.js").status_code == 200
        assert client.get("/openapi.json").status_code == 200
        found = samples(client)
    assert (
        found[("threshold_http_requests_total", (("method", "GET"), ("route", "/static/{path}"), ("status", "200")))]
        == 2
    )
    assert found[("threshold_http_requests_total", (("method", "GET"), ("route", "openapi"), ("status", "200")))] == 1


def test_triage_is_counted(client: TestClient) -> None:
    assert client.post("/api/v1/triage", json={"text": "Year 9 pupil, attendance 85% this term"}).status_code == 200
    assert client.post("/api/v1/assessments", json={"description": "Attendance has dropped to 80%"}).status_code == 201
    assert client.post("/api/v1/triage", json={"text": "   "}).status_code == 422  # refused: not counted
    assert samples(client)[("threshold_triage_total", ())] == 2
