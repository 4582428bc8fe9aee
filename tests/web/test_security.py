"""Security measures of issue 9: headers, CORS, body and text limits, text cleaning, rate limits, admin, ids."""

from __future__ import annotations

import ast
import asyncio
import base64
import csv
import io
import itertools
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.config import REPO_ROOT
from app.main import create_app
from app.web.analytics import iso_week
from app.web.ratelimit import parse_rate_limit
from app.web.schemas import MAX_DESCRIPTION
from app.web.security import content_security_policy, trusted_proxies
from tests.conftest import FIXTURE_CONTENT, make_settings
from tests.web.assessments import LEVEL_3_ANSWERS, answer, start

PARTNER = "https://partner.example.org"
TOKEN = "correct-horse-battery-staple"
ADMIN = {"Authorization": f"Bearer {TOKEN}"}


def make_app(tmp_path: Path, content_dir: Path = FIXTURE_CONTENT, **overrides: Any) -> FastAPI:
    overrides.setdefault("allowed_origins", PARTNER)
    return create_app(make_settings(tmp_path, content_dir, **overrides))


@pytest.fixture
def app(tmp_path: Path) -> FastAPI:
    app = make_app(tmp_path, admin_token=TOKEN)

    @app.get("/boom", include_in_schema=False)
    def boom() -> None:
        raise RuntimeError("a bug")

    return app


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


# --- Headers ------------------------------------------------------------------------------------

# (method, path, extra request arguments, the status expected): successes and every kind of error.
RESPONSES = [
    pytest.param("GET", "/healthz", {}, 200, id="ok"),
    pytest.param("GET", "/api/v1/levels", {}, 200, id="json-list"),
    pytest.param("POST", "/api/v1/assessments", {}, 201, id="created"),
    pytest.param("GET", "/no/such/page", {}, 404, id="not-found"),
    pytest.param("GET", "/api/v1/assessments/unknown-id", {}, 404, id="domain-not-found"),
    pytest.param("PUT", "/api/v1/levels", {}, 405, id="method-not-allowed"),
    pytest.param(
        "POST",
        "/api/v1/assessments",
        {"content": b"{not json", "headers": {"Content-Type": "application/json"}},
        422,
        id="bad-json",
    ),
    pytest.param("POST", "/api/v1/assessments", {"content": b"x" * 70_000}, 413, id="too-large"),
    pytest.param("GET", "/boom", {}, 500, id="server-error"),
    pytest.param("GET", "/admin/analytics", {}, 401, id="unauthorised"),
    pytest.param("GET", "/openapi.json", {}, 200, id="openapi"),
]


@pytest.mark.parametrize(("method", "path", "kwargs", "status"), RESPONSES)
def test_security_headers_on_every_response(
    client: TestClient, method: str, path: str, kwargs: dict[str, Any], status: int
) -> None:
    response = client.request(method, path, **kwargs)
    assert response.status_code == status
    headers = response.headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert "camera=()" in headers["Permissions-Policy"]
    assert "microphone=()" in headers["Permissions-Policy"]
    assert "geolocation=()" in headers["Permissions-Policy"]
    assert headers["X-Frame-Options"] == "DENY"
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self';" in csp
    assert "unsafe-inline" not in csp
    assert csp.endswith("frame-ancestors 'none'")
    assert "Strict-Transport-Security" not in headers  # plain http
    if status >= 400:
        assert set(response.json()) == {"error", "message"}


def test_api_responses_are_not_cached(client: TestClient) -> None:
    assert client.post("/api/v1/assessments").headers["Cache-Control"] == "no-store"


def test_csp_on_embed_lets_the_allowed_origins_frame_it(client: TestClient) -> None:
    response = client.get("/embed")
    csp = response.headers["Content-Security-Policy"]
    assert f"frame-ancestors 'self' {PARTNER}" in csp
    assert "script-src 'self';" in csp
    assert "X-Frame-Options" not in response.headers


def test_csp_policies() -> None:
    strict = content_security_policy("/api/v1/levels", [PARTNER])
    assert strict == (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"connect-src 'self' {PARTNER}; object-src 'none'; base-uri 'none'; form-action 'self'; "
        "frame-ancestors 'none'"
    )
    assert content_security_policy("/embed", []).endswith("frame-ancestors 'self'")
    assert content_security_policy("/embedded-elsewhere", [PARTNER]).endswith("frame-ancestors 'none'")
    docs = content_security_policy("/docs", [PARTNER])
    assert "script-src 'self';" in docs and "http" not in docs  # served from here: no CDN, no inline script
    assert docs.endswith("frame-ancestors 'none'")


def test_docs_page_loads_only_its_own_files(client: TestClient) -> None:
    response = client.get("/docs")
    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    assert "http" not in csp
    sources = re.findall(r'(?:src|href)="([^"]+)"', response.text)
    assert "/docs/assets/swagger-ui-bundle.js" in sources
    for source in sources:
        assert source.startswith("/"), f"{source} is not from this server"
        assert client.get(source).status_code == 200, source
    assert "<script>" not in response.text  # no inline script: script-src 'self' holds


def test_hsts_only_over_tls(tmp_path: Path) -> None:
    with TestClient(make_app(tmp_path), base_url="https://testserver") as tls:
        assert tls.get("/healthz").headers["Strict-Transport-Security"].startswith("max-age=31536000")
    with TestClient(make_app(tmp_path)) as plain:
        spoofed = plain.get("/healthz", headers={"X-Forwarded-Proto": "https"})
        assert "Strict-Transport-Security" not in spoofed.headers  # the peer is not a trusted proxy
    with TestClient(make_app(tmp_path, trusted_proxies="*")) as proxied:
        forwarded = proxied.get("/healthz", headers={"X-Forwarded-Proto": "https"})
        assert "Strict-Transport-Security" in forwarded.headers


# --- CORS ---------------------------------------------------------------------------------------


def test_cors_preflight_from_an_allowed_origin(client: TestClient) -> None:
    response = client.options(
        "/api/v1/assessments",
        headers={
            "Origin": PARTNER,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == PARTNER
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    assert "Access-Control-Allow-Credentials" not in response.headers  # no cookies, ever


def test_cors_refuses_other_origins(client: TestClient) -> None:
    preflight = client.options(
        "/api/v1/assessments", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
    )
    assert preflight.status_code == 400
    assert "Access-Control-Allow-Origin" not in preflight.headers
    simple = client.get("/api/v1/levels", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in simple.headers
    allowed = client.get("/api/v1/levels", headers={"Origin": PARTNER})
    assert allowed.headers["Access-Control-Allow-Origin"] == PARTNER


def test_no_cross_origin_access_when_no_origins_are_configured(tmp_path: Path) -> None:
    with TestClient(make_app(tmp_path, allowed_origins="")) as client:
        response = client.get("/api/v1/levels", headers={"Origin": PARTNER})
        assert "Access-Control-Allow-Origin" not in response.headers


# --- Body and text limits, cleaning -------------------------------------------------------------


def test_body_over_the_limit_by_content_length(client: TestClient) -> None:
    response = client.post("/api/v1/assessments", json={"description": "x" * 70_000})
    assert response.status_code == 413
    assert response.json() == {
        "error": "too_large",
        "message": "The request body is larger than the limit of 65536 bytes.",
    }


def test_streamed_body_over_the_limit_is_counted(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"description": "'
        for _ in range(20):
            yield b"y" * 4096
        yield b'"}'

    # A generator body is sent chunked, without Content-Length: only counting the bytes catches it.
    response = client.post("/api/v1/assessments", content=chunks(), headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.json()["error"] == "too_large"


def test_body_under_the_limit_passes(tmp_path: Path) -> None:
    with TestClient(make_app(tmp_path, max_body_bytes=2048)) as client:
        assert client.post("/api/v1/assessments", json={"description": "x" * 1500}).status_code == 201
        assert client.post("/api/v1/assessments", json={"description": "x" * 2100}).status_code == 413


def test_text_over_the_field_limit(client: TestClient) -> None:
    response = client.post("/api/v1/assessments", json={"description": "a" * (MAX_DESCRIPTION + 1)})
    assert response.status_code == 422
    assert "description" in response.json()["message"]
    too_long_answer = client.post(
        f"/api/v1/assessments/{start(client)['id']}/answers", json={"question_id": "danger", "value": "n" * 201}
    )
    assert too_long_answer.status_code == 422


def test_control_characters_are_stripped_and_text_normalised(client: TestClient) -> None:
    assessment = start(client)
    # "n\x00o" and a zero-width space would be unknown answers if they were not cleaned.
    body = answer(client, assessment["id"], "dan\u200bger", "n\x00o")
    assert body["answered"] == 1
    assert body["question"]["id"] != "danger"


# --- Rate limiting ------------------------------------------------------------------------------


def test_parse_rate_limit() -> None:
    assert parse_rate_limit("60/minute") == (60, 60)
    assert parse_rate_limit(" 5 / second ") == (5, 1)
    assert parse_rate_limit("1000/hour") == (1000, 3600)
    assert parse_rate_limit("off") is None
    with pytest.raises(ValueError, match="60/minute"):
        parse_rate_limit("lots")


def test_rate_limit_answers_429_with_retry_after(tmp_path: Path, whole_window: None) -> None:
    with TestClient(make_app(tmp_path, rate_limit="3/minute")) as client:
        for _ in range(3):
            assert client.get("/api/v1/levels").status_code == 200
        refused = client.get("/api/v1/levels")
        assert refused.status_code == 429
        assert 1 <= int(refused.headers["Retry-After"]) <= 60
        assert refused.json()["error"] == "too_many_requests"
        assert refused.headers["X-Content-Type-Options"] == "nosniff"
        for path in ("/healthz", "/readyz"):  # probes are never limited
            assert client.get(path).status_code == 200


def test_rate_limit_is_shared_by_processes_through_the_store(tmp_path: Path, whole_window: None) -> None:
    with (
        TestClient(make_app(tmp_path, rate_limit="4/minute")) as first,
        TestClient(make_app(tmp_path, rate_limit="4/minute")) as second,
    ):
        assert [first.get("/version").status_code for _ in range(2)] == [200, 200]
        assert [second.get("/version").status_code for _ in range(2)] == [200, 200]
        assert first.get("/version").status_code == 429
        assert second.get("/version").status_code == 429


def test_classrooms_and_rasa_have_their_own_larger_buckets(tmp_path: Path, whole_window: None) -> None:
    with TestClient(make_app(tmp_path, rate_limit="2/minute")) as client:
        assert [client.get("/version").status_code for _ in range(3)] == [200, 200, 429]
        # a room of phones shares one address: classroom calls are counted apart, with ten times the budget
        codes = [client.get("/api/v1/classrooms/NOROOM/public").status_code for _ in range(21)]
        assert codes[:20] == [404] * 20
        assert codes[20] == 429
        assert client.get("/rasa/health").status_code == 200


def test_rasa_webhook_accepts_a_large_tracker(tmp_path: Path) -> None:
    with TestClient(make_app(tmp_path, max_body_bytes=2048)) as client:
        big = {
            "next_action": "action_threshold_nonexistent",
            "sender_id": "s",
            "tracker": {"sender_id": "s", "events": [{"event": "user", "text": "x" * 3000}]},
        }
        assert client.post("/rasa/webhook", json=big).status_code == 404  # reached the action server
        assert client.post("/api/v1/assessments", json={"description": "x" * 3000}).status_code == 413


def test_forwarded_for_is_believed_only_from_trusted_proxies(tmp_path: Path, whole_window: None) -> None:
    with TestClient(make_app(tmp_path, rate_limit="2/minute")) as direct:
        codes = [direct.get("/version", headers={"X-Forwarded-For": f"10.0.0.{i}"}).status_code for i in range(3)]
        assert codes == [200, 200, 429]  # spoofing the header does not buy a new budget
    with TestClient(make_app(tmp_path / "p", rate_limit="2/minute", trusted_proxies="*")) as proxied:
        codes = [proxied.get("/version", headers={"X-Forwarded-For": f"10.0.0.{i}"}).status_code for i in range(3)]
        assert codes == [200, 200, 200]


def test_forwarded_for_gives_the_nearest_hop_that_is_not_a_trusted_proxy(tmp_path: Path, whole_window: None) -> None:
    """Through uvicorn's ProxyHeadersMiddleware: the rate limit counts the client our own proxy saw. A client
    can write anything at the left of X-Forwarded-For; from an untrusted peer the header is not read at all."""
    app = make_app(tmp_path, rate_limit="2/minute", trusted_proxies="10.1.0.0/16, 192.168.0.1")

    async def codes(peer: str, forwarded_for: list[str]) -> list[int]:
        transport = httpx.ASGITransport(app=app, client=(peer, 5000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            return [(await client.get("/version", headers={"X-Forwarded-For": f})).status_code for f in forwarded_for]

    async def run() -> None:
        async with app.router.lifespan_context(app):
            spoofed = [f"6.6.6.{i}, 203.0.113.9, 10.1.9.9" for i in range(3)]
            assert await codes("10.1.2.3", spoofed) == [200, 200, 429]  # all counted as 203.0.113.9
            assert await codes("10.1.2.3", ["203.0.113.10"]) == [200]  # another client behind the proxy
            assert await codes("198.51.100.1", [f"203.0.113.{i}" for i in range(20, 23)]) == [200, 200, 429]

    asyncio.run(run())


def test_trusted_proxies_setting() -> None:
    assert trusted_proxies("") == []
    assert trusted_proxies(" 10.1.0.0/16 , 192.168.0.1") == ["10.1.0.0/16", "192.168.0.1"]
    assert trusted_proxies("10.1.2.3/16") == ["10.1.0.0/16"]  # host bits allowed, as before
    assert trusted_proxies("10.0.0.1, *") == "*"
    with pytest.raises(ValueError, match=r"THRESHOLD_TRUSTED_PROXIES: 'proxy\.local' is not an IP address"):
        trusted_proxies("10.0.0.1, proxy.local")


# --- Admin --------------------------------------------------------------------------------------

ADMIN_ROUTES = [("GET", "/admin/analytics"), ("GET", "/admin/analytics?format=csv"), ("POST", "/admin/reload")]


@pytest.mark.parametrize(("method", "path"), [*ADMIN_ROUTES, ("GET", "/admin/analytics/chart")])
def test_admin_is_off_without_a_token_setting(tmp_path: Path, method: str, path: str) -> None:
    with TestClient(make_app(tmp_path)) as client:
        response = client.request(method, path, headers=ADMIN)
        assert response.status_code == 404
        assert response.json()["error"] == "not_found"


@pytest.mark.parametrize(("method", "path"), ADMIN_ROUTES)
def test_admin_needs_the_right_bearer_token(client: TestClient, method: str, path: str) -> None:
    missing = client.request(method, path)
    assert missing.status_code == 401
    assert missing.headers["WWW-Authenticate"] == "Bearer"
    assert client.request(method, path, headers={"Authorization": f"Basic {TOKEN}"}).status_code == 401
    assert client.request(method, path, headers={"Authorization": "Bearer wrong"}).status_code == 403
    assert client.request(method, path, headers={"Authorization": f"Bearer {TOKEN}x"}).status_code == 403
    assert client.request(method, path, headers=ADMIN).status_code == 200


def test_analytics_counts_completed_assessments_triage_and_escalation(client: TestClient) -> None:
    body = start(client)
    for question_id, value in LEVEL_3_ANSWERS:
        body = answer(client, body["id"], question_id, value)
    assert body["outcome"]["level"] == 3
    answer(client, body["id"], "staff", "no")  # changing an answer after the end is not a second assessment
    start(client)  # unfinished: not counted
    assert client.post("/api/v1/triage", json={"text": "attendance is low this term"}).status_code == 200
    assert client.post("/api/v1/triage", json={"text": ""}).status_code == 422  # refused: not counted
    assert client.get("/api/v1/escalation", params={"started": "2025-03-03"}).status_code == 200

    analytics = client.get("/admin/analytics", headers=ADMIN).json()
    counts = analytics["counts"]
    assert analytics["assessments_completed"] == 1
    assert counts["assessments:level"] == {"3": 1}
    assert counts["assessments:week"] == {iso_week(): 1}
    assert counts["assessments:route"][body["outcome"]["routes"][0]["id"]] == 1
    assert counts["triage"] == {"total": 1}
    assert counts["escalation"] == {"steps": 1}

    response = client.get("/admin/analytics", params={"format": "csv"}, headers=ADMIN)
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == ["metric", "label", "count"]
    assert ["assessments:level", "3", "1"] in rows
    assert ["triage", "total", "1"] in rows


def test_analytics_chart_page_has_no_inline_script_or_style(client: TestClient) -> None:
    page = client.get("/admin/analytics/chart")
    assert page.status_code == 200
    html = page.text
    scripts = re.findall(r"<script\b[^>]*>(.*?)</script>", html, re.S)
    assert scripts and all(s.strip() == "" for s in scripts)
    assert re.search(r"<script\b(?![^>]*\bsrc=)", html) is None
    assert re.search(r"\son\w+\s*=", html) is None
    assert re.search(r"\sstyle\s*=", html) is None and "<style" not in html
    assert "unsafe-inline" not in page.headers["Content-Security-Policy"]
    assert client.get("/admin/analytics/chart.js").headers["content-type"].startswith("text/javascript")
    assert client.get("/admin/analytics/chart.css").headers["content-type"].startswith("text/css")


def test_reload_swaps_in_valid_content(tmp_path: Path) -> None:
    content_dir = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, content_dir)
    with TestClient(make_app(tmp_path, content_dir, admin_token=TOKEN)) as client:
        before = client.get("/version").json()["content_version"]
        info = content_dir / "rules" / "content.yaml"
        info.write_text(re.sub(r"(?m)^version: .*$", "version: 9.9.9", info.read_text()))
        response = client.post("/admin/reload", headers=ADMIN)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["previous_version"] == before
        assert body["content_version"].startswith("9.9.9+")
        assert body["changed"] is True
        assert client.get("/version").json()["content_version"] == body["content_version"]
        assert start(client)["content_version"] == body["content_version"]


def test_reload_of_broken_content_keeps_the_old(tmp_path: Path) -> None:
    content_dir = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, content_dir)
    with TestClient(make_app(tmp_path, content_dir, admin_token=TOKEN)) as client:
        before = client.get("/version").json()["content_version"]
        levels = content_dir / "rules" / "levels.yaml"
        levels.write_text(levels.read_text() + "\nlevels: [duplicate key]\n")
        response = client.post("/admin/reload", headers=ADMIN)
        assert response.status_code == 422
        body = response.json()
        assert body["error"] == "content_invalid"
        assert before in body["message"]
        assert body["errors"] and all(re.match(r"^rules/levels\.yaml:\d+: ", e) for e in body["errors"])
        assert client.get("/version").json()["content_version"] == before
        assessment = start(client)
        assert answer(client, assessment["id"], "danger", "no")["answered"] == 1


# --- Ids ----------------------------------------------------------------------------------------


def _bits(token: str) -> int:
    return len(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))) * 8


def test_assessment_ids_have_128_random_bits_and_are_not_sequential(client: TestClient) -> None:
    ids = [start(client)["id"] for _ in range(30)]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{22,}", i) and _bits(i) >= 128 for i in ids)
    numbers = [int.from_bytes(base64.urlsafe_b64decode(i + "=" * (-len(i) % 4)), "big") for i in ids]
    steps = {b - a for a, b in itertools.pairwise(numbers)}
    assert len(steps) > 1  # not a counter
    assert len({i[:4] for i in ids}) > 20  # no shared prefix either


def test_every_token_drawn_in_the_app_has_at_least_128_bits() -> None:
    """Static check over app/: secrets.token_* with fewer than 16 bytes, or `random`, would fail here."""
    problems = []
    for path in sorted((REPO_ROOT / "app").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                if "random" in names:
                    problems.append(f"{path.name}:{node.lineno}: imports random; use secrets")
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in {"token_urlsafe", "token_hex", "token_bytes"}
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and node.args[0].value < 16
            ):
                problems.append(f"{path.name}:{node.lineno}: {node.func.attr}({node.args[0].value}) < 128 bits")
    assert problems == []
