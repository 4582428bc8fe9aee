"""Redaction time on adversarial 20,000-character texts (the longest description accepted).

    python bench/redact.py [--repeat 3]

Each text repeats one short unit ("0.", "A'", "1-1-" ...) to 20,000 characters: the shape that makes a
backtracking pattern quadratic (an unbounded run tried again from every position). Prints the slowest units
(best of --repeat runs each) and an ordinary note of the same length for comparison. Before the fix (issue 15
follow-up) "0." took about 1.2 s (the e-mail pattern) and "A'" about 1.5 s (the school pattern).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.core.language.redact import redact  # noqa: E402

LENGTH = 20_000
UNITS = [
    "0.", "1.", "0-", "0 ", "a.", "a@", "@a.", "x@-", "(0", "01925 ", "9", "1/", "A ", "Mr A ", "1st ", "12 ",
    "Aa Bb ", "Flat 1 ", "1 A ", "+44 ", "nhs 1", "born ", "May 1 ", "A-", "A'", "1a ", "Jake ", "her son Jake ",
    "St ", "A Primary ", "a.b@", "_", "__@", "A. ", "1-1-", "ab1 ", "A'Jake(", "\nJake", " aged Jake",
]  # fmt: skip
ORDINARY = "Seen at home visit; mum tired, flat untidy, Year 4 attendance 91%, no food in the fridge. "


def text_of(unit: str) -> str:
    return (unit * (LENGTH // len(unit) + 1))[:LENGTH]


def best_of(text: str, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        redact(text)
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    results = sorted(((best_of(text_of(u), args.repeat), u) for u in UNITS), reverse=True)
    for seconds, unit in results[:8]:
        print(f"{unit!r:>16}  {seconds * 1000:7.1f} ms")
    print(f"{'ordinary note':>16}  {best_of(text_of(ORDINARY), args.repeat) * 1000:7.1f} ms")
    print(f"slowest of {len(UNITS)} adversarial texts: {results[0][0] * 1000:.1f} ms ({results[0][1]!r})")


if __name__ == "__main__":
    main()
