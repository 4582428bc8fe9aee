"""LeanRoute (app/web/lean_route.py) answers exactly as FastAPI's own handler does, and the app's routes are flat.

The same endpoint is served twice, once as a LeanRoute and once as a plain APIRoute, with the app's error
handlers, and every kind of body is sent to both: valid, refused by the model, not JSON, not UTF-8, sent
as another media type or none.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from app.main import ROUTE_MODULES, add_routes, create_app
from app.web.errors import install_error_handlers
from app.web.lean_route import LeanRoute
from app.web.routes import assessments, chat
from app.web.routes.chat import ChatIn
from app.web.schemas import AnswerIn
from tests.conftest import make_settings


async def echo_answer(item_id: str, body: AnswerIn, request: Request) -> Response:
    text = f'{{"item":"{item_id}","method":"{request.method}","body":{body.model_dump_json()}}}'
    return Response(text, media_type="application/json")


async def echo_chat(body: ChatIn, request: Request) -> Response:
    return Response(body.model_dump_json(), media_type="application/json")


def both_ways() -> TestClient:
    app = FastAPI()
    install_error_handlers(app)
    for prefix, route_class in (("/lean", LeanRoute), ("/standard", APIRoute)):
        router = APIRouter(prefix=prefix, route_class=route_class)
        router.add_api_route("/answer/{item_id}", echo_answer, methods=["POST"])
        router.add_api_route("/chat", echo_chat, methods=["POST"])
        app.include_router(router)
    return TestClient(app, raise_server_exceptions=False)


JSON = {"content-type": "application/json"}
BODIES: list[tuple[str, bytes, dict[str, str]]] = [
    ("answer", b'{"question_id": "danger_now", "value": "no"}', JSON),
    ("answer", b'{"question_id": "q", "value": ["a", "b"]}', {"content-type": "application/json; charset=utf-8"}),
    ("answer", b'{"question_id": "q", "value": "no"}', {"content-type": "Application/JSON"}),
    ("answer", b'{"question_id": "q", "value": "no"}', {"content-type": "application/vnd.api+json"}),
    ("answer", b'{"question_id": "q", "value": "no"}', {"content-type": "text/plain"}),
    ("answer", b'{"question_id": "q", "value": "no"}', {}),
    ("answer", b'{"question_id": "q", "value": "no", "extra": 1}', JSON),
    ("answer", b'{"question_id": "q"}', JSON),
    ("answer", b'{"question_id": 3, "value": "no"}', JSON),
    ("answer", b'{"question_id": "q", "value": 3}', JSON),
    ("answer", b'{"question_id": "q", "value": null}', JSON),
    ("answer", b'{"question_id": "' + b"x" * 101 + b'", "value": "no"}', JSON),
    ("answer", b'{"question_id": "q", "value": "a\\u0000b"}', JSON),
    ("answer", b'["question_id", "value"]', JSON),
    ("answer", b"null", JSON),
    ("answer", b"", JSON),
    ("answer", b"{", JSON),
    ("answer", b'{"question_id": "q", "value": "no"} trailing', JSON),
    ("answer", b'{"question_id": "\xff", "value": "no"}', JSON),
    ("answer", b"[" * 5000 + b"]" * 5000, JSON),
    ("chat", b"{}", JSON),
    ("chat", b'{"session_id": "abc", "text": "which level is this?"}', JSON),
    ("chat", b'{"payload": "/answer{\\"question_id\\":\\"danger_now\\",\\"value\\":\\"no\\"}"}', JSON),
    ("chat", b'{"text": "' + b"y" * 20_001 + b'"}', JSON),
    ("chat", b'{"session_id": "' + b"s" * 65 + b'"}', JSON),
    ("chat", b'{"text": 5}', JSON),
    ("chat", b"", JSON),
    ("chat", b"not json", JSON),
]


@pytest.mark.parametrize(("path", "raw", "headers"), BODIES)
def test_a_lean_route_answers_as_fastapi_does(path: str, raw: bytes, headers: dict[str, str]) -> None:
    client = both_ways()
    target = "/answer/item-1" if path == "answer" else "/chat"
    lean = client.post(f"/lean{target}", content=raw, headers=headers)
    standard = client.post(f"/standard{target}", content=raw, headers=headers)
    assert (lean.status_code, lean.json()) == (standard.status_code, standard.json())


def test_the_turn_routes_are_served_lean_and_the_others_the_standard_way() -> None:
    lean = {
        (r.path, *r.methods)
        for r in (*assessments.router.routes, *chat.router.routes)
        if isinstance(r, LeanRoute) and r.is_lean
    }
    assert lean == {("/api/v1/assessments/{assessment_id}/answers", "POST"), ("/api/v1/chat", "POST")}


async def with_dependency(body: AnswerIn, request: Request, other: Any = None) -> Response:
    return Response("{}", media_type="application/json")


def test_an_endpoint_of_another_shape_is_served_the_standard_way() -> None:
    router = APIRouter(route_class=LeanRoute)
    router.add_api_route("/q", with_dependency, methods=["POST"])  # a query parameter: FastAPI must solve it
    route = router.routes[0]
    assert isinstance(route, LeanRoute) and not route.is_lean
    app = FastAPI()
    app.include_router(router)
    response = TestClient(app).post("/q?other=1", json={"question_id": "q", "value": "no"})
    assert response.status_code == 200


def test_the_app_lists_its_routes_flat_with_the_same_schema_as_include_router(tmp_path: Any) -> None:
    app = create_app(make_settings(tmp_path))
    assert all(isinstance(r, APIRoute) or r.path == "/openapi.json" for r in app.router.routes)  # type: ignore[attr-defined]
    flat, included = FastAPI(), FastAPI()
    for module in ROUTE_MODULES:
        add_routes(flat, module.router)
        included.include_router(module.router)
    assert flat.openapi()["paths"] == included.openapi()["paths"]
    assert flat.openapi()["components"] == included.openapi()["components"]
    assert set(app.openapi()["paths"]) == {*flat.openapi()["paths"], "/metrics"}
    first_two = {(r.path, *r.methods) for r in app.router.routes[:2]}  # type: ignore[attr-defined]
    assert first_two == {("/api/v1/assessments/{assessment_id}/answers", "POST"), ("/api/v1/chat", "POST")}


def test_add_routes_refuses_a_nested_router() -> None:
    outer = APIRouter()
    outer.include_router(APIRouter())
    with pytest.raises(TypeError, match="API routes only"):
        add_routes(FastAPI(), outer)
