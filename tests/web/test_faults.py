"""Faults: the session store stops writing or is locked (503, then recovery); broken content refuses start-up
with `file:line`; a reload of broken content keeps the old content serving."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.content import ContentInvalid
from app.main import create_app
from app.store import SqliteStore
from tests.conftest import FIXTURE_CONTENT, make_settings

TOKEN = "faults-admin-token"
ADMIN = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(make_settings(tmp_path, FIXTURE_CONTENT, rate_limit="60/minute"))) as test_client:
        yield test_client


def assert_unavailable(response: object) -> None:
    assert response.status_code == 503  # type: ignore[attr-defined]
    assert response.json() == {  # type: ignore[attr-defined]
        "error": "store_unavailable",
        "message": "The service cannot reach its session store just now. Try again shortly.",
    }
    assert response.headers["Retry-After"] == "5"  # type: ignore[attr-defined]


def test_unwritable_store_gives_503_then_recovers(client: TestClient, tmp_path: Path) -> None:
    store: SqliteStore = client.app.state.store  # type: ignore[attr-defined]
    assessment = client.post("/api/v1/assessments").json()["id"]
    writable = store._db
    # As if the disk were remounted read-only: the same file, opened without write access.
    store._db = sqlite3.connect(f"file:{tmp_path}/threshold.db?mode=ro", uri=True, check_same_thread=False)
    try:
        assert_unavailable(client.post("/api/v1/assessments"))
        answer = client.post(f"/api/v1/assessments/{assessment}/answers", json={"question_id": "danger", "value": "no"})
        assert_unavailable(answer)
        assert_unavailable(client.delete(f"/api/v1/assessments/{assessment}"))
        assert client.get("/api/v1/levels").status_code == 200  # reference data needs no store; limits fail open
        assert client.get(f"/api/v1/assessments/{assessment}").status_code == 200  # reads still work
    finally:
        store._db.close()
        store._db = writable
    answer = client.post(f"/api/v1/assessments/{assessment}/answers", json={"question_id": "danger", "value": "no"})
    assert answer.status_code == 200
    assert client.post("/api/v1/assessments").status_code == 201


def test_locked_store_gives_503_then_recovers(client: TestClient, tmp_path: Path) -> None:
    other = sqlite3.connect(tmp_path / "threshold.db", isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")  # another process holds the write lock past our 2 s busy timeout
    try:
        assert_unavailable(client.post("/api/v1/assessments"))
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert client.post("/api/v1/assessments").status_code == 201
    assert client.get("/readyz").json() == {"status": "ok"}


def test_closed_store_is_not_ready(client: TestClient) -> None:
    store: SqliteStore = client.app.state.store  # type: ignore[attr-defined]
    writable = store._db
    store._db = sqlite3.connect(":memory:", check_same_thread=False)
    store._db.close()  # every call now raises sqlite3.ProgrammingError
    try:
        assert client.get("/readyz").status_code == 503
        assert client.get("/healthz").status_code == 200  # alive, just not ready
    finally:
        store._db = writable
    assert client.get("/readyz").status_code == 200


def _line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def test_broken_content_refuses_start_up_with_file_and_line(tmp_path: Path) -> None:
    content_dir = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, content_dir)
    info = content_dir / "rules" / "content.yaml"
    info.write_text(info.read_text().replace("version: 0.0.1", "version: one"))
    app = create_app(make_settings(tmp_path, content_dir))
    with pytest.raises(ContentInvalid) as refused, TestClient(app):
        pass
    line = _line_of(info, "version: one")
    assert [str(e) for e in refused.value.errors] == [
        f"rules/content.yaml:{line}: " + str(refused.value.errors[0].message)
    ]


def test_reload_of_broken_content_keeps_serving_the_old(tmp_path: Path) -> None:
    content_dir = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, content_dir)
    routes = content_dir / "rules" / "routes.yaml"
    good = routes.read_text()
    with TestClient(create_app(make_settings(tmp_path, content_dir, admin_token=TOKEN))) as client:
        version = client.get("/version").json()["content_version"]
        routes.write_text(good + "\n  - {id: broken\n")  # a YAML syntax error at the end
        refused = client.post("/admin/reload", headers=ADMIN)
        assert refused.status_code == 422
        assert refused.json()["errors"][0].startswith("rules/routes.yaml:")
        assert client.get("/version").json()["content_version"] == version
        assessment = client.post("/api/v1/assessments").json()
        assert assessment["content_version"] == version
        routes.unlink()  # a missing file is refused the same way
        missing = client.post("/admin/reload", headers=ADMIN)
        assert missing.status_code == 422
        assert any("rules/routes.yaml" in e for e in missing.json()["errors"])
        routes.write_text(good)
        restored = client.post("/admin/reload", headers=ADMIN)
        assert restored.status_code == 200
        assert restored.json()["content_version"] == version  # same files, same version hash
