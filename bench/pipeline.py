"""In-process pipeline benchmark: CPU per request through the whole ASGI stack, without sockets or a server.

    python bench/pipeline.py [--requests 3000] [--rate-limit off] [--profile healthz|turn]

Builds the app as bench/load.py's server does (real content, SQLite in a temporary folder, request logging
on to /dev/null), runs its lifespan, and calls it as uvicorn would with hand-made ASGI messages. Prints
the process CPU time per request for `GET /healthz` (the fixed cost every request pays) and per assessment
turn (start or answer, the same closed loop as bench/load.py). The same figures move far less from run to
run than bench/load.py's on a shared machine, so they are the quick check between two versions of the code;
bench/load.py stays the measure the targets are set on. `--profile` prints a pyinstrument profile.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load import choose_answer  # noqa: E402


async def call(app: Any, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    payload = b"" if body is None else json.dumps(body).encode()
    headers = [(b"host", b"127.0.0.1"), (b"content-length", str(len(payload)).encode())]
    if body is not None:
        headers.append((b"content-type", b"application/json"))
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
        "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "", "headers": headers,
        "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000),
    }  # fmt: skip
    sent = False
    status = 0
    chunks: list[bytes] = []

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            await asyncio.sleep(3600)
        sent = True
        return {"type": "http.request", "body": payload, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    data = b"".join(chunks)
    return status, json.loads(data) if data and data[:1] in (b"{", b"[") else None


async def healthz(app: Any, n: int) -> None:
    for _ in range(n):
        status, _ = await call(app, "GET", "/healthz")
        assert status == 200, status


async def turns(app: Any, n: int) -> None:
    rng = random.Random(1)
    done = 0
    while done < n:
        status, body = await call(app, "POST", "/api/v1/assessments", {})
        assert status == 201, body
        done += 1
        while body["status"] == "in_progress" and done < n:
            question = body["question"]
            payload = {"question_id": question["id"], "value": choose_answer(question, rng)}
            status, body = await call(app, "POST", f"/api/v1/assessments/{body['id']}/answers", payload)
            assert status == 200, body
            done += 1


async def measure(rate_limit: str, requests: int, profile: str | None) -> dict[str, float]:
    from app.config import Settings
    from app.main import create_app

    results = {}
    with tempfile.TemporaryDirectory(prefix="threshold-pipeline-") as tmp:
        settings = Settings(
            session_store=f"sqlite:///{tmp}/bench.db", data_dir=Path(tmp), rate_limit=rate_limit, log_level="INFO"
        )
        app = create_app(settings)
        async with app.router.lifespan_context(app):
            for name, work in (("healthz", healthz), ("turn", turns)):
                await work(app, min(requests, 300))  # warm-up
                if profile == name:
                    from pyinstrument import Profiler

                    with Profiler(interval=0.0002, async_mode="disabled") as profiler:
                        await work(app, requests)
                    profiler.print(show_all=os.environ.get("SHOW_ALL") == "1")
                started = time.process_time()
                await work(app, requests)
                results[name] = (time.process_time() - started) / requests * 1e6
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", "-n", type=int, default=3000)
    parser.add_argument("--rate-limit", default="off", help="THRESHOLD_RATE_LIMIT for the run (bench/load.py: off)")
    parser.add_argument("--profile", choices=("healthz", "turn"))
    args = parser.parse_args()
    # Request log lines go to /dev/null, as in bench/load.py (stderr there is DEVNULL).
    sys.stderr.flush()
    devnull = os.open(os.devnull, os.O_WRONLY)
    saved = os.dup(2)
    os.dup2(devnull, 2)
    try:
        results = asyncio.run(measure(args.rate_limit, args.requests, args.profile))
    finally:
        os.dup2(saved, 2)
    print(
        f"rate limit {args.rate_limit}: GET /healthz {results['healthz']:.0f} µs CPU per request; "
        f"assessment turn {results['turn']:.0f} µs CPU per turn ({args.requests} each)"
    )


if __name__ == "__main__":
    main()
