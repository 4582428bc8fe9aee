"""Engine crossings per chat turn: how many times a turn calls into app/core/engine.py from outside it.

    python bench/crossings.py [--conversations 30] [--seed 1]

Drives whole conversations through `POST /api/v1/chat` in-process (ASGI, one thread), tapping buttons as
bench/load.py's chat practitioners do, from the greeting to an outcome, and counts every call whose callee is
a function in app/core/engine.py and whose caller is not; and, wider, every call from outside app/core into
it. Prints crossings per turn (mean, max) and the functions crossed most. A count, not a timing: the same on
a busy machine as on an idle one.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
from collections import Counter
from pathlib import Path
from types import FrameType
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load import choose_chat_payload  # noqa: E402


class CrossingCounter:
    """A profile hook that counts calls into the engine module from any other module."""

    def __init__(self, engine_file: str, core_dir: str) -> None:
        self.engine_file = engine_file
        self.core_dir = core_dir
        self.calls: Counter[str] = Counter()  # into the engine, by function
        self.core_calls = 0  # into app/core from outside it

    def hook(self, frame: FrameType, event: str, arg: Any) -> None:
        if event != "call":
            return
        callee = frame.f_code.co_filename
        caller = frame.f_back.f_code.co_filename if frame.f_back is not None else ""
        if callee == self.engine_file and caller != self.engine_file:
            self.calls[frame.f_code.co_name] += 1
        if callee.startswith(self.core_dir) and not caller.startswith(self.core_dir):
            self.core_calls += 1


async def conversations(count: int, seed: int) -> tuple[list[int], list[int], Counter[str]]:
    from app.config import Settings
    from app.content import load_content
    from app.core import engine
    from app.main import create_app

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(session_store=f"sqlite:///{tmp}/chat.db", rate_limit="off", log_level="WARNING")
        app = create_app(settings)
        content = load_content(settings.content_dir)
        danger = frozenset(q.id for q in content.assessment.questions if q.section == "immediate_danger")
        engine_file = str(Path(engine.__file__).resolve())
        counter = CrossingCounter(engine_file, str(Path(engine_file).parent) + "/")
        per_turn: list[int] = []
        core_per_turn: list[int] = []
        rng = random.Random(seed)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:

                async def turn(body: dict[str, Any]) -> dict[str, Any]:
                    before, core_before = sum(counter.calls.values()), counter.core_calls
                    sys.setprofile(counter.hook)
                    try:
                        response = await client.post("/api/v1/chat", json=body)
                    finally:
                        sys.setprofile(None)
                    per_turn.append(sum(counter.calls.values()) - before)
                    core_per_turn.append(counter.core_calls - core_before)
                    response.raise_for_status()
                    reply: dict[str, Any] = response.json()
                    return reply

                for _ in range(count):
                    reply = await turn({})
                    session = reply["session_id"]
                    for _ in range(200):
                        if any(m["kind"] == "outcome" for m in reply["messages"]):
                            break
                        payloads = [b["payload"] for m in reply["messages"] for b in (m.get("buttons") or [])]
                        payload = choose_chat_payload(payloads, rng, danger)
                        if payload is None:
                            raise RuntimeError(f"no button to tap: {reply['messages']}")
                        reply = await turn({"session_id": session, "payload": payload})
        return per_turn, core_per_turn, counter.calls


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--conversations", type=int, default=30)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    per_turn, core_per_turn, calls = asyncio.run(conversations(max(args.conversations, 1), args.seed))
    print(f"{args.conversations} conversations, {len(per_turn)} turns")
    print(f"engine crossings per chat turn: mean {sum(per_turn) / len(per_turn):.1f}, max {max(per_turn)}")
    core_mean = sum(core_per_turn) / len(core_per_turn)
    print(f"calls into app/core from outside it per chat turn: mean {core_mean:.1f}, max {max(core_per_turn)}")
    print("most crossed:", ", ".join(f"{name} {n / len(per_turn):.1f}" for name, n in calls.most_common(8)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
