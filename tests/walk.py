"""Walk an assessment over HTTP the way a practitioner would: an answer for whatever question comes next."""

from __future__ import annotations

from typing import Any


def answer_for(question: dict[str, Any], turn: int = 0) -> str | list[str]:
    """A valid answer to a question as served by the API; `turn` varies the choice so walks differ."""
    values = [o["value"] for o in question["options"] if o["value"] != "unknown"]
    if question["kind"] == "multiple_choice":
        return [values[turn % len(values)]] if turn % 3 else []
    if question["section"] == "immediate_danger":
        return "no"  # keep walks going: a yes ends in the 999 path, which other tests cover
    return values[turn % len(values)]
