"""GET /admin/content: the content being served, its changelog entry, the sign-off list, and which load it is."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.config import REPO_ROOT
from app.content import signoff as so
from app.main import create_app
from tests.conftest import make_settings

TOKEN = "content-admin-token"
ADMIN = {"Authorization": f"Bearer {TOKEN}"}
JSON = {**ADMIN, "Accept": "application/json"}


@pytest.fixture
def admin(tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(make_settings(tmp_path, admin_token=TOKEN))) as client:
        yield client


def test_needs_the_admin_token(admin: TestClient) -> None:
    assert admin.get("/admin/content").status_code == 401
    assert admin.get("/admin/content", headers={"Authorization": "Bearer wrong"}).status_code == 403


def test_off_without_an_admin_token(client: TestClient) -> None:
    assert client.get("/admin/content", headers=ADMIN).status_code == 404


def test_json_shows_version_changelog_hash_and_the_sign_off_list(admin: TestClient) -> None:
    response = admin.get("/admin/content", headers=JSON)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    content = admin.app.state.content  # type: ignore[attr-defined]
    assert body["content_version"] == content.version == f"{body['version']}+{body['hash']}"
    assert body["changelog_entry"].startswith(f"## {body['version']}")
    assert body["last_release"]["version"] == "0.1.0"
    items = so.signoff_items(REPO_ROOT)
    assert body["verify_count"] == len(body["signoff"]) == len(items)
    assert body["signoff_counts"] == so.counts(items)
    assert {i["location"] for i in body["signoff"]} == {i.location for i in items}
    assert body["reload"] == 0


def test_a_reload_is_counted_and_timed(admin: TestClient) -> None:
    first = admin.get("/admin/content", headers=JSON).json()
    assert admin.post("/admin/reload", headers=ADMIN).status_code == 200
    second = admin.get("/admin/content", headers=JSON).json()
    assert second["reload"] == first["reload"] + 1 == 1
    assert second["loaded_at"] > first["loaded_at"]


def test_page_by_default_with_the_same_facts(admin: TestClient) -> None:
    response = admin.get("/admin/content", headers=ADMIN)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    version = admin.app.state.content.version  # type: ignore[attr-defined]
    assert f"<h1>Content {version}</h1>" in page
    assert "by start-up" in page
    count = len(so.signoff_items(REPO_ROOT))
    assert f"{count} items marked verify: true" in page
    assert page.count("<tr><td><code>") == count
    assert not re.search(r"<script|style=", page)  # the admin CSP allows neither inline script nor style
    assert admin.get("/admin/content.css").status_code == 200


def test_documented_in_the_openapi_schema(admin: TestClient) -> None:
    operation = admin.get("/openapi.json").json()["paths"]["/admin/content"]["get"]
    assert {"401", "403"} <= set(operation["responses"])
    assert {"application/json", "text/html"} <= set(operation["responses"]["200"]["content"])
