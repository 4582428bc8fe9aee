"""In-process pipeline benchmark: CPU per request through the whole ASGI stack, without sockets or a server.

    python bench/pipeline.py [--requests 3000] [--rate-limit off] [--profile healthz|turn|chat|noop] [--cprofile]

Builds the app as bench/load.py's server does (real content, SQLite in a temporary folder, request logging
on to /dev/null), runs its lifespan, and calls it as uvicorn would with hand-made ASGI messages. Prints
the process CPU time per request for `GET /healthz` (the fixed cost every request pays) and per assessment
turn (start or answer, the same closed loop as bench/load.py), per chat turn (button payloads from the greeting
to an outcome, as bench/load.py --chat) and per request to the async no-op yardstick (bench/noop_app.py)
through the same hand-made ASGI calls. The same figures move far less from run to
run than bench/load.py's on a shared machine, so they are the quick check between two versions of the code;
bench/load.py stays the measure the targets are set on. `--profile` prints a pyinstrument profile
(`--cprofile`: a cProfile table instead, top $TOP (40) by $SORT (tottime)).
"""

from __future__ import annotations

import argparse
import asyncio
import functools
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

from bench.load import choose_answer, choose_chat_payload, immediate_danger_questions  # noqa: E402


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


async def chat_turns(app: Any, n: int, danger_ids: frozenset[str]) -> None:
    rng = random.Random(1)
    done = 0
    while done < n:
        status, body = await call(app, "POST", "/api/v1/chat", {})
        assert status == 200, body
        done += 1
        session = body["session_id"]
        while done < n and not any(m["kind"] == "outcome" for m in body["messages"]):
            payloads = [b["payload"] for m in body["messages"] for b in (m.get("buttons") or [])]
            payload = choose_chat_payload(payloads, rng, danger_ids)
            assert payload is not None, body
            status, body = await call(app, "POST", "/api/v1/chat", {"session_id": session, "payload": payload})
            assert status == 200, body
            done += 1


async def noop(app: Any, n: int) -> None:
    for _ in range(n):
        status, _ = await call(app, "POST", "/noop", {"question_id": "danger_now", "value": "no"})
        assert status == 200, status


async def run_work(
    name: str, work: Any, app: Any, requests: int, profile: str | None, cprofile: bool, batches: int
) -> float:
    """CPU µs per request for `work` after a warm-up (the least of `batches` batches); profiled first when
    `profile` names it."""
    await work(app, min(requests, 300))  # warm-up
    if profile == name and cprofile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
        await work(app, requests)
        profiler.disable()
        stats = pstats.Stats(profiler, stream=sys.stdout)
        stats.sort_stats(os.environ.get("SORT", "tottime")).print_stats(int(os.environ.get("TOP", "40")))
    elif profile == name:
        from pyinstrument import Profiler

        with Profiler(interval=0.0002, async_mode="disabled") as profiler:
            await work(app, requests)
        profiler.print(show_all=os.environ.get("SHOW_ALL") == "1")
    # The least of several batches: other processes on a shared machine only ever add to a batch's CPU time
    # (cache and scheduler effects), so the minimum is the steadiest figure between two versions of the code.
    batch = max(requests // batches, 1)
    best = float("inf")
    for _ in range(batches):
        started = time.process_time()
        await work(app, batch)
        best = min(best, (time.process_time() - started) / batch * 1e6)
    return best


async def measure(
    rate_limit: str, requests: int, profile: str | None, cprofile: bool = False, batches: int = 5, only: str = ""
) -> dict[str, float]:
    from app.config import Settings
    from app.main import create_app
    from bench.noop_app import app as noop_app

    results = {}
    danger_ids = immediate_danger_questions()
    chat = functools.partial(chat_turns, danger_ids=danger_ids)
    if only in ("", "noop"):
        async with noop_app.router.lifespan_context(noop_app):
            results["noop"] = await run_work("noop", noop, noop_app, requests, profile, cprofile, batches)
    with tempfile.TemporaryDirectory(prefix="threshold-pipeline-") as tmp:
        settings = Settings(
            session_store=f"sqlite:///{tmp}/bench.db", data_dir=Path(tmp), rate_limit=rate_limit, log_level="INFO"
        )
        app = create_app(settings)
        async with app.router.lifespan_context(app):
            for name, work in (("healthz", healthz), ("turn", turns), ("chat", chat)):
                if only not in ("", name):
                    continue
                results[name] = await run_work(name, work, app, requests, profile, cprofile, batches)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", "-n", type=int, default=3000)
    parser.add_argument("--rate-limit", default="off", help="THRESHOLD_RATE_LIMIT for the run (bench/load.py: off)")
    parser.add_argument("--profile", choices=("healthz", "turn", "chat", "noop"))
    parser.add_argument("--batches", type=int, default=5, help="report the least CPU per request of this many")
    parser.add_argument(
        "--only",
        choices=("noop", "healthz", "turn", "chat"),
        default="",
        help="run one workload only (for cachegrind: instructions per turn = (run at N2 - run at N1) / (N2 - N1))",
    )
    parser.add_argument("--cprofile", action="store_true", help="profile with cProfile instead of pyinstrument")
    args = parser.parse_args()
    # Request log lines go to /dev/null, as in bench/load.py (stderr there is DEVNULL).
    sys.stderr.flush()
    devnull = os.open(os.devnull, os.O_WRONLY)
    saved = os.dup(2)
    os.dup2(devnull, 2)
    try:
        results = asyncio.run(
            measure(args.rate_limit, args.requests, args.profile, args.cprofile, args.batches, args.only)
        )
    finally:
        os.dup2(saved, 2)
    if args.only:
        print(f"{args.only}: {results[args.only]:.0f} µs CPU per request ({args.requests})")
        return
    print(
        f"rate limit {args.rate_limit}, {args.requests} requests each, CPU µs per request (least of "
        f"{args.batches} batches): "
        f"async no-op {results['noop']:.0f}; GET /healthz {results['healthz']:.0f}; "
        f"assessment turn {results['turn']:.0f} ({results['turn'] / results['noop']:.2f}x no-op); "
        f"chat turn {results['chat']:.0f} ({results['chat'] / results['turn']:.2f}x assessment turn)"
    )


if __name__ == "__main__":
    main()
