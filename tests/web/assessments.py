"""The fixture content's assessment over HTTP: its level 3 answers and the start/answer calls the web tests share."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

LEVEL_3_ANSWERS: list[tuple[str, Any]] = [
    ("danger", "no"),
    ("school", "low"),
    ("home_worries", ["housing"]),
    ("staff", "no"),
    ("early_help", "no"),
]


def start(client: TestClient, **body: Any) -> dict[str, Any]:
    response = client.post("/api/v1/assessments", json=body or None)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def answer(client: TestClient, assessment_id: str, question_id: str, value: Any) -> dict[str, Any]:
    response = client.post(
        f"/api/v1/assessments/{assessment_id}/answers", json={"question_id": question_id, "value": value}
    )
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]
