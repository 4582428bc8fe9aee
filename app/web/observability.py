"""Operations: Prometheus metrics at /metrics, one JSON log line per request, and a request id.

Everything here is anonymous: counts and timings by route *template* (never the raw path, which holds
assessment ids), levels as numbers, no bodies, no query strings, no free text.

Each app gets its own CollectorRegistry (tests build many apps in one process). Route handlers count
domain events through the small helpers at the bottom, which find the current app's metrics through a
context variable set by the middleware (the context is copied into the thread pool with the request).
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import sys
import time
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID_HEADER = "X-Request-ID"
# An id from the load balancer is kept only when it looks like one (nginx's $request_id is 32 hex digits),
# so a client cannot write arbitrary text into the logs.
_INCOMING_ID = re.compile(r"^[0-9a-f]{32}$")
_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)

request_log = logging.getLogger("threshold.request")


class Metrics:
    """The app's metrics, registered in its own registry."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter(
            "threshold_http_requests",
            "HTTP requests by route template and status.",
            ["method", "route", "status"],
            registry=r,
        )
        self.latency = Histogram(
            "threshold_http_request_duration_seconds",
            "Time to answer, by route template.",
            ["method", "route"],
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.errors = Counter(
            "threshold_http_errors", "Responses with status 400 or above.", ["route", "status"], registry=r
        )
        self.started = Counter("threshold_assessments_started", "Assessments started.", registry=r)
        self.completed = Counter("threshold_assessments_completed", "Assessments that reached an outcome.", registry=r)
        self.outcomes = Counter("threshold_outcomes", "Outcomes reached, by level (1-4).", ["level"], registry=r)
        self.triage = Counter("threshold_triage", "Free-text descriptions triaged.", registry=r)
        self._per_request: dict[tuple[str, str, int], tuple[Any, Any, Any]] = {}

    def for_request(self, method: str, route: str, status: int) -> tuple[Any, Any, Any]:
        """The labelled children for one (method, route, status), looked up once: `labels()` is slow per call."""
        key = (method, route, status)
        found = self._per_request.get(key)
        if found is None:
            errors = self.errors.labels(route, str(status)) if status >= 400 else None
            found = (self.requests.labels(method, route, str(status)), self.latency.labels(method, route), errors)
            self._per_request[key] = found  # a race only builds the same children twice
        return found


_current: ContextVar[Metrics | None] = ContextVar("threshold_metrics", default=None)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, and the structured fields passed in `extra`."""

    FIELDS = ("request_id", "method", "route", "status", "duration_ms")
    _second = -1
    _second_text = ""

    def _time(self, created: float) -> str:
        """ISO 8601 with milliseconds, as datetime.isoformat(timespec="milliseconds") writes it; the date and
        time of day are formatted once per second (a request log line is written for every request)."""
        moment = datetime.fromtimestamp(created, UTC)
        second = int(created)
        if second != self._second:
            self._second_text = moment.isoformat(timespec="seconds")[:-6]  # without the +00:00
            self._second = second
        return f"{self._second_text}.{moment.microsecond // 1000:03d}+00:00"

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": self._time(record.created),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for field in self.FIELDS:
            if field in record.__dict__:
                entry[field] = record.__dict__[field]
        if record.exc_info and record.exc_info[0] is not None:
            entry["exception"] = record.exc_info[0].__name__  # the type only: a message may quote input
        return json.dumps(entry, separators=(",", ":"))


def configure_logging(level: str) -> None:
    """Send the app's loggers (`threshold.*`) to stderr as JSON lines. Safe to call for every app built."""
    logger = logging.getLogger("threshold")
    logger.setLevel(level.upper())
    logger.propagate = False
    if not any(isinstance(h.formatter, JsonFormatter) for h in logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter())
        logger.addHandler(handler)


def route_template(scope: Scope) -> str:
    """`/api/v1/assessments/{assessment_id}`, not the id itself; unmatched paths share one label."""
    path = getattr(scope.get("route"), "path", None)
    if isinstance(path, str):
        return path
    endpoint = scope.get("endpoint")  # FastAPI sets `route` for API routes only: plain routes and mounts
    if endpoint is None:
        return "unmatched"
    mounted_at = str(scope.get("root_path", "")).removeprefix(str(scope.get("app_root_path", "")))
    if mounted_at:
        return f"{mounted_at}/{{path}}"  # static files: one label per mount, never the file name
    return str(getattr(endpoint, "__name__", type(endpoint).__name__))


class ObservabilityMiddleware:
    """Pure ASGI (cheaper than BaseHTTPMiddleware): request id, timing, metrics and the log line."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics
        self._record_template: dict[str, Any] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = ""
        for key, value in scope["headers"]:
            if key == b"x-request-id":
                incoming = value.decode("latin-1")
                request_id = incoming if _INCOMING_ID.match(incoming) else ""
                break
        request_id = request_id or secrets.token_hex(16)
        id_header = (b"x-request-id", request_id.encode())
        status = 500  # if the app raises before answering, ServerErrorMiddleware outside us sends a 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), id_header]
            await send(message)

        token = _current.set(self.metrics)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            _current.reset(token)
            elapsed = time.perf_counter() - started
            self._record(scope, request_id, status, elapsed)

    def _record(self, scope: Scope, request_id: str, status: int, elapsed: float) -> None:
        method = scope["method"]
        route = route_template(scope)
        count, latency, errors = self.metrics.for_request(method, route, status)
        count.inc()
        latency.observe(elapsed)
        if errors is not None:
            errors.inc()
        if request_log.isEnabledFor(logging.INFO):
            request_log.handle(self._log_record(request_id, method, route, status, elapsed))

    def _log_record(self, request_id: str, method: str, route: str, status: int, elapsed: float) -> logging.LogRecord:
        """The request's log record, copied from one made the ordinary way on the first request.

        Why: Logger.info looks up the caller's file and line, and LogRecord() asks for the thread, process
        and time zone again; per request that cost more than the metrics. Only the time and the request's
        own fields differ from line to line (and the template is made in the serving process and thread).
        """
        if self._record_template is None:
            self._record_template = vars(
                logging.LogRecord(request_log.name, logging.INFO, __file__, 0, "request", None, None)
            )
        record = logging.LogRecord.__new__(logging.LogRecord)
        fields = record.__dict__
        fields.update(self._record_template)
        created = time.time()
        fields["created"] = created
        fields["msecs"] = int((created - int(created)) * 1000) + 0.0
        fields["relativeCreated"] = (created - logging._startTime) * 1000  # type: ignore[attr-defined]
        fields["request_id"] = request_id
        fields["method"] = method
        fields["route"] = route
        fields["status"] = status
        fields["duration_ms"] = round(elapsed * 1000, 2)
        return record


def install_observability(app: FastAPI, log_level: str) -> None:
    """Add the middleware and GET /metrics to an app (called once from create_app)."""
    configure_logging(log_level)
    metrics = Metrics()
    app.state.metrics = metrics
    app.add_middleware(ObservabilityMiddleware, metrics=metrics)

    @app.get(
        "/metrics",
        tags=["status"],
        response_class=Response,
        responses={200: {"content": {CONTENT_TYPE_LATEST: {}}, "description": "Prometheus text format."}},
    )
    def prometheus_metrics() -> Response:
        """Anonymous counts and timings in the Prometheus text format (for scraping, not for people)."""
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)


# --- Helpers for route handlers -----------------------------------------------------------------


def count_assessment_started(triaged: bool) -> None:
    """An assessment was started (with a free-text description to triage, or not)."""
    metrics = _current.get()
    if metrics is not None:
        metrics.started.inc()
        if triaged:
            metrics.triage.inc()


def count_triage() -> None:
    """A free-text description was triaged."""
    metrics = _current.get()
    if metrics is not None:
        metrics.triage.inc()


def count_answer(was_complete: bool, level: int | None) -> None:
    """After an answer: an assessment that was in progress and now has an outcome at `level` is complete."""
    metrics = _current.get()
    if metrics is not None and not was_complete and level is not None:
        metrics.completed.inc()
        metrics.outcomes.labels(str(level)).inc()
