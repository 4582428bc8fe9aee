"""Engine crossings per chat turn: how often the conversation calls into app.core.engine for one turn.

Counts the calls the chat makes into the engine's public functions, and every public engine call at any depth
(the engine calling itself), for a button answer, a typed answer and the answer that completes the assessment.

    .venv/bin/python bench/engine_crossings.py
"""

from __future__ import annotations

import collections
import inspect
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.content import load_content  # noqa: E402
from app.conversation import chat as conversation  # noqa: E402
from app.conversation.messages import Turn, payload  # noqa: E402
from app.core import engine  # noqa: E402

outer: collections.Counter[str] = collections.Counter()
anywhere: collections.Counter[str] = collections.Counter()
depth = [0]


def counted(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    def call(*args: Any, **kwargs: Any) -> Any:
        anywhere[name] += 1
        if depth[0] == 0:
            outer[name] += 1
        depth[0] += 1
        try:
            return function(*args, **kwargs)
        finally:
            depth[0] -= 1

    return call


def assessment_of(state: Any) -> Any:
    """The chat state's assessment (a ChatState now; a plain dict before issue 16, for the "before" figures)."""
    return state["assessment"] if isinstance(state, dict) else state.assessment


def with_assessment(state: Any, assessment: Any) -> Any:
    if isinstance(state, dict):
        return {**state, "assessment": assessment}
    return state.model_copy(update={"assessment": assessment})


def main() -> None:
    content = load_content(ROOT)
    for name, function in list(vars(engine).items()):
        if inspect.isfunction(function) and function.__module__ == engine.__name__ and not name.startswith("_"):
            setattr(engine, name, counted(name, function))
    state, _ = conversation.respond(content, None, Turn(payload=payload("assess")), today=date(2026, 3, 2))

    def turn(label: str, sent: Turn) -> None:
        nonlocal state
        outer.clear()
        anywhere.clear()
        state, _ = conversation.respond(content, state, sent, today=date(2026, 3, 2))
        calls = ", ".join(f"{name} {n}" for name, n in sorted(outer.items()))
        print(f"{label:34} {sum(outer.values()):2} from the chat ({calls}); {sum(anywhere.values()):3} at any depth")

    turn("a button answer", Turn(payload=payload("answer", question_id="danger_now", value="no")))
    turn("a typed answer", Turn(text="no"))
    while True:  # answer everything but the last question quietly
        assessment = assessment_of(state)
        question = engine.pending_question(content, assessment)
        assert question is not None
        value: Any = "no" if question.kind == "yes_no" else [] if question.kind == "multiple_choice" else "unknown"
        following = engine.answer(content, assessment, question.id, value)
        if engine.pending_question(content, following) is None:
            break
        state = with_assessment(state, following)
    turn("the answer that completes it", Turn(payload=payload("answer", question_id=question.id, value=value)))


if __name__ == "__main__":
    main()
