"""Several app processes sharing one Redis behave as one service, and say so clearly when Redis is gone."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.app_server import AppServer
from tests.redis_server import RedisServer
from tests.walk import answer_for

pytestmark = pytest.mark.redis


@pytest.fixture(scope="module")
def two_apps(
    redis_server: RedisServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[AppServer, AppServer]]:
    """Two app processes sharing the session's Redis (started once: start-up dominates these tests)."""
    data_dir = tmp_path_factory.mktemp("apps")
    first, second = AppServer(redis_server.url, data_dir), AppServer(redis_server.url, data_dir)
    try:
        with ThreadPoolExecutor(2) as pool:
            list(pool.map(AppServer.start, (first, second)))
        yield first, second
    finally:
        first.stop()
        second.stop()


def answer(base: str, body: dict[str, Any], turn: int) -> httpx.Response:
    question = body["question"]
    return httpx.post(
        f"{base}/api/v1/assessments/{body['id']}/answers",
        json={"question_id": question["id"], "value": answer_for(question, turn)},
    )


def test_two_processes_serve_one_assessment_alternately(two_apps: tuple[AppServer, AppServer]) -> None:
    urls = [app.url for app in two_apps]
    body = httpx.post(f"{urls[0]}/api/v1/assessments").json()
    turn = 0
    while body["status"] == "in_progress":
        response = answer(urls[(turn + 1) % 2], body, turn)  # the first answer goes to the other process
        assert response.status_code == 200, response.text
        body = response.json()
        turn += 1
        assert body["answered"] == turn  # each process saw every earlier answer
    assert turn >= 3
    # Both processes now read the same finished assessment, with the same outcome.
    seen = [httpx.get(f"{url}/api/v1/assessments/{body['id']}").json() for url in urls]
    assert seen[0] == seen[1] == body
    assert body["outcome"]["level"] in (1, 2, 3, 4)
    assert httpx.delete(f"{urls[1]}/api/v1/assessments/{body['id']}").status_code == 204
    assert httpx.get(f"{urls[0]}/api/v1/assessments/{body['id']}").status_code == 404


def test_racing_answers_across_processes_give_200_or_409_never_a_lost_update(
    two_apps: tuple[AppServer, AppServer],
) -> None:
    urls = [app.url for app in two_apps]
    body = httpx.post(f"{urls[0]}/api/v1/assessments").json()
    question = body["question"]

    def send(i: int) -> int:
        url = f"{urls[i % 2]}/api/v1/assessments/{body['id']}/answers"
        return httpx.post(url, json={"question_id": question["id"], "value": "no"}).status_code

    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(send, range(32)))
    assert set(statuses) <= {200, 409}
    assert 200 in statuses
    after = httpx.get(f"{urls[1]}/api/v1/assessments/{body['id']}").json()
    assert after["answered"] == 1


def test_killing_one_process_mid_assessment_loses_nothing(
    two_apps: tuple[AppServer, AppServer], redis_server: RedisServer, tmp_path: Path
) -> None:
    doomed, survivor = AppServer(redis_server.url, tmp_path).start(), two_apps[1]
    body = httpx.post(f"{doomed.url}/api/v1/assessments").json()
    for turn in range(2):
        body = answer(doomed.url, body, turn).json()
    doomed.kill()
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{doomed.url}/healthz")
    resumed = httpx.get(f"{survivor.url}/api/v1/assessments/{body['id']}").json()
    # The two processes started at different times: content edited in between changes only its version.
    assert without_version(resumed) == without_version(body)
    turn = 2
    while body["status"] == "in_progress":
        response = answer(survivor.url, body, turn)
        assert response.status_code == 200, response.text
        body = response.json()
        turn += 1
    assert body["outcome"]["level"] in (1, 2, 3, 4)


def without_version(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k != "content_version"}


def wait_for_status(url: str, status: int, timeout: float = 10.0) -> httpx.Response:
    deadline = time.monotonic() + timeout
    while True:
        response = httpx.get(url, timeout=5)
        if response.status_code == status or time.monotonic() > deadline:
            return response
        time.sleep(0.1)


def test_redis_down_gives_clear_503_and_not_ready_then_recovers(tmp_path: Path) -> None:
    redis = RedisServer(tmp_path)  # its own server: stopping the shared one would break other tests
    redis.start()
    app = AppServer(redis.url, tmp_path)
    try:
        app.start()
        assert httpx.get(f"{app.url}/readyz").json() == {"status": "ok"}
        body = httpx.post(f"{app.url}/api/v1/assessments").json()

        redis.stop()
        started = time.monotonic()
        failed = answer(app.url, body, 0)
        assert failed.status_code == 503
        assert failed.json() == {
            "error": "store_unavailable",
            "message": "The service cannot reach its session store just now. Try again shortly.",
        }
        assert failed.headers["retry-after"] == "5"
        assert httpx.post(f"{app.url}/api/v1/assessments").status_code == 503
        assert time.monotonic() - started < 5  # short socket timeouts: no hanging workers
        not_ready = httpx.get(f"{app.url}/readyz")
        assert (not_ready.status_code, not_ready.json()) == (503, {"status": "unavailable"})
        assert httpx.get(f"{app.url}/healthz").status_code == 200  # alive: do not restart the pod for this

        redis.start()  # same port; the data is gone (no persistence in the tests), the service is back
        assert wait_for_status(f"{app.url}/readyz", 200).status_code == 200
        fresh = httpx.post(f"{app.url}/api/v1/assessments")
        assert fresh.status_code == 201
        assert answer(app.url, fresh.json(), 0).status_code == 200
    finally:
        app.stop()
        redis.stop()
