"""LeanRoute: an APIRoute that, for a well-formed JSON body, validates it with pydantic and calls the endpoint directly.

Why: the routes that serve every turn (an answer, a chat message) spent as much in FastAPI's own request handler
(content-type parsing, json.loads, the dependency solver, endpoint context) as the whole no-op yardstick does
(bench/RESULTS.md). The route keeps FastAPI's routing, OpenAPI schema and errors: any request that is not
JSON, or whose body the model refuses, goes to FastAPI's own handler, so every error reads as before.

Only for endpoints of this shape (checked when the route is built; any other is served the standard way):
path parameters typed `str`, one required pydantic body model, the `Request`, no dependencies, and a
`Response` returned by the endpoint itself.
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Coroutine
from typing import Any, NamedTuple

from fastapi import Request, Response
from fastapi.routing import APIRoute
from pydantic import BaseModel, ValidationError

_JSON = b"application/json"


class _LeanCall(NamedTuple):
    endpoint: Callable[..., Coroutine[Any, Any, Response]]
    body_name: str
    body_model: type[BaseModel]
    request_name: str


def _lean_call(route: APIRoute) -> _LeanCall | None:
    """How to call the endpoint without FastAPI's solver, or None when the endpoint is not of the lean shape."""
    dependant = route.dependant
    if (
        dependant.dependencies
        or dependant.query_params
        or dependant.header_params
        or dependant.cookie_params
        or len(dependant.body_params) != 1
        or dependant.request_param_name is None
        or dependant.response_param_name
        or dependant.background_tasks_param_name
        or route.dependencies
    ):
        return None
    hints = typing.get_type_hints(route.endpoint)
    body = dependant.body_params[0]
    body_model = hints.get(body.name)
    returns = hints.get("return")
    if not (
        isinstance(body_model, type)
        and issubclass(body_model, BaseModel)
        and body.field_info.is_required()
        and all(hints.get(p.name) is str for p in dependant.path_params)
        and isinstance(returns, type)
        and issubclass(returns, Response)
    ):
        return None
    return _LeanCall(route.endpoint, body.name, body_model, dependant.request_param_name)


class LeanRoute(APIRoute):
    """Use as `APIRouter(route_class=LeanRoute)`; routes not of the lean shape are served as any APIRoute."""

    @property
    def is_lean(self) -> bool:
        """Whether requests are served the lean way (the endpoint is of the lean shape)."""
        return _lean_call(self) is not None

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        standard = super().get_route_handler()
        call = _lean_call(self)
        if call is None:
            return standard

        async def handler(request: Request) -> Response:
            content_type = next((v for k, v in request.scope["headers"] if k == b"content-type"), b"")
            if content_type.split(b";", 1)[0].strip().lower() == _JSON:
                raw = await request.body()
                try:
                    body = call.body_model.model_validate_json(raw)
                except ValidationError:
                    return await standard(request)  # FastAPI's own 422 (or 400), worded as for every other route
                arguments: dict[str, Any] = dict(request.path_params)
                arguments[call.body_name] = body
                arguments[call.request_name] = request
                return await call.endpoint(**arguments)
            return await standard(request)

        return handler
