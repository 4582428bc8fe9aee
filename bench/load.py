"""Load benchmark: C practitioners each completing whole assessments, closed loop, for D seconds.

    python bench/load.py [--concurrency 32] [--duration 10] [--rounds 3] [--stores sqlite,redis] [--chat] [--record]

Starts, each as a subprocess with one uvicorn worker on a free loopback port: the no-op yardstick
(bench/noop_app.py), the app on SQLite, and the app on Redis (a throwaway redis-server). One client
(a minimal keep-alive HTTP/1.1 client on asyncio, one connection per practitioner) drives all three, in
interleaved rounds (no-op, SQLite, Redis, then again in a rotated order), so a busy minute on a shared
machine weighs on every target alike. Prints turns per second (a turn is one request: start or answer),
latency percentiles, errors, the ratio app turns/s / no-op requests/s (the median of the rounds' ratios,
with their range), time from launch to ready, resident memory after the load, and the triage time per
description. `--chat` adds a target that drives the chat (`POST /api/v1/chat`: button payloads, from the
greeting to an outcome) on SQLite, and reports its server CPU per turn against an assessment turn's.
`--record` writes the table to bench/RESULTS.md.

Targets (issues 8 and 16), on a 2-core machine: ratio >= 0.5 at C=32 on SQLite and Redis (against an async
no-op), p99 <= 25 ms at C=32 with practitioners pausing (mean 0.1 s), the closed-loop p99 reported, zero
errors, start-up < 2 s, < 150 MB resident per worker, a chat turn <= 1.3x the CPU of an assessment turn.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import os
import platform
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import psutil

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
MAX_DURATION = 120.0
TARGETS = {"ratio": 0.5, "p99_ms": 25.0, "startup_s": 2.0, "rss_mb": 150.0, "chat_cpu": 1.3}
CHAT_PATH = "/api/v1/chat"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    name: str
    module: str
    env: dict[str, str]
    chat: bool = False  # drive the chat instead of the assessments API
    danger_ids: frozenset[str] = frozenset()  # the chat's immediate-danger questions, answered "no"
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    startup_s: float = 0.0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        command = [sys.executable, "-m", "uvicorn", self.module, "--host", "127.0.0.1", "--port", str(self.port)]
        command += ["--no-access-log", "--log-level", "warning"]  # the app logs its own JSON line per request
        started = time.perf_counter()
        self.process = subprocess.Popen(
            command, cwd=ROOT, env={**os.environ, **self.env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited during start-up (run the command by hand: {' '.join(command)})")
            try:
                if httpx.get(f"{self.url}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.perf_counter() - started > 60:
                raise RuntimeError(f"{self.name} was not ready within 60 s")
            time.sleep(0.01)
        self.startup_s = time.perf_counter() - started

    def cpu_seconds(self) -> float:
        assert self.process is not None
        times = psutil.Process(self.process.pid).cpu_times()
        return float(times.user + times.system)

    def rss_mb(self) -> float:
        assert self.process is not None
        return psutil.Process(self.process.pid).memory_info().rss / 2**20

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@dataclass
class Run:
    name: str
    turns: int = 0
    errors: int = 0
    assessments: int = 0
    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0
    startup_s: float = 0.0
    rss_mb: float = 0.0
    cpu_ms_per_turn: float = 0.0
    concurrency: int = 0
    think_s: float = 0.0  # mean pause between a practitioner's turns (0: closed loop, no pause)
    light: list[Run] = field(default_factory=list)  # the same target at lighter loads: latency with less queueing
    error_samples: list[str] = field(default_factory=list)
    ratios: list[float] = field(default_factory=list)  # turns/s over the no-op's requests/s, one per round

    @classmethod
    def combined(cls, rounds: list[Run]) -> Run:
        """The rounds of one target as one run: their turns, time and latencies together."""
        first = rounds[0]
        run = cls(first.name, startup_s=first.startup_s, concurrency=first.concurrency)
        for part in rounds:
            run.turns += part.turns
            run.errors += part.errors
            run.assessments += part.assessments
            run.latencies += part.latencies
            run.seconds += part.seconds
            run.error_samples += part.error_samples[: 3 - len(run.error_samples)]
        run.cpu_ms_per_turn = sum(part.cpu_ms_per_turn * part.turns for part in rounds) / max(run.turns, 1)
        run.rss_mb = rounds[-1].rss_mb
        return run

    def record(self, elapsed: float, ok: bool, detail: str = "") -> None:
        self.turns += 1
        self.latencies.append(elapsed)
        if not ok:
            self.errors += 1
            if len(self.error_samples) < 3:
                self.error_samples.append(detail[:200])

    @property
    def per_second(self) -> float:
        return self.turns / self.seconds if self.seconds else 0.0

    def percentile_ms(self, p: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return 0.0
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] * 1000


class Connection:
    """One keep-alive HTTP/1.1 connection per simulated practitioner.

    Why not httpx: on a 2-core machine the client shares the CPU with the server, and httpx spends several
    times the server's own time per request; this minimal client keeps the measurement about the server.
    It handles exactly what the app sends: a status line, headers with Content-Length, a JSON body.
    """

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> None:
        """Connect before the first request is timed: a turn's latency is not the TCP handshake (with all C
        practitioners connecting at the same instant, the first turn of each would wait for the others)."""
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)

    async def request(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        if self.writer is None:
            await self.open()
        assert self.reader is not None and self.writer is not None
        payload = b"" if body is None else json.dumps(body).encode()
        head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {len(payload)}\r\n"
        if body is not None:
            head += "Content-Type: application/json\r\n"
        self.writer.write(head.encode() + b"\r\n" + payload)
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionError("the server closed the connection")
        length = 0
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        data = await self.reader.readexactly(length) if length else b""
        return int(status_line.split()[1]), json.loads(data) if data else None

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


def choose_answer(question: dict[str, Any], rng: random.Random) -> str | list[str]:
    """A plausible practitioner: mostly definite answers, sometimes "don't know", never immediate danger."""
    values = [o["value"] for o in question["options"] if o["value"] != "unknown"]
    if question["section"] == "immediate_danger":
        return "no"
    if rng.random() < 0.1:
        return "unknown"
    if question["kind"] == "multiple_choice":
        return rng.sample(values, k=rng.randint(0, min(2, len(values))))
    return rng.choice(values)


async def pause(rng: random.Random, think_s: float) -> None:
    if think_s:
        await asyncio.sleep(rng.expovariate(1 / think_s))


async def timed(
    connection: Connection, run: Run, path: str, body: Any, expected: int, rng: random.Random, think_s: float
) -> tuple[int, Any]:
    """One POST, timed and recorded, then the practitioner's pause before the next."""
    started = time.perf_counter()
    status, reply = await connection.request("POST", path, body)
    run.record(time.perf_counter() - started, status == expected, str(reply))
    await pause(rng, think_s)
    return status, reply


async def practitioner(port: int, run: Run, until: float, seed: int, think_s: float = 0.0) -> None:
    """Complete whole assessments, one request after another (after a pause of about `think_s`, if given),
    until the time is up."""
    rng = random.Random(seed)
    connection = Connection(port)
    try:
        await connection.open()
        await pause(rng, think_s)  # paced practitioners arrive at different moments, not all at the first instant
        while time.perf_counter() < until:
            status, body = await timed(connection, run, "/api/v1/assessments", {}, 201, rng, think_s)
            if status != 201:
                continue
            while body["status"] == "in_progress" and time.perf_counter() < until:
                question = body["question"]
                payload = {"question_id": question["id"], "value": choose_answer(question, rng)}
                path = f"/api/v1/assessments/{body['id']}/answers"
                status, body = await timed(connection, run, path, payload, 200, rng, think_s)
                if status != 200:
                    break
            else:
                if body["status"] == "complete":
                    run.assessments += 1
    finally:
        connection.close()


def choose_chat_payload(payloads: list[str], rng: random.Random, danger_ids: frozenset[str]) -> str | None:
    """The button a practitioner in the chat taps: start the guided questions from the greeting; "no" to the
    immediate-danger questions (as `choose_answer`); otherwise mostly definite answers, sometimes "don't
    know", and on a choose-all question a few ticks before "done"."""
    answers: list[tuple[str, dict[str, Any]]] = []
    toggles: list[str] = []
    for payload in payloads:
        action, _, args = payload.partition("{")
        if action == "/answer":
            answers.append((payload, json.loads("{" + args)))
        elif action == "/toggle":
            toggles.append(payload)
    if not answers:
        return "/assess" if "/assess" in payloads else None
    if answers[0][1].get("question_id") in danger_ids:
        return next((p for p, a in answers if a.get("value") == "no"), answers[0][0])
    if toggles and rng.random() < 0.3:
        return rng.choice(toggles)
    unknown = [p for p, a in answers if a.get("value") == "unknown"]
    if unknown and rng.random() < 0.1:
        return unknown[0]
    return rng.choice([p for p, a in answers if a.get("value") != "unknown"] or [p for p, _ in answers])


async def chat_practitioner(
    port: int, run: Run, until: float, seed: int, think_s: float = 0.0, danger_ids: frozenset[str] = frozenset()
) -> None:
    """Go through whole conversations in the chat by tapping buttons, from the greeting to an outcome."""
    rng = random.Random(seed)
    connection = Connection(port)
    try:
        await connection.open()
        await pause(rng, think_s)
        while time.perf_counter() < until:
            status, body = await timed(connection, run, CHAT_PATH, {}, 200, rng, think_s)
            if status != 200:
                continue
            session = body["session_id"]
            while time.perf_counter() < until:
                messages = body["messages"]
                if any(m["kind"] == "outcome" for m in messages):
                    run.assessments += 1
                    break
                payloads = [b["payload"] for m in messages for b in (m.get("buttons") or [])]
                payload = choose_chat_payload(payloads, rng, danger_ids)
                if payload is None:
                    run.record(0.0, False, f"no button to tap: {messages}")
                    break
                request = {"session_id": session, "payload": payload}
                status, body = await timed(connection, run, CHAT_PATH, request, 200, rng, think_s)
                if status != 200:
                    break
    finally:
        connection.close()


async def noop_caller(port: int, run: Run, until: float, seed: int, think_s: float = 0.0) -> None:
    rng = random.Random(seed)
    payload = {"question_id": "danger_now", "value": "no"}
    connection = Connection(port)
    try:
        await connection.open()
        await pause(rng, think_s)  # paced practitioners arrive at different moments, not all at the first instant
        while time.perf_counter() < until:
            await timed(connection, run, "/noop", payload, 200, rng, think_s)
    finally:
        connection.close()


async def drive(server: Server, concurrency: int, duration: float, warmup: float, think_s: float = 0.0) -> Run:
    if server.module.startswith("bench."):
        caller: Any = noop_caller
    elif server.chat:
        caller = functools.partial(chat_practitioner, danger_ids=server.danger_ids)
    else:
        caller = practitioner
    warm = Run(server.name)
    until = time.perf_counter() + warmup
    await asyncio.gather(*(caller(server.port, warm, until, -i, think_s) for i in range(concurrency)))
    run = Run(server.name, startup_s=server.startup_s, concurrency=concurrency, think_s=think_s)
    cpu_before = server.cpu_seconds()
    started = time.perf_counter()
    until = started + duration
    await asyncio.gather(*(caller(server.port, run, until, i, think_s) for i in range(concurrency)))
    run.seconds = time.perf_counter() - started
    run.cpu_ms_per_turn = (server.cpu_seconds() - cpu_before) / max(run.turns, 1) * 1000
    run.rss_mb = server.rss_mb()
    return run


def measure(
    servers: list[Server],
    concurrency: int,
    duration: float,
    warmup: float,
    rounds: int,
    lighter: list[int],
    think_s: float,
) -> list[Run]:
    """Every target, round after round (the order rotated each round), then each at the lighter loads and
    with C practitioners who pause about `think_s` between turns.
    Returns one combined run per server, in the servers' order; the first server is the yardstick."""
    for server in servers:
        server.start()
    by_round: list[dict[str, Run]] = []
    for number in range(rounds):
        shift = number % len(servers)
        results = {}
        for server in servers[shift:] + servers[:shift]:
            results[server.name] = asyncio.run(drive(server, concurrency, duration, warmup))
            print(f"round {number + 1}, {server.name}: {results[server.name].per_second:.0f}/s", file=sys.stderr)
        by_round.append(results)
    runs = []
    for server in servers:
        run = Run.combined([results[server.name] for results in by_round])
        yardstick = [results[servers[0].name].per_second for results in by_round]
        run.ratios = [r[server.name].per_second / y for r, y in zip(by_round, yardstick, strict=True) if y]
        run.light = [asyncio.run(drive(server, c, min(duration, 5.0), 0.5)) for c in lighter]
        if think_s:
            run.light.append(asyncio.run(drive(server, concurrency, min(duration, 5.0), 0.5, think_s)))
        runs.append(run)
    return runs


def start_redis(directory: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(directory)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process, f"redis://127.0.0.1:{port}/0"
        except OSError:
            time.sleep(0.02)
    process.kill()
    raise RuntimeError("redis-server did not start")


def triage_ms_per_description() -> tuple[float, int] | None:
    """Mean time of app.core.triage.triage over the hold-out descriptions (index built first, not timed)."""
    try:
        from app.core import triage as triage_module
    except ImportError:
        return None
    import yaml

    from app.config import Settings
    from app.content import ContentInvalid, load_content

    try:
        content = load_content(Settings().content_dir)
    except ContentInvalid as exc:  # others may be mid-edit in a shared tree: keep the load figures
        print(f"triage not measured: {exc}", file=sys.stderr)
        return None
    triage_module.triage_index(content)
    texts = [
        case["text"]
        for case in yaml.safe_load((ROOT / "tests" / "cases" / "triage" / "holdout_1.yaml").read_text())["cases"]
    ]
    started = time.perf_counter()
    rounds = 3
    for _ in range(rounds):
        for text in texts:
            triage_module.triage(content, text)
    return (time.perf_counter() - started) / (rounds * len(texts)) * 1000, len(texts)


def immediate_danger_questions() -> frozenset[str]:
    """The ids of the assessment's immediate-danger questions, which the chat's practitioners answer "no"."""
    from app.config import Settings
    from app.content import load_content

    content = load_content(Settings().content_dir)
    return frozenset(q.id for q in content.assessment.questions if q.section == "immediate_danger")


def machine() -> str:
    model = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return f"{os.cpu_count()} CPUs ({model}), Python {platform.python_version()}, load average before the run {load}"


def report(
    runs: list[Run], noop: Run, concurrency: int, duration: float, rounds: int, triage: tuple[float, int] | None
) -> str:
    def mark(ok: bool) -> str:
        return "" if ok else " ✗"

    lines = [
        f"Date: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}  ",
        f"Machine: {machine()}  ",
        f"Load: C={concurrency} practitioners, closed loop, {rounds} interleaved rounds of {duration:g} s per target, "
        "each after a warm-up; one uvicorn worker each; rate limit off; request logging on (INFO, to /dev/null). "
        "Ratio: the median of the rounds' ratios (their range in brackets); other columns: all rounds together.",
        "",
        "| target | turns/s | ratio to no-op | p50 ms | p95 ms | p99 ms | errors | assessments | start-up s | RSS MB "
        "| server CPU ms/turn |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for run in [noop, *runs]:
        is_noop = run is noop
        ratio = statistics.median(run.ratios) if run.ratios else 0.0
        spread = f" ({min(run.ratios):.2f}–{max(run.ratios):.2f})" if len(run.ratios) > 1 else ""
        lines.append(
            f"| {run.name} | {run.per_second:.0f} | "
            + ("1 (yardstick)" if is_noop else f"{ratio:.2f}{mark(ratio >= TARGETS['ratio'])}{spread}")
            + f" | {run.percentile_ms(50):.1f} | {run.percentile_ms(95):.1f} | "
            f"{run.percentile_ms(99):.1f} | "
            f"{run.errors}{'' if is_noop else mark(run.errors == 0)} | {'-' if is_noop else run.assessments} | "
            f"{run.startup_s:.2f}{'' if is_noop else mark(run.startup_s < TARGETS['startup_s'])} | "
            f"{run.rss_mb:.0f}{'' if is_noop else mark(run.rss_mb < TARGETS['rss_mb'])} | {run.cpu_ms_per_turn:.2f} |"
        )
    lighter = [(run, light) for run in [noop, *runs] for light in run.light]
    if lighter:
        lines += [
            "",
            "Latency at lighter loads (less queueing; C=1 is what one practitioner waits for on an idle server). "
            "Pause: each practitioner's mean pause between turns (exponential); a real one reads for seconds.",
            "",
            "| target | C | pause s | turns/s | p50 ms | p95 ms | p99 ms | errors |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for run, light in lighter:
            p99 = light.percentile_ms(99)
            judged = run is not noop and light.think_s > 0  # the target is for paced practitioners
            lines.append(
                f"| {run.name} | {light.concurrency} | {light.think_s:g} | {light.per_second:.0f} | "
                f"{light.percentile_ms(50):.1f} | "
                f"{light.percentile_ms(95):.1f} | {p99:.1f}{mark(p99 <= TARGETS['p99_ms']) if judged else ''} | "
                f"{light.errors} |"
            )
    lines.append("")
    chat = next((run for run in runs if run.name.startswith("chat")), None)
    assessment = next((run for run in runs if run.name == "app, SQLite"), None)
    if chat and assessment and assessment.cpu_ms_per_turn:
        share = chat.cpu_ms_per_turn / assessment.cpu_ms_per_turn
        lines.append(
            f"Chat: {chat.cpu_ms_per_turn:.2f} ms server CPU per turn, {share:.2f}x an assessment turn's "
            f"{assessment.cpu_ms_per_turn:.2f} ms{mark(share <= TARGETS['chat_cpu'])}; "
            f"{chat.assessments} conversations reached an outcome."
        )
    if triage:
        lines.append(f"Triage: {triage[0]:.2f} ms per description (mean over {triage[1]} hold-out descriptions, x3).")
    else:
        lines.append("Triage: app/core/triage not present.")
    lines.append(
        "Targets: ratio ≥ 0.5 (against the async no-op), p99 ≤ 25 ms with practitioners pausing (closed-loop p99 "
        "reported, not judged), zero errors, start-up < 2 s, RSS < 150 MB, chat turn ≤ 1.3x an assessment turn's "
        "CPU; ✗ marks a miss."
    )
    for run in runs:
        for sample in run.error_samples:
            lines.append(f"Error sample ({run.name}): {sample}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--concurrency", "-c", type=int, default=32)
    parser.add_argument(
        "--duration", "-d", type=float, default=10.0, help=f"seconds per target (at most {MAX_DURATION:g})"
    )
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds over the targets (default 3)")
    parser.add_argument(
        "--pause",
        type=float,
        default=0.1,
        help="also measure C practitioners pausing about this many seconds between turns (0 to skip)",
    )
    parser.add_argument(
        "--light",
        default="1,4,8",
        help="also measure every target at these concurrencies, comma-separated ('' to skip)",
    )
    parser.add_argument("--stores", default="sqlite,redis", help="comma-separated: sqlite, redis")
    parser.add_argument("--chat", action="store_true", help="also drive the chat (POST /api/v1/chat) on SQLite")
    parser.add_argument("--record", action="store_true", help="write the table to bench/RESULTS.md")
    args = parser.parse_args()
    duration = min(max(args.duration, 1.0), MAX_DURATION)
    stores = [s.strip() for s in args.stores.split(",") if s.strip()]
    lighter = [int(c) for c in args.light.split(",") if c.strip() and int(c) > 0]

    # As the image does (Dockerfile): bytecode compiled once, so start-up is not timing the compiler.
    # Without this, PYTHONDONTWRITEBYTECODE=1 (set on these machines) recompiles app/ on every start.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "app")], check=True)
    with tempfile.TemporaryDirectory(prefix="threshold-bench-") as tmp:
        base_env = {"THRESHOLD_RATE_LIMIT": "off", "THRESHOLD_DATA_DIR": tmp, "THRESHOLD_LOG_LEVEL": "INFO"}
        redis_process = None
        servers = [Server("no-op FastAPI", "bench.noop_app:app", {})]
        if "sqlite" in stores:
            servers.append(
                Server(
                    "app, SQLite", "app.main:app", {**base_env, "THRESHOLD_SESSION_STORE": f"sqlite:///{tmp}/bench.db"}
                )
            )
        if args.chat:
            servers.append(
                Server(
                    "chat, SQLite",
                    "app.main:app",
                    {**base_env, "THRESHOLD_SESSION_STORE": f"sqlite:///{tmp}/chat.db"},
                    chat=True,
                    danger_ids=immediate_danger_questions(),
                )
            )
        if "redis" in stores:
            if shutil.which("redis-server") is None:
                print(
                    "redis-server not installed: skipping the Redis run (make system-deps installs it)", file=sys.stderr
                )
            else:
                redis_process, redis_url = start_redis(Path(tmp))
                servers.append(Server("app, Redis", "app.main:app", {**base_env, "THRESHOLD_SESSION_STORE": redis_url}))
        rounds = max(args.rounds, 1)
        try:
            runs = measure(servers, args.concurrency, duration, args.warmup, rounds, lighter, max(args.pause, 0.0))
        finally:
            for server in servers:
                server.stop()
            if redis_process is not None:
                redis_process.terminate()
                redis_process.wait()

    table = report(runs[1:], runs[0], args.concurrency, duration, rounds, triage_ms_per_description())
    print(table)
    if args.record:
        record(table)


NOTES_MARKER = "<!-- notes: kept by --record -->"


def record(table: str) -> None:
    """Write the table to bench/RESULTS.md, keeping the hand-written notes below NOTES_MARKER."""
    old = RESULTS.read_text() if RESULTS.exists() else ""
    notes = old[old.index(NOTES_MARKER) :] if NOTES_MARKER in old else NOTES_MARKER + "\n"
    RESULTS.write_text(
        "# Load benchmark results\n\n"
        "Written by `python bench/load.py --record` (`make bench` runs it without recording). "
        "Re-run and commit when the figures change.\n\n" + table + "\n\n" + notes
    )


if __name__ == "__main__":
    main()
